import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { RECONCILE_TIME_BUCKETS } from '../../engine/metrics';
import { Second } from '../../engine/time';
import type { RunData } from '../../store/runStore';
import { PanelFrame } from './ChartPanel';
import { HEATMAP_PROMQL } from './panels';
import { formatValue } from './chartData';
import { useVisible } from './useVisible';
import { hooks } from './testHooks';

const MAX_COLUMNS = 240;

export interface HeatmapModel {
  /** Column end times (s). */
  t: number[];
  /** Bucket labels (upper bounds, "+Inf" last). */
  le: string[];
  /** counts[col][bucket]. */
  counts: number[][];
  max: number;
  /** Index of the highest bucket with any count (rows above it are not drawn). */
  top: number;
}

/** Groups the store's bucket columns into at most maxColumns columns (summing counts). */
export function heatmapModel(d: RunData, maxColumns = MAX_COLUMNS): HeatmapModel {
  const n = d.t.length;
  const f = Math.max(1, Math.ceil(n / maxColumns));
  const nb = RECONCILE_TIME_BUCKETS.length + 1;
  const counts: number[][] = [];
  const t: number[] = [];
  let max = 0;
  let top = 0;
  for (let i = 0; i < n; i += f) {
    const col = new Array<number>(nb).fill(0);
    for (let j = i; j < Math.min(n, i + f); j++) {
      const b = d.buckets[j] ?? [];
      for (let k = 0; k < nb; k++) col[k]! += b[k] ?? 0;
    }
    for (let k = 0; k < nb; k++) {
      if (col[k]! > max) max = col[k]!;
      if (col[k]! > 0 && k > top) top = k;
    }
    counts.push(col);
    t.push(d.t[Math.min(n, i + f) - 1]! / Second);
  }
  const le = [...RECONCILE_TIME_BUCKETS.map((b) => String(b)), '+Inf'];
  return { t, le, counts, max, top };
}

interface Geometry {
  w: number;
  h: number;
  left: number;
  bottom: number;
  rows: number;
  rh: number;
  span: number;
}

function geometry(w: number, h: number, m: HeatmapModel, endS: number): Geometry {
  const bottom = 18;
  const rows = Math.max(4, m.top + 2);
  return {
    w,
    h,
    left: 56,
    bottom,
    rows,
    rh: (h - bottom) / rows,
    span: Math.max(endS, m.t[m.t.length - 1] ?? 1),
  };
}

/** Sizes the backing store (only when the size changed: resizing reallocates it). */
function fit(canvas: HTMLCanvasElement, w: number, h: number, dpr: number): void {
  const bw = Math.round(w * dpr);
  const bh = Math.round(h * dpr);
  if (canvas.width !== bw) canvas.width = bw;
  if (canvas.height !== bh) canvas.height = bh;
}

/** Clears and draws the axis labels. */
function paintAxes(
  ctx: CanvasRenderingContext2D,
  g: Geometry,
  m: HeatmapModel,
  dpr: number,
  dark: boolean,
): void {
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.globalAlpha = 1;
  ctx.clearRect(0, 0, g.w, g.h);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = dark ? '#ced4da' : '#495057';
  for (let k = 0; k < g.rows; k += Math.max(1, Math.ceil(g.rows / 6))) {
    const y = g.h - g.bottom - (k + 0.5) * g.rh;
    // The top row's label would be cut at the canvas edge when rows are short: keep its
    // baseline at least one text height down.
    ctx.fillText(`≤${m.le[k] ?? ''}s`, 2, Math.max(11, y + 4));
  }
  for (let s = 0; s <= 4; s++) {
    const x = g.left + ((g.w - g.left - 4) * s) / 4;
    ctx.fillText(`${Math.round((g.span * s) / 4)}s`, Math.min(x, g.w - 30), g.h - 4);
  }
}

