import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventLoop } from './loop';
import { MetricsRegistry } from './metrics';
import { LowPriority, PriorityQueue } from './priority-queue';
import { ItemExponentialFailureRateLimiter } from './ratelimiters';
import { Millisecond, Second } from './time';

const ms = Millisecond;
const L = { name: 'q', controller: 'q' };

function mk() {
  const loop = new EventLoop();
  const m = new MetricsRegistry();
  const q = new PriorityQueue<string>({ loop, name: 'q', metrics: m });
  return { loop, m, q };
}

function drain(q: PriorityQueue<string>): [string, number][] {
  const out: [string, number][] = [];
  for (;;) {
    const r = q.getWithPriority();
    if (r === undefined || r.shutdown) return out;
    out.push([r.item, r.priority]);
  }
}

describe('PriorityQueue ordering (§1.4)', () => {
  it('hands out the highest priority first, FIFO within a priority', () => {
    const { q } = mk();
    q.addWithOpts({ priority: LowPriority }, 'low1', 'low2');
    q.add('a');
    q.addWithOpts({ priority: 10 }, 'high');
    q.add('b');
    expect(drain(q)).toEqual([
      ['high', 10],
      ['a', 0],
      ['b', 0],
      ['low1', -100],
      ['low2', -100],
    ]);
  });

  it('an existing key keeps the max priority; a raise gives a fresh counter (back of its level)', () => {
    const { q } = mk();
    q.addWithOpts({ priority: 1 }, 'x');
    q.addWithOpts({ priority: LowPriority }, 'y');
    q.addWithOpts({ priority: 1 }, 'z');
    q.addWithOpts({ priority: 1 }, 'y'); // raised: behind x and z
    q.addWithOpts({ priority: -5 }, 'x'); // lower: ignored, keeps its place
    expect(drain(q)).toEqual([
      ['x', 1],
      ['z', 1],
      ['y', 1],
    ]);
  });

  it('a plain Add on a low-priority item raises it to 0', () => {
    const { q } = mk();
    q.addWithOpts({ priority: LowPriority }, 'x');
    q.add('x');
    expect(drain(q)).toEqual([['x', 0]]);
  });

  it('waiting items become ready at readyAt with a fresh counter (ordered by readiness)', () => {
    const { loop, q } = mk();
    q.addAfter('late', 20 * ms);
    q.addAfter('early', 10 * ms);
    q.add('now');
    loop.runUntil(30 * ms);
    expect(drain(q).map(([k]) => k)).toEqual(['now', 'early', 'late']);
  });
});

describe('PriorityQueue merge rules (§1.4 contrasts)', () => {
  it('AddAfter on a ready item is merged: no second processing', () => {
    const { loop, q } = mk();
    q.add('x');
    q.addAfter('x', 50 * ms);
    expect(q.len()).toBe(1);
    expect(q.waitingLen()).toBe(0);
    expect(drain(q)).toEqual([['x', 0]]);
    q.done('x');
    loop.runUntil(Second);
    expect(q.len()).toBe(0);
  });

  it('Add on a waiting item makes it ready now; the waiting entry is gone', () => {
    const { loop, q } = mk();
    q.addAfter('x', Second);
    q.add('x');
    expect(q.len()).toBe(1);
    expect(q.waitingLen()).toBe(0);
    drain(q);
    q.done('x');
    loop.runUntil(2 * Second);
    expect(q.len()).toBe(0);
  });

  it('two AddAfter calls: the earlier readyAt is kept', () => {
    const { loop, q } = mk();
    q.addAfter('x', 100 * ms);
    q.addAfter('x', 30 * ms);
    q.addAfter('x', 60 * ms);
    loop.runUntil(29 * ms);
    expect(q.len()).toBe(0);
    loop.runUntil(30 * ms);
    expect(q.len()).toBe(1);
  });

  it('RateLimited with After: the shorter wins and When is always called', () => {
    const loop = new EventLoop();
    const rl = new ItemExponentialFailureRateLimiter<string>(Second, 1000 * Second);
    const q = new PriorityQueue<string>({ loop, rateLimiter: rl });
    q.addWithOpts({ rateLimited: true, after: 100 * ms }, 'x');
    expect(rl.numRequeues('x')).toBe(1);
    loop.runUntil(100 * ms);
    expect(q.len()).toBe(1);
    q.addWithOpts({ rateLimited: true, after: 10 * Second }, 'y');
    loop.runUntil(100 * ms + Second);
    expect(q.len()).toBe(2);
  });

  it('AddRateLimited on a ready item still counts a failure but adds no processing', () => {
    const { loop, q, m } = mk();
    q.add('x');
    q.addRateLimited('x');
    expect(q.numRequeues('x')).toBe(1);
    expect(m.value('workqueue_retries_total', L)).toBe(1);
    expect(drain(q)).toEqual([['x', 0]]);
    q.done('x');
    loop.runUntil(Second);
    expect(q.len()).toBe(0);
  });
});

