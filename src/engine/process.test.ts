import { describe, expect, it } from 'vitest';
import { EventLoop } from './loop';
import {
  Canceled,
  Context,
  DeadlineExceeded,
  WaitList,
  limiterWait,
  sleepCtx,
  spawn,
  waitFor,
  type Proc,
} from './process';
import { Limiter } from './rate';
import { TestOp } from './testutil';
import { Millisecond, Second } from './time';

const ms = Millisecond;

describe('processes', () => {
  it('yielding a number sleeps that long; the return value is kept', () => {
    const loop = new EventLoop();
    const seen: number[] = [];
    const p = spawn(
      loop,
      (function* (): Proc<string> {
        seen.push(loop.now());
        yield 5 * ms;
        seen.push(loop.now());
        yield 0;
        seen.push(loop.now());
        return 'done';
      })(),
    );
    expect(p.done).toBe(false);
    loop.runUntil(Second);
    expect(seen).toEqual([0, 5 * ms, 5 * ms]);
    expect(p.result).toBe('done');
  });

  it('waitFor returns the resumed value; synchronous resumes continue at once; extra resumes ignored', () => {
    const loop = new EventLoop();
    const got: unknown[] = [];
    spawn(
      loop,
      (function* (): Proc<void> {
        got.push(yield* waitFor<number>((resume) => resume(1)));
        got.push(
          yield* waitFor<string>((resume) => {
            loop.schedule(7, () => {
              resume('late');
              resume('again');
            });
          }),
        );
        got.push(loop.now());
      })(),
    );
    expect(got).toEqual([1]);
    loop.runUntil(10);
    expect(got).toEqual([1, 'late', 7]);
  });

  it('yield* of an Op: begun once when reached; synchronous and later results; extra results ignored', () => {
    const loop = new EventLoop();
    const got: unknown[] = [];
    const now = new TestOp(loop, 1);
    const later = new TestOp(loop, 'late', 7);
    spawn(
      loop,
      (function* (): Proc<void> {
        got.push(yield* now);
        got.push(yield* later);
        got.push(loop.now());
        // A Waitable after an Op still works (the Op's second answer went nowhere).
        got.push(yield* waitFor<string>((resume) => resume('w')));
      })(),
    );
    expect(got).toEqual([1]);
    expect([now.begins, later.begins]).toEqual([1, 1]);
    loop.runUntil(10);
    expect(got).toEqual([1, 'late', 7, 'w']);
    expect([now.begins, later.begins]).toEqual([1, 1]);
  });

  it.each([
    ['its pending timer', false],
    ['the result of the Op it was waiting on', true],
  ])('kill stops a process and ignores %s', (_what, withOp) => {
    const loop = new EventLoop();
    const op = new TestOp(loop, 'late', Second);
    let after = false;
    let cleaned = false;
    const p = spawn(
      loop,
      (function* (): Proc<void> {
        try {
          if (withOp) yield* op;
          else yield Second;
          after = true;
        } finally {
          cleaned = true;
        }
      })(),
    );
    p.kill();
    loop.runUntil(2 * Second);
    expect(after).toBe(false);
    expect(cleaned).toBe(true);
    expect(p.done).toBe(true);
    // The abandoned Op is done; one never begun stays as it was.
    expect([op.begins, op.done]).toEqual(withOp ? [1, true] : [0, false]);
  });

  it('WaitList wakes the longest waiter first, each as its own event', () => {
    const loop = new EventLoop();
    const w = new WaitList(loop);
    const out: string[] = [];
    w.wait(() => out.push('a'));
    w.wait(() => out.push('b'));
    w.wait(() => out.push('c'));
    expect(w.notifyOne()).toBe(true);
    expect(out).toEqual([]);
    loop.runUntil(0);
    expect(out).toEqual(['a']);
    w.notifyAll();
    loop.runUntil(0);
    expect(out).toEqual(['a', 'b', 'c']);
    expect(w.notifyOne()).toBe(false);
  });
});

describe('Context', () => {
  it('WithTimeout ends with "context deadline exceeded" at the deadline; cancel with "context canceled"', () => {
    const loop = new EventLoop();
    const root = Context.background(loop);
    const t = root.withTimeout(100 * ms);
    expect(t.deadline).toBe(100 * ms);
    const c = root.withCancel();
    let fired = 0;
    t.onDone(() => fired++);
    loop.runUntil(99 * ms);
    expect(t.err()).toBeNull();
    loop.runUntil(100 * ms);
    expect(t.err()).toBe(DeadlineExceeded);
    expect(fired).toBe(1);
    c.cancel();
    expect(c.err()).toBe(Canceled);
    expect(root.err()).toBeNull();
  });

  it('children end with their parent and inherit an earlier deadline', () => {
    const loop = new EventLoop();
    const parent = Context.background(loop).withTimeout(50 * ms);
    const child = parent.withTimeout(Second);
    expect(child.deadline).toBe(50 * ms);
    loop.runUntil(50 * ms);
    expect(child.err()).toBe(DeadlineExceeded);
    const p2 = Context.background(loop).withCancel();
    const c2 = p2.withCancel();
    p2.cancel();
    expect(c2.err()).toBe(Canceled);
  });

  it('sleepCtx returns null after a full sleep, ctx.Err() when the context ends first', () => {
    const loop = new EventLoop();
    const ctx = Context.background(loop).withTimeout(30 * ms);
    const out: (string | null)[] = [];
    spawn(
      loop,
      (function* (): Proc<void> {
        out.push(yield* sleepCtx(loop, ctx, 10 * ms));
        out.push(yield* sleepCtx(loop, ctx, 100 * ms));
        out.push(String(loop.now()));
      })(),
    );
    loop.runUntil(Second);
    expect(out).toEqual([null, DeadlineExceeded, String(30 * ms)]);
  });
});

describe('limiterWait (rate.Limiter.WaitN as a process step)', () => {
  it('waits for the reservation, and restores tokens when the context ends mid-wait', () => {
    const loop = new EventLoop();
    const lim = new Limiter(10, 1);
    const root = Context.background(loop);
    const out: (string | null)[] = [];
    const times: number[] = [];
    spawn(
      loop,
      (function* (): Proc<void> {
        out.push(yield* limiterWait(loop, lim, 1, root));
        out.push(yield* limiterWait(loop, lim, 1, root));
        times.push(loop.now());
        const c = root.withCancel();
        loop.schedule(loop.now() + 20 * ms, () => c.cancel());
        out.push(yield* limiterWait(loop, lim, 1, c));
        times.push(loop.now());
        out.push(yield* limiterWait(loop, lim, 2, root));
      })(),
    );
    loop.runUntil(Second);
    expect(out).toEqual([null, null, Canceled, "rate: Wait(n=2) exceeds limiter's burst 1"]);
    expect(times).toEqual([100 * ms, 120 * ms]);
    // The cancelled reservation was the latest: its token came back.
    expect(lim.tokensAt(120 * ms)).toBeCloseTo(0.2, 9);
  });
});
