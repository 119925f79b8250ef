import { describe, expect, it } from 'vitest';
import type { ApiRequest, ApiResponse } from '../apiserver/server';
import { ApiServer } from '../apiserver/server';
import { StatusError } from '../apiserver/errors';
import { EventLoop } from '../loop';
import { MetricsRegistry } from '../metrics';
import { Rng } from '../prng';
import { spawn, type Proc } from '../process';
import type { LogLine, TraceSpan } from '../run-types';
import { Millisecond, Second } from '../time';
import { RestClient, type ClientResult } from './rest-client';
import { harness, seedDatabases, type Harness } from './testutil';

const HOST = '10.96.0.1:443';

function sumCounter(h: Harness, name: string, match: Record<string, string> = {}): number {
  return h.metrics.sum(name, match);
}

function histSum(h: Harness, name: string, labels: Record<string, string>) {
  return h.metrics.histogram(name, labels) ?? { count: 0, sum: 0, buckets: [] };
}

/** A writer process: GET then PUT its own object, over and over, until `until`. */
function* writer(h: Harness, name: string, until: number, errors: string[]): Proc<void> {
  while (h.loop.now() < until) {
    const g = yield* h.client.request({
      verb: 'get',
      kind: 'Database',
      namespace: 'default',
      name,
    });
    if (!g.ok || !g.object) {
      errors.push(g.error?.message ?? 'get failed');
      continue;
    }
    const o = g.object;
    const u = yield* h.client.request(
      {
        verb: 'update',
        kind: 'Database',
        namespace: 'default',
        name,
        object: { ...o, spec: { ...o.spec, size: Number(o.spec.size) + 1 } },
      },
      { key: `default/${name}` },
    );
    if (!u.ok) errors.push(u.error?.message ?? 'update failed');
  }
}

