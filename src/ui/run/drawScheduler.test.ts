import { describe, expect, it } from 'vitest';
import { createDrawScheduler, type FrameClock } from './drawScheduler';

/** A clock whose frames and tasks run only when the test says so. */
function manualClock() {
  const frames: (() => void)[] = [];
  const tasks: (() => void)[] = [];
  const timers: { at: number; f: () => void }[] = [];
  let now = 0;
  const clock: FrameClock = {
    nextFrame: (f) => frames.push(f),
    task: (f) => tasks.push(f),
    after: (ms, f) => timers.push({ at: now + ms, f }),
  };
  return {
    clock,
    /** Lets `ms` milliseconds pass (runs the timers due). */
    pass(ms: number) {
      now += ms;
      for (const t of timers.filter((t) => t.at <= now)) {
        timers.splice(timers.indexOf(t), 1);
        t.f();
      }
    },
    /** One animation frame, then the tasks it queued. */
    frame() {
      for (const f of frames.splice(0)) f();
      for (const t of tasks.splice(0)) t();
    },
    waitingFrames: () => frames.length,
  };
}

describe('drawScheduler', () => {
  it('runs one job per animation frame, in the order they were first scheduled', () => {
    const c = manualClock();
    const s = createDrawScheduler(c.clock);
    const ran: string[] = [];
    const a = {};
    const b = {};
    const d = {};
    s.schedule(a, () => ran.push('a'));
    s.schedule(b, () => ran.push('b'));
    s.schedule(d, () => ran.push('d'));
    expect(ran).toEqual([]);
    c.frame();
    expect(ran).toEqual(['a']);
    c.frame();
    expect(ran).toEqual(['a', 'b']);
    c.frame();
    expect(ran).toEqual(['a', 'b', 'd']);
    expect(s.pending()).toBe(0);
    expect(c.waitingFrames()).toBe(0);
  });

  it('replaces a waiting job of the same owner in place (it keeps its turn, runs once)', () => {
    const c = manualClock();
    const s = createDrawScheduler(c.clock);
    const ran: string[] = [];
    const a = {};
    const b = {};
    s.schedule(a, () => ran.push('a1'));
    s.schedule(b, () => ran.push('b1'));
    s.schedule(a, () => ran.push('a2'));
    c.frame();
    c.frame();
    c.frame();
    expect(ran).toEqual(['a2', 'b1']);
  });

  it('drops a cancelled job and keeps going after a job that throws', () => {
    const c = manualClock();
    const s = createDrawScheduler(c.clock);
    const ran: string[] = [];
    const a = {};
    const b = {};
    const d = {};
    s.schedule(a, () => {
      throw new Error('draw failed');
    });
    s.schedule(b, () => ran.push('b'));
    s.schedule(d, () => ran.push('d'));
    s.cancel(b);
    expect(() => c.frame()).toThrow('draw failed');
    c.frame();
    expect(ran).toEqual(['d']);
  });

  it('a job scheduled while idle waits for the next frame', () => {
    const c = manualClock();
    const s = createDrawScheduler(c.clock);
    const ran: string[] = [];
    s.schedule({}, () => ran.push('x'));
    expect(c.waitingFrames()).toBe(1);
    c.frame();
    expect(ran).toEqual(['x']);
    s.schedule({}, () => ran.push('y'));
    expect(ran).toEqual(['x']);
    c.frame();
    expect(ran).toEqual(['x', 'y']);
  });

  it('waits for a job that returns a promise before the next one, and is busy meanwhile', async () => {
    const c = manualClock();
    const s = createDrawScheduler(c.clock, 1000);
    const ran: string[] = [];
    let finishA = () => {};
    s.schedule({}, () => {
      ran.push('a');
      return new Promise<void>((r) => (finishA = r));
    });
    s.schedule({}, () => ran.push('b'));
    expect(s.busy()).toBe(false);
    c.frame();
    expect(ran).toEqual(['a']);
    expect(s.busy()).toBe(true);
    // Frames pass, but b waits for a's promise.
    c.frame();
    c.frame();
    expect(ran).toEqual(['a']);
    expect(c.waitingFrames()).toBe(0);
    finishA();
    await Promise.resolve();
    expect(s.busy()).toBe(false);
    c.frame();
    expect(ran).toEqual(['a', 'b']);
    expect(s.busy()).toBe(false);
  });

  it('stops waiting for a promise that never settles after maxWaitMs', () => {
    const c = manualClock();
    const s = createDrawScheduler(c.clock, 1000);
    const ran: string[] = [];
    s.schedule({}, () => {
      ran.push('a');
      return new Promise<void>(() => {});
    });
    s.schedule({}, () => ran.push('b'));
    c.frame();
    c.pass(999);
    c.frame();
    expect(ran).toEqual(['a']);
    expect(s.busy()).toBe(true);
    c.pass(1);
    expect(s.busy()).toBe(false);
    c.frame();
    expect(ran).toEqual(['a', 'b']);
  });

  it('a rejected job promise lets the next job run', async () => {
    const c = manualClock();
    const s = createDrawScheduler(c.clock, 1000);
    const ran: string[] = [];
    s.schedule({}, () => {
      ran.push('a');
      return Promise.reject(new Error('draw failed'));
    });
    s.schedule({}, () => ran.push('b'));
    c.frame();
    await Promise.resolve();
    await Promise.resolve();
    c.frame();
    expect(ran).toEqual(['a', 'b']);
  });
});
