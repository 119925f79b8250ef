import { describe, expect, it } from 'vitest';
import { EventLoop } from './loop';

describe('EventLoop', () => {
  it('runs events in (time, insertion) order', () => {
    const loop = new EventLoop();
    const out: string[] = [];
    loop.schedule(20, () => out.push('c'));
    loop.schedule(10, () => out.push('a'));
    loop.schedule(10, () => out.push('b'));
    loop.runUntil(100);
    expect(out).toEqual(['a', 'b', 'c']);
    expect(loop.now()).toBe(100);
  });

  it('cancel removes a pending event and ignores stale handles', () => {
    const loop = new EventLoop();
    const out: number[] = [];
    const hs = [5, 3, 9, 1, 7].map((t) => loop.schedule(t, () => out.push(t)));
    loop.cancel(hs[2]!);
    loop.cancel(hs[2]!);
    loop.runUntil(10);
    expect(out).toEqual([1, 3, 5, 7]);
  });

  it('scheduling in the past runs at the current time, after events already due now', () => {
    const loop = new EventLoop();
    const out: string[] = [];
    loop.schedule(10, () => {
      out.push('first');
      loop.schedule(0, () => out.push('late'));
    });
    loop.schedule(10, () => out.push('second'));
    loop.runUntil(10);
    expect(out).toEqual(['first', 'second', 'late']);
  });

  it('advance(d) runs events due up to now+d and moves now there', () => {
    const loop = new EventLoop();
    let ran = 0;
    loop.schedule(5, () => ran++);
    loop.schedule(15, () => ran++);
    loop.advance(10);
    expect(ran).toBe(1);
    expect(loop.now()).toBe(10);
    expect(loop.step()).toBe(true);
    expect(loop.now()).toBe(15);
    expect(loop.step()).toBe(false);
  });

  it('keeps heap order across thousands of random inserts and cancels', () => {
    const loop = new EventLoop();
    const seen: number[] = [];
    let x = 12345;
    const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648), x);
    const handles: number[] = [];
    for (let i = 0; i < 5000; i++)
      handles.push(loop.schedule(rnd() % 100000, () => seen.push(loop.now())));
    for (let i = 0; i < 1000; i++) loop.cancel(handles[rnd() % handles.length]!);
    loop.runUntil(1e9);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen.length).toBeGreaterThan(3900);
  });
});
