import { describe, expect, it } from 'vitest';
import { DelayingQueue } from './delaying-queue';
import { EventLoop } from './loop';
import { MetricsRegistry } from './metrics';
import { Queue } from './queue';
import { RateLimitingQueue } from './ratelimiting-queue';
import { ItemExponentialFailureRateLimiter, defaultItemBasedRateLimiter } from './ratelimiters';
import { Millisecond, Second } from './time';

const ms = Millisecond;
const L = { name: 'q', controller: 'q' };

function drainGets<T>(q: Queue<T>): T[] {
  const out: T[] = [];
  for (;;) {
    const r = q.get();
    if (r === undefined || r.shutdown) return out;
    out.push(r.item);
  }
}

describe('Queue: dirty/processing semantics (§1.1)', () => {
  it('dedups adds before Get (TestLen, TestCollapse)', () => {
    const q = new Queue<string>({ loop: new EventLoop() });
    q.add('foo');
    q.add('foo');
    q.add('foo');
    expect(q.len()).toBe(1);
    expect(q.get()).toEqual({ item: 'foo', shutdown: false });
    expect(q.get()).toBeUndefined();
  });

  it('never hands a processing item to a second Get (TestCollapseWhileProcessing)', () => {
    const q = new Queue<string>({ loop: new EventLoop() });
    q.add('foo');
    expect(q.get()!.item).toBe('foo');
    q.add('foo');
    expect(q.len()).toBe(0);
    expect(q.get()).toBeUndefined();
    q.done('foo');
    expect(q.len()).toBe(1);
    expect(q.get()!.item).toBe('foo');
  });

  it('any number of re-adds while processing give exactly one more processing, at the tail', () => {
    const q = new Queue<string>({ loop: new EventLoop() });
    q.add('a');
    q.add('b');
    q.get();
    q.add('a');
    q.add('a');
    q.add('c');
    q.done('a');
    expect(drainGets(q)).toEqual(['b', 'c', 'a']);
  });

  it('is FIFO by first add; re-adding a queued item does not move it', () => {
    const q = new Queue<string>({ loop: new EventLoop() });
    for (const x of ['a', 'b', 'c', 'a', 'b']) q.add(x);
    expect(drainGets(q)).toEqual(['a', 'b', 'c']);
  });

  it('ShutDown: later adds are dropped, Get drains queued items then reports shutdown', () => {
    const q = new Queue<string>({ loop: new EventLoop() });
    q.add('a');
    q.add('b');
    q.shutDown();
    q.add('c');
    expect(q.shuttingDown()).toBe(true);
    expect(q.get()).toEqual({ item: 'a', shutdown: false });
    expect(q.get()).toEqual({ item: 'b', shutdown: false });
    expect(q.get()).toEqual({ item: undefined, shutdown: true });
  });

  it('ShutDownWithDrain waits for the processing set only; a later ShutDown releases it', () => {
    const q = new Queue<string>({ loop: new EventLoop() });
    let drained = 0;
    q.add('queued');
    q.shutDownWithDrain(() => drained++);
    expect(drained).toBe(1); // nothing processing: returns at once, items still queued
    expect(q.get()!.item).toBe('queued');

    const q2 = new Queue<string>({ loop: new EventLoop() });
    q2.add('a');
    q2.add('b');
    q2.get();
    q2.get();
    q2.shutDownWithDrain(() => drained++);
    q2.done('a');
    expect(drained).toBe(1);
    q2.done('b');
    expect(drained).toBe(2);

    const q3 = new Queue<string>({ loop: new EventLoop() });
    q3.add('a');
    q3.get();
    q3.shutDownWithDrain(() => drained++);
    q3.shutDown();
    expect(drained).toBe(3);
  });

  it('Done of a dirty item re-queues it even during a draining shutdown', () => {
    const q = new Queue<string>({ loop: new EventLoop() });
    q.add('a');
    q.get();
    q.add('a');
    let drained = false;
    q.shutDownWithDrain(() => (drained = true));
    q.done('a');
    expect(drained).toBe(false);
    expect(q.get()).toEqual({ item: 'a', shutdown: false });
    q.done('a');
    expect(drained).toBe(true);
    expect(q.get()).toEqual({ item: undefined, shutdown: true });
  });

  it('onReady wakes one waiter per add, as an event at the add time', () => {
    const loop = new EventLoop();
    const q = new Queue<string>({ loop });
    const woke: string[] = [];
    q.onReady(() => woke.push(`w1@${loop.now()}`));
    q.onReady(() => woke.push(`w2@${loop.now()}`));
    loop.schedule(5, () => q.add('x'));
    loop.runUntil(10);
    expect(woke).toEqual(['w1@5']);
    q.shutDown();
    loop.runUntil(20);
    expect(woke).toEqual(['w1@5', 'w2@10']);
    let now = -1;
    q.onReady(() => (now = loop.now()));
    loop.runUntil(30);
    expect(now).toBe(20);
  });
});