describe('client-side QPS/Burst (controller-semantics.md §6)', () => {
  it('takes about 96 s to send 490 writes at QPS 5 / burst 10 (10 at once, then one per 200 ms)', () => {
    const h = harness('dev', { qps: 5, burst: 10 });
    let last = 0;
    let ok = 0;
    for (let i = 0; i < 490; i++) {
      h.client.do(
        {
          verb: 'create',
          kind: 'Database',
          namespace: 'default',
          object: { kind: 'Database', metadata: { namespace: 'default', name: `db-${i}` } },
        },
        (r) => {
          if (r.ok) ok++;
          last = h.loop.now();
        },
      );
    }
    h.loop.runUntil(300 * Second);
    expect(ok).toBe(490);
    expect(last / Second).toBeGreaterThan(96);
    expect(last / Second).toBeLessThan(97);
    const rl = histSum(h, 'rest_client_rate_limiter_duration_seconds', {
      verb: 'POST',
      host: HOST,
    });
    expect(rl.count).toBe(490);
    // Σ (k × 0.2 s) for k = 1..480
    expect(rl.sum).toBeCloseTo(23088, 0);
    expect(sumCounter(h, 'apiserver_request_total', { code: '429' })).toBe(0);
    expect(sumCounter(h, 'rest_client_requests_total', { code: '201', method: 'POST' })).toBe(490);
  });

  it('keeps one bucket per resource type: another kind is not throttled by the first', () => {
    const h = harness('dev', { qps: 5, burst: 10 });
    const done: Record<string, number> = {};
    for (let i = 0; i < 20; i++) {
      h.client.do(
        {
          verb: 'create',
          kind: 'Database',
          namespace: 'default',
          object: { kind: 'Database', metadata: { namespace: 'default', name: `db-${i}` } },
        },
        () => (done.db = h.loop.now()),
      );
    }
    for (let i = 0; i < 10; i++) {
      h.client.do(
        {
          verb: 'create',
          kind: 'StatefulSet',
          namespace: 'default',
          object: { kind: 'StatefulSet', metadata: { namespace: 'default', name: `db-${i}` } },
        },
        () => (done.sts = h.loop.now()),
      );
    }
    h.loop.runUntil(10 * Second);
    expect(done.sts! / Second).toBeLessThan(1);
    expect(done.db! / Second).toBeGreaterThan(1.9);
  });

  it('takes no samples in the rate-limiter histogram when QPS < 0 (limiter off)', () => {
    const h = harness('dev', { qps: -1, burst: 0 });
    for (let i = 0; i < 50; i++) {
      h.client.do(
        {
          verb: 'create',
          kind: 'Database',
          namespace: 'default',
          object: { kind: 'Database', metadata: { namespace: 'default', name: `db-${i}` } },
        },
        () => {},
      );
    }
    h.loop.runUntil(10 * Second);
    expect(h.client.limiterFor('Database')).toBeUndefined();
    expect(
      h.metrics.histogram('rest_client_rate_limiter_duration_seconds', {
        verb: 'POST',
        host: HOST,
      }),
    ).toBeUndefined();
    expect(sumCounter(h, 'rest_client_requests_total', { code: '201' })).toBe(50);
  });

  it('fails at once with the wrapped limiter error when the wait would pass the context deadline', () => {
    const h = harness('dev', { qps: 1, burst: 1 });
    const res: ClientResult[] = [];
    const req: ApiRequest = { verb: 'get', kind: 'Database', namespace: 'default', name: 'x' };
    h.client.do(req, (r) => res.push(r), { deadline: 500 * Millisecond });
    h.client.do(req, (r) => res.push(r), { deadline: 500 * Millisecond });
    h.loop.runUntil(Second);
    const failed = res.find((r) => r.code === 0)!;
    expect(failed.ok).toBe(false);
    expect(failed.attempts).toBe(0);
    expect(failed.error!.message).toBe(
      'client rate limiter Wait returned an error: rate: Wait(n=1) would exceed context deadline',
    );
  });

  it('request(): sent when the process reaches it; a limiter error answers at once, without a wait', () => {
    const h = harness('dev', { qps: 1, burst: 1 });
    seedDatabases(h.server, 1);
    const req: ApiRequest = { verb: 'get', kind: 'Database', namespace: 'default', name: 'db-0' };
    const ctx = { deadline: 500 * Millisecond };
    const got: [number, number, boolean, string?][] = [];
    const op = h.client.request(req, ctx);
    expect(h.client.inFlight()).toBe(0);
    spawn(
      h.loop,
      (function* (): Proc<void> {
        const a = yield* op;
        got.push([h.loop.now(), a.code, a.ok]);
        // The bucket is empty now, and the next token comes after the deadline.
        const b = yield* h.client.request(req, ctx);
        got.push([h.loop.now(), b.code, b.ok, b.error?.message]);
      })(),
    );
    expect(h.client.inFlight()).toBe(1);
    h.loop.runUntil(Second);
    expect(got).toHaveLength(2);
    expect(got[0]!.slice(1)).toEqual([200, true]);
    // Answered at the instant the first result arrived: no event in between.
    expect(got[1]![0]).toBe(got[0]![0]);
    expect(got[1]!.slice(1)).toEqual([
      0,
      false,
      'client rate limiter Wait returned an error: rate: Wait(n=1) would exceed context deadline',
    ]);
    expect(h.client.inFlight()).toBe(0);
  });

  it('treats QPS 0 / Burst 0 as client-go’s defaults 5 / 10', () => {
    const h = harness('dev', { qps: 0, burst: 0 });
    expect(h.client.qps).toBe(5);
    expect(h.client.burst).toBe(10);
  });

  it('logs the throttling line with the real text per client-go version and thresholds', () => {
    const run = (minor: number, verbosity: number) => {
      const logs: LogLine[] = [];
      const h = harness('dev', {
        qps: 5,
        burst: 10,
        clientGoMinor: minor,
        verbosity,
        log: (l) => logs.push(l),
      });
      for (let i = 0; i < 80; i++) {
        h.client.do(
          {
            verb: 'create',
            kind: 'Database',
            namespace: 'default',
            object: { kind: 'Database', metadata: { namespace: 'default', name: `db-${i}` } },
          },
          () => {},
        );
      }
      h.loop.runUntil(30 * Second);
      return logs;
    };
    const old = run(32, 0);
    // V(0): only waits over 1 s, at most once every 10 s: first at 1.2 s, then ≥ 10 s later.
    expect(old.length).toBeGreaterThanOrEqual(2);
    expect(old[0]!.msg).toBe(
      'Waited for 1.2s due to client-side throttling, not priority and fairness, request: POST:https://10.96.0.1:443/apis/database.example.com/v1/namespaces/default/databases',
    );
    expect(old[0]!.t).toBe(1.2 * Second);
    expect(old[1]!.t - old[0]!.t).toBeGreaterThanOrEqual(10 * Second);
    const structured = run(35, 0);
    expect(structured[0]!.msg).toBe('Waited before sending request');
    expect(structured[0]!.kv).toMatchObject({
      delay: '1.2s',
      reason: 'client-side throttling, not priority and fairness',
      verb: 'POST',
      URL: 'https://10.96.0.1:443/apis/database.example.com/v1/namespaces/default/databases',
    });
    // V(3) logs every wait over 50 ms (the 11th request waits 200 ms).
    const v3 = run(35, 3);
    expect(v3.length).toBeGreaterThan(60);
    expect(v3[0]!.kv.delay).toBe('200ms');
  });
});