/** Draws columns [from, to) over what the context holds. */
function paintColumns(
  ctx: CanvasRenderingContext2D,
  g: Geometry,
  m: HeatmapModel,
  dark: boolean,
  from: number,
  to: number,
): void {
  // One colour; each cell's opacity through globalAlpha (the same pixels as an rgba() colour
  // per cell, without parsing a colour string per cell).
  ctx.fillStyle = dark ? 'rgb(255,146,43)' : 'rgb(214,51,108)';
  const logMax = Math.log1p(m.max);
  const { left, w, h, bottom, rh, rows, span } = g;
  let prevT = from === 0 ? 0 : m.t[from - 1]!;
  for (let c = from; c < to; c++) {
    const t1 = m.t[c]!;
    const x0 = left + ((w - left - 4) * prevT) / span;
    const x1 = left + ((w - left - 4) * t1) / span;
    prevT = t1;
    const col = m.counts[c]!;
    for (let k = 0; k < rows; k++) {
      const v = col[k] ?? 0;
      if (v === 0) continue;
      ctx.globalAlpha = 0.15 + 0.85 * (Math.log1p(v) / logMax);
      ctx.fillRect(x0, h - bottom - (k + 1) * rh, Math.max(1, x1 - x0), rh);
    }
  }
  ctx.globalAlpha = 1;
}

/** Paints the whole heatmap. */
export function drawHeatmap(
  canvas: HTMLCanvasElement,
  m: HeatmapModel,
  endS: number,
  dark: boolean,
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const dpr = window.devicePixelRatio || 1;
  const g = geometry(canvas.clientWidth, canvas.clientHeight, m, endS);
  fit(canvas, g.w, g.h, dpr);
  paintAxes(ctx, g, m, dpr, dark);
  if (m.max > 0) paintColumns(ctx, g, m, dark, 0, m.counts.length);
}

/**
 * Paints the heatmap as drawHeatmap does, pixel for pixel, but keeps the columns that can no
 * longer change (all but the last, which may still be filling up) in an offscreen canvas: a
 * repaint while a run streams copies that image and draws the newest columns over it, instead
 * of every cell again. Anything else changing (the run, its decimation, the busiest bucket
 * count that sets the opacities, the rows, the size, the theme) starts the image again.
 */
export class HeatmapPainter {
  private base: HTMLCanvasElement | null = null;
  private key = '';
  private data: RunData | null = null;
  /** Columns drawn in `base`, and their end times. */
  private t: number[] = [];

