import { describe, expect, it } from 'vitest';
import { createDrawScheduler, type FrameClock } from './drawScheduler';

/** A clock whose frames and tasks run only when the test says so. */
function manualClock() {
  const frames: (() => void)[] = [];
  const tasks: (() => void)[] = [];
  const clock: FrameClock = {
    nextFrame: (f) => frames.push(f),
    task: (f) => tasks.push(f),
  };
  return {
    clock,
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
});
