/**
 * golang.org/x/time/rate, ported to the virtual clock (controller-semantics.md §3).
 *
 * Every method that Go offers in an `…At(t)` / `…N(t, n)` form takes the virtual time
 * explicitly; there is no hidden "now". Arithmetic is float64 exactly as in Go, durations
 * are integer nanoseconds truncated toward zero as Go's float64 → time.Duration conversion.
 *
 * Behaviour by x/time version (option `xtime`):
 * - 'v0.3.0' (client-go v0.28–v0.31, controller-runtime ≤ v0.19): the bucket starts empty and
 *   is filled lazily from Go's zero time (so it is full except for tiny limits); a limit of 0
 *   takes events out of `burst` itself (golang/go#68541).
 * - 'v0.9.0' (client-go v0.32–v0.35, controller-runtime v0.20–v0.23; also v0.7.0): starts
 *   full; limit 0 never refills; no overflow cap in durationFromTokens, so a wait beyond
 *   MaxInt64 wraps on amd64 to MinInt64 ("effectively no wait").
 * - 'master' (the default; v0.10.0 and later, i.e. the text of §3): as v0.9.0 plus the
 *   InfDuration cap of durationFromTokens.
 */
import type { Nanos } from './time';

/** rate.Inf: an infinite rate. Go's value is math.MaxFloat64; Infinity is accepted as well. */
export const Inf = Infinity;

/**
 * rate.InfDuration = time.Duration(math.MaxInt64) (about 292 years). JavaScript numbers hold
 * it as 2^63 (float64(MaxInt64) rounds to 2^63 in Go too); only comparisons use it.
 */
export const InfDuration: Nanos = 2 ** 63;

/** Go's math.MinInt64: what an out-of-range float64 → int64 conversion yields on amd64. */
const MinInt64 = -(2 ** 63);
/** Go's zero time.Time, as seen from the virtual epoch: t.Sub(zero) saturates at MaxInt64. */
const ZERO_TIME = -Infinity;
/** Go's math.MaxFloat64, the internal representation of Inf (so that Inf × 0 = 0 as in Go). */
const MAX_FLOAT64 = Number.MAX_VALUE;

export type XTimeVersion = 'v0.3.0' | 'v0.9.0' | 'master';

export interface LimiterOptions {
  /** Which golang.org/x/time behaviour to reproduce (default 'master'). */
  xtime?: XTimeVersion;
}

/** rate.Every(interval): 1 / interval.Seconds(), or Inf if interval <= 0. */
export function every(interval: Nanos): number {
  if (interval <= 0) return Inf;
  return 1 / durationSeconds(interval);
}

/** Go's time.Duration.Seconds(): whole seconds plus the remaining nanoseconds / 1e9. */
export function durationSeconds(d: Nanos): number {
  const nsec = d % 1e9;
  const sec = (d - nsec) / 1e9;
  return sec + nsec / 1e9;
}

/** t.Sub(u) with Go's saturation at ±MaxInt64. */
function sub(t: number, u: number): Nanos {
  const d = t - u;
  if (d >= InfDuration || Number.isNaN(d)) return InfDuration;
  if (d <= MinInt64) return MinInt64;
  return d;
}

/** float64 → time.Duration, truncating toward zero; out of range gives MinInt64 (amd64). */
function toDuration(f: number): Nanos {
  if (!(f < InfDuration && f > MinInt64)) return MinInt64;
  return Math.trunc(f);
}

export interface Reservation {
  /** Whether the limiter can provide the requested tokens within the maximum wait. */
  readonly ok: boolean;
  /** The time at which the reserved event may happen. */
  readonly timeToAct: Nanos;
  /** Number of tokens reserved. */
  readonly tokens: number;
  /** InfDuration if not ok, else max(0, timeToAct − t). */
  delayFrom(t: Nanos): Nanos;
  /** Gives the tokens back as far as possible (see Limiter), as if the event never happened. */
  cancelAt(t: Nanos): void;
}

class ReservationImpl implements Reservation {
  constructor(
    readonly ok: boolean,
    private readonly lim: Limiter,
    readonly tokens: number,
    readonly timeToAct: Nanos,
    /** The limit at reservation time (0, Go's zero value, for reservations under Inf). */
    readonly limit: number,
  ) {}

  delayFrom(t: Nanos): Nanos {
    if (!this.ok) return InfDuration;
    const delay = sub(this.timeToAct, t);
    return delay < 0 ? 0 : delay;
  }

  cancelAt(t: Nanos): void {
    this.lim.cancelReservation(this, t);
  }
}

/**
 * rate.Limiter: a token bucket of size `burst` refilled at `limit` tokens per second. Tokens
 * may go negative (a reservation in the future is a debt). Construct with `new Limiter(r, b)`
 * like Go's rate.NewLimiter(r, b).
 */
export class Limiter {
  private lim: number;
  private b: number;
  private tokens: number;
  private last: Nanos = ZERO_TIME;
  private lastEvent: Nanos = ZERO_TIME;
  private readonly xtime: XTimeVersion;

  constructor(limit: number, burst: number, opts: LimiterOptions = {}) {
    this.xtime = opts.xtime ?? 'master';
    this.lim = normLimit(limit);
    this.b = Math.trunc(burst);
    this.tokens = this.xtime === 'v0.3.0' ? 0 : this.b;
  }

  /** The maximum overall event rate (Infinity for rate.Inf). */
  limit(): number {
    return this.lim === MAX_FLOAT64 ? Inf : this.lim;
  }

