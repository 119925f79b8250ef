/**
 * window.__reconcileLab: counters and test hooks used by e2e tests and bench/ui.ts. The hooks
 * that break things (killWorker) exist only outside production builds or when the page URL
 * carries ?testHooks=1.
 */
export interface ReconcileLabHooks {
  /** Data versions the dashboard offered its charts (at most one per CHART_UPDATE_MS). */
  chartUpdates: number;
  /** Redraws per panel id: a chart given new data (line charts) or repainted (heatmap). */
  chartDraws: Record<string, number>;
  countChartUpdate?(panelId: string): void;
  /**
   * Full recharts redraws (not tails) per panel id, and the newest of them as
   * [panel id, performance.now() when it started, ms until React had drawn it] (at most 200).
   */
  chartFullDraws?: Record<string, number>;
  fullDrawLog?: [string, number, number][];
  /**
   * The charts' idle-time warm-up (warmUp.tsx): per step drawn, [performance.now() when it
   * started, ms until drawn].
   */
  warmUpSteps?: [number, number][];
  killWorker?(mode?: 'hang' | 'crash'): void;
  /** The run's state for tests and benchmarks (status, clock, summary, frames). */
  runState?(): {
    status: string;
    now: number;
    end: number;
    frames: number;
    samples: number;
    summary: unknown;
  };
  /** Runs a scenario given as JSON (bench: the 10,000-object live run). */
  runScenarioJson?(json: unknown, speed: number | 'max'): string | null;
}

declare global {
  interface Window {
    __reconcileLab?: ReconcileLabHooks;
  }
}

export function testHooksEnabled(): boolean {
  if (import.meta.env.DEV) return true;
  try {
    return new URLSearchParams(window.location.search).has('testHooks');
  } catch {
    return false;
  }
}

export function hooks(): ReconcileLabHooks {
  if (!window.__reconcileLab) {
    const h: ReconcileLabHooks = {
      chartUpdates: 0,
      chartDraws: {},
      countChartUpdate(panelId) {
        h.chartDraws[panelId] = (h.chartDraws[panelId] ?? 0) + 1;
      },
    };
    window.__reconcileLab = h;
  }
  return window.__reconcileLab;
}
