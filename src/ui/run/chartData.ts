/**
 * Pure helpers that turn the store's columns into what the charts draw: rows for recharts
 * (decimated to a display budget with the store's merge rules), the A/B ghost columns, a
 * one-sentence summary per panel, and value formatting.
 */
import { Second, type Nanos } from '../../engine/time';
import { SERIES_KEYS, type SeriesInfo, type SeriesKey } from '../../engine/run-types';
import { mergeRule, type RunData } from '../../store/runStore';
import type { PanelDef } from './panels';

/** Points drawn per line at most (the store may hold more). */
export const DISPLAY_POINTS = 240;

export type Row = Record<string, number | null> & { t: number };

/** Prefix of the pinned run's values in a row ("A:workqueue_depth"). */
export const GHOST = 'A:';

function column(d: RunData, k: SeriesKey, factor: number): (number | null)[] {
  const src = d.v[k];
  const rule = mergeRule(k);
  const out: (number | null)[] = [];
  for (let i = 0; i < src.length; i += factor) {
    let acc = NaN;
    let sum = 0;
    let n = 0;
    for (let j = i; j < Math.min(i + factor, src.length); j++) {
      const x = src[j]!;
      if (Number.isNaN(x)) continue;
      if (rule === 'mean') {
        sum += x;
        n++;
      } else acc = Number.isNaN(acc) ? x : Math.max(acc, x);
    }
    const v = rule === 'mean' ? (n > 0 ? sum / n : NaN) : acc;
    out.push(Number.isFinite(v) ? v : null);
  }
  return out;
}

function times(d: RunData, factor: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < d.t.length; i += factor) {
    out.push(d.t[Math.min(i + factor, d.t.length) - 1]! / Second);
  }
  return out;
}

/**
 * Rows for the charts: time in seconds plus every series, and the pinned run's series under
 * GHOST-prefixed keys. Both runs are decimated with the same factor so their rows align (they
 * share sample times when they share a scenario).
 */
export function toRows(
  data: RunData,
  ghost: RunData | null,
  maxPoints = DISPLAY_POINTS,
  keys: readonly SeriesKey[] = SERIES_KEYS,
): Row[] {
  const n = Math.max(data.t.length, ghost?.t.length ?? 0);
  const factor = Math.max(1, Math.ceil(n / maxPoints));
  const tb = times(data, factor);
  const ta = ghost ? times(ghost, factor) : [];
  const rows: Row[] = [];
  const len = Math.max(tb.length, ta.length);
  for (let i = 0; i < len; i++) rows.push({ t: tb[i] ?? ta[i]! });
  for (const k of keys) {
    const col = column(data, k, factor);
    for (let i = 0; i < len; i++) rows[i]![k] = col[i] ?? null;
    if (ghost) {
      const g = column(ghost, k, factor);
      for (let i = 0; i < len; i++) rows[i]![GHOST + k] = g[i] ?? null;
    }
  }
  return rows;
}

/** The series a panel draws (its own, and the pinned run's under GHOST keys). */
const keysOf = new WeakMap<PanelDef, SeriesKey[]>();
function panelKeys(def: PanelDef): SeriesKey[] {
  let k = keysOf.get(def);
  if (!k) keysOf.set(def, (k = def.lines.map((l) => l.key)));
  return k;
}

/** What a chart last drew: its rows and which lines are sparse (drawn with dots). */
export interface PanelDrawing {
  rows: Row[];
  /** Keys of the lines with few points, joined by spaces ('' when none). */
  sparse: string;
}

