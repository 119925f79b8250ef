import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Second } from '../../engine/time';
import {
  comparable,
  setStreamingCommitHold,
  useRunStore,
  type RunData,
} from '../../store/runStore';
import type { RunSummary } from '../../engine/run-types';
import { ChartPanel } from './ChartPanel';
import { Heatmap } from './Heatmap';
import { PANELS } from './panels';
import { panelSentence, formatValue } from './chartData';
import { hooks } from './testHooks';
import { drawScheduler } from './drawScheduler';
import { ChartWarmUp } from './warmUp';

// The run store holds its streaming commits while a chart is being drawn (see drawScheduler).
setStreamingCommitHold(() => drawScheduler.busy());

/**
 * Charts redraw at most this often (ms). The run store commits streaming frames every
 * STREAM_BATCH_MS (70 ms); this cap is well below it so that each commit reaches the charts in
 * the same render (clock, sentences and charts in one frame) even when its timer fired late.
 */
export const CHART_UPDATE_MS = 40;
/** The live summary is announced at most this often (ms). */
export const ANNOUNCE_MS = 6000;

/** A value that follows `v` but changes at most once per `ms` (trailing update kept). */
export function useThrottled<T>(v: T, ms: number): T {
  const [out, setOut] = useState(v);
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    const now = performance.now();
    const wait = last.current + ms - now;
    if (timer.current !== null) clearTimeout(timer.current);
    if (wait <= 0) {
      last.current = now;
      setOut(v);
      return;
    }
    timer.current = setTimeout(() => {
      last.current = performance.now();
      timer.current = null;
      setOut(v);
    }, wait);
    return () => {
      if (timer.current !== null) clearTimeout(timer.current);
    };
  }, [v, ms]);
  return out;
}

export function Dashboard({ onPickTime }: { onPickTime(tNanos: number): void }) {
  const data = useRunStore((s) => s.data);
  const dataVersion = useRunStore((s) => s.dataVersion);
  const events = useRunStore((s) => s.events);
  const end = useRunStore((s) => s.end);
  const cursor = useRunStore((s) => s.cursor);
  const pinnedA = useRunStore((s) => s.pinnedA);
  const inputs = useRunStore((s) => s.inputs);
  const status = useRunStore((s) => s.status);
  const summary = useRunStore((s) => s.summary);
  const version = useThrottled(dataVersion, CHART_UPDATE_MS);
  const ghost = comparable(pinnedA, inputs) ? pinnedA!.data : null;
  const [focusPanel, setFocusPanel] = useState('queue-depth');
  const reducedMotion = useReducedMotion();

  // A new data version offered to the charts (each on-screen chart then draws it in its turn:
  // see drawScheduler; hooks().chartDraws counts the draws per panel).
  useEffect(() => {
    hooks().chartUpdates++;
  }, [data, ghost, version]);
  const sentences = useMemo(
    () => new Map(PANELS.map((p) => [p.id, panelSentence(p, data)])),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [data, version],
  );
  const endS = Math.max(end, pinnedA && ghost ? pinnedA.end : 0) / Second;
  const cursorS = cursor === null ? null : cursor / Second;

  const onPoint = useCallback(
    (t: number) => useRunStore.getState().setCursor(Math.round(t * Second)),
    [],
  );
  const onPickItem = useCallback(
    (t: number) => {
      useRunStore.getState().setCursor(Math.round(t * Second));
      onPickTime(Math.round(t * Second));
    },
    [onPickTime],
  );

  // Polite, rate-limited announcement of the panel the learner last pointed at or focused.
  const [announced, setAnnounced] = useState('');
  const lastAnnounce = useRef(0);
  useEffect(() => {
    if (status !== 'running' && status !== 'done' && status !== 'paused') return;
    const now = performance.now();
    const final = status !== 'running';
    if (!final && now - lastAnnounce.current < ANNOUNCE_MS) return;
    const s = sentences.get(focusPanel);
    if (!s) return;
    lastAnnounce.current = now;
    setAnnounced(s);
  }, [sentences, focusPanel, status]);

  return (
    <div className={`rp-dashboard${reducedMotion ? ' rp-reduced' : ''}`}>
      <p className="rp-sr" aria-live="polite" role="status">
        {announced}
      </p>
      <ChartWarmUp />
      {ghost && pinnedA && <AbTable a={pinnedA.summary} b={summary} />}
      {pinnedA && !ghost && inputs && (
        <p className="rp-info">
          Run A is pinned (scenario {pinnedA.inputs.scenarioId}, seed {pinnedA.inputs.seed}). Run
          the same scenario and seed to overlay it.
        </p>
      )}
      <div className="rp-grid-panels">
        {PANELS.slice(0, 1).map((p) => (
          <ChartPanel
            key={p.id}
            def={p}
            data={data}
            ghostData={ghost}
            version={version}
            streaming={status === 'running'}
            events={events}
            endS={endS}
            cursorS={cursorS}
            sentence={sentences.get(p.id) ?? ''}
            onPoint={onPoint}
            onFocusPanel={setFocusPanel}
            reducedMotion={reducedMotion}
          />
        ))}
        <Heatmap data={data} version={version} endS={endS} onFocusPanel={setFocusPanel} />
        {PANELS.slice(1).map((p) => (
          <ChartPanel
            key={p.id}
            def={p}
            data={data}
            ghostData={ghost}
            version={version}
            streaming={status === 'running'}
            events={events}
            endS={endS}
            cursorS={cursorS}
            sentence={sentences.get(p.id) ?? ''}
            onPoint={p.pickItem ? onPickItem : onPoint}
            onFocusPanel={setFocusPanel}
            reducedMotion={reducedMotion}
          />
        ))}
      </div>
    </div>
  );
}

