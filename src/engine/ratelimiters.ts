/**
 * client-go util/workqueue/default_rate_limiters.go (controller-semantics.md §2).
 *
 * Items are compared like Go map keys: use primitives (the controller uses the
 * "namespace/name" string of a reconcile.Request) or the very same object.
 */
import { InfDuration, Limiter } from './rate';
import { Millisecond, Second, type Clock, type Nanos } from './time';

/** Why a rate limiter's last When() delay was what it was (for the why-waiting trace). */
export type WaitCause = 'backoff' | 'bucket';

/** TypedRateLimiter[T]. */
export interface RateLimiter<T> {
  /** Records a failure (or takes a token) and returns how long the item should wait. */
  when(item: T): Nanos;
  /** Stops tracking the item (resets its backoff). Does not touch any queue. */
  forget(item: T): void;
  /** How many failures the item has had. */
  numRequeues(item: T): number;
  /** Which kind of limit decided the last when() (set by every limiter in this file). */
  readonly lastCause?: WaitCause;
}

/** Go's float64 → int64 conversion of an exact 2^63 on amd64 (§2 "overflow handling"). */
const MinInt64 = -(2 ** 63);

/**
 * TypedItemExponentialFailureRateLimiter: base × 2^failures, computed in float64; more than
 * MaxInt64 ⇒ maxDelay; otherwise truncated and capped at maxDelay. The first failure waits
 * exactly base. A product of exactly 2^63 is not "greater" than float64(MaxInt64) and
 * converts to MinInt64 on amd64, a negative delay that is returned as is (vector
 * derived-exp-float-edge-2pow63; only power-of-two bases reach it).
 */
export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  private failures = new Map<T, number>();
  readonly lastCause: WaitCause = 'backoff';

  constructor(
    readonly baseDelay: Nanos,
    readonly maxDelay: Nanos,
  ) {}

  when(item: T): Nanos {
    const exp = this.failures.get(item) ?? 0;
    this.failures.set(item, exp + 1);
    const backoff = this.baseDelay * Math.pow(2, exp);
    if (backoff > InfDuration) return this.maxDelay;
    // NaN (0 × +Inf) and exactly 2^63 both convert to MinInt64 on amd64.
    const calculated =
      backoff === InfDuration || Number.isNaN(backoff) ? MinInt64 : Math.trunc(backoff);
    if (calculated > this.maxDelay) return this.maxDelay;
    return calculated;
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }

  forget(item: T): void {
    if (this.failures.size !== 0) this.failures.delete(item);
  }
}

/** TypedItemFastSlowRateLimiter: fast for the first maxFastAttempts failures, then slow. */
export class ItemFastSlowRateLimiter<T> implements RateLimiter<T> {
  private failures = new Map<T, number>();
  readonly lastCause: WaitCause = 'backoff';

  constructor(
    readonly fastDelay: Nanos,
    readonly slowDelay: Nanos,
    readonly maxFastAttempts: number,
  ) {}

  when(item: T): Nanos {
    const n = (this.failures.get(item) ?? 0) + 1;
    this.failures.set(item, n);
    return n <= this.maxFastAttempts ? this.fastDelay : this.slowDelay;
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }

  forget(item: T): void {
    if (this.failures.size !== 0) this.failures.delete(item);
  }
}

/**
 * TypedBucketRateLimiter{Limiter: rate.NewLimiter(r, b)}: one token bucket shared by all
 * items; When = Limiter.Reserve().Delay() (InfDuration when burst is 0). The clock stands in
 * for time.Now().
 */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  readonly lastCause: WaitCause = 'bucket';

  constructor(
    readonly limiter: Limiter,
    private readonly clock: Clock,
  ) {}

  when(_item: T): Nanos {
    const now = this.clock.now();
    return this.limiter.reserveN(now, 1).delayFrom(now);
  }

  numRequeues(_item: T): number {
    return 0;
  }

  forget(_item: T): void {}
}

/** TypedMaxOfRateLimiter: every limiter's When is called; the largest delay wins. */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  readonly limiters: RateLimiter<T>[];
  lastCause: WaitCause | undefined = undefined;

  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }

  when(item: T): Nanos {
    let ret = 0;
    let cause: WaitCause | undefined = undefined;
    for (const l of this.limiters) {
      const curr = l.when(item);
      if (curr > ret) {
        ret = curr;
        cause = l.lastCause;
      }
    }
    this.lastCause = cause;
    return ret;
  }

  numRequeues(item: T): number {
    let ret = 0;
    for (const l of this.limiters) {
      const curr = l.numRequeues(item);
      if (curr > ret) ret = curr;
    }
    return ret;
  }

  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }
}

/** TypedWithMaxWaitRateLimiter (client-go v0.23+): min(inner.When, maxDelay). */
export class WithMaxWaitRateLimiter<T> implements RateLimiter<T> {
  constructor(
    readonly limiter: RateLimiter<T>,
    readonly maxDelay: Nanos,
  ) {}

  get lastCause(): WaitCause | undefined {
    return this.limiter.lastCause;
  }

  when(item: T): Nanos {
    const delay = this.limiter.when(item);
    return delay > this.maxDelay ? this.maxDelay : delay;
  }

  numRequeues(item: T): number {
    return this.limiter.numRequeues(item);
  }

  forget(item: T): void {
    this.limiter.forget(item);
  }
}

/**
 * DefaultTypedControllerRateLimiter: MaxOf(ItemExponentialFailure(5ms, 1000s),
 * Bucket(rate.Limit(10), 100)). `limiterOptions` selects the x/time behaviour.
 */
export function defaultControllerRateLimiter<T>(
  clock: Clock,
  limiterOptions: ConstructorParameters<typeof Limiter>[2] = {},
): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialFailureRateLimiter<T>(5 * Millisecond, 1000 * Second),
    new BucketRateLimiter<T>(new Limiter(10, 100, limiterOptions), clock),
  );
}

/** DefaultTypedItemBasedRateLimiter: ItemExponentialFailure(1ms, 1000s). */
export function defaultItemBasedRateLimiter<T>(): RateLimiter<T> {
  return new ItemExponentialFailureRateLimiter<T>(Millisecond, 1000 * Second);
}