/** A server double that answers every request with the given response. */
class FixedServer extends ApiServer {
  constructor(
    loop: EventLoop,
    metrics: MetricsRegistry,
    private readonly answer: (req: ApiRequest) => Partial<ApiResponse>,
  ) {
    super({ loop, rng: new Rng(3), metrics });
  }
  override handleWith<A>(req: ApiRequest, done: (res: ApiResponse, arg: A) => void, arg: A): void {
    const now = this.loop.now();
    this.loop.after(Millisecond, () =>
      done(
        {
          code: 200,
          flowSchema: 'service-accounts',
          priorityLevel: 'workload-low',
          seats: 1,
          arrivedAt: now,
          dispatchedAt: now,
          completedAt: this.loop.now(),
          ...this.answer(req),
        },
        arg,
      ),
    );
  }
}

function fixed(answer: (req: ApiRequest) => Partial<ApiResponse>, logs?: LogLine[]) {
  const loop = new EventLoop();
  const metrics = new MetricsRegistry();
  const server = new FixedServer(loop, metrics, answer);
  const client = new RestClient({
    loop,
    rng: new Rng(4),
    server,
    metrics,
    qps: -1,
    burst: 0,
    verbosity: 4,
    log: logs ? (l) => logs.push(l) : undefined,
  });
  return { loop, metrics, client };
}

const put: ApiRequest = {
  verb: 'update',
  kind: 'Database',
  namespace: 'default',
  name: 'db-1',
  object: { kind: 'Database', metadata: { namespace: 'default', name: 'db-1' } },
};

describe('results', () => {
  it('a result does not change once delivered, through a callback or to a process, while later requests run', () => {
    const h = harness('dev', { qps: 2, burst: 1 });
    const names = seedDatabases(h.server, 3);
    const fields = (r: ClientResult) => ({
      ok: r.ok,
      code: r.code,
      object: r.object,
      list: r.list,
      error: r.error,
      attempts: r.attempts,
      timings: {
        throttle: r.timings.throttle,
        apfQueue: r.timings.apfQueue,
        execution: r.timings.execution,
        retrySleep: r.timings.retrySleep,
        network: r.timings.network,
        total: r.timings.total,
      },
    });
    const seen: { r: ClientResult; atDelivery: ReturnType<typeof fields> }[] = [];
    const keep = (r: ClientResult) => seen.push({ r, atDelivery: fields(r) });
    for (const name of [...names, 'missing']) {
      h.client.do({ verb: 'get', kind: 'Database', namespace: 'default', name }, keep);
    }
    spawn(
      h.loop,
      (function* (): Proc<void> {
        for (const name of names) {
          const g = yield* h.client.request({
            verb: 'get',
            kind: 'Database',
            namespace: 'default',
            name,
          });
          keep(g);
          const u = yield* h.client.request({
            verb: 'update',
            kind: 'Database',
            namespace: 'default',
            name,
            object: { kind: 'Database', metadata: g.object!.metadata, spec: { size: 2 } },
          });
          keep(u);
        }
      })(),
    );
    h.loop.runUntil(60 * Second);
    expect(seen).toHaveLength(10);
    expect(seen.map((x) => x.atDelivery.code).sort()).toEqual([
      200, 200, 200, 200, 200, 200, 200, 200, 200, 404,
    ]);
    // Throttled by the bucket (QPS 2, burst 1): later results waited longer.
    expect(seen.some((x) => x.atDelivery.timings.throttle > 0)).toBe(true);
    for (const { r, atDelivery } of seen) {
      expect(fields(r)).toEqual(atDelivery);
      // Serialised, a result is its fields only (no client internals).
      expect(JSON.parse(JSON.stringify(r))).toEqual(JSON.parse(JSON.stringify(atDelivery)));
    }
  });
});

