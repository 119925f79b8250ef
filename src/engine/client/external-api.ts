/**
 * The external API a reconciler calls (the lesson's `r.externalAPI.Call`), guarded by the
 * reconciler's own `rate.Limiter` (`r.apiLimiter.Wait(ctx)`): a latency distribution
 * (lognormal from median and p99), a baseline error rate, and the service's own server-side
 * limit — above `serverLimitRps` requests per second it answers 429 (a token bucket of rate
 * N and burst N on the service's side, est.; real services differ). Brownout faults scale
 * latency and add errors.
 */
import type { EventLoop } from '../loop';
import type { Rng } from '../prng';
import type { Proc } from '../process';
import { waitFor } from '../process';
import { Limiter } from '../rate';
import type { ExternalApiProfile } from '../scenario-types';
import type { Nanos } from '../time';
import { Millisecond } from '../time';

export const DEFAULT_EXTERNAL_PROFILE: ExternalApiProfile = {
  median: 50 * Millisecond,
  p99: 500 * Millisecond,
  errorRate: 0,
  serverLimitRps: Infinity,
};

export interface ExternalResult {
  ok: boolean;
  /** 200, 429 (over the service's limit) or 500 (error). */
  code: number;
  latency: Nanos;
  error?: Error;
}

export class ExternalApi {
  private readonly profile: ExternalApiProfile;
  private readonly serverBucket: Limiter | undefined;
  private latencyFactor = 1;
  private extraErrorRate = 0;
  calls = 0;
  errors = 0;
  rejected = 0;

  constructor(
    private readonly loop: EventLoop,
    private readonly rng: Rng,
    profile: Partial<ExternalApiProfile> = {},
  ) {
    this.profile = { ...DEFAULT_EXTERNAL_PROFILE, ...profile };
    const n = this.profile.serverLimitRps;
    this.serverBucket =
      Number.isFinite(n) && n >= 0 ? new Limiter(n, Math.max(1, Math.ceil(n))) : undefined;
  }

  /** Faults: externalBrownout (latency × f, plus errors) and externalErrors. */
  setFault(f: { latencyFactor?: number; errorRate?: number }): void {
    this.latencyFactor = f.latencyFactor ?? 1;
    this.extraErrorRate = f.errorRate ?? 0;
  }

  /** One call; `cb` when the response arrives. */
  call(cb: (r: ExternalResult) => void): void {
    this.calls++;
    const now = this.loop.now();
    if (this.serverBucket && !this.serverBucket.allowN(now, 1)) {
      this.rejected++;
      // A rejection is cheap for the service: a fifth of the normal latency (est.).
      const latency = Math.max(
        1,
        Math.round(this.rng.lognormal(this.profile.median, this.profile.p99) * 0.2),
      );
      this.loop.after(latency, () =>
        cb({
          ok: false,
          code: 429,
          latency,
          error: new Error('external API: 429 Too Many Requests'),
        }),
      );
      return;
    }
    const latency = Math.max(
      1,
      Math.round(this.rng.lognormal(this.profile.median, this.profile.p99) * this.latencyFactor),
    );
    const errRate = Math.min(1, this.profile.errorRate + this.extraErrorRate);
    const failed = errRate > 0 && this.rng.float64() < errRate;
    if (failed) this.errors++;
    this.loop.after(latency, () =>
      cb(
        failed
          ? {
              ok: false,
              code: 500,
              latency,
              error: new Error('external API: 500 Internal Server Error'),
            }
          : { ok: true, code: 200, latency },
      ),
    );
  }

  /** Waitable form for processes. */
  callWaitable(): (resume: (r: ExternalResult) => void) => void {
    return (resume) => this.call(resume);
  }

  *callProc(): Proc<ExternalResult> {
    return yield* waitFor<ExternalResult>(this.callWaitable());
  }
}

/**
 * `limiter.Wait(ctx)` in virtual time: `cb(null, delay)` after the wait, or `cb(err, 0)` at
 * once with Go's error text (burst exceeded, deadline would be exceeded, context done).
 */
export function limiterWait(
  loop: EventLoop,
  limiter: Limiter,
  cb: (err: string | null, waited: Nanos) => void,
  ctx: { deadline?: Nanos; cancelled?: boolean } = {},
): void {
  const r = limiter.waitN(loop.now(), 1, ctx);
  if (r.err !== null) {
    cb(r.err, 0);
    return;
  }
  if (r.delay <= 0) {
    cb(null, 0);
    return;
  }
  loop.after(r.delay, () => cb(null, r.delay));
}