function useReducedMotion(): boolean {
  const [r, setR] = useState(
    () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false,
  );
  useEffect(() => {
    const m = window.matchMedia?.('(prefers-reduced-motion: reduce)');
    if (!m) return;
    const on = () => setR(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  return r;
}

export interface AbRow {
  label: string;
  a: number | null;
  b: number | null;
  unit: '/s' | 's' | '1';
  /** True when smaller is better. */
  lowerIsBetter: boolean;
}

const AB_METRICS: {
  label: string;
  pick: (s: RunSummary) => number | null;
  unit: AbRow['unit'];
  lowerIsBetter: boolean;
}[] = [
  {
    label: 'Throughput (reconciles/s)',
    pick: (s) => s.throughputPerSecond,
    unit: '/s',
    lowerIsBetter: false,
  },
  { label: 'Reconcile p99', pick: (s) => s.reconcileP99Seconds, unit: 's', lowerIsBetter: true },
  { label: 'Queue wait p99', pick: (s) => s.queueWaitP99Seconds, unit: 's', lowerIsBetter: true },
  { label: '429 responses', pick: (s) => s.apiRequests429, unit: '1', lowerIsBetter: true },
  { label: 'API calls', pick: (s) => s.apiRequests, unit: '1', lowerIsBetter: true },
  {
    label: 'Backlog drained at (s)',
    pick: (s) => s.drainedAtSeconds,
    unit: '1',
    lowerIsBetter: true,
  },
];

export function abRows(a: RunSummary | null, b: RunSummary | null): AbRow[] {
  return AB_METRICS.map(({ label, pick, unit, lowerIsBetter }) => ({
    label,
    a: a ? pick(a) : null,
    b: b ? pick(b) : null,
    unit,
    lowerIsBetter,
  }));
}

function deltaText(r: AbRow): string {
  if (r.a === null || r.b === null || !Number.isFinite(r.a) || !Number.isFinite(r.b)) return '–';
  const d = r.b - r.a;
  if (d === 0) return 'same';
  const pct = r.a !== 0 ? ` (${d > 0 ? '+' : ''}${Math.round((d / Math.abs(r.a)) * 100)}%)` : '';
  const sign = d > 0 ? '+' : '−';
  const better = r.lowerIsBetter ? d < 0 : d > 0;
  return `${sign}${formatValue(Math.abs(d), r.unit)}${pct} ${better ? '▲ better' : '▼ worse'}`;
}

function AbTable({ a, b }: { a: RunSummary | null; b: RunSummary | null }) {
  const rows = abRows(a, b);
  return (
    <table className="rp-table rp-ab" data-testid="ab-table">
      <caption>A/B on the same seed: A (dashed) is the pinned run, B is this run</caption>
      <thead>
        <tr>
          <th scope="col">Measure</th>
          <th scope="col">A</th>
          <th scope="col">B</th>
          <th scope="col">B − A</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label}>
            <th scope="row">{r.label}</th>
            <td>{formatValue(r.a, r.unit)}</td>
            <td>{formatValue(r.b, r.unit)}</td>
            <td>{deltaText(r)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export type { RunData };