  /** The maximum burst size. */
  burst(): number {
    return this.b;
  }

  /** Tokens available at time t (may be negative). */
  tokensAt(t: Nanos): number {
    return this.advance(t);
  }

  /** Whether n events may happen at time t; consumes the tokens if so. */
  allowN(t: Nanos, n: number): boolean {
    return this.reserveN(t, n, 0).ok;
  }

  /**
   * A reservation of n tokens at time t. Without maxFutureReserve it fails only if n > burst;
   * it may lie in the future and drive the bucket negative.
   */
  reserveN(t: Nanos, n: number, maxFutureReserve: Nanos = InfDuration): Reservation {
    if (this.lim === MAX_FLOAT64) {
      return new ReservationImpl(true, this, n, t, 0);
    }
    if (this.xtime === 'v0.3.0' && this.lim === 0) {
      // x/time v0.3.0: a zero limit spends the burst itself (it can lock shut for good).
      let ok = false;
      if (this.b >= n) {
        ok = true;
        this.b -= n;
      }
      return new ReservationImpl(ok, this, this.b, t, 0);
    }
    let tokens = this.advance(t);
    tokens -= n;
    let wait = 0;
    if (tokens < 0) wait = this.durationFromTokens(-tokens);
    const ok = n <= this.b && wait <= maxFutureReserve;
    if (!ok) return new ReservationImpl(false, this, 0, 0, this.lim);
    const timeToAct = t + wait;
    this.last = t;
    this.tokens = tokens;
    this.lastEvent = timeToAct;
    return new ReservationImpl(true, this, n, timeToAct, this.lim);
  }

  /**
   * WaitN against a virtual clock: instead of sleeping, returns the delay the caller must
   * sleep, or the error string Go would return. `ctx.deadline` is absolute virtual time. If the
   * caller's context ends during the returned delay, it must call
   * `reservation.cancelAt(thatTime)` and report ctx.Err() itself (see process.ts limiterWait).
   */
  waitN(
    t: Nanos,
    n: number,
    ctx: { deadline?: Nanos; cancelled?: boolean } = {},
  ): { delay: Nanos; err: string | null; reservation?: Reservation } {
    if (n > this.b && this.lim !== MAX_FLOAT64) {
      return { delay: 0, err: `rate: Wait(n=${n}) exceeds limiter's burst ${this.b}` };
    }
    if (ctx.cancelled) return { delay: 0, err: 'context canceled' };
    if (ctx.deadline !== undefined && ctx.deadline <= t) {
      return { delay: 0, err: 'context deadline exceeded' };
    }
    const waitLimit = ctx.deadline !== undefined ? sub(ctx.deadline, t) : InfDuration;
    const r = this.reserveN(t, n, waitLimit);
    if (!r.ok) return { delay: 0, err: `rate: Wait(n=${n}) would exceed context deadline` };
    return { delay: r.delayFrom(t), err: null, reservation: r };
  }

  /** SetLimitAt: settles the bucket at t under the old limit, then changes it. */
  setLimitAt(t: Nanos, limit: number): void {
    const tokens = this.advance(t);
    this.last = t;
    this.tokens = tokens;
    this.lim = normLimit(limit);
  }

  /** SetBurstAt: settles the bucket at t under the old burst, then changes it. */
  setBurstAt(t: Nanos, burst: number): void {
    const tokens = this.advance(t);
    this.last = t;
    this.tokens = tokens;
    this.b = Math.trunc(burst);
  }

  /** @internal Reservation.CancelAt (x/time rate.go). */
  cancelReservation(r: ReservationImpl, t: Nanos): void {
    if (!r.ok) return;
    if (this.lim === MAX_FLOAT64 || r.tokens === 0 || r.timeToAct < t) return;
    // Tokens reserved after r (between its act time and the latest one) are not restored.
    const restore = r.tokens - tokensFromDuration(r.limit, sub(this.lastEvent, r.timeToAct));
    if (restore <= 0) return;
    let tokens = this.advance(t);
    tokens += restore;
    if (tokens > this.b) tokens = this.b;
    this.last = t;
    this.tokens = tokens;
    if (r.timeToAct === this.lastEvent) {
      const prevEvent = r.timeToAct + durationFromTokens(r.limit, -r.tokens, this.xtime);
      if (!(prevEvent < t)) this.lastEvent = prevEvent;
    }
  }

  private advance(t: Nanos): number {
    let last = this.last;
    if (t < last) last = t;
    const elapsed = sub(t, last);
    const delta = tokensFromDuration(this.lim, elapsed);
    let tokens = this.tokens + delta;
    if (tokens > this.b) tokens = this.b;
    return tokens;
  }

  private durationFromTokens(x: number): Nanos {
    return durationFromTokens(this.lim, x, this.xtime);
  }
}

function normLimit(limit: number): number {
  if (Number.isNaN(limit)) throw new RangeError('rate: limit is NaN');
  return limit === Infinity ? MAX_FLOAT64 : limit;
}

function tokensFromDuration(limit: number, d: Nanos): number {
  if (limit <= 0) return 0;
  return durationSeconds(d) * limit;
}

function durationFromTokens(limit: number, tokens: number, xtime: XTimeVersion): Nanos {
  if (limit <= 0) return InfDuration;
  const duration = (tokens / limit) * 1e9;
  if (xtime === 'master' && duration > InfDuration) return InfDuration;
  return toDuration(duration);
}
