/**
 * Streaming tails for live runs: between two recharts redraws of a chart, the samples that
 * arrived since are appended to the paths recharts drew, with recharts' own scales.
 *
 * Why: a recharts 3 chart costs a fixed 10–20 ms of main-thread time per data update on the
 * benchmark machine (its store, selectors and component tree, whatever the number of points),
 * so redrawing every on-screen chart ten times a second does not fit in the frame budget. A
 * tail is a string append and one `setAttribute('d')` on the path element recharts rendered,
 * so the line keeps its element, stroke, clip path and z-order: it looks the same.
 *
 * Pure helpers here (unit-tested); ChartPanel decides when recharts redraws in full.
 */
import type { Row } from './chartData';

/**
 * Whether `next` only extends what recharts drew (`drawn`): the same rows, except possibly the
 * last one (a display column still filling up), and maybe more after them. Returns the index
 * of the first row to draw as tail, or null when recharts must redraw in full.
 */
export function tailStart(
  drawn: readonly Row[],
  next: readonly Row[],
  keys: readonly string[],
): number | null {
  if (drawn.length === 0 || next.length < drawn.length) return null;
  const last = drawn.length - 1;
  for (let i = 0; i < last; i++) {
    if (!sameRow(drawn[i]!, next[i]!, keys)) return null;
  }
  return sameRow(drawn[last]!, next[last]!, keys) ? drawn.length : last;
}

/**
 * Whether the y axis recharts drew for `drawn` still holds the rows of `next` from `from` on,
 * as far as the data can tell: a chart whose values were all zero (or missing) has a y axis
 * recharts made up ([0, 4]), which the first value above zero replaces (a tail would draw it
 * against the made-up axis). Points beyond the top of a drawn axis are caught by tailPath.
 */
export function axisFromData(
  drawn: readonly Row[],
  next: readonly Row[],
  from: number,
  keys: readonly string[],
): boolean {
  const above = (rows: readonly Row[], i0: number) => {
    for (let i = i0; i < rows.length; i++) {
      const r = rows[i]!;
      for (const k of keys) {
        const v = r[k];
        if (v !== null && v !== undefined && v > 0) return true;
      }
    }
    return false;
  };
  return !above(next, from) || above(drawn, 0);
}

function sameRow(a: Row, b: Row, keys: readonly string[]): boolean {
  if (a.t !== b.t) return false;
  for (const k of keys) if ((a[k] ?? null) !== (b[k] ?? null)) return false;
  return true;
}

/**
 * Removes the last point of an SVG path written by d3-shape's linear line ("M…L…L…", an
 * isolated point as "M x,yZ").
 */
export function dropLastPoint(d: string): string {
  const s = d.endsWith('Z') ? d.slice(0, -1) : d;
  const i = Math.max(s.lastIndexOf('L'), s.lastIndexOf('M'));
  return i <= 0 ? '' : s.slice(0, i);
}

function num(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

/**
 * The path of one line: recharts' path for `drawn` (`base`) continued with the rows of `next`
 * from `from` on (`from` = drawn.length - 1 replaces recharts' last point). A missing value
 * breaks the line, as recharts does without connectNulls. Null when a point cannot be placed
 * or falls outside the plot's pixel rows [yTop, yBottom] (the y axis must grow: recharts
 * redraws in full).
 */
export function tailPath(
  base: string,
  drawn: readonly Row[],
  next: readonly Row[],
  from: number,
  key: string,
  x: (t: number) => number | undefined,
  y: (v: number) => number | undefined,
  yTop = -Infinity,
  yBottom = Infinity,
): string | null {
  let d = base;
  const has = (r: Row | undefined) => r !== undefined && r[key] !== null && r[key] !== undefined;
  let joined = has(drawn[from - 1]);
  if (from < drawn.length && has(drawn[from])) d = dropLastPoint(d);
  if (d.endsWith('Z')) d = d.slice(0, -1);
  if (d === '') joined = false;
  for (let i = from; i < next.length; i++) {
    const r = next[i]!;
    const v = r[key];
    if (v === null || v === undefined) {
      joined = false;
      continue;
    }
    const px = x(r.t);
    const py = y(v);
    if (px === undefined || py === undefined || !Number.isFinite(px) || !Number.isFinite(py)) {
      return null;
    }
    // Half a pixel of slack for rounding.
    if (py < yTop - 0.5 || py > yBottom + 0.5) return null;
    d += `${joined ? 'L' : 'M'}${num(px)},${num(py)}`;
    joined = true;
  }
  return d;
}
