import {
  memo,
  startTransition,
  useCallback,
  useEffect,
  useLayoutEffect,
  useId,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import {
  CartesianGrid,
  DefaultZIndexes,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  ZIndexLayer,
  usePlotArea,
  useXAxisScale,
  useYAxisScale,
} from 'recharts';
import type { RunEvent } from '../../engine/run-types';
import type { RunData } from '../../store/runStore';
import {
  GHOST,
  formatTick,
  formatValue,
  panelRows,
  type PanelDrawing,
  type Row,
} from './chartData';
import { promqlOf, type PanelDef } from './panels';
import { downloadPanelImage } from './exports';
import { useVisible } from './useVisible';
import { drawScheduler } from './drawScheduler';
import { hooks } from './testHooks';
import { axisFromData, tailPath, tailStart } from './liveTail';
import { useDrawSettled, type PendingDraw } from './useDrawSettled';

export interface ChartPanelProps {
  def: PanelDef;
  /** The run's columns (appended in place; `version` says when they changed). */
  data: RunData;
  /** The pinned run A, when it can be overlaid. */
  ghostData: RunData | null;
  version: number;
  /** The run is streaming (status running): redraws may be tails (see liveTail). */
  streaming: boolean;
  events: RunEvent[];
  endS: number;
  cursorS: number | null;
  sentence: string;
  onPoint?(tSeconds: number): void;
  onFocusPanel?(id: string): void;
  reducedMotion: boolean;
}

/** A shared x-axis sync id: hovering one panel shows the values of every panel at that time. */
export const SYNC_ID = 'reconcile-lab-run';

const EVENT_SHORT: Record<RunEvent['kind'], string> = {
  bulkCreate: 'create',
  updateStorm: 'updates',
  bulkDelete: 'delete',
  churnStart: 'churn',
  brownoutStart: 'brownout',
  brownoutEnd: 'brownout end',
  watchDisconnect: 'watch lost',
  relist: 'relist',
  leaderFailover: 'failover',
  leaderElected: 'leader',
  hotKey: 'hot key',
  cacheSynced: 'synced',
};

/**
 * The events drawn on the time axis (at most 24), and which of them get a text label: a label
 * is skipped when it would sit on top of the previous one.
 */
export function labelledEvents(
  events: readonly RunEvent[],
  endS: number,
): { e: RunEvent; label: boolean }[] {
  const out: { e: RunEvent; label: boolean }[] = [];
  let lastLabelled = -Infinity;
  const gap = Math.max(endS, 1) * 0.08;
  for (const e of events.slice(0, 24)) {
    const t = e.t / 1e9;
    const label = t - lastLabelled >= gap;
    if (label) lastLabelled = t;
    out.push({ e, label });
  }
  return out;
}

export function PanelFrame({
  def,
  children,
  table,
  sentence,
  onToggleTable,
  showTable,
  onFocusPanel,
  chartRef,
  promql,
}: {
  def: Pick<PanelDef, 'id' | 'metric' | 'title' | 'note'>;
  children: ReactNode;
  table: ReactNode;
  sentence: string;
  showTable: boolean;
  onToggleTable(): void;
  onFocusPanel?(id: string): void;
  chartRef: React.RefObject<HTMLDivElement | null>;
  promql: string[];
}) {
  const id = useId();
  return (
    <section
      className="rp-panel"
      aria-labelledby={`${id}-h`}
      data-panel={def.id}
      onFocus={() => onFocusPanel?.(def.id)}
      onMouseEnter={() => onFocusPanel?.(def.id)}
    >
      <header className="rp-panel-head">
        <h3 id={`${id}-h`} className="rp-panel-title">
          <span className="rp-metric" tabIndex={0} aria-describedby={`${id}-q`}>
            {def.metric}
          </span>
          <span className="rp-panel-sub">{def.title}</span>
        </h3>
        <div className="rp-promql" role="tooltip" id={`${id}-q`}>
          {promql.map((q) => (
            <code key={q}>{q}</code>
          ))}
        </div>
        <div className="rp-panel-tools">
          <button
            type="button"
            className="rp-mini"
            aria-pressed={showTable}
            onClick={onToggleTable}
            title="Show the data as a table"
          >
            Table
          </button>
          <button
            type="button"
            className="rp-mini"
            onClick={() => void downloadPanelImage(chartRef.current, def.id, 'svg')}
            disabled={showTable}
            title="Download this chart as SVG"
          >
            SVG
          </button>
          <button
            type="button"
            className="rp-mini"
            onClick={() => void downloadPanelImage(chartRef.current, def.id, 'png')}
            disabled={showTable}
            title="Download this chart as PNG"
          >
            PNG
          </button>
        </div>
      </header>
      {def.note && <p className="rp-note">{def.note}</p>}
      {showTable ? table : children}
      <p className="rp-sentence">{sentence}</p>
    </section>
  );
}

function DataTable({ def, rows, ghost }: { def: PanelDef; rows: Row[]; ghost: boolean }) {
  // At most ~120 rows: every k-th row of what is drawn.
  const k = Math.max(1, Math.ceil(rows.length / 120));
  const shown = rows.filter((_, i) => i % k === 0 || i === rows.length - 1);
  return (
    <div className="rp-table-wrap" tabIndex={0} role="region" aria-label={`${def.metric} data`}>
      <table className="rp-table">
        <caption className="rp-sr">
          {def.title} ({def.metric}) over virtual time
        </caption>
        <thead>
          <tr>
            <th scope="col">t (s)</th>
            {def.lines.map((l) => (
              <th scope="col" key={l.key}>
                {l.label}
              </th>
            ))}
            {ghost &&
              def.lines.map((l) => (
                <th scope="col" key={`a-${l.key}`}>
                  A {l.label}
                </th>
              ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.t}>
              <th scope="row">{r.t.toFixed(0)}</th>
              {def.lines.map((l) => (
                <td key={l.key}>{formatValue(r[l.key], def.unit)}</td>
              ))}
              {ghost &&
                def.lines.map((l) => (
                  <td key={`a-${l.key}`}>{formatValue(r[GHOST + l.key], def.unit)}</td>
                ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// Props that never change are hoisted: recharts re-registers an axis, a line or the margin in
// its store whenever such a prop is a new object, and every registration re-runs its selectors.
const MARGIN = { top: 6, right: 10, bottom: 0, left: 0 };
const TICK = { fontSize: 11 };
const TOOLTIP_WRAPPER = { fontSize: 12 };
// Text in the page's colour (line colours are not all 4.5:1 on the tooltip).
const TOOLTIP_ITEM = { color: 'inherit' };
const TOOLTIP_CONTENT = { background: 'Canvas', color: 'CanvasText' };
const ACTIVE_DOT = { r: 3 };
const Y_DOMAIN: [number, 'auto'] = [0, 'auto'];
const xTick = (v: number) => `${Math.round(v)}s`;

/** What recharts hands a custom tick (the parts used here). */
interface TickRenderProps {
  x?: number | string;
  y?: number | string;
  className?: string;
  textAnchor?: 'start' | 'middle' | 'end' | 'inherit';
  fill?: string;
  payload?: { value?: unknown };
  index?: number;
  visibleTicksCount?: number;
}

/**
 * Axis tick labels as plain SVG text: the same element recharts' <Text> draws for a one-word
 * label (a tspan shifted by the cap height: 0.71em under an x tick, 0.355em beside a y tick),
 * without <Text>'s word measuring (a hidden DOM span and a forced layout per new label). With
 * a numeric `interval` recharts does not measure labels to thin them out either: the charts
 * keep recharts' default tick count (5), which never crowds these sizes. The last tick sits at
 * the axis end (the x domain ends at the run's end, the y domain at its top tick): its label
 * is kept inside the chart as recharts' default `preserveEnd` keeps it, ending at the end of
 * the x axis, hanging below the top of the y axis.
 */
function axisTick(format: (v: number) => string, axis: 'x' | 'y') {
  return function AxisTick(p: TickRenderProps) {
    const v = Number(p.payload?.value);
    const last = p.index !== undefined && p.index === (p.visibleTicksCount ?? 0) - 1;
    return (
      <text
        x={p.x}
        y={p.y}
        className={p.className}
        textAnchor={axis === 'x' && last ? 'end' : p.textAnchor}
        fill={p.fill}
        stroke="none"
        fontSize={TICK.fontSize}
      >
        <tspan x={p.x} dy={axis === 'x' || last ? '0.71em' : '0.355em'}>
          {format(v)}
        </tspan>
      </text>
    );
  };
}
const X_TICK = axisTick(xTick, 'x');

/** A vertical line at a time: a scenario event (with its label or not) or the cursor. */
interface TimeMark {
  key: string;
  t: number;
  label?: string;
  stroke: string;
  strokeOpacity?: number;
  strokeDasharray?: string;
  strokeWidth: number;
}

/**
 * The event and cursor lines, drawn as recharts' <ReferenceLine x={t}> draws them (the same
 * elements, classes, end points, layers, and for an event its label at the top left, as
 * recharts' <Label position="insideTopLeft"> puts a one-word value there: 5 px in, hanging), with
 * recharts' own x scale and plot area (its public hooks). A <ReferenceLine> registers itself
 * in the chart's store and takes part in every recharts update (its selectors, its clip path,
 * its label's text measuring); these lines only read the scale.
 */
function TimeMarks({ marks }: { marks: readonly TimeMark[] }) {
  const x = useXAxisScale();
  const plot = usePlotArea();
  if (!x || !plot || marks.length === 0) return null;
  const top = plot.y;
  const bottom = plot.y + plot.height;
  return (
    <ZIndexLayer zIndex={DefaultZIndexes.line}>
      {marks.map((m) => {
        const px = x(m.t);
        // ifOverflow 'discard': a line outside the axis range is not drawn.
        if (px === undefined || !Number.isFinite(px)) return null;
        if (px < plot.x - 1e-6 || px > plot.x + plot.width + 1e-6) return null;
        return (
          <g key={m.key} className="recharts-layer recharts-reference-line">
            <line
              stroke={m.stroke}
              strokeOpacity={m.strokeOpacity}
              strokeDasharray={m.strokeDasharray}
              strokeWidth={m.strokeWidth}
              fill="none"
              fillOpacity={1}
              x1={px}
              y1={bottom}
              x2={px}
              y2={top}
              className="recharts-reference-line-line"
            />
            {m.label !== undefined && (
              <ZIndexLayer zIndex={DefaultZIndexes.label}>
                <text
                  x={px + 5}
                  y={top + 5}
                  className="recharts-text recharts-label"
                  textAnchor="start"
                  fontSize={10}
                >
                  <tspan x={px + 5} dy="0.71em">
                    {m.label}
                  </tspan>
                </text>
              </ZIndexLayer>
            )}
          </g>
        );
      })}
    </ZIndexLayer>
  );
}
const tooltipLabel = (l: unknown) => `t = ${Number(l).toFixed(0)} s`;
const NO_ROWS: PanelDrawing = { rows: [], sparse: '' };

/** What a chart draws: one snapshot, replaced by its scheduled redraws only. */
export interface ChartView {
  drawing: PanelDrawing;
  endS: number;
  events: readonly RunEvent[];
  cursorS: number | null;
  /** The pinned run A is overlaid. */
  ghost: boolean;
  /** recharts' <Tooltip> is mounted (see TOOLTIP_OFF_MS). */
  tooltip: boolean;
}
const NO_VIEW: ChartView = {
  drawing: NO_ROWS,
  endS: 0,
  events: [],
  cursorS: null,
  ghost: false,
  tooltip: false,
};

/** A streaming chart is redrawn in full by recharts at least this often (ms). */
export const FULL_REDRAW_MS = 15_000;

/**
 * …and at most this often (ms) whatever asks for it (samples that cannot be drawn as a tail, a
 * new event line, a new run, the cursor): a full recharts redraw costs 20-60 ms of main-thread
 * time on a busy machine (more with dots, most the first time lines are drawn).
 */
export const STREAMING_FULL_MS = 250;

/**
 * True while the pointer is on a chart or a chart has the keyboard focus: tooltips (shown on
 * every chart at once, syncId) and keyboard navigation read recharts' own data, so charts then
 * stream through recharts in full.
 */
let pointerOnChart = false;
let focusInChart = false;

/**
 * The charts carry recharts' <Tooltip> only while it can be shown: from the moment the pointer
 * or the keyboard focus reaches a chart until TOOLTIP_OFF_MS after both left the charts. A
 * mounted Tooltip takes part in every recharts update (its settings and selectors: about a
 * third of a full redraw's store updates), and a run streams without anyone pointing at it.
 */
export const TOOLTIP_OFF_MS = 1500;
let tooltipWanted = false;
let tooltipOffTimer: ReturnType<typeof setTimeout> | null = null;
const tooltipListeners = new Set<() => void>();
function setTooltipWanted(on: boolean): void {
  if (tooltipWanted === on) return;
  tooltipWanted = on;
  for (const l of tooltipListeners) l();
}
function pointerOrFocusChanged(): void {
  if (tooltipOffTimer !== null) clearTimeout(tooltipOffTimer);
  tooltipOffTimer = null;
  if (pointerOnChart || focusInChart) setTooltipWanted(true);
  else tooltipOffTimer = setTimeout(() => setTooltipWanted(false), TOOLTIP_OFF_MS);
}
function subscribeTooltip(l: () => void): () => void {
  tooltipListeners.add(l);
  return () => tooltipListeners.delete(l);
}
const readTooltip = () => tooltipWanted;
const onPointerEnterChart = () => {
  pointerOnChart = true;
  pointerOrFocusChanged();
};
const onPointerLeaveChart = () => {
  pointerOnChart = false;
  pointerOrFocusChanged();
};
const onFocusChart = () => {
  focusInChart = true;
  pointerOrFocusChanged();
};
const onBlurChart = () => {
  focusInChart = false;
  pointerOrFocusChanged();
};

/** recharts' scales and plot area at its last render (read by the tails). */
export interface ChartScales {
  x(t: number): number | undefined;
  y(v: number): number | undefined;
  top: number;
  bottom: number;
}

/** Inside the LineChart: keeps its current scales in `into` (public recharts hooks). */
function ScaleProbe({ into }: { into: { current: ChartScales | null } }) {
  const x = useXAxisScale();
  const y = useYAxisScale();
  const plot = usePlotArea();
  useLayoutEffect(() => {
    into.current =
      x && y && plot
        ? {
            x: (t) => x(t),
            y: (v) => y(v),
            top: plot.y,
            bottom: plot.y + plot.height,
          }
        : null;
  }, [x, y, plot, into]);
  return null;
}

/** The class that finds a line's recharts layer (series keys are CSS-safe identifiers). */
function lineClass(key: string): string {
  return `rp-line-${key}`;
}

/** The path recharts drew for a line, and the one a tail last wrote over it. */
interface PathBase {
  el: Element;
  d: string;
  written: string | null;
}

/**
 * Appends the rows of `next` that recharts has not drawn (since `drawn`) to its line paths.
 * 'full' (nothing written): the tail cannot be drawn exactly, recharts must redraw.
 */
function drawTail(
  chart: HTMLElement | null,
  def: PanelDef,
  drawn: PanelDrawing,
  next: PanelDrawing,
  sc: ChartScales | null,
  bases: Map<string, PathBase>,
): 'tail' | 'unchanged' | 'full' {
  if (!chart || !sc || drawn.rows.length === 0) return 'full';
  // Dots (sparse lines) are recharts' to draw; rows keys include the pinned run's.
  if (drawn.sparse !== '' || next.sparse !== '') return 'full';
  const keys = Object.keys(next.rows[0] ?? {}).filter((k) => k !== 't');
  const from = tailStart(drawn.rows, next.rows, keys);
  if (from === null) return 'full';
  if (from === drawn.rows.length && next.rows.length === drawn.rows.length) return 'unchanged';
  if (!axisFromData(drawn.rows, next.rows, from, keys)) return 'full';
  const out: [PathBase, string][] = [];
  for (const l of def.lines) {
    const el = chart.querySelector(`.${lineClass(l.key)} .recharts-line-curve`);
    let base = bases.get(l.key);
    // A path element that is new, or holds neither recharts' drawing we read nor our last
    // tail, was redrawn by recharts since: read its drawing again.
    if (el && (!base || base.el !== el || el.getAttribute('d') !== (base.written ?? base.d))) {
      base = { el, d: el.getAttribute('d') ?? '', written: null };
      bases.set(l.key, base);
    }
    if (!el || !base) {
      // No path yet (no points drawn): fine only if the tail has none either.
      if (next.rows.slice(from).some((r) => r[l.key] !== null && r[l.key] !== undefined)) {
        return 'full';
      }
      continue;
    }
    const d = tailPath(base.d, drawn.rows, next.rows, from, l.key, sc.x, sc.y, sc.top, sc.bottom);
    if (d === null) return 'full';
    out.push([base, d]);
  }
  for (const [base, d] of out) {
    if (d !== base.written) base.el.setAttribute('d', d);
    base.written = d;
  }
  return 'tail';
}

/**
 * One panel's recharts chart, drawn from a snapshot (`view`). Each child of the chart is its own
 * memoised element, so a new `data` re-renders the chart and nothing else: React skips children
 * whose element did not change. Also drawn, hidden, by the idle-time warm-up (warmUp.tsx).
 */
export const ChartDrawing = memo(function ChartDrawing({
  def,
  view,
  onClick,
  scales,
  syncId,
}: {
  def: PanelDef;
  view: ChartView;
  onClick?(e: { activeLabel?: unknown } | null | undefined): void;
  scales: { current: ChartScales | null };
  /** Charts sharing a sync id show each other's tooltips (undefined: none). */
  syncId?: string;
}) {
  const unit = def.unit;
  const drawn = view.drawing;
  const drawnEndS = view.endS;
  const drawnEvents = view.events;
  const drawnCursorS = view.cursorS;
  const drawnGhost = view.ghost;
  const drawnTooltip = view.tooltip;
  const grid = useMemo(() => <CartesianGrid strokeDasharray="2 4" className="rp-grid" />, []);
  const xAxis = useMemo(
    () => (
      <XAxis
        dataKey="t"
        type="number"
        domain={[0, Math.max(drawnEndS, 1)]}
        tickFormatter={xTick}
        tick={X_TICK}
        interval={0}
      />
    ),
    [drawnEndS],
  );
  const yAxis = useMemo(
    () => (
      <YAxis
        width={56}
        tick={axisTick((v) => formatTick(v, unit), 'y')}
        tickFormatter={(v: number) => formatTick(v, unit)}
        domain={Y_DOMAIN}
        interval={0}
      />
    ),
    [unit],
  );
  const tooltipEl = useMemo(
    () => (
      <Tooltip
        isAnimationActive={false}
        formatter={(v) => formatValue(typeof v === 'number' ? v : Number(v), unit)}
        labelFormatter={tooltipLabel}
        wrapperStyle={TOOLTIP_WRAPPER}
        itemStyle={TOOLTIP_ITEM}
        contentStyle={TOOLTIP_CONTENT}
      />
    ),
    [unit],
  );
  // Event lines and the cursor line (TimeMarks), the cursor drawn last (on top).
  const timeMarks = useMemo(() => {
    const marks: TimeMark[] = labelledEvents(drawnEvents, drawnEndS).map(({ e, label }, i) => ({
      key: `${e.t}-${i}`,
      t: e.t / 1e9,
      ...(label ? { label: EVENT_SHORT[e.kind] } : {}),
      stroke: 'currentColor',
      strokeOpacity: 0.45,
      strokeDasharray: '3 3',
      strokeWidth: 1,
    }));
    if (drawnCursorS !== null) {
      marks.push({ key: 'cursor', t: drawnCursorS, stroke: '#e8590c', strokeWidth: 1.5 });
    }
    return <TimeMarks marks={marks} />;
  }, [drawnEvents, drawnEndS, drawnCursorS]);
  const sparse = drawn.sparse;
  const lines = useMemo(() => {
    const dotted = new Set(sparse.split(' '));
    return [
      ...(drawnGhost
        ? def.lines.map((l) => (
            <Line
              key={`A-${l.key}`}
              dataKey={GHOST + l.key}
              name={`A ${l.label}`}
              stroke={l.color}
              strokeOpacity={0.55}
              strokeDasharray="5 4"
              strokeWidth={1.5}
              dot={false}
              isAnimationActive={false}
              className="rp-ghost"
            />
          ))
        : []),
      ...def.lines.map((l) => (
        <Line
          key={l.key}
          dataKey={l.key}
          name={drawnGhost ? `B ${l.label}` : l.label}
          stroke={l.color}
          strokeWidth={1.75}
          dot={dotted.has(l.key) ? { r: 2.5, fill: l.color, stroke: l.color } : false}
          activeDot={ACTIVE_DOT}
          isAnimationActive={false}
          className={`rp-line ${lineClass(l.key)}`}
        />
      )),
    ];
  }, [def, drawnGhost, sparse]);
  // The chart element is rebuilt only when what it draws changes: off-screen panels and
  // unrelated store updates cost nothing.
  const chart = useMemo(
    () => (
      <ResponsiveContainer width="100%" height={150} debounce={50}>
        <LineChart data={drawn.rows} syncId={syncId} margin={MARGIN} onClick={onClick}>
          {grid}
          {xAxis}
          {yAxis}
          {drawnTooltip ? tooltipEl : null}
          {timeMarks}
          {lines}
          <ScaleProbe into={scales} />
        </LineChart>
      </ResponsiveContainer>
    ),
    [
      drawn.rows,
      syncId,
      onClick,
      grid,
      xAxis,
      yAxis,
      drawnTooltip,
      tooltipEl,
      timeMarks,
      lines,
      scales,
    ],
  );
  return chart;
});

function ChartPanelImpl(props: ChartPanelProps) {
  const {
    def,
    data,
    ghostData,
    version,
    streaming,
    events,
    endS,
    cursorS,
    sentence,
    onPoint,
    onFocusPanel,
  } = props;
  const ghost = ghostData !== null;
  const [showTable, setShowTable] = useState(false);
  const chartRef = useRef<HTMLDivElement | null>(null);
  const visible = useVisible(chartRef);
  // Off-screen panels keep what they last drew (no work while scrolled away). On screen, each
  // chart's full redraw is a job of its own, one chart at a time (drawScheduler). While a run
  // streams, most redraws are tails (liveTail): the new samples appended to recharts' paths;
  // recharts redraws in full when the tail cannot be drawn exactly (the y axis must grow,
  // earlier display columns were merged, lone points with dots, the A/B overlay), at least
  // every FULL_REDRAW_MS, whenever the pointer is on a chart (tooltips read recharts' data),
  // and when the run stops streaming.
  //
  // Everything the chart draws (rows, time axis, events, cursor, overlay) is one snapshot,
  // `view`, replaced only by those scheduled redraws: a new run, new events or a new cursor
  // never re-render recharts inside the dashboard's own update (the Run click's task, a
  // streaming commit), and no two charts are redrawn in one task.
  const [view, setView] = useState<ChartView>(NO_VIEW);
  const tooltip = useSyncExternalStore(subscribeTooltip, readTooltip);
  const owner = useRef({});
  const scales = useRef<ChartScales | null>(null);
  const live = useRef({ view: NO_VIEW, at: 0, bases: new Map<string, PathBase>() });
  /** The full redraw in flight (rendered in a transition), and what settles its job. */
  const redraw = useRef<PendingDraw<ChartView> | null>(null);
  // A layout effect: a tail is written in the same task (and frame) as the rest of the
  // dashboard's update (clock, sentences), so the page is painted once per data version.
  useLayoutEffect(() => {
    const me = owner.current;
    if (!visible) {
      drawScheduler.cancel(me);
      return;
    }
    const l = live.current;
    const v = l.view;
    // A full redraw is being rendered: while streaming, the next data version tails from what
    // it drew (or asks again); otherwise the final redraw queues behind it.
    if (redraw.current && streaming) return;
    if (
      streaming &&
      !pointerOnChart &&
      !focusInChart &&
      performance.now() - l.at < FULL_REDRAW_MS
    ) {
      // What is drawn besides the rows is unchanged: the new samples may be a tail.
      if (
        v.endS === endS &&
        v.events === events &&
        v.cursorS === cursorS &&
        v.ghost === (ghostData !== null) &&
        v.tooltip === tooltip
      ) {
        const how = drawTail(
          chartRef.current,
          def,
          v.drawing,
          panelRows(def, data, ghostData),
          scales.current,
          l.bases,
        );
        if (how === 'tail') hooks().countChartUpdate?.(def.id);
        if (how !== 'full') return;
      }
      // No exact tail (a lone point drawn with dots, the y axis growing, a new event line, a
      // new run…): while streaming, recharts redraws a chart at most every STREAMING_FULL_MS;
      // the next data version tries again.
      if (performance.now() - l.at < STREAMING_FULL_MS && v !== NO_VIEW) return;
    }
    // recharts redraws in full, in its turn (one chart at a time, each starting after a
    // frame). React renders the redraw in a transition: in ~5 ms slices over several tasks,
    // then the commit, then recharts' own store updates in the passive effects; the next chart
    // (and the run store's next streaming commit) waits until this one is done.
    drawScheduler.schedule(me, () => {
      const next: ChartView = {
        drawing: panelRows(def, data, ghostData),
        endS,
        events,
        cursorS,
        ghost: ghostData !== null,
        tooltip: tooltipWanted,
      };
      const h = hooks();
      const started = performance.now();
      h.chartFullDraws ??= {};
      h.chartFullDraws[def.id] = (h.chartFullDraws[def.id] ?? 0) + 1;
      return new Promise<void>((resolve) => {
        redraw.current?.resolve();
        redraw.current = { view: next, resolve };
        startTransition(() => setView(next));
      }).then(() => {
        const log = (h.fullDrawLog ??= []);
        log.push([def.id, started, performance.now() - started]);
        if (log.length > 200) log.shift();
      });
    });
  }, [def, data, ghostData, version, visible, streaming, endS, events, cursorS, tooltip]);
  // A redraw reached the page: tails now start from what recharts drew for it.
  useLayoutEffect(() => {
    const l = live.current;
    if (l.view === view) return;
    l.view = view;
    l.at = performance.now();
    l.bases.clear();
    hooks().countChartUpdate?.(def.id);
  }, [view, def]);
  // …and, once its passive effects ran, the next chart may be drawn.
  useDrawSettled(redraw, view);
  useEffect(() => {
    const me = owner.current;
    return () => {
      drawScheduler.cancel(me);
      redraw.current?.resolve();
      redraw.current = null;
    };
  }, []);

  const onClick = useCallback(
    (e: { activeLabel?: unknown } | null | undefined) => {
      const t = typeof e?.activeLabel === 'number' ? e.activeLabel : Number(e?.activeLabel);
      if (Number.isFinite(t)) onPoint?.(t);
    },
    [onPoint],
  );
  // The table alternative reads the same rows (computed only while it is shown).
  const tableRows = useMemo(
    () => (showTable ? panelRows(def, data, ghostData).rows : []),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [showTable, def, data, ghostData, version],
  );
  return (
    <PanelFrame
      def={def}
      sentence={sentence}
      showTable={showTable}
      onToggleTable={() => setShowTable((v) => !v)}
      onFocusPanel={onFocusPanel}
      chartRef={chartRef}
      promql={promqlOf(def)}
      table={showTable ? <DataTable def={def} rows={tableRows} ghost={ghost} /> : null}
    >
      <div
        className="rp-chart"
        ref={chartRef}
        onPointerEnter={onPointerEnterChart}
        onPointerLeave={onPointerLeaveChart}
        onFocus={onFocusChart}
        onBlur={onBlurChart}
      >
        {/* Off-screen panels are not mounted at all: recharts costs real time per chart. */}
        {visible ? (
          <ChartDrawing def={def} view={view} onClick={onClick} scales={scales} syncId={SYNC_ID} />
        ) : null}
      </div>
      <ul className="rp-legend" aria-hidden="true">
        {def.lines.map((l) => (
          <li key={l.key}>
            <span className="rp-swatch" style={{ background: l.color }} />
            {l.label}
          </li>
        ))}
        {ghost && <li className="rp-legend-ghost">dashed: pinned run A</li>}
      </ul>
    </PanelFrame>
  );
}

export const ChartPanel = memo(ChartPanelImpl);