describe('PriorityQueue locked keys, len and shutdown (§1.4)', () => {
  it('a re-add while locked is invisible to Get until Done, but counted by len()', () => {
    const { q } = mk();
    q.add('x');
    q.add('y');
    expect(q.getWithPriority()!.item).toBe('x');
    q.add('x');
    expect(q.len()).toBe(2);
    expect(q.getWithPriority()!.item).toBe('y');
    expect(q.getWithPriority()).toBeUndefined();
    q.done('x');
    expect(q.getWithPriority()!.item).toBe('x');
  });

  it('a locked key keeps its place among ready items when released', () => {
    const { q } = mk();
    q.add('x');
    q.getWithPriority();
    q.add('x');
    q.add('y');
    q.done('x');
    expect(drain(q).map(([k]) => k)).toEqual(['x', 'y']);
  });

  it('len() counts ready items only, not waiting ones', () => {
    const { q } = mk();
    q.add('a');
    q.addAfter('b', Second);
    expect(q.len()).toBe(1);
  });

  it('ShutDown is immediate: Get reports shutdown even with ready items; adds are ignored', () => {
    const { loop, q } = mk();
    q.add('a');
    q.add('b');
    let drained = false;
    q.shutDownWithDrain(() => (drained = true));
    expect(drained).toBe(true);
    q.add('c');
    expect(q.get()).toEqual({ item: undefined, shutdown: true });
    expect(q.getWithPriority()).toEqual({ item: undefined, priority: 0, shutdown: true });
    expect(q.len()).toBe(2);
    loop.runUntil(Second);
  });
});

