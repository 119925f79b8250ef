import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Controller, ReconcilePanic, type ReconcileOutcome } from './controller';
import { EventLoop } from './loop';
import { MetricsRegistry } from './metrics';
import { Rng } from './prng';
import type { Proc } from './process';
import type { CrVersion } from './settings';
import { Millisecond, Second } from './time';

interface Scenario {
  seed: number;
  keys: number;
  workers: number;
  adds: number;
  version: CrVersion;
  usePriorityQueue: boolean;
}

/**
 * A micro-scenario: random adds (plain, after, rate-limited, low priority) over 5 s, random
 * reconcile durations and outcomes (errors, terminal errors, Requeue, RequeueAfter, panics),
 * every outcome turning into success after a few attempts so the system settles.
 */
function run(s: Scenario) {
  const loop = new EventLoop();
  const rng = new Rng(s.seed);
  const metrics = new MetricsRegistry();
  const trace: string[] = [];
  const inFlight = new Set<string>();
  const lastAdd = new Map<string, number>();
  const lastStart = new Map<string, number>();
  const attempts = new Map<string, number>();
  let overlap = 0;
  const c = new Controller<string>({
    loop,
    name: 'database',
    version: s.version,
    usePriorityQueue: s.usePriorityQueue,
    maxConcurrentReconciles: s.workers,
    metrics,
    log: (l) => trace.push(`${l.t} ${l.level} ${l.msg} ${JSON.stringify(l.kv)}`),
    observer: {
      onReconcileStart: (k, i, t) => trace.push(`${t} start ${k} w${i.worker} p${i.priority}`),
      onReconcileEnd: (k, e) => trace.push(`${e.end} end ${k} ${e.result}`),
      onRequeue: (k, op, d, cause) => trace.push(`${loop.now()} ${op} ${k} ${d} ${cause}`),
    },
    reconciler: function* (req): Proc<ReconcileOutcome> {
      if (inFlight.has(req)) overlap++;
      inFlight.add(req);
      lastStart.set(req, loop.now());
      try {
        yield 1 + rng.intn(20 * Millisecond);
        const n = (attempts.get(req) ?? 0) + 1;
        attempts.set(req, n);
        if (n > 3) return {};
        const r = rng.intn(7);
        if (r === 0) return { err: { message: 'boom' } };
        if (r === 1) return { err: { message: 'fatal', terminal: true } };
        if (r === 2) return { result: { requeue: true } };
        if (r === 3) return { result: { requeueAfter: 1 + rng.intn(Second) } };
        if (r === 4) throw new ReconcilePanic('oops');
        return {};
      } finally {
        inFlight.delete(req);
      }
    },
  });
  c.queue.setObserver({
    onAdd: (k, o, p) => trace.push(`${loop.now()} add ${k} ${o} ${p}`),
    onWait: (k, at) => trace.push(`${loop.now()} wait ${k} ${at}`),
  });
  c.start();
  for (let i = 0; i < s.adds; i++) {
    const key = `ns/db-${rng.intn(s.keys)}`;
    const at = rng.intn(5 * Second);
    const how = rng.intn(4);
    loop.schedule(at, () => {
      attempts.delete(key);
      if (how === 0) {
        c.queue.add(key);
        lastAdd.set(key, loop.now());
      } else if (how === 1) {
        const d = rng.intn(Second);
        // Merged into a queued item by the priority queue, so only "after the call" holds.
        c.queue.addAfter(key, d);
        lastAdd.set(key, loop.now());
      } else if (how === 2) {
        c.enqueueEvent(key, { initialList: true });
        lastAdd.set(key, loop.now());
      } else {
        c.queue.add(key);
        lastAdd.set(key, loop.now());
      }
    });
  }
  loop.runUntil(100_000 * Second);
  return { loop, c, metrics, trace, overlap, lastAdd, lastStart };
}

const scenario = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 }),
  keys: fc.integer({ min: 1, max: 30 }),
  workers: fc.integer({ min: 1, max: 8 }),
  adds: fc.integer({ min: 1, max: 120 }),
  version: fc.constantFrom<CrVersion>('v0.19', 'v0.20', 'v0.22', 'v0.23'),
  usePriorityQueue: fc.boolean(),
});

describe('engine invariants (property tests)', () => {
  it('an item is never held by two workers at once', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        expect(run(s).overlap).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  it('every added item is eventually processed after its add, or is still queued', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { lastAdd, lastStart, c } = run(s);
        const stillQueued = c.queue.len() + c.queue.processingCount();
        for (const [key, t] of lastAdd) {
          if (stillQueued > 0) continue;
          expect(lastStart.get(key) ?? -1).toBeGreaterThanOrEqual(t);
        }
        expect(stillQueued).toBe(0);
        expect(c.activeWorkers()).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  it('two runs with one seed are identical (event trace + metrics text hash)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const a = run(s);
        const b = run(s);
        expect(hash(a.trace.join('\n') + a.metrics.toPrometheusText())).toBe(
          hash(b.trace.join('\n') + b.metrics.toPrometheusText()),
        );
        expect(a.loop.eventsRun()).toBe(b.loop.eventsRun());
      }),
      { numRuns: 15 },
    );
  });

  it('a different seed gives a different run (the hash is sensitive)', () => {
    const s: Scenario = {
      seed: 1,
      keys: 20,
      workers: 4,
      adds: 80,
      version: 'v0.23',
      usePriorityQueue: true,
    };
    const a = run(s);
    const b = run({ ...s, seed: 2 });
    expect(hash(a.trace.join('\n'))).not.toBe(hash(b.trace.join('\n')));
  });
});

/** FNV-1a 32-bit. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}