describe('Queue metrics (§1.1, §5.2)', () => {
  it('adds/depth count re-adds during processing that len() does not show; latency and work duration', () => {
    const loop = new EventLoop();
    const m = new MetricsRegistry();
    const q = new Queue<string>({ loop, name: 'q', metrics: m });
    q.add('a');
    q.add('a');
    expect(m.value('workqueue_adds_total', L)).toBe(1);
    expect(m.value('workqueue_depth', { ...L, priority: '' })).toBe(1);
    loop.advance(20 * ms);
    q.get();
    expect(m.value('workqueue_depth', { ...L, priority: '' })).toBe(0);
    q.add('a');
    expect(q.len()).toBe(0);
    expect(m.value('workqueue_depth', { ...L, priority: '' })).toBe(1);
    expect(m.value('workqueue_adds_total', L)).toBe(2);
    loop.advance(300 * ms);
    q.done('a');
    const lat = m.histogram('workqueue_queue_duration_seconds', L)!;
    expect(lat.count).toBe(1);
    expect(lat.sum).toBeCloseTo(0.02, 12);
    expect(lat.buckets.map(([le]) => le)).toEqual([
      1e-8,
      1e-7,
      1e-6,
      9.999999999999999e-6,
      9.999999999999999e-5,
      0.001,
      0.01,
      0.1,
      1,
      10,
      100,
      1000,
      Infinity,
    ]);
    const work = m.histogram('workqueue_work_duration_seconds', L)!;
    expect(work.sum).toBeCloseTo(0.3, 12);
    q.get();
    // Latency of the re-add is measured from the re-add (during processing), not from Done.
    expect(m.histogram('workqueue_queue_duration_seconds', L)!.sum).toBeCloseTo(0.32, 12);
  });

  it('unfinished_work / longest_running are recomputed every 500 ms while items are in flight', () => {
    const loop = new EventLoop();
    const m = new MetricsRegistry();
    const q = new Queue<string>({ loop, name: 'q', metrics: m });
    loop.advance(100 * ms);
    q.add('a');
    q.add('b');
    q.get();
    loop.advance(200 * ms);
    q.get();
    loop.runUntil(499 * ms);
    expect(m.value('workqueue_unfinished_work_seconds', L)).toBe(0);
    loop.runUntil(500 * ms);
    expect(m.value('workqueue_unfinished_work_seconds', L)).toBeCloseTo(0.4 + 0.2, 12);
    expect(m.value('workqueue_longest_running_processor_seconds', L)).toBeCloseTo(0.4, 12);
    loop.runUntil(1000 * ms);
    expect(m.value('workqueue_longest_running_processor_seconds', L)).toBeCloseTo(0.9, 12);
    q.done('a');
    q.done('b');
    loop.runUntil(1500 * ms);
    expect(m.value('workqueue_unfinished_work_seconds', L)).toBe(0);
    expect(m.value('workqueue_longest_running_processor_seconds', L)).toBe(0);
    expect(loop.pending()).toBe(0);
  });

  it('an unnamed queue has no metrics', () => {
    const q = new Queue<string>({ loop: new EventLoop() });
    expect(q.metrics).toBeUndefined();
  });
});