describe('429 / 5xx retries (apiserver-and-scale.md §2.1)', () => {
  it('sleeps Retry-After and retries 10 times, then returns TooManyRequests to the caller', () => {
    const logs: LogLine[] = [];
    const f = fixed(
      () => ({
        code: 429,
        retryAfterSeconds: 1,
        error: new StatusError(
          429,
          'TooManyRequests',
          'Too many requests, please try again later.',
          1,
        ),
      }),
      logs,
    );
    let res: ClientResult | undefined;
    f.client.do(put, (r) => (res = r));
    f.loop.runUntil(60 * Second);
    expect(res).toBeDefined();
    expect(res!.ok).toBe(false);
    expect(res!.attempts).toBe(11);
    expect(res!.code).toBe(429);
    expect(res!.error).toBeInstanceOf(StatusError);
    expect((res!.error as StatusError).reason).toBe('TooManyRequests');
    expect(res!.error!.message).toBe(
      'the server has received too many requests and has asked us to try again later (put databases.database.example.com db-1)',
    );
    expect(res!.timings.retrySleep).toBe(10 * Second);
    expect(res!.timings.total).toBeGreaterThan(10 * Second);
    expect(res!.timings.total).toBeLessThan(10.1 * Second);
    expect(
      f.metrics.value('rest_client_requests_total', { code: '429', method: 'PUT', host: HOST }),
    ).toBe(11);
    expect(
      f.metrics.value('rest_client_request_retries_total', {
        code: '429',
        verb: 'PUT',
        host: HOST,
      }),
    ).toBe(10);
    const retryLines = logs.filter((l) => l.msg === 'Got a Retry-After response');
    expect(retryLines).toHaveLength(10);
    expect(retryLines[0]!.kv).toMatchObject({ delay: '1s', attempt: 1 });
  });

  it('succeeds transparently when a later attempt is admitted: the caller sees latency, not an error', () => {
    let n = 0;
    const f = fixed(() =>
      ++n <= 3
        ? {
            code: 429,
            retryAfterSeconds: 2,
            error: new StatusError(429, 'TooManyRequests', 'x', 2),
          }
        : { code: 200 },
    );
    let res: ClientResult | undefined;
    f.client.do(put, (r) => (res = r));
    f.loop.runUntil(60 * Second);
    expect(res!.ok).toBe(true);
    expect(res!.attempts).toBe(4);
    expect(res!.timings.retrySleep).toBe(6 * Second);
  });

  it('retries a 5xx only when it carries Retry-After; a 429 without it is returned at once', () => {
    const noHeader = fixed(() => ({
      code: 429,
      error: new StatusError(429, 'TooManyRequests', 'x'),
    }));
    let a: ClientResult | undefined;
    noHeader.client.do(put, (r) => (a = r));
    noHeader.loop.runUntil(10 * Second);
    expect(a!.attempts).toBe(1);
    expect(a!.error!.message).toContain('the server has received too many requests');

    let m = 0;
    const fivexx = fixed(() =>
      ++m === 1
        ? {
            code: 503,
            retryAfterSeconds: 1,
            error: new StatusError(503, 'InternalError', 'unavailable', 1),
          }
        : { code: 200 },
    );
    let b: ClientResult | undefined;
    fivexx.client.do(put, (r) => (b = r));
    fivexx.loop.runUntil(10 * Second);
    expect(b!.ok).toBe(true);
    expect(b!.attempts).toBe(2);

    const plain500 = fixed(() => ({
      code: 500,
      error: new StatusError(500, 'InternalError', 'boom'),
    }));
    let c: ClientResult | undefined;
    plain500.client.do(put, (r) => (c = r));
    plain500.loop.runUntil(10 * Second);
    expect(c!.attempts).toBe(1);
    expect(c!.error!.message).toBe('boom');
  });

  it('does not retry 404 and 409: they reach the caller with the server’s message', () => {
    const h = harness('dev');
    let r: ClientResult | undefined;
    h.client.do(
      { verb: 'get', kind: 'Database', namespace: 'default', name: 'missing' },
      (x) => (r = x),
    );
    h.loop.runUntil(Second);
    expect(r!.code).toBe(404);
    expect(r!.attempts).toBe(1);
    expect(r!.error!.message).toBe('databases.database.example.com "missing" not found');
  });
});