describe('PriorityQueue metrics (§1.4, §5.2)', () => {
  it('adds_total when an item becomes ready; retries only for after > 0; depth by priority', () => {
    const { loop, q, m } = mk();
    q.addWithOpts({ priority: LowPriority }, 'a');
    q.addAfter('b', 10 * ms);
    q.addAfter('c', 0);
    expect(m.value('workqueue_adds_total', L)).toBe(2);
    expect(m.value('workqueue_retries_total', L)).toBe(1);
    expect(m.value('workqueue_depth', { ...L, priority: '-100' })).toBe(1);
    expect(m.value('workqueue_depth', { ...L, priority: '0' })).toBe(1);
    loop.runUntil(10 * ms);
    expect(m.value('workqueue_adds_total', L)).toBe(3);
    expect(m.value('workqueue_depth', { ...L, priority: '0' })).toBe(2);
    q.addWithOpts({ priority: 5 }, 'a');
    expect(m.value('workqueue_depth', { ...L, priority: '-100' })).toBe(0);
    expect(m.value('workqueue_depth', { ...L, priority: '5' })).toBe(1);
    expect(q.getWithPriority()).toEqual({ item: 'a', priority: 5, shutdown: false });
    expect(m.value('workqueue_depth', { ...L, priority: '5' })).toBe(0);
    expect(m.histogram('workqueue_queue_duration_seconds', L)!.count).toBe(1);
  });

  it('after 25 distinct priorities the depth label becomes exceeded_cardinality_limit', () => {
    const { q, m } = mk();
    for (let p = 1; p <= 27; p++) q.addWithOpts({ priority: p }, `k${p}`);
    expect(m.value('workqueue_depth', { ...L, priority: '25' })).toBe(1);
    expect(m.value('workqueue_depth', { ...L, priority: 'exceeded_cardinality_limit' })).toBe(2);
  });

  it('default rate limiter: per-item exponential only, no global bucket', () => {
    const { q } = mk();
    const r = q.rateLimiter;
    const d = Array.from({ length: 300 }, (_, i) => r.when(`k${i}`));
    expect(d.every((x) => x === 5 * ms)).toBe(true);
    expect(r.when('k0')).toBe(10 * ms);
  });

  it('queue and work durations stay exact while keys come and go (record slots are reused)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), key: fc.integer({ min: 0, max: 11 }) }),
      fc.record({ kind: fc.constant('get' as const) }),
      fc.record({ kind: fc.constant('done' as const), key: fc.integer({ min: 0, max: 11 }) }),
      fc.record({ kind: fc.constant('tick' as const), d: fc.integer({ min: 1, max: 7 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const { loop, q, m } = mk();
        const queuedSince = new Map<string, number>();
        const lockedAt = new Map<string, number>();
        let lat = 0;
        let work = 0;
        for (const o of ops) {
          if (o.kind === 'add') {
            const k = `k${o.key}`;
            q.add(k);
            if (!queuedSince.has(k)) queuedSince.set(k, loop.now());
          } else if (o.kind === 'get') {
            const r = q.get();
            if (r === undefined) {
              expect([...queuedSince.keys()].filter((k) => !lockedAt.has(k))).toEqual([]);
            } else if (!r.shutdown) {
              lat += (loop.now() - queuedSince.get(r.item)!) / Second;
              queuedSince.delete(r.item);
              lockedAt.set(r.item, loop.now());
            }
          } else if (o.kind === 'done') {
            const k = `k${o.key}`;
            if (lockedAt.has(k)) {
              q.done(k);
              work += (loop.now() - lockedAt.get(k)!) / Second;
              lockedAt.delete(k);
            }
          } else {
            loop.advance(o.d * ms);
          }
        }
        expect(m.histogram('workqueue_queue_duration_seconds', L)!.sum).toBe(lat);
        expect(m.histogram('workqueue_work_duration_seconds', L)!.sum).toBe(work);
        expect(q.len()).toBe(queuedSince.size);
        expect(q.processingCount()).toBe(lockedAt.size);
      }),
      { numRuns: 100 },
    );
  });

  it('unfinished work is tracked for the priority queue too', () => {
    const { loop, q, m } = mk();
    q.add('a');
    q.get();
    loop.runUntil(Second);
    expect(m.value('workqueue_longest_running_processor_seconds', L)).toBe(1);
  });
});

