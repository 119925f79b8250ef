import { describe, expect, it } from 'vitest';
import { EventLoop } from '../loop';
import { MetricsRegistry } from '../metrics';
import { Millisecond, Second } from '../time';
import {
  Apf,
  DroppedRequestsStats,
  computeConcurrencyAllocation,
  dealHand,
  goRound,
  hashFlowID,
  lendableConcurrencyLimit,
  levelMaxSeats,
  nominalConcurrencyLimit,
  type ApfTicket,
  type RejectReason,
} from './apf';
import { DEFAULT_PRIORITY_LEVELS, OPERATOR_USER, serviceAccountUser } from './config';
import { listSeats, mutatingWork } from './work-estimator';
import { ONE_SEAT } from './work-estimator';

const SUM_NCS = DEFAULT_PRIORITY_LEVELS.reduce((a, l) => a + l.nominalConcurrencyShares, 0);

describe('APF seat arithmetic (apiserver-and-scale.md §1.3)', () => {
  it('divides 600 seats into the nominal limits of the table, workload-low 245', () => {
    expect(SUM_NCS).toBe(245);
    const nominal = Object.fromEntries(
      DEFAULT_PRIORITY_LEVELS.map((l) => [
        l.name,
        nominalConcurrencyLimit(600, l.nominalConcurrencyShares, SUM_NCS),
      ]),
    );
    expect(nominal).toEqual({
      exempt: 0,
      'catch-all': 13,
      system: 74,
      'node-high': 98,
      'leader-election': 25,
      'workload-high': 98,
      'workload-low': 245,
      'global-default': 49,
    });
  });

  it('computes min seats (nominal − lendable) and per-request caps as the table', () => {
    const rows = DEFAULT_PRIORITY_LEVELS.filter((l) => l.type === 'Limited').map((l) => {
      const n = nominalConcurrencyLimit(600, l.nominalConcurrencyShares, SUM_NCS);
      return [
        l.name,
        n - lendableConcurrencyLimit(n, l.lendablePercent),
        l.queuing ? levelMaxSeats(n, l.queuing.handSize) : undefined,
      ];
    });
    expect(rows).toEqual([
      ['catch-all', 13, undefined],
      ['system', 50, 12],
      ['node-high', 73, 15],
      ['leader-election', 25, 4],
      ['workload-high', 49, 15],
      ['workload-low', 24, 37],
      ['global-default', 24, 8],
    ]);
  });

  it('rounds half away from zero like Go math.Round', () => {
    expect(goRound(2.5)).toBe(3);
    expect(goRound(220.5)).toBe(221);
    expect(goRound(-2.5)).toBe(-3);
  });

  it('puts the operator ServiceAccount in workload-low via service-accounts, ByUser', () => {
    const apf = new Apf({
      loop: new EventLoop(),
      metrics: new MetricsRegistry(),
      serverConcurrencyLimit: 600,
    });
    const c = apf.classify({
      user: OPERATOR_USER,
      verb: 'update',
      resource: 'leases',
      namespace: 'x',
    });
    expect(c.flowSchema).toBe('service-accounts');
    expect(c.priorityLevel).toBe('workload-low');
    expect(c.distinguisher).toBe(OPERATOR_USER.name);
    // kube-system service accounts renewing Leases get the leader-election level.
    const ks = apf.classify({
      user: serviceAccountUser('kube-system', 'foo'),
      verb: 'update',
      resource: 'leases',
      namespace: 'kube-system',
    });
    expect(ks.priorityLevel).toBe('leader-election');
    const ksOther = apf.classify({
      user: serviceAccountUser('kube-system', 'foo'),
      verb: 'list',
      resource: 'pods',
      namespace: 'kube-system',
    });
    expect(ksOther.flowSchema).toBe('kube-system-service-accounts');
    expect(ksOther.priorityLevel).toBe('workload-high');
    const admin = apf.classify({
      user: { name: 'admin', groups: ['system:masters', 'system:authenticated'] },
      verb: 'get',
      resource: 'pods',
      namespace: 'default',
    });
    expect(admin.priorityLevel).toBe('exempt');
    const human = apf.classify({
      user: { name: 'jane', groups: ['system:authenticated'] },
      verb: 'get',
      resource: 'pods',
      namespace: 'default',
    });
    expect(human.priorityLevel).toBe('global-default');
  });
});