describe('where the waiting happens (tiny control plane)', () => {
  function burst(qps: number, burstN: number) {
    const h = harness('tiny', { qps, burst: burstN });
    const names = seedDatabases(h.server, 300);
    let done = 0;
    let failed = 0;
    for (const name of names) {
      h.client.do(
        {
          verb: 'update',
          kind: 'Database',
          namespace: 'default',
          name,
          object: { kind: 'Database', metadata: { namespace: 'default', name }, spec: { size: 2 } },
        },
        (r) => {
          done++;
          if (!r.ok) failed++;
        },
      );
    }
    h.loop.runUntil(600 * Second);
    const flow = { priority_level: 'workload-low', flow_schema: 'service-accounts' };
    return {
      done,
      failed,
      throttle: histSum(h, 'rest_client_rate_limiter_duration_seconds', { verb: 'PUT', host: HOST })
        .sum,
      apfWait: histSum(h, 'apiserver_flowcontrol_request_wait_duration_seconds', {
        ...flow,
        execute: 'true',
      }).sum,
      rejected: h.metrics.sum('apiserver_flowcontrol_rejected_requests_total', flow),
      http429: sumCounter(h, 'apiserver_request_total', { code: '429' }),
      retries: sumCounter(h, 'rest_client_request_retries_total'),
    };
  }

  it('moves waiting from the client bucket into APF queues, with 429s, when QPS is raised far above what the server admits', () => {
    const slow = burst(5, 10);
    const fast = burst(1000, 2000);
    expect(slow.done).toBe(300);
    expect(fast.done).toBe(300);
    // QPS 5: the client holds the requests back; APF never queues or rejects.
    expect(slow.throttle).toBeGreaterThan(1000);
    expect(slow.http429).toBe(0);
    expect(slow.apfWait).toBeLessThan(0.5);
    // QPS 1000: no client-side wait to speak of; requests queue in APF and get 429s.
    expect(fast.throttle).toBeLessThan(0.01);
    expect(fast.apfWait).toBeGreaterThan(slow.apfWait * 10 + 0.05);
    expect(fast.rejected).toBeGreaterThan(100);
    expect(fast.http429).toBe(fast.rejected);
    expect(fast.retries).toBeGreaterThan(100);
  });

  it('a write storm from 50 writers gets 429s and retries; 2 writers get none', () => {
    const storm = (writers: number) => {
      const h = harness('tiny');
      const names = seedDatabases(h.server, writers);
      const errors: string[] = [];
      for (const n of names) spawn(h.loop, writer(h, n, 30 * Second, errors));
      h.loop.runUntil(90 * Second);
      return {
        http429: sumCounter(h, 'apiserver_request_total', { code: '429' }),
        retries: sumCounter(h, 'rest_client_request_retries_total'),
        writes: sumCounter(h, 'apiserver_request_total', { code: '200', verb: 'PUT' }),
        errors,
      };
    };
    const two = storm(2);
    const fifty = storm(50);
    expect(two.http429).toBe(0);
    expect(two.retries).toBe(0);
    expect(two.writes).toBeGreaterThan(1000);
    expect(fifty.http429).toBeGreaterThan(50);
    expect(fifty.retries).toBeGreaterThan(50);
    expect(two.errors).toEqual([]);
  });
});

describe('why-waiting trace', () => {
  it('records client throttle, APF queue, execution and retry sleep spans for the object key', () => {
    const spans: TraceSpan[] = [];
    const h = harness('tiny', { qps: 1000, burst: 2000, observer: { span: (s) => spans.push(s) } });
    const names = seedDatabases(h.server, 200);
    for (const name of names) {
      h.client.do(
        {
          verb: 'update',
          kind: 'Database',
          namespace: 'default',
          name,
          object: { kind: 'Database', metadata: { namespace: 'default', name }, spec: { size: 3 } },
        },
        () => {},
        { key: `default/${name}` },
      );
    }
    h.loop.runUntil(300 * Second);
    const stages = new Set(spans.map((s) => s.stage));
    expect(stages.has('execution')).toBe(true);
    expect(stages.has('apfQueue')).toBe(true);
    expect(stages.has('retrySleep')).toBe(true);
    for (const s of spans) {
      expect(s.end).toBeGreaterThanOrEqual(s.start);
      expect(s.key.startsWith('default/db-')).toBe(true);
    }
    const retry = spans.find((s) => s.stage === 'retrySleep')!;
    expect(retry.detail).toMatch(/^PUT databases 429 \(queue-full\), Retry-After \d+s$/);

    const spans2: TraceSpan[] = [];
    const t = harness('dev', { qps: 5, burst: 1, observer: { span: (s) => spans2.push(s) } });
    seedDatabases(t.server, 3);
    for (let i = 0; i < 3; i++) {
      t.client.do(
        { verb: 'get', kind: 'Database', namespace: 'default', name: `db-${i}` },
        () => {},
        {
          key: `default/db-${i}`,
        },
      );
    }
    t.loop.runUntil(5 * Second);
    const throttled = spans2.filter((s) => s.stage === 'clientThrottle');
    expect(throttled.map((s) => s.end - s.start)).toEqual([200 * Millisecond, 400 * Millisecond]);
  });
});
