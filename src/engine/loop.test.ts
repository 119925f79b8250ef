import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
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

  it('scheduleWith passes each event its own argument, in (time, insertion) order with schedule', () => {
    const loop = new EventLoop();
    const out: string[] = [];
    const shared = (x: string) => out.push(x);
    loop.scheduleWith(20, shared, 'c');
    loop.schedule(10, () => out.push('a'));
    const h = loop.scheduleWith(10, shared, 'x');
    loop.scheduleWith(10, shared, 'b');
    loop.cancel(h);
    // A plain callback gets no argument (undefined), even in a slot that held one.
    loop.schedule(15, (...args: unknown[]) =>
      out.push(`plain:${args.length > 0 ? String(args[0]) : ''}`),
    );
    loop.runUntil(100);
    expect(out).toEqual(['a', 'b', 'plain:undefined', 'c']);
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

  it('a stale handle never cancels the event that reuses its slot', () => {
    const loop = new EventLoop();
    const out: string[] = [];
    const a = loop.schedule(1, () => out.push('a'));
    loop.runUntil(1);
    const b = loop.schedule(2, () => out.push('b'));
    loop.cancel(a);
    const c = loop.schedule(3, () => out.push('c'));
    loop.cancel(c);
    const d = loop.schedule(4, () => out.push('d'));
    loop.cancel(c);
    loop.cancel(-1);
    loop.cancel(1e15);
    loop.runUntil(10);
    expect(out).toEqual(['a', 'b', 'd']);
    expect(b).not.toBe(d);
  });

  it('matches a sorted reference model under random schedule/cancel/run interleavings', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            op: fc.constantFrom('schedule', 'schedule', 'cancel', 'step', 'run'),
            v: fc.nat(1000),
          }),
          { maxLength: 300 },
        ),
        (ops) => {
          const loop = new EventLoop();
          const ran: number[] = [];
          const model: { at: number; id: number }[] = [];
          const modelRan: number[] = [];
          const handles: { h: number; id: number }[] = [];
          let id = 0;
          const runModel = (until: number, one: boolean) => {
            for (;;) {
              model.sort((x, y) => x.at - y.at || x.id - y.id);
              const e = model[0];
              if (!e || (!one && e.at > until)) return;
              model.shift();
              modelRan.push(e.id);
              if (one) return;
            }
          };
          for (const o of ops) {
            if (o.op === 'schedule') {
              const myId = id++;
              const at = Math.max(loop.now(), o.v);
              handles.push({ h: loop.schedule(o.v, () => ran.push(myId)), id: myId });
              model.push({ at, id: myId });
            } else if (o.op === 'cancel' && handles.length > 0) {
              const x = handles[o.v % handles.length]!;
              loop.cancel(x.h);
              const i = model.findIndex((m) => m.id === x.id);
              if (i >= 0) model.splice(i, 1);
            } else if (o.op === 'step') {
              loop.step();
              runModel(0, true);
            } else if (o.op === 'run') {
              const until = loop.now() + o.v;
              loop.runUntil(until);
              runModel(until, false);
            }
            expect(loop.pending()).toBe(model.length);
          }
          loop.runUntil(1e9);
          runModel(1e9, false);
          expect(ran).toEqual(modelRan);
        },
      ),
    );
  });
});