describe('work estimation (§1.2, §10.1)', () => {
  const base = { hasSelector: false, fromCache: true, levelMaxSeats: 37 };
  it('LIST by object count: 50 → 1, 500 → 5, 5,000 → 10 (cap)', () => {
    const seats = (n: number) =>
      listSeats({ ...base, numStored: n, avgObjectBytes: 1000, estimator: 'objectCount' });
    expect([seats(50), seats(500), seats(5000)]).toEqual([1, 5, 10]);
    // From etcd without selector: 2 × limit; with selector: stored + limit.
    expect(
      listSeats({
        ...base,
        fromCache: false,
        numStored: 5000,
        limit: 300,
        avgObjectBytes: 1000,
        estimator: 'objectCount',
      }),
    ).toBe(6);
    expect(
      listSeats({
        ...base,
        fromCache: false,
        hasSelector: true,
        numStored: 250,
        limit: 50,
        avgObjectBytes: 1000,
        estimator: 'objectCount',
      }),
    ).toBe(3);
  });

  it('LIST by size (≥ 1.34): 100 kB per seat, cache-served capped at 1 MB, else the level cap', () => {
    const seats = (n: number, fromCache: boolean, cap = 37) =>
      listSeats({
        ...base,
        fromCache,
        levelMaxSeats: cap,
        numStored: n,
        avgObjectBytes: 1000,
        estimator: 'size',
      });
    expect([seats(50, true), seats(500, true), seats(5000, true)]).toEqual([1, 5, 10]);
    expect(seats(5000, false)).toBe(37);
    expect(seats(5000, false, 4)).toBe(4);
  });

  it('mutations: one seat, plus ceil(watchers/10) final seats for 5 ms each with ≥ 10 watchers', () => {
    expect(mutatingWork(9, 37)).toEqual(ONE_SEAT);
    expect(mutatingWork(10, 37)).toEqual({
      initialSeats: 1,
      finalSeats: 1,
      additionalLatency: 5 * Millisecond,
    });
    expect(mutatingWork(25, 37)).toEqual({
      initialSeats: 1,
      finalSeats: 3,
      additionalLatency: 5 * Millisecond,
    });
    // 150 watchers: 15 seats wanted, capped at 10, same total work → 7.5 ms.
    expect(mutatingWork(150, 37)).toEqual({
      initialSeats: 1,
      finalSeats: 10,
      additionalLatency: 7_500_000,
    });
  });
});

describe('adaptive Retry-After (dropped_requests_tracker.go)', () => {
  it('doubles 1 → 2 → 4 → 8 → 16 → 32 under sustained drops, at most once per Retry-After', () => {
    const s = new DroppedRequestsStats();
    const changes: [number, number][] = [];
    let prev = s.getRetryAfter();
    for (let sec = 1; sec <= 80; sec++) {
      for (let i = 0; i < 100; i++) s.recordDroppedRequest(sec);
      if (s.getRetryAfter() !== prev) {
        prev = s.getRetryAfter();
        changes.push([sec, prev]);
      }
    }
    expect(changes).toEqual([
      [2, 2],
      [4, 4],
      [8, 8],
      [16, 16],
      [32, 32],
    ]);
  });

  it('needs 3 × Retry-After drops in the last Retry-After seconds to double', () => {
    const s = new DroppedRequestsStats();
    s.recordDroppedRequest(1);
    s.recordDroppedRequest(1);
    s.recordDroppedRequest(2); // only 2 drops in [1, 2): stays 1
    expect(s.getRetryAfter()).toBe(1);
    s.recordDroppedRequest(2);
    s.recordDroppedRequest(2);
    s.recordDroppedRequest(3); // 3 drops in [2, 3): doubles
    expect(s.getRetryAfter()).toBe(2);
  });

  it('decreases by 1 s per dropped request in a new second while drops are fewer than Retry-After', () => {
    const s = new DroppedRequestsStats();
    for (let sec = 1; sec <= 40; sec++) for (let i = 0; i < 100; i++) s.recordDroppedRequest(sec);
    expect(s.getRetryAfter()).toBe(32);
    // Long silence, then one drop per second: 32 → 31 → … until the drops in the window
    // (one per second) reach Retry-After, which settles at 16.
    const seen: number[] = [];
    for (let sec = 100; sec < 140; sec++) {
      s.recordDroppedRequest(sec);
      seen.push(s.getRetryAfter());
    }
    expect(seen.slice(0, 3)).toEqual([31, 30, 29]);
    expect(seen[seen.length - 1]).toBe(16);
    // A silence alone does not decay it: the value only moves when a drop is recorded.
    const t = new DroppedRequestsStats();
    for (let sec = 1; sec <= 5; sec++) for (let i = 0; i < 100; i++) t.recordDroppedRequest(sec);
    expect(t.getRetryAfter()).toBe(4);
    t.recordDroppedRequest(1000);
    expect(t.getRetryAfter()).toBe(3);
  });
});