describe('DelayingQueue (§1.2)', () => {
  it('AddAfter adds at now + d; d <= 0 adds at once; retries count every call', () => {
    const loop = new EventLoop();
    const m = new MetricsRegistry();
    const q = new DelayingQueue<string>({ loop, name: 'q', metrics: m });
    q.addAfter('a', 50 * ms);
    q.addAfter('b', 0);
    q.addAfter('c', -1);
    expect(m.value('workqueue_retries_total', L)).toBe(3);
    expect(drainGets(q)).toEqual(['b', 'c']);
    loop.runUntil(49 * ms);
    expect(q.len()).toBe(0);
    loop.runUntil(50 * ms);
    expect(q.len()).toBe(1);
  });

  it('dedups waiting entries: the earlier ready time wins (TestDeduping)', () => {
    const loop = new EventLoop();
    const q = new DelayingQueue<string>({ loop });
    q.addAfter('foo', 50 * ms);
    q.addAfter('foo', 70 * ms);
    expect(q.waitingLen()).toBe(1);
    loop.runUntil(60 * ms);
    expect(q.len()).toBe(1);
    q.get();
    q.done('foo');
    loop.runUntil(100 * ms);
    expect(q.len()).toBe(0);

    q.addAfter('foo', 70 * ms);
    q.addAfter('foo', 50 * ms);
    loop.runUntil(150 * ms);
    expect(q.len()).toBe(1);
  });

  it('fires due entries in ready-time order (TestCopyShifting)', () => {
    const loop = new EventLoop();
    const q = new DelayingQueue<string>({ loop });
    q.addAfter('foo', Second);
    q.addAfter('bar', 500 * ms);
    q.addAfter('baz', 250 * ms);
    loop.runUntil(2 * Second);
    expect(drainGets(q)).toEqual(['baz', 'bar', 'foo']);
  });

  it('the waiting heap is independent of the FIFO: queued now and again when the timer fires', () => {
    const loop = new EventLoop();
    const q = new DelayingQueue<string>({ loop });
    q.add('x');
    q.addAfter('x', 100 * ms);
    expect(q.get()!.item).toBe('x');
    q.done('x');
    loop.runUntil(100 * ms);
    expect(q.get()!.item).toBe('x');
  });

  it('ShutDown drops waiting entries; AddAfter afterwards is ignored (no retry counted)', () => {
    const loop = new EventLoop();
    const m = new MetricsRegistry();
    const q = new DelayingQueue<string>({ loop, name: 'q', metrics: m });
    q.addAfter('a', 10 * ms);
    q.shutDown();
    q.addAfter('b', 10 * ms);
    loop.runUntil(Second);
    expect(q.get()).toEqual({ item: undefined, shutdown: true });
    expect(m.value('workqueue_retries_total', L)).toBe(1);
    q.shutDown();
  });
});

describe('RateLimitingQueue (§1.3)', () => {
  it('TestRateLimitingQueue: delays 1 ms, 2 ms; NumRequeues 2; after Forget 1 ms again', () => {
    const loop = new EventLoop();
    const q = new RateLimitingQueue<string>({
      loop,
      rateLimiter: new ItemExponentialFailureRateLimiter(ms, Second),
    });
    q.addRateLimited('one');
    expect(q.readyAtOf('one')).toBe(ms);
    q.addRateLimited('one');
    expect(q.readyAtOf('one')).toBe(ms);
    expect(q.numRequeues('one')).toBe(2);
    q.addRateLimited('two');
    expect(q.readyAtOf('two')).toBe(ms);
    q.forget('one');
    expect(q.numRequeues('one')).toBe(0);
    q.addRateLimited('one');
    expect(q.lastRateLimit.delay).toBe(ms);
  });

  it('When is evaluated even while shutting down (the add is then dropped)', () => {
    const q = new RateLimitingQueue<string>({
      loop: new EventLoop(),
      rateLimiter: defaultItemBasedRateLimiter<string>(),
    });
    q.shutDown();
    q.addRateLimited('a');
    expect(q.numRequeues('a')).toBe(1);
    expect(q.waitingLen()).toBe(0);
  });

  it('Forget does not remove anything from the queue', () => {
    const q = new RateLimitingQueue<string>({
      loop: new EventLoop(),
      rateLimiter: defaultItemBasedRateLimiter<string>(),
    });
    q.add('a');
    q.forget('a');
    expect(q.len()).toBe(1);
  });
});
