/**
 * The charts' idle-time warm-up: before the first run, while the page is idle, one hidden chart
 * (the reconcile-rate panel's recharts tree, laid out but never shown) is drawn a few times
 * with made-up rows, then removed.
 *
 * Why: a chart's first full draw with data, in a fresh page, took 50-170 ms in one main-thread
 * task (Chromium traces of the bench:ui live run, 0.4-0.9 s after Run): recharts' store update
 * (setChartData in a passive effect, every selector of every subscriber, the synchronous
 * re-render and commit of its subscribers, then the axis-tick reports) runs in one task whatever
 * React schedules around it, and the first time it runs, its code runs cold (V8's interpreter,
 * inline caches empty). The same draw on a second run in the same page took a third of that and
 * made no long task. The warm-up runs that code before the learner's first run, in small steps
 * (an empty chart, axes, one line, every line…: less cold code per task), each a job of the
 * dashboard's draw scheduler (never in the same task as a panel's draw), and only while no run
 * has started: a run started during the warm-up ends it (the run's own draws warm the code).
 * It moves that work into idle time before the first run; it does not remove it (the first
 * step, mounting the hidden chart, is itself one task of ~55-60 ms on a quiet machine).
 */
import { startTransition, useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useRunStore } from '../../store/runStore';
import type { RunEvent } from '../../engine/run-types';
import { ChartDrawing, type ChartScales, type ChartView } from './ChartPanel';
import type { Row } from './chartData';
import { drawScheduler } from './drawScheduler';
import { PANELS, type PanelDef } from './panels';
import { hooks } from './testHooks';
import { useDrawSettled, type PendingDraw } from './useDrawSettled';

/** How the warm-up waits for the page to be idle, and what it does at each step. */
export interface WarmUpSteps {
  /** Calls `f` when the page is idle. */
  idle(f: () => void): void;
  /** Draws step `i` (settles once it is on the page). */
  draw(i: number): Promise<void>;
  /** True when the warm-up must end now (a run started, the dashboard went away). */
  stop(): boolean;
  /** Called once at the end (all steps drawn, or stopped). */
  done(): void;
}

/**
 * Runs `count` steps one after the other: each waits for an idle moment, then for the previous
 * step's draw to settle; `stop()` is asked before every step.
 */
export function runWarmUp(count: number, s: WarmUpSteps): void {
  const step = (i: number): void => {
    if (i >= count || s.stop()) {
      s.done();
      return;
    }
    s.draw(i).then(
      () => s.idle(() => step(i + 1)),
      () => s.done(),
    );
  };
  s.idle(() => step(0));
}

/** requestIdleCallback where there is one (no deadline: only when the page is really idle). */
function whenIdle(f: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => f());
  else setTimeout(f, 100);
}

/** The panel drawn by the warm-up: the busiest of the first screen (four lines). */
const WARM_DEF: PanelDef = PANELS.find((p) => p.id === 'reconcile-rate') ?? PANELS[0]!;

/**
 * Made-up rows for `def` over `n` samples: smooth, different per line (so the y axis gets
 * non-trivial ticks), and, when `lone` is set, the last line with lone points (drawn with dots).
 */
export function warmUpRows(def: PanelDef, n: number, lone: boolean): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const row: Row = { t: i + 1 };
    def.lines.forEach((l, k) => {
      const scale = [180, 4.5, 0.75, 37][k % 4]!;
      const v = scale * (1.2 + Math.sin(i / (5 + k) + k));
      row[l.key] = lone && k === def.lines.length - 1 ? (i % 3 === 1 ? v : null) : v;
    });
    rows.push(row);
  }
  return rows;
}

function event(t: number, kind: RunEvent['kind']): RunEvent {
  return { t: t * 1e9, kind, label: kind };
}

/** One warm-up drawing: the panel (all its lines, or fewer) and what it draws. */
export interface WarmUpDrawing {
  def: PanelDef;
  view: ChartView;
}

/**
 * The warm-up's drawings, each adding a little of what a run's first draws need, so that no
 * step runs much cold code at once: an empty chart (as the panels are before a run); axes over a
 * few rows; one line; every line, one with lone points (dots); more rows with an event line; a
 * display's worth with events and the cursor.
 */
export function warmUpDrawings(def: PanelDef): WarmUpDrawing[] {
  const none: PanelDef = { ...def, lines: [] };
  const one: PanelDef = { ...def, lines: def.lines.slice(0, 1) };
  const step = (
    d: PanelDef,
    n: number,
    lone: boolean,
    events: RunEvent[],
    cursorS: number | null,
  ): WarmUpDrawing => ({
    def: d,
    view: {
      drawing: { rows: warmUpRows(d, n, lone), sparse: lone ? d.lines.at(-1)!.key : '' },
      endS: n + 10,
      events,
      cursorS,
      ghost: false,
      tooltip: false,
    },
  });
  return [
    step(none, 0, false, [], null),
    step(none, 4, false, [], null),
    step(one, 4, false, [], null),
    step(def, 9, true, [], null),
    step(def, 60, false, [event(5, 'bulkCreate')], null),
    step(def, 240, false, [event(5, 'bulkCreate'), event(120, 'brownoutStart')], 200),
  ];
}

/** Set once a warm-up started drawing: once per page. */
let warmUpStarted = false;

function runStarted(): boolean {
  const s = useRunStore.getState();
  return s.status !== 'idle' || s.data.t.length > 0;
}

/** The hidden chart of the warm-up (mounted by the dashboard; renders nothing once done). */
export function ChartWarmUp() {
  // undefined: nothing drawn; a view: drawn; null: removed (the last step).
  const [view, setView] = useState<WarmUpDrawing | null | undefined>(undefined);
  const scales = useRef<ChartScales | null>(null);
  const pending = useRef<PendingDraw<WarmUpDrawing | null> | null>(null);
  useEffect(() => {
    if (warmUpStarted) return;
    let cancelled = false;
    const owner = {};
    const views = warmUpDrawings(WARM_DEF);
    const h = hooks();
    runWarmUp(views.length + 1, {
      idle: whenIdle,
      stop: () => cancelled || runStarted(),
      draw: (i) => {
        warmUpStarted = true;
        const next = views[i] ?? null;
        return new Promise<void>((resolve) => {
          // A step is a draw job like a panel's: one at a time, in a transition.
          drawScheduler.schedule(owner, () => {
            if (cancelled) {
              resolve();
              return;
            }
            const started = performance.now();
            return new Promise<void>((drawn) => {
              pending.current = {
                view: next,
                resolve: () => {
                  drawn();
                  resolve();
                  (h.warmUpSteps ??= []).push([started, performance.now() - started]);
                },
              };
              startTransition(() => setView(next));
            });
          });
        });
      },
      done: () => {
        if (!cancelled) startTransition(() => setView(null));
      },
    });
    return () => {
      cancelled = true;
      drawScheduler.cancel(owner);
      pending.current?.resolve();
      pending.current = null;
    };
  }, []);
  // A step is drawn once its passive effects ran (recharts' store updates follow them).
  useDrawSettled(pending, view);
  if (!view || typeof document === 'undefined') return null;
  return createPortal(
    <div className="rp-warmup" aria-hidden="true" inert>
      <ChartDrawing def={view.def} view={view.view} scales={scales} />
    </div>,
    document.body,
  );
}
