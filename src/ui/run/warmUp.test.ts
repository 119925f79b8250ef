import { describe, expect, it } from 'vitest';
import { runWarmUp, warmUpDrawings, warmUpRows, type WarmUpSteps } from './warmUp';
import { PANELS } from './panels';

/** Idle callbacks and draws that complete only when the test says so. */
function manualSteps(count: number, stopAt = Infinity) {
  const idle: (() => void)[] = [];
  const draws: { i: number; settle(ok: boolean): void }[] = [];
  const log: string[] = [];
  let asked = 0;
  const s: WarmUpSteps = {
    idle: (f) => idle.push(f),
    draw: (i) =>
      new Promise<void>((res, rej) => {
        log.push(`draw ${i}`);
        draws.push({ i, settle: (ok) => (ok ? res() : rej(new Error('draw failed'))) });
      }),
    stop: () => ++asked > stopAt,
    done: () => log.push('done'),
  };
  runWarmUp(count, s);
  return {
    log,
    /** Runs the idle callbacks waiting now. */
    idle: () => idle.splice(0).forEach((f) => f()),
    idleWaiting: () => idle.length,
    /** Settles the newest draw (then lets its promise callbacks run). */
    settle: async (ok = true) => {
      draws.at(-1)!.settle(ok);
      await Promise.resolve();
      await Promise.resolve();
    },
  };
}

describe('runWarmUp', () => {
  it('draws each step only in an idle moment after the previous step was drawn', async () => {
    const w = manualSteps(3);
    expect(w.log).toEqual([]);
    w.idle();
    expect(w.log).toEqual(['draw 0']);
    // Not drawn yet: nothing else starts, however idle the page is.
    w.idle();
    expect(w.log).toEqual(['draw 0']);
    await w.settle();
    expect(w.log).toEqual(['draw 0']);
    expect(w.idleWaiting()).toBe(1);
    w.idle();
    expect(w.log).toEqual(['draw 0', 'draw 1']);
    await w.settle();
    w.idle();
    await w.settle();
    w.idle();
    expect(w.log).toEqual(['draw 0', 'draw 1', 'draw 2', 'done']);
    expect(w.idleWaiting()).toBe(0);
  });

  it('ends at once when asked to stop (a run started): no further step is drawn', async () => {
    const w = manualSteps(5, 1);
    w.idle();
    await w.settle();
    w.idle();
    expect(w.log).toEqual(['draw 0', 'done']);
    expect(w.idleWaiting()).toBe(0);
  });

  it('ends when a step fails to draw', async () => {
    const w = manualSteps(3);
    w.idle();
    await w.settle(false);
    expect(w.log).toEqual(['draw 0', 'done']);
    expect(w.idleWaiting()).toBe(0);
  });
});

describe('warm-up drawings', () => {
  const def = PANELS.find((p) => p.id === 'reconcile-rate')!;

  it('cover what a run draws first: lone points with dots, events, a cursor, a full display', () => {
    const steps = warmUpDrawings(def);
    const views = steps.map((s) => s.view);
    // An empty chart first, then axes over a few rows, then one line, then every line: the
    // lines drawn never shrink from one step to the next.
    expect(steps[0]!.view.drawing.rows).toHaveLength(0);
    expect(steps.map((s) => s.def.lines.length)).toEqual([0, 0, 1, 4, 4, 4]);
    expect(steps[1]!.view.drawing.rows.length).toBeLessThan(10);
    expect(steps.at(-1)!.def).toBe(def);
    const first = views.find((v) => v.drawing.sparse !== '')!;
    const lone = def.lines.at(-1)!.key;
    expect(first.drawing.sparse).toBe(lone);
    const rows = first.drawing.rows;
    const present = rows.map((r) => r[lone] !== null);
    // Some point of the sparse line has no neighbour (drawn as a dot, not a segment).
    expect(present.some((p, i) => p && !present[i - 1] && !present[i + 1])).toBe(true);
    expect(views.some((v) => v.events.length > 0)).toBe(true);
    expect(views.some((v) => v.cursorS !== null)).toBe(true);
    expect(Math.max(...views.map((v) => v.drawing.rows.length))).toBe(240);
    for (const v of views) expect(v.endS).toBeGreaterThan(v.drawing.rows.at(-1)?.t ?? 0);
  });

  it('have every line of the panel, with finite values that differ between lines', () => {
    const rows = warmUpRows(def, 50, false);
    expect(rows).toHaveLength(50);
    for (const r of rows) {
      for (const l of def.lines) expect(Number.isFinite(r[l.key])).toBe(true);
    }
    const maxima = def.lines.map((l) => Math.max(...rows.map((r) => r[l.key]!)));
    expect(new Set(maxima.map((m) => m.toFixed(3))).size).toBe(def.lines.length);
  });
});
