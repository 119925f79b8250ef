import { describe, expect, it } from 'vitest';
import { EventLoop } from '../loop';
import { MetricsRegistry } from '../metrics';
import { Rng } from '../prng';
import { Millisecond, Second } from '../time';
import type { ApiRequest, ApiResponse } from './server';
import { ApiServer } from './server';
import { StatusError } from './errors';
import { OPERATOR_USER, type UserInfo } from './config';
import type { Classification } from './apf';
import type { WatchEvent } from './object-store';

function server(config: ConstructorParameters<typeof ApiServer>[0]['config'] = 'dev', seed = 1) {
  const loop = new EventLoop();
  const metrics = new MetricsRegistry();
  const s = new ApiServer({ loop, rng: new Rng(seed), metrics, config });
  return { loop, metrics, s };
}

function seed(s: ApiServer, n: number, ns = 'default') {
  for (let i = 0; i < n; i++) {
    const r = s.store.create({ kind: 'Database', metadata: { namespace: ns, name: `db-${i}` } });
    if (r instanceof StatusError) throw r;
  }
}

function call(loop: EventLoop, s: ApiServer, req: ApiRequest): ApiResponse {
  let out: ApiResponse | undefined;
  s.handle(req, (r) => (out = r));
  loop.runUntil(loop.now() + 60 * Second);
  if (!out) throw new Error('no response');
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('service time (§10.2)', () => {
  it('samples GET from etcd around 3 ms and GET from the watch cache around 1 ms', () => {
    const { loop, s } = server();
    seed(s, 1);
    const etcd: number[] = [];
    const cache: number[] = [];
    for (let i = 0; i < 1001; i++) {
      const a = call(loop, s, {
        verb: 'get',
        kind: 'Database',
        namespace: 'default',
        name: 'db-0',
      });
      etcd.push(a.completedAt - a.dispatchedAt!);
      const b = call(loop, s, {
        verb: 'get',
        kind: 'Database',
        namespace: 'default',
        name: 'db-0',
        resourceVersion: '0',
      });
      cache.push(b.completedAt - b.dispatchedAt!);
    }
    expect(median(etcd) / Millisecond).toBeGreaterThan(2.7);
    expect(median(etcd) / Millisecond).toBeLessThan(3.3);
    expect(median(cache) / Millisecond).toBeGreaterThan(0.9);
    expect(median(cache) / Millisecond).toBeLessThan(1.1);
    const p99 = [...etcd].sort((a, b) => a - b)[990]! / Millisecond;
    expect(p99).toBeGreaterThan(20);
    expect(p99).toBeLessThan(45);
  });

  it('charges LIST by objects scanned and bytes returned, far more from etcd than from the cache', () => {
    const { loop, s } = server();
    seed(s, 10_000);
    const fromCache = call(loop, s, { verb: 'list', kind: 'Database', resourceVersion: '0' });
    // 5 ms + 1.7 µs × 10,000 + 5 ms/MB × 10 MB (1 kB per stored Database) = 72 ms, × the
    // inflation of its own 10 seats out of 600 (1/(1 − 10/600)).
    const cacheMs = (fromCache.completedAt - fromCache.dispatchedAt!) / Millisecond;
    expect(cacheMs).toBeCloseTo(72 / (1 - 10 / 600), 1);
    expect(fromCache.list!.items).toHaveLength(10_000);
    expect(fromCache.seats).toBe(10);
    const sel = call(loop, s, {
      verb: 'list',
      kind: 'Database',
      resourceVersion: '0',
      labelSelector: { nothing: 'matches' },
    });
    // Same scan, nothing returned: 5 + 17 = 22 ms.
    expect((sel.completedAt - sel.dispatchedAt!) / Millisecond).toBeCloseTo(22 / (1 - 10 / 600), 1);

    const etcd = server({ consistentListFromCache: false });
    seed(etcd.s, 10_000);
    const e = call(etcd.loop, etcd.s, { verb: 'list', kind: 'Database' });
    // 5 ms + 30 µs × 10,000 + 5 ms/MB × 10 MB read = 355 ms, with 37 seats of 600 in use.
    expect((e.completedAt - e.dispatchedAt!) / Millisecond).toBeCloseTo(355 / (1 - 37 / 600), 1);
    expect(e.seats).toBe(37);
  });

  it('inflates service time by 1/(1−ρ), capped at ×20', () => {
    const { s } = server('tiny');
    expect(s.inflation()).toBe(1);
    expect(s.serverConcurrencyLimit()).toBe(60);
    // No request in flight → ρ = 0; the formula at its edges:
    expect(1 / (1 - 0.5)).toBe(2);
    const { loop, s: t } = server('tiny');
    seed(t, 30);
    const rho: number[] = [];
    for (let i = 0; i < 30; i++) {
      t.handle(
        {
          verb: 'update',
          kind: 'Database',
          namespace: 'default',
          name: `db-${i}`,
          object: {
            kind: 'Database',
            metadata: { namespace: 'default', name: `db-${i}` },
            spec: { x: 1 },
          },
        },
        () => {},
      );
      rho.push(t.utilisation());
    }
    // workload-low's 25 seats of 60 are busy: ρ = 25/60, inflation 1/(1 − 25/60).
    expect(rho[29]).toBeCloseTo(25 / 60, 6);
    expect(t.inflation()).toBeCloseTo(1 / (1 - 25 / 60), 6);
    loop.runUntil(10 * Second);
    const capped = server({
      maxRequestsInflight: 1,
      maxMutatingRequestsInflight: 0,
      borrowing: false,
    });
    seed(capped.s, 1);
    capped.s.handle(
      { verb: 'get', kind: 'Database', namespace: 'default', name: 'db-0' },
      () => {},
    );
    expect(capped.s.utilisation()).toBe(1);
    expect(capped.s.inflation()).toBe(20);
  });
});

describe('handleWith', () => {
  it('answers like handle, passing each request’s own argument to one shared callback', () => {
    const a = server();
    const b = server();
    seed(a.s, 3);
    seed(b.s, 3);
    const viaHandle: [string, number, number][] = [];
    const viaWith: [string, number, number][] = [];
    const shared = (res: ApiResponse, name: string) =>
      viaWith.push([name, res.code, res.completedAt]);
    for (const name of ['db-0', 'db-2', 'missing']) {
      const req: ApiRequest = { verb: 'get', kind: 'Database', namespace: 'default', name };
      a.s.handle(req, (res) => viaHandle.push([name, res.code, res.completedAt]));
      b.s.handleWith(req, shared, name);
    }
    a.loop.runUntil(Second);
    b.loop.runUntil(Second);
    expect(viaWith.map((x) => x[1]).sort()).toEqual([200, 200, 404]);
    expect(viaWith).toEqual(viaHandle);
  });
});

describe('responses', () => {
  it('a response does not change once handed over, while APF still holds its seats and later requests run', () => {
    // Many watchers: a mutation keeps its final seats for an extra latency after it answers,
    // so APF still holds the request (the same object as the response) for a while.
    const { loop, s } = server({ extraWatchers: { Database: 99 } });
    seed(s, 3);
    const fields = (r: ApiResponse) => ({
      code: r.code,
      object: r.object,
      list: r.list,
      error: r.error,
      retryAfterSeconds: r.retryAfterSeconds,
      rejectReason: r.rejectReason,
      flowSchema: r.flowSchema,
      priorityLevel: r.priorityLevel,
      seats: r.seats,
      arrivedAt: r.arrivedAt,
      dispatchedAt: r.dispatchedAt,
      completedAt: r.completedAt,
    });
    const seen: { res: ApiResponse; atDone: ReturnType<typeof fields> }[] = [];
    const keep = (res: ApiResponse) => seen.push({ res, atDone: fields(res) });
    for (let i = 0; i < 3; i++) {
      const name = `db-${i}`;
      s.handle({ verb: 'get', kind: 'Database', namespace: 'default', name }, keep);
      s.handle(
        { verb: 'patch', kind: 'Database', namespace: 'default', name, patch: { spec: { a: i } } },
        keep,
      );
      s.handle({ verb: 'get', kind: 'Database', namespace: 'default', name: 'missing' }, keep);
    }
    loop.runUntil(loop.now() + 60 * Second);
    expect(seen).toHaveLength(9);
    expect(seen.map((x) => x.atDone.code).sort()).toEqual([
      200, 200, 200, 200, 200, 200, 404, 404, 404,
    ]);
    expect(seen.some((x) => x.atDone.seats > 1)).toBe(true);
    for (const { res, atDone } of seen) {
      expect(fields(res)).toEqual(atDone);
      // Serialised, a response is its fields only (no server internals).
      expect(JSON.parse(JSON.stringify(res))).toEqual(JSON.parse(JSON.stringify(atDone)));
    }
  });
});

describe('writes, conflicts and watches through the server', () => {
  it('applies concurrent updates from the same resourceVersion once; the other gets 409', () => {
    const { loop, s, metrics } = server();
    seed(s, 1);
    const o = s.store.get('Database', 'default', 'db-0');
    if (o instanceof StatusError) throw o;
    const codes: number[] = [];
    const msgs: string[] = [];
    for (const size of [2, 3]) {
      s.handle(
        {
          verb: 'update',
          kind: 'Database',
          namespace: 'default',
          name: 'db-0',
          object: { ...o, spec: { size } },
        },
        (r) => {
          codes.push(r.code);
          if (r.error) msgs.push(r.error.message);
        },
      );
    }
    loop.runUntil(10 * Second);
    expect(codes.sort()).toEqual([200, 409]);
    expect(msgs[0]).toBe(
      'Operation cannot be fulfilled on databases.database.example.com "db-0": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect(
      metrics.value('apiserver_request_total', { code: '409', verb: 'PUT', resource: 'databases' }),
    ).toBe(1);
  });

  it('delivers watch events when writes complete, and opens watches through APF', () => {
    const { loop, s } = server();
    const events: [number, WatchEvent['type']][] = [];
    let opened = false;
    s.watch(
      'Database',
      { resourceVersion: s.store.resourceVersion() },
      (e) => events.push([loop.now(), e.type]),
      undefined,
      (w) => (opened = !(w instanceof StatusError)),
    );
    loop.runUntil(Second);
    expect(opened).toBe(true);
    expect(s.watchers('Database')).toBe(1);
    let doneAt = 0;
    s.handle(
      {
        verb: 'create',
        kind: 'Database',
        namespace: 'default',
        object: { kind: 'Database', metadata: { name: 'a', namespace: 'default' } },
      },
      (r) => {
        expect(r.code).toBe(201);
        doneAt = loop.now();
      },
    );
    loop.runUntil(3 * Second);
    expect(events).toEqual([[doneAt, 'ADDED']]);
  });

  it('charges mutations extra final seats when a kind has many watchers', () => {
    const { loop, s } = server({ extraWatchers: { Database: 99 } });
    seed(s, 1);
    const r = call(loop, s, {
      verb: 'patch',
      kind: 'Database',
      namespace: 'default',
      name: 'db-0',
      patch: { spec: { a: 1 } },
    });
    expect(r.code).toBe(200);
    expect(r.seats).toBe(10);
  });
});

describe('classification (APF FlowSchemas)', () => {
  it('classifies every request as Apf.classify does, whoever sends it, in any order', () => {
    const { loop, s } = server();
    seed(s, 1, 'default');
    seed(s, 1, 'team-b');
    const admin: UserInfo = { name: 'alice', groups: ['system:masters', 'system:authenticated'] };
    const dev: UserInfo = { name: 'bob', groups: ['system:authenticated'] };
    // kube-controller-manager's FlowSchema tells flows apart by namespace.
    const kcm: UserInfo = {
      name: 'system:kube-controller-manager',
      groups: ['system:authenticated'],
    };
    const seen: Classification[] = [];
    const admit = s.apf.admit.bind(s.apf);
    s.apf.admit = (r) => {
      seen.push(r.c);
      admit(r);
    };
    // Interleaved so that a per-(kind, verb) memo would be reused across users, namespaces
    // and subresources if it ignored any of them.
    const cases: { user: UserInfo; verb: 'get' | 'update'; ns: string; status: boolean }[] = [];
    for (const user of [OPERATOR_USER, admin, kcm, dev, OPERATOR_USER, kcm])
      for (const ns of ['default', 'team-b'])
        for (const verb of ['get', 'update'] as const)
          for (const status of verb === 'update' ? [false, true] : [false])
            cases.push({ user, verb, ns, status });
    for (const k of cases) {
      const cur = s.store.peek('Database', k.ns, 'db-0')!;
      const req: ApiRequest =
        k.verb === 'get'
          ? { verb: 'get', kind: 'Database', namespace: k.ns, name: 'db-0', user: k.user }
          : {
              verb: 'update',
              kind: 'Database',
              namespace: k.ns,
              name: 'db-0',
              user: k.user,
              ...(k.status ? { subresource: 'status' as const } : {}),
              object: {
                kind: 'Database',
                metadata: { namespace: k.ns, name: 'db-0' },
                spec: { ...cur.spec },
                status: { ...cur.status },
              },
            };
      const res = call(loop, s, req);
      const want = s.apf.classify({
        user: k.user,
        verb: k.verb,
        resource: k.status ? 'databases/status' : 'databases',
        namespace: k.ns,
      });
      expect(seen.at(-1)).toBe(want);
      expect([res.flowSchema, res.priorityLevel]).toEqual([want.flowSchema, want.priorityLevel]);
    }
    // The users really are classified apart, kube-controller-manager per namespace (so the
    // checks above are not vacuous).
    expect(new Set(seen.map((c) => c.flowSchema)).size).toBe(4);
    expect(new Set(seen.map((c) => `${c.flowSchema}/${c.distinguisher}`)).size).toBe(5);
  });
});

describe('overload', () => {
  it('a brownout scales the seats down and produces 429s with Retry-After', () => {
    const { loop, s, metrics } = server('tiny');
    seed(s, 40);
    s.setSeatsFactor(0.1);
    expect(s.serverConcurrencyLimit()).toBe(6);
    expect(s.apf.level('workload-low')!.nominalCL).toBe(3);
    const codes: number[] = [];
    const ra: number[] = [];
    for (let i = 0; i < 40; i++) {
      s.handle(
        {
          verb: 'update',
          kind: 'Database',
          namespace: 'default',
          name: `db-${i}`,
          object: {
            kind: 'Database',
            metadata: { namespace: 'default', name: `db-${i}` },
            spec: { y: 1 },
          },
        },
        (r) => {
          codes.push(r.code);
          if (r.retryAfterSeconds !== undefined) ra.push(r.retryAfterSeconds);
        },
      );
    }
    loop.runUntil(30 * Second);
    const n429 = codes.filter((c) => c === 429).length;
    // 3 seats + a hand of 2 queues × 5 waiting: the other 27 are rejected at once.
    expect(n429).toBe(27);
    expect(ra.every((x) => x === 1)).toBe(true);
    expect(
      metrics.value('apiserver_flowcontrol_rejected_requests_total', {
        priority_level: 'workload-low',
        flow_schema: 'service-accounts',
        reason: 'queue-full',
      }),
    ).toBe(27);
    expect(metrics.sum('apiserver_request_total', { code: '429' })).toBe(27);
  });

  it('without APF, max-inflight rejects over-limit requests at once with Retry-After 1', () => {
    const { loop, s } = server({
      enablePriorityAndFairness: false,
      maxMutatingRequestsInflight: 5,
    });
    seed(s, 8);
    const out: ApiResponse[] = [];
    for (let i = 0; i < 8; i++) {
      s.handle({ verb: 'delete', kind: 'Database', namespace: 'default', name: `db-${i}` }, (r) =>
        out.push(r),
      );
    }
    expect(out.map((r) => r.code)).toEqual([429, 429, 429]);
    expect(out.every((r) => r.retryAfterSeconds === 1 && r.completedAt === r.arrivedAt)).toBe(true);
    loop.runUntil(5 * Second);
    expect(out.filter((r) => r.code === 200)).toHaveLength(5);
  });

  it('leaves no timers behind once idle: the event loop drains (even with a busy-cluster preset)', () => {
    const { loop, s } = server('tiny');
    seed(s, 5);
    for (let i = 0; i < 5; i++) {
      s.handle({ verb: 'get', kind: 'Database', namespace: 'default', name: `db-${i}` }, () => {});
    }
    let steps = 0;
    while (loop.step()) if (++steps > 10_000) break;
    expect(steps).toBeLessThan(100);
    expect(loop.pending()).toBe(0);
  });

  it('is deterministic: the same seed gives byte-identical metrics', () => {
    const runOnce = () => {
      const { loop, s, metrics } = server('tiny', 9);
      seed(s, 100);
      for (let i = 0; i < 100; i++) {
        s.handle(
          { verb: 'get', kind: 'Database', namespace: 'default', name: `db-${i}` },
          () => {},
        );
        s.handle(
          {
            verb: 'patch',
            kind: 'Database',
            namespace: 'default',
            name: `db-${i}`,
            patch: { spec: { z: i } },
          },
          () => {},
        );
      }
      loop.runUntil(60 * Second);
      return metrics.toPrometheusText();
    };
    expect(runOnce()).toBe(runOnce());
  });
});

describe('snapshots for the simulation’s own clients (ApiRequest.snapshots)', () => {
  it('hands out the stored snapshots only to requests that ask, with the same content and cost', () => {
    const { loop, s } = server();
    seed(s, 3);
    const peek = (name: string) => s.store.peek('Database', 'default', name);
    const get = (snapshots: boolean) =>
      call(loop, s, {
        verb: 'get',
        kind: 'Database',
        namespace: 'default',
        name: 'db-1',
        snapshots,
      });
    const copy = get(false);
    const shared = get(true);
    expect(shared.object).toBe(peek('db-1'));
    expect(copy.object).not.toBe(peek('db-1'));
    expect(copy.object).toEqual(shared.object);
    const upd = (snapshots: boolean, size: number) =>
      call(loop, s, {
        verb: 'update',
        kind: 'Database',
        namespace: 'default',
        name: 'db-2',
        object: {
          kind: 'Database',
          metadata: { namespace: 'default', name: 'db-2' },
          spec: { size },
        },
        snapshots,
      });
    expect(upd(true, 2).object).toBe(peek('db-2'));
    expect(upd(false, 3).object).not.toBe(peek('db-2'));
    const list = call(loop, s, {
      verb: 'list',
      kind: 'Database',
      resourceVersion: '0',
      snapshots: true,
    });
    expect(list.list!.items.map((o) => o === peek(o.metadata.name))).toEqual([true, true, true]);
    // The flag does not outlive the request: the store's own calls return copies again.
    expect(s.store.get('Database', 'default', 'db-0')).not.toBe(peek('db-0'));
  });
});
