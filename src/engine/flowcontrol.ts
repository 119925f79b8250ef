/**
 * client-go util/flowcontrol token bucket (controller-semantics.md §3 end, §6): the REST
 * client's QPS/Burst limiter. NewTokenBucketRateLimiter(qps, burst) is a
 * rate.NewLimiter(rate.Limit(qps), burst); qps is a Go float32 (rest.Config.QPS), so it is
 * rounded to float32 first (0.1 becomes 0.10000000149011612, exactly as in Go).
 *
 * In the simulation nothing sleeps: accept() reserves a token now and returns the delay the
 * caller must wait (what Go's Accept would sleep); reserveAt(t) does the same at a given time.
 */
import { Limiter, type LimiterOptions } from './rate';
import type { Clock, Nanos } from './time';

export class TokenBucketRateLimiter {
  readonly limiter: Limiter;
  private readonly q: number;

  constructor(
    qps: number,
    burst: number,
    private readonly clock: Clock,
    opts: LimiterOptions = {},
  ) {
    this.q = Math.fround(qps);
    this.limiter = new Limiter(this.q, burst, opts);
  }

  /** TryAccept: AllowN(now, 1). */
  tryAccept(): boolean {
    return this.limiter.allowN(this.clock.now(), 1);
  }

  /** Accept: reserves one token now and returns the wait Go would sleep (0 if none). */
  accept(): Nanos {
    return this.reserveAt(this.clock.now());
  }

  /** Reserves one token at time t; returns ReserveN(t, 1).DelayFrom(t). */
  reserveAt(t: Nanos): Nanos {
    return this.limiter.reserveN(t, 1).delayFrom(t);
  }

  /** Wait(ctx) = Limiter.Wait(ctx): the delay to sleep, or Go's error text. */
  wait(ctx: { deadline?: Nanos; cancelled?: boolean } = {}): {
    delay: Nanos;
    err: string | null;
  } {
    return this.limiter.waitN(this.clock.now(), 1, ctx);
  }

  /** QPS(): the float32 rate. */
  qps(): number {
    return this.q;
  }

  /** Stop(): nothing to release in a simulation. */
  stop(): void {}
}
