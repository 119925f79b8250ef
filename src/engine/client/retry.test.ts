import { describe, expect, it } from 'vitest';
import { StatusError, newConflict } from '../apiserver/errors';
import { EventLoop } from '../loop';
import { Rng } from '../prng';
import { spawn, type Proc } from '../process';
import { Limiter } from '../rate';
import { Millisecond, Second } from '../time';
import { ExternalApi, limiterWait, type ExternalResult } from './external-api';
import {
  DefaultBackoff,
  DefaultRetry,
  backoffStep,
  retryOnConflict,
  retryOnConflictProc,
  type Backoff,
} from './retry';
import { harness, seedDatabases } from './testutil';

const conflict = () => newConflict('databases.database.example.com', 'db-1');

describe('retry.DefaultRetry / DefaultBackoff (apiserver-and-scale.md §2.3)', () => {
  it('has the reference values', () => {
    expect(DefaultRetry).toEqual({
      steps: 5,
      duration: 10 * Millisecond,
      factor: 1.0,
      jitter: 0.1,
      cap: 0,
    });
    expect(DefaultBackoff).toEqual({
      steps: 4,
      duration: 10 * Millisecond,
      factor: 5.0,
      jitter: 0.1,
      cap: 0,
    });
  });

  it('steps 10 ms × (1 + U[0, 0.1)) for DefaultRetry and 10, 50, 250 ms (+ jitter) for DefaultBackoff', () => {
    const rng = new Rng(5);
    const b: Backoff = { ...DefaultRetry };
    for (let i = 0; i < 5; i++) {
      const d = backoffStep(b, rng);
      expect(d).toBeGreaterThanOrEqual(10 * Millisecond);
      expect(d).toBeLessThan(11 * Millisecond);
    }
    expect(b.steps).toBe(0);
    const e: Backoff = { ...DefaultBackoff };
    const base = [10, 50, 250, 1250].map((x) => x * Millisecond);
    for (const want of base) {
      const d = backoffStep(e, rng);
      expect(d).toBeGreaterThanOrEqual(want);
      expect(d).toBeLessThan(want * 1.1);
    }
  });

  it('re-runs on Conflict at most 5 times, then returns the last conflict', () => {
    const loop = new EventLoop();
    const times: number[] = [];
    let result: Error | undefined | null = null;
    retryOnConflict(
      loop,
      new Rng(1),
      DefaultRetry,
      (done) => {
        times.push(loop.now());
        done(conflict());
      },
      (err, attempts) => {
        result = err;
        expect(attempts).toBe(5);
      },
    );
    loop.runUntil(Second);
    expect(times).toHaveLength(5);
    for (let i = 1; i < 5; i++) {
      const gap = times[i]! - times[i - 1]!;
      expect(gap).toBeGreaterThanOrEqual(10 * Millisecond);
      expect(gap).toBeLessThan(11 * Millisecond);
    }
    expect((result as unknown as StatusError).reason).toBe('Conflict');
  });

  it('stops at once on success or on a non-conflict error', () => {
    const loop = new EventLoop();
    let n = 0;
    let res: Error | undefined | null = null;
    retryOnConflict(
      loop,
      new Rng(1),
      DefaultRetry,
      (done) => done(++n < 3 ? conflict() : undefined),
      (e) => (res = e),
    );
    loop.runUntil(Second);
    expect(n).toBe(3);
    expect(res).toBeUndefined();
    let m = 0;
    const other = new StatusError(404, 'NotFound', 'x');
    retryOnConflict(
      loop,
      new Rng(1),
      DefaultRetry,
      (done) => (m++, done(other)),
      (e) => (res = e),
    );
    loop.runUntil(2 * Second);
    expect(m).toBe(1);
    expect(res).toBe(other);
  });

  it('resolves a real conflict between two writers with a re-GET inside the retry (process form)', () => {
    const h = harness('dev');
    seedDatabases(h.server, 1);
    const rng = new Rng(2);
    const results: (Error | undefined)[] = [];
    function* bump(label: number): Proc<void> {
      const err = yield* retryOnConflictProc(rng, DefaultRetry, function* () {
        const g = yield* h.client.request({
          verb: 'get',
          kind: 'Database',
          namespace: 'default',
          name: 'db-0',
        });
        if (!g.ok) return g.error;
        const u = yield* h.client.request({
          verb: 'update',
          kind: 'Database',
          namespace: 'default',
          name: 'db-0',
          object: { ...g.object!, spec: { ...g.object!.spec, [`w${label}`]: true } },
        });
        return u.ok ? undefined : u.error;
      });
      results.push(err);
    }
    for (let i = 0; i < 3; i++) spawn(h.loop, bump(i));
    h.loop.runUntil(10 * Second);
    expect(results).toEqual([undefined, undefined, undefined]);
    const o = h.server.store.get('Database', 'default', 'db-0');
    if (o instanceof StatusError) throw o;
    expect(o.spec).toMatchObject({ w0: true, w1: true, w2: true });
    expect(h.metrics.sum('apiserver_request_total', { code: '409' })).toBeGreaterThan(0);
  });
});

describe('external API behind a rate.Limiter', () => {
  it('answers 429 above its own limit and errors at its error rate', () => {
    const loop = new EventLoop();
    const api = new ExternalApi(loop, new Rng(3), { serverLimitRps: 10, errorRate: 0 });
    const codes: number[] = [];
    for (let i = 0; i < 30; i++) api.call((r) => codes.push(r.code));
    loop.runUntil(10 * Second);
    expect(codes.filter((c) => c === 200)).toHaveLength(10);
    expect(codes.filter((c) => c === 429)).toHaveLength(20);

    const flaky = new ExternalApi(loop, new Rng(4), { errorRate: 0.3 });
    const res: ExternalResult[] = [];
    for (let i = 0; i < 2000; i++) flaky.call((r) => res.push(r));
    loop.runUntil(20 * Second);
    const errRate = res.filter((r) => r.code === 500).length / res.length;
    expect(errRate).toBeGreaterThan(0.26);
    expect(errRate).toBeLessThan(0.34);
    const lat = res.map((r) => r.latency).sort((a, b) => a - b);
    expect(lat[1000]! / Millisecond).toBeGreaterThan(45);
    expect(lat[1000]! / Millisecond).toBeLessThan(55);
  });

  it('a reconciler-side limiter with Wait keeps calls under the service’s limit: no 429s', () => {
    const loop = new EventLoop();
    const api = new ExternalApi(loop, new Rng(3), { serverLimitRps: 10 });
    const lim = new Limiter(10, 1);
    const codes: number[] = [];
    const waits: number[] = [];
    for (let i = 0; i < 50; i++) {
      limiterWait(loop, lim, (err, waited) => {
        expect(err).toBeNull();
        waits.push(waited);
        api.call((r) => codes.push(r.code));
      });
    }
    loop.runUntil(20 * Second);
    expect(codes).toHaveLength(50);
    expect(codes.every((c) => c === 200)).toBe(true);
    expect(Math.max(...waits)).toBe(4.9 * Second);
    // Wait with a deadline that cannot be met fails at once with Go's text.
    let err: string | null = null;
    const slow = new Limiter(1, 1);
    limiterWait(loop, slow, () => {});
    limiterWait(loop, slow, (e) => (err = e), { deadline: loop.now() + Millisecond });
    expect(err).toBe('rate: Wait(n=1) would exceed context deadline');
  });
});
