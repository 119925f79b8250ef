import { describe, expect, it } from 'vitest';
import { Controller } from './controller';
import { EventLoop } from './loop';
import {
  PROFILES,
  RAW_CLIENT_GO_BURST,
  RAW_CLIENT_GO_QPS,
  buildRateLimiter,
  clientRateLimit,
  defaultRateLimiterFor,
  profileFor,
  queueKindFor,
} from './profiles';
import { InfDuration } from './rate';
import { CR_VERSIONS } from './settings';
import { Millisecond, Second } from './time';

const ms = Millisecond;

describe('version profiles (§4.1, §6, §9)', () => {
  it('queue kind: client-go queue up to v0.22 by default, priority queue from v0.23; opt-in from v0.20', () => {
    expect(CR_VERSIONS.map((v) => queueKindFor(profileFor(v)))).toEqual([
      'rateLimiting',
      'rateLimiting',
      'rateLimiting',
      'priority',
    ]);
    expect(queueKindFor(PROFILES['v0.19'], true)).toBe('rateLimiting');
    expect(queueKindFor(PROFILES['v0.20'], true)).toBe('priority');
    expect(queueKindFor(PROFILES['v0.23'], false)).toBe('rateLimiting');
    expect(profileFor().version).toBe('v0.23');
  });

  it('default rate limiter: exponential only with the priority queue, + 10 qps/100 bucket otherwise', () => {
    const loop = new EventLoop();
    const pq = defaultRateLimiterFor<string>(PROFILES['v0.23'], 'priority', loop);
    const cg = defaultRateLimiterFor<string>(PROFILES['v0.23'], 'rateLimiting', loop);
    const a = Array.from({ length: 101 }, (_, i) => pq.when(`k${i}`));
    const b = Array.from({ length: 101 }, (_, i) => cg.when(`k${i}`));
    expect(a[100]).toBe(5 * ms);
    expect(b[100]).toBe(100 * ms);
  });

  it('client QPS/Burst from ctrl.GetConfig: 20/30 up to v0.20, off from v0.21; explicit 0 → 5/10', () => {
    expect(clientRateLimit(PROFILES['v0.19'], { qps: 'default', burst: 'default' })).toEqual({
      enabled: true,
      qps: 20,
      burst: 30,
    });
    expect(clientRateLimit(PROFILES['v0.20'], { qps: 'default', burst: 'default' }).qps).toBe(20);
    expect(clientRateLimit(PROFILES['v0.22'], { qps: 'default', burst: 'default' }).enabled).toBe(
      false,
    );
    expect(clientRateLimit(PROFILES['v0.23'], { qps: 50, burst: 'default' })).toEqual({
      enabled: true,
      qps: 50,
      burst: RAW_CLIENT_GO_BURST,
    });
    expect(clientRateLimit(PROFILES['v0.23'], { qps: 0, burst: 0 })).toEqual({
      enabled: true,
      qps: RAW_CLIENT_GO_QPS,
      burst: RAW_CLIENT_GO_BURST,
    });
    expect(clientRateLimit(PROFILES['v0.19'], { qps: -1, burst: 'default' }).enabled).toBe(false);
  });

  it('RecoverPanic is on by default in every modelled version (since v0.19)', () => {
    expect(CR_VERSIONS.every((v) => PROFILES[v].recoverPanic)).toBe(true);
  });

  it('x/time behaviour follows client-go: v0.19 uses x/time v0.3.0 (zero limit spends burst)', () => {
    const loop = new EventLoop();
    const old = buildRateLimiter<string>(
      { kind: 'bucket', qps: 0, burst: 2 },
      PROFILES['v0.19'],
      'rateLimiting',
      loop,
    );
    const now = buildRateLimiter<string>(
      { kind: 'bucket', qps: 0, burst: 2 },
      PROFILES['v0.23'],
      'rateLimiting',
      loop,
    );
    expect([old.when('a'), old.when('a'), old.when('a')]).toEqual([0, 0, InfDuration]);
    expect([now.when('a'), now.when('a'), now.when('a')]).toEqual([0, 0, InfDuration]);
  });
});

describe('buildRateLimiter from a RateLimiterSpec', () => {
  const loop = new EventLoop();
  const p = PROFILES['v0.23'];

  it('builds every kind with the written parameters', () => {
    const exp = buildRateLimiter<string>(
      { kind: 'itemExponentialFailure', baseDelay: 10 * ms, maxDelay: 30 * ms },
      p,
      'priority',
      loop,
    );
    expect([exp.when('a'), exp.when('a'), exp.when('a')]).toEqual([10 * ms, 20 * ms, 30 * ms]);
    const fs = buildRateLimiter<string>(
      { kind: 'itemFastSlow', fastDelay: ms, slowDelay: Second, maxFastAttempts: 1 },
      p,
      'priority',
      loop,
    );
    expect([fs.when('a'), fs.when('a')]).toEqual([ms, Second]);
    const mw = buildRateLimiter<string>(
      {
        kind: 'withMaxWait',
        maxDelay: 15 * ms,
        limiter: {
          kind: 'maxOf',
          limiters: [
            { kind: 'defaultItemBased' },
            { kind: 'itemExponentialFailure', baseDelay: 10 * ms, maxDelay: Second },
          ],
        },
      },
      p,
      'priority',
      loop,
    );
    expect([mw.when('a'), mw.when('a'), mw.when('a')]).toEqual([10 * ms, 15 * ms, 15 * ms]);
    expect(mw.numRequeues('a')).toBe(3);
    const dc = buildRateLimiter<string>({ kind: 'defaultController' }, p, 'priority', loop);
    expect(Array.from({ length: 101 }, (_, i) => dc.when(`x${i}`))[100]).toBe(100 * ms);
    const def = buildRateLimiter<string>({ kind: 'default' }, p, 'priority', loop);
    expect(def.when('a')).toBe(5 * ms);
  });
});

describe('workqueue metric labels by version (§5.2)', () => {
  it('v0.19/v0.20 depth has name+controller; v0.21+ adds priority', () => {
    const run = (version: 'v0.19' | 'v0.23') => {
      const loop = new EventLoop();
      const c = new Controller<string>({
        loop,
        name: 'database',
        version,
        reconciler: function* () {
          yield ms;
          return {};
        },
      });
      c.start();
      c.queue.add('ns/a');
      return c.metrics.toPrometheusText();
    };
    expect(run('v0.19')).toContain('workqueue_depth{name="database",controller="database"} 1');
    expect(run('v0.23')).toContain(
      'workqueue_depth{name="database",controller="database",priority="0"} 1',
    );
    const text = run('v0.23');
    expect(text).toContain(
      'workqueue_queue_duration_seconds_bucket{name="database",controller="database",le="1000"}',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_time_seconds_bucket{controller="database",le="60"}',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="database",result="requeue_after"} 0',
    );
  });
});