describe('PriorityQueue against a naive model (property)', () => {
  interface MItem {
    priority: number;
    counter: number;
    readyAt: number | null;
  }

  it('hands out the same keys in the same order as a sorted-array model of §1.4', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('add' as const),
        key: fc.integer({ min: 0, max: 8 }),
        after: fc.constantFrom(0, 0, 5, 10, 30),
        priority: fc.option(fc.integer({ min: -3, max: 3 }), { nil: undefined }),
      }),
      fc.record({ kind: fc.constant('get' as const) }),
      fc.record({ kind: fc.constant('done' as const), key: fc.integer({ min: 0, max: 8 }) }),
      fc.record({ kind: fc.constant('tick' as const), d: fc.integer({ min: 0, max: 20 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const loop = new EventLoop();
        const q = new PriorityQueue<string>({ loop });
        const items = new Map<string, MItem>();
        const locked = new Set<string>();
        let counter = 0;
        const promote = () => {
          const due = [...items.entries()]
            .filter(([, it]) => it.readyAt !== null && it.readyAt <= loop.now())
            .sort(
              ([, a], [, b]) =>
                a.readyAt! - b.readyAt! || b.priority - a.priority || a.counter - b.counter,
            );
          for (const [, it] of due) {
            it.readyAt = null;
            it.counter = counter++;
          }
        };
        for (const o of ops) {
          if (o.kind === 'add') {
            const key = `k${o.key}`;
            q.addWithOpts({ after: o.after, priority: o.priority }, key);
            const readyAt = o.after > 0 ? loop.now() + o.after : null;
            const it = items.get(key);
            if (!it) {
              items.set(key, { priority: o.priority ?? 0, counter: counter++, readyAt });
            } else {
              const np = o.priority ?? 0;
              if (np > it.priority) {
                it.priority = np;
                it.counter = counter++;
              }
              if (it.readyAt !== null) {
                if (readyAt === null) {
                  it.readyAt = null;
                  it.counter = counter++;
                } else if (readyAt < it.readyAt) it.readyAt = readyAt;
              }
            }
          } else if (o.kind === 'get') {
            const r = q.getWithPriority();
            const cands = [...items.entries()]
              .filter(([k, it]) => it.readyAt === null && !locked.has(k))
              .sort(([, a], [, b]) => b.priority - a.priority || a.counter - b.counter);
            const want = cands[0];
            if (!want) {
              expect(r).toBeUndefined();
            } else {
              expect(r).toEqual({ item: want[0], priority: want[1].priority, shutdown: false });
              items.delete(want[0]);
              locked.add(want[0]);
            }
          } else if (o.kind === 'done') {
            const key = `k${o.key}`;
            if (locked.has(key)) {
              q.done(key);
              locked.delete(key);
            }
          } else {
            loop.advance(o.d);
            promote();
          }
          const readyCount = [...items.values()].filter((it) => it.readyAt === null).length;
          expect(q.len()).toBe(readyCount);
          expect(q.waitingLen()).toBe(items.size - readyCount);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('PriorityQueue with many items (sorted-run fast path, ring growth and wrap-around)', () => {
  it('hands out hundreds of mostly in-order adds in exactly (readyAt, priority, counter) order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            // Mostly increasing deadlines (appended to the run), some earlier ones (heap).
            back: fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.nat(24)),
            priority: fc.constantFrom(0, 0, 0, 1, LowPriority),
            gets: fc.nat(3),
          }),
          { minLength: 250, maxLength: 400 },
        ),
        (ops) => {
          const loop = new EventLoop();
          const q = new PriorityQueue<string>({ loop });
          interface W {
            key: string;
            readyAt: number;
            priority: number;
            counter: number;
          }
          let counter = 0;
          let waiting: W[] = [];
          const ready: W[] = [];
          const promote = () => {
            const due = waiting
              .filter((w) => w.readyAt <= loop.now())
              .sort(
                (a, b) => a.readyAt - b.readyAt || b.priority - a.priority || a.counter - b.counter,
              );
            waiting = waiting.filter((w) => w.readyAt > loop.now());
            for (const w of due) ready.push({ ...w, counter: counter++ });
          };
          const get = () => {
            const r = q.getWithPriority();
            ready.sort((a, b) => b.priority - a.priority || a.counter - b.counter);
            const want = ready.shift();
            if (want === undefined) {
              expect(r).toBeUndefined();
              return;
            }
            expect(r).toEqual({ item: want.key, priority: want.priority, shutdown: false });
            q.done(want.key);
          };
          let i = 0;
          for (const o of ops) {
            const key = `k${i++}`;
            // About 30 waiting at first (the run's 64-entry ring wraps around), then about 150
            // (the ring grows while its head is in the middle).
            const after = (i < 150 ? 30 : 150) - o.back;
            q.addWithOpts({ after, priority: o.priority }, key);
            waiting.push({
              key,
              readyAt: loop.now() + after,
              priority: o.priority,
              counter: counter++,
            });
            loop.advance(1);
            promote();
            for (let g = 0; g < o.gets; g++) get();
          }
          loop.advance(200);
          promote();
          while (ready.length > 0) get();
          expect(q.len()).toBe(0);
          expect(q.waitingLen()).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