  paint(canvas: HTMLCanvasElement, data: RunData, m: HeatmapModel, endS: number, dark: boolean) {
    const ctx = canvas.getContext('2d');
    if (!this.base) this.base = document.createElement('canvas');
    const bctx = this.base.getContext('2d');
    if (!ctx || !bctx || m.max === 0) {
      drawHeatmap(canvas, m, endS, dark);
      return;
    }
    const dpr = window.devicePixelRatio || 1;
    const g = geometry(canvas.clientWidth, canvas.clientHeight, m, endS);
    fit(canvas, g.w, g.h, dpr);
    const settle = m.counts.length - 1;
    const key = [canvas.width, canvas.height, dpr, g.rows, g.span, m.max, dark].join('|');
    let same = key === this.key && data === this.data && this.t.length <= settle;
    for (let c = 0; same && c < this.t.length; c++) same = this.t[c] === m.t[c];
    if (!same) {
      fit(this.base, g.w, g.h, dpr);
      paintAxes(bctx, g, m, dpr, dark);
      this.key = key;
      this.data = data;
      this.t = [];
    }
    if (this.t.length < settle) {
      paintColumns(bctx, g, m, dark, this.t.length, settle);
      this.t = m.t.slice(0, settle);
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.globalCompositeOperation = 'copy';
    ctx.drawImage(this.base, 0, 0);
    ctx.globalCompositeOperation = 'source-over';
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    paintColumns(ctx, g, m, dark, settle, m.counts.length);
  }
}

function HeatmapImpl({
  data,
  version,
  endS,
  onFocusPanel,
}: {
  data: RunData;
  version: number;
  endS: number;
  onFocusPanel?(id: string): void;
}) {
  const ref = useRef<HTMLDivElement | null>(null);
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const visible = useVisible(ref);
  const [showTable, setShowTable] = useState(false);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const model = useMemo(() => heatmapModel(data), [data, version]);
  // Painted in a task of its own right after the dashboard's update (not inside it: the
  // dashboard's commit, the charts' tails and a repaint of every cell when the grouping or the
  // busiest count changed would add up to one long task); only the newest columns are drawn
  // when nothing else changed (HeatmapPainter). One paint waits at a time and draws the newest
  // model.
  const painter = useRef<HeatmapPainter | null>(null);
  const waiting = useRef<{ timer: ReturnType<typeof setTimeout> | null; paint: () => void }>({
    timer: null,
    paint: () => {},
  });
  useLayoutEffect(() => {
    const w = waiting.current;
    if (!visible || showTable || !canvas.current) return;
    const el = canvas.current;
    w.paint = () => {
      const dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
      painter.current ??= new HeatmapPainter();
      painter.current.paint(el, data, model, endS, dark);
      hooks().countChartUpdate?.('reconcile-heatmap');
    };
    w.timer ??= setTimeout(() => {
      w.timer = null;
      w.paint();
    }, 0);
  }, [data, model, visible, showTable, endS]);
  useEffect(() => {
    const w = waiting.current;
    return () => {
      if (w.timer !== null) clearTimeout(w.timer);
      w.timer = null;
    };
  }, []);

  const total = model.counts.reduce((a, c) => a + c.reduce((x, y) => x + y, 0), 0);
  const busiest = model.counts.length
    ? model.counts[model.counts.length - 1]!.reduce(
        (best, v, k, arr) => (v > (arr[best] ?? 0) ? k : best),
        0,
      )
    : 0;
  const sentence =
    total === 0
      ? 'reconcile duration buckets: no reconciles yet'
      : `reconcile duration buckets: ${total.toLocaleString('en-US')} reconciles observed; most recent ones mostly ≤ ${model.le[busiest]} s`;

  return (
    <PanelFrame
      def={{
        id: 'reconcile-heatmap',
        metric: 'controller_runtime_reconcile_time_seconds_bucket',
        title: 'Reconcile duration heatmap (per-interval bucket counts)',
      }}
      sentence={sentence}
      showTable={showTable}
      onToggleTable={() => setShowTable((v) => !v)}
      onFocusPanel={onFocusPanel}
      chartRef={ref}
      promql={[HEATMAP_PROMQL]}
      table={
        showTable ? (
          <div className="rp-table-wrap" tabIndex={0} role="region" aria-label="heatmap data">
            <table className="rp-table">
              <caption className="rp-sr">Reconciles per duration bucket, per time column</caption>
              <thead>
                <tr>
                  <th scope="col">t (s)</th>
                  {model.le.slice(0, model.top + 1).map((l) => (
                    <th scope="col" key={l}>
                      ≤{l}s
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {model.counts
                  .filter((_, i) => i % Math.max(1, Math.ceil(model.counts.length / 60)) === 0)
                  .map((col, i) => (
                    <tr key={i}>
                      <th scope="row">
                        {formatValue(
                          model.t[i * Math.max(1, Math.ceil(model.counts.length / 60))],
                          '1',
                        )}
                      </th>
                      {col.slice(0, model.top + 1).map((v, k) => (
                        <td key={k}>{v}</td>
                      ))}
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        ) : null
      }
    >
      <div className="rp-chart rp-heatmap" ref={ref}>
        <canvas ref={canvas} className="rp-heatmap-canvas" aria-hidden="true" />
      </div>
    </PanelFrame>
  );
}

export const Heatmap = memo(HeatmapImpl);
