/**
 * client-go util/workqueue/rate_limiting_queue.go (controller-semantics.md §1.3).
 * AddRateLimited(x) is exactly AddAfter(x, rateLimiter.When(x)); When is evaluated (a failure
 * counted or a token taken) even when the queue is shutting down and the add is dropped.
 * Forget and NumRequeues go to the rate limiter and never touch the queue.
 */
import { DelayingQueue } from './delaying-queue';
import type { QueueOptions } from './queue';
import type { RateLimiter, WaitCause } from './ratelimiters';
import type { Nanos } from './time';

export class RateLimitingQueue<T> extends DelayingQueue<T> {
  readonly rateLimiter: RateLimiter<T>;
  /** Delay and cause of the last addRateLimited (for the why-waiting trace). */
  readonly lastRateLimit: { delay: Nanos; cause: WaitCause | undefined } = {
    delay: 0,
    cause: undefined,
  };

  constructor(o: QueueOptions & { rateLimiter: RateLimiter<T> }) {
    super(o);
    this.rateLimiter = o.rateLimiter;
  }

  addRateLimited(item: T): void {
    const delay = this.rateLimiter.when(item);
    this.lastRateLimit.delay = delay;
    this.lastRateLimit.cause = this.rateLimiter.lastCause;
    this.addAfter(item, delay);
  }

  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }
}