describe('shuffle sharding (shufflesharding.Dealer)', () => {
  it('deals distinct cards from the deck, deterministically', () => {
    expect(dealHand(0n, 128, 6)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const name of ['a', 'system:serviceaccount:x:y', 'operator']) {
      const h = hashFlowID('service-accounts', name);
      const hand = dealHand(h, 128, 6);
      expect(new Set(hand).size).toBe(6);
      for (const c of hand) expect(c >= 0 && c < 128).toBe(true);
      expect(dealHand(h, 128, 6)).toEqual(hand);
    }
    // Hash 1 in a deck of 4, hand 2: remainders [1, 0] → cards 1, then 0.
    expect(dealHand(1n, 4, 2)).toEqual([1, 0]);
  });
});

describe('borrowing (computeConcurrencyAllocation)', () => {
  it('returns allocations that sum to the required total within bounds', () => {
    const items = [
      { lower: 24, upper: 1e9, target: 300 },
      { lower: 50, upper: 1e9, target: 50 },
      { lower: 13, upper: 1e9, target: 13 },
    ];
    const a = computeConcurrencyAllocation(200, items)!;
    expect(a.reduce((x, y) => x + y, 0)).toBeCloseTo(200, 6);
    for (let i = 0; i < items.length; i++) expect(a[i]! >= items[i]!.lower - 1e-9).toBe(true);
    expect(a[0]!).toBeGreaterThan(a[1]!);
    expect(computeConcurrencyAllocation(10, items)).toBeNull();
  });
});

function setupApf(serverCL: number, opts: { borrowing?: boolean } = {}) {
  const loop = new EventLoop();
  const metrics = new MetricsRegistry();
  const apf = new Apf({
    loop,
    metrics,
    serverConcurrencyLimit: serverCL,
    borrowing: opts.borrowing ?? false,
  });
  const c = apf.classify({
    user: OPERATOR_USER,
    verb: 'update',
    resource: 'databases',
    namespace: 'default',
  });
  return { loop, metrics, apf, c };
}