/** Panel rows: time plus the panel's own series (and the pinned run's), display-decimated. */
export function panelRows(def: PanelDef, data: RunData, ghost: RunData | null): PanelDrawing {
  const rows = toRows(data, ghost, DISPLAY_POINTS, panelKeys(def));
  // Sparse lines (a burst that lasted one sample, a quantile with few observations) would be
  // invisible without dots: draw dots when a line has few points and some of them stand alone
  // (no point on either side: a lone point draws no segment). A short unbroken line, as every
  // line is in the first seconds of a run, is visible as it is.
  const sparse: string[] = [];
  const has = (i: number, k: string) => {
    const v = rows[i]?.[k];
    return v !== null && v !== undefined;
  };
  for (const l of def.lines) {
    let n = 0;
    let alone = false;
    for (let i = 0; i < rows.length; i++) {
      if (!has(i, l.key)) continue;
      n++;
      if (!has(i - 1, l.key) && !has(i + 1, l.key)) alone = true;
    }
    if (n > 0 && n < 40 && alone) sparse.push(l.key);
  }
  return { rows, sparse: sparse.join(' ') };
}

const nf0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const nf1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const nf2 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** A value with its unit, as a learner reads it: "1,240", "35.2/s", "850 ms", "12.5 MiB". */
export function formatValue(v: number | null | undefined, unit: SeriesInfo['unit']): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  switch (unit) {
    case 's':
      if (v === 0) return '0 s';
      if (v < 0.001) return `${nf2.format(v * 1e6)} µs`;
      if (v < 1) return `${nf1.format(v * 1000)} ms`;
      return `${nf2.format(v)} s`;
    case '/s':
      return `${v >= 100 ? nf0.format(v) : nf1.format(v)}/s`;
    case 'B': {
      const units = ['B', 'KiB', 'MiB', 'GiB'];
      let x = v;
      let u = 0;
      while (x >= 1024 && u < units.length - 1) {
        x /= 1024;
        u++;
      }
      return `${nf1.format(x)} ${units[u]}`;
    }
    default:
      return Math.abs(v) >= 100 ? nf0.format(v) : nf1.format(v);
  }
}

const nfTick = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });

/**
 * Axis tick: compact, but as exact as the axis's nice values need (steps of 1, 2, 2.5 or 5
 * times a power of ten), so two ticks never read the same: 0.15 and 0.2, not "0.2" twice;
 * 12.5k, not "13k". Four significant digits also hide float noise (0.30000000000000004).
 */
export function formatTick(v: number, unit: SeriesInfo['unit']): string {
  if (!Number.isFinite(v)) return '';
  if (unit === 'B') return formatValue(v, 'B').replace(' ', '');
  if (unit === 's') return formatValue(v, 's').replace(' ', '');
  const k = Math.abs(v) >= 10_000;
  return `${nfTick.format(Number((k ? v / 1000 : v).toPrecision(4)))}${k ? 'k' : ''}`;
}

/** "t = 1m05s" style clock for virtual time. */
export function formatClock(t: Nanos): string {
  const total = t / Second;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = s.toFixed(1).padStart(4, '0');
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${ss}s`;
  if (m > 0) return `${m}m${ss}s`;
  return `${s.toFixed(1)}s`;
}

/**
 * One sentence about a panel's main line at the latest sample, with its trend over the last
 * few samples: "queue depth 1,240 and falling".
 */
export function panelSentence(p: PanelDef, d: RunData, window = 5): string {
  const main = p.lines[0]!;
  const col = d.v[main.key];
  const n = col.length;
  const label = `${p.title
    .replace(/ \(.*\)$/, '')
    .split(' p50')[0]!
    .toLowerCase()}`;
  if (n === 0) return `${label}: no data yet`;
  const last = col[n - 1]!;
  const prev = col[Math.max(0, n - 1 - window)]!;
  let trend = 'steady';
  if (Number.isFinite(last) && Number.isFinite(prev)) {
    const diff = last - prev;
    const scale = Math.max(Math.abs(last), Math.abs(prev), 1e-9);
    if (diff / scale > 0.05) trend = 'rising';
    else if (diff / scale < -0.05) trend = 'falling';
  }
  const extra = p.lines
    .slice(1)
    .map((l) => `${l.label} ${formatValue(d.v[l.key][n - 1], p.unit)}`)
    .join(', ');
  const head = label.includes(main.label.toLowerCase()) ? label : `${label}: ${main.label}`;
  return `${head} ${formatValue(last, p.unit)} and ${trend}${extra ? `; ${extra}` : ''}`;
}
