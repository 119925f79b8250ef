import { describe, expect, it } from 'vitest';
import * as engine from './index';
import type {
  Clock,
  Nanos,
  QueueOptions,
  RateLimiter,
  Reservation,
  ReconcileOutcome,
} from './index';

describe('engine public surface (issue 3)', () => {
  it('exports every name of the contract', () => {
    const names = [
      'Nanosecond',
      'Microsecond',
      'Millisecond',
      'Second',
      'Minute',
      'Hour',
      'EventLoop',
      'Limiter',
      'every',
      'Inf',
      'InfDuration',
      'TokenBucketRateLimiter',
      'ItemExponentialFailureRateLimiter',
      'ItemFastSlowRateLimiter',
      'BucketRateLimiter',
      'MaxOfRateLimiter',
      'WithMaxWaitRateLimiter',
      'defaultControllerRateLimiter',
      'defaultItemBasedRateLimiter',
      'Queue',
      'DelayingQueue',
      'RateLimitingQueue',
      'PriorityQueue',
      'MetricsRegistry',
      'Controller',
      'ReconcilePanic',
      'spawn',
      'Context',
      'PROFILES',
      'profileFor',
      'buildRateLimiter',
      'LowPriority',
      'Rng',
    ];
    for (const n of names) expect(engine, n).toHaveProperty(n);
    expect(engine.Inf).toBe(Infinity);
    expect([engine.Nanosecond, engine.Microsecond, engine.Millisecond]).toEqual([1, 1e3, 1e6]);
    expect([engine.Second, engine.Minute, engine.Hour]).toEqual([1e9, 6e10, 3.6e12]);
  });

  it('the contract signatures type-check and work together', () => {
    const loop = new engine.EventLoop();
    const clock: Clock = loop;
    const d: Nanos = engine.every(100 * engine.Millisecond);
    expect(d).toBe(10);
    const lim = new engine.Limiter(d, 1);
    const r: Reservation = lim.reserveN(clock.now(), 1);
    expect(r.ok && r.timeToAct === 0).toBe(true);
    const w: { delay: Nanos; err: string | null } = lim.waitN(0, 1, { deadline: engine.Second });
    expect(w.delay).toBe(100 * engine.Millisecond);
    const rl: RateLimiter<string> = engine.defaultControllerRateLimiter<string>(loop);
    const o: QueueOptions = { loop, name: 'q', metrics: new engine.MetricsRegistry() };
    const q = new engine.RateLimitingQueue<string>({ ...o, rateLimiter: rl });
    q.addRateLimited('a');
    loop.advance(engine.Second);
    expect(q.get()).toEqual({ item: 'a', shutdown: false });
    const out: ReconcileOutcome = { result: { requeueAfter: engine.Second } };
    expect(out.result?.requeueAfter).toBe(1e9);
    expect(o.metrics!.value('workqueue_adds_total', { name: 'q', controller: 'q' })).toBe(1);
  });
});