describe('queue set admission', () => {
  it('rejects with queue-full once the seats are busy and the flow’s queues are full (6 × 50)', () => {
    const { apf, c, metrics } = setupApf(600);
    const running: ApfTicket[] = [];
    const rejected: RejectReason[] = [];
    for (let i = 0; i < 245 + 300 + 5; i++) {
      apf.start(
        c,
        ONE_SEAT,
        (t) => running.push(t),
        (r) => rejected.push(r),
      );
    }
    expect(running).toHaveLength(245);
    expect(rejected).toEqual([
      'queue-full',
      'queue-full',
      'queue-full',
      'queue-full',
      'queue-full',
    ]);
    const labels = { priority_level: 'workload-low', flow_schema: 'service-accounts' };
    expect(metrics.value('apiserver_flowcontrol_current_inqueue_requests', labels)).toBe(300);
    expect(metrics.value('apiserver_flowcontrol_request_concurrency_in_use', labels)).toBe(245);
    expect(
      metrics.value('apiserver_flowcontrol_rejected_requests_total', {
        ...labels,
        reason: 'queue-full',
      }),
    ).toBe(5);
    const ql = metrics.histogram(
      'apiserver_flowcontrol_request_queue_length_after_enqueue',
      labels,
    )!;
    expect(ql.count).toBe(545);
    // Finishing one dispatches one from the queue.
    apf.finish(running[0]!);
    expect(running).toHaveLength(246);
    expect(metrics.value('apiserver_flowcontrol_current_inqueue_requests', labels)).toBe(299);
  });

  it('times a waiting request out after 15 s with reason time-out', () => {
    const { apf, c, loop, metrics } = setupApf(600);
    const running: ApfTicket[] = [];
    let rejectedAt = -1;
    let reason = '';
    for (let i = 0; i < 245; i++)
      apf.start(
        c,
        ONE_SEAT,
        (t) => running.push(t),
        () => {},
      );
    apf.start(
      c,
      ONE_SEAT,
      () => {},
      (r) => {
        rejectedAt = loop.now();
        reason = r;
      },
    );
    loop.runUntil(20 * Second);
    expect(reason).toBe('time-out');
    expect(rejectedAt).toBe(15 * Second);
    const h = metrics.histogram('apiserver_flowcontrol_request_wait_duration_seconds', {
      priority_level: 'workload-low',
      flow_schema: 'service-accounts',
      execute: 'false',
    });
    expect(h?.count).toBe(1);
    expect(h?.sum).toBe(15);
  });

  it('rejects at once with concurrency-limit on the Reject-type catch-all level', () => {
    const { apf } = setupApf(600);
    const c = apf.classify({
      user: { name: 'nobody', groups: [] },
      verb: 'get',
      resource: 'x',
      namespace: '',
    });
    expect(c.priorityLevel).toBe('catch-all');
    const res: string[] = [];
    for (let i = 0; i < 15; i++)
      apf.start(
        c,
        ONE_SEAT,
        () => res.push('run'),
        (r) => res.push(r),
      );
    expect(res.filter((r) => r === 'run')).toHaveLength(13);
    expect(res.slice(13)).toEqual(['concurrency-limit', 'concurrency-limit']);
  });

  it('returns the level’s adaptive Retry-After with each rejection', () => {
    const { apf, c, loop } = setupApf(600);
    for (let i = 0; i < 245 + 300; i++)
      apf.start(
        c,
        ONE_SEAT,
        () => {},
        () => {},
      );
    const ras: number[] = [];
    for (let sec = 0; sec < 10; sec++) {
      loop.runUntil(sec * Second + 1);
      for (let i = 0; i < 10; i++)
        apf.start(
          c,
          ONE_SEAT,
          () => {},
          (_r, ra) => ras.push(ra),
        );
      // keep queues full: time-outs free queue slots, refill them
      loop.runUntil(sec * Second + 2);
    }
    expect(ras[0]).toBe(1);
    expect(Math.max(...ras)).toBeGreaterThanOrEqual(4);
  });

  it('serves a light flow ahead of a heavy flow’s backlog (fair queuing)', () => {
    const loop = new EventLoop();
    const apf = new Apf({
      loop,
      metrics: new MetricsRegistry(),
      serverConcurrencyLimit: 60,
      borrowing: false,
    });
    const heavy = apf.classify({
      user: serviceAccountUser('a', 'heavy'),
      verb: 'update',
      resource: 'databases',
      namespace: 'a',
    });
    const light = apf.classify({
      user: serviceAccountUser('b', 'light'),
      verb: 'update',
      resource: 'databases',
      namespace: 'b',
    });
    const order: string[] = [];
    const run = (who: string) => (t: ApfTicket) => {
      order.push(who);
      loop.after(10 * Millisecond, () => apf.finish(t));
    };
    // workload-low has 25 seats at 60; the heavy flow queues 200 more.
    for (let i = 0; i < 225; i++) apf.start(heavy, ONE_SEAT, run('heavy'), () => {});
    loop.runUntil(1 * Millisecond);
    apf.start(light, ONE_SEAT, run('light'), () => {});
    loop.runUntil(10 * Second);
    const idx = order.indexOf('light');
    expect(order).toHaveLength(226);
    // FIFO would serve it 226th. With fair queuing its queue competes with the heavy flow's
    // 6 queues, so it is served within about two rounds over the 7 active queues.
    expect(idx).toBeLessThan(25 + 2 * 7);
  });

  it('re-divides seats when the server limit changes (brownout) and lends idle seats', () => {
    const { apf } = setupApf(600, { borrowing: true });
    expect(apf.level('workload-low')!.currentCL).toBe(245);
    apf.setServerConcurrencyLimit(60);
    expect(apf.level('workload-low')!.nominalCL).toBe(25);
    // With no demand anywhere, workload-low keeps only its share of the total after lending.
    apf.adjustBorrowing();
    const wl = apf.level('workload-low')!;
    expect(wl.currentCL).toBeGreaterThanOrEqual(wl.minCL);
    expect(wl.currentCL).toBeLessThan(25);
  });
});
