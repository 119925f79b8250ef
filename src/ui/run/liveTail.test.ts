import { describe, expect, it } from 'vitest';
import type { Row } from './chartData';
import { axisFromData, dropLastPoint, tailPath, tailStart } from './liveTail';

const row = (t: number, v: number | null): Row => ({ t, k: v });
const x = (t: number) => t * 10;
const y = (v: number) => 100 - v;

/** The path d3-shape's linear line draws for the rows (recharts without connectNulls). */
function full(rows: readonly Row[]): string {
  let d = '';
  let open = false;
  let count = 0;
  for (const r of rows) {
    const v = r.k;
    if (v === null || v === undefined) {
      if (open && count === 1) d += 'Z';
      open = false;
      continue;
    }
    if (!open) count = 0;
    d += `${open ? 'L' : 'M'}${x(r.t)},${y(v)}`;
    open = true;
    count++;
  }
  if (open && count === 1) d += 'Z';
  return d;
}

/** Rendered form of a path: its points per subpath (Z only closes a one-point subpath). */
function points(d: string): string[][] {
  return d
    .replace(/Z/g, '')
    .split('M')
    .filter(Boolean)
    .map((s) => s.split('L'));
}

describe('live tails', () => {
  it('appends new rows to what recharts drew', () => {
    const drawn = [row(1, 1), row(2, 2)];
    const next = [...drawn, row(3, 3), row(4, 4)];
    expect(tailStart(drawn, next, ['k'])).toBe(2);
    expect(tailPath(full(drawn), drawn, next, 2, 'k', x, y)).toBe(full(next));
  });

  it('replaces the last point when its display column was still filling up', () => {
    const drawn = [row(2, 1), row(4, 2)];
    const next = [row(2, 1), row(4, 5), row(6, 6)];
    expect(tailStart(drawn, next, ['k'])).toBe(1);
    expect(tailPath(full(drawn), drawn, next, 1, 'k', x, y)).toBe(full(next));
  });

  it('asks for a full redraw when an earlier row changed or rows were merged', () => {
    const drawn = [row(1, 1), row(2, 2), row(3, 3)];
    expect(tailStart(drawn, [row(1, 9), row(2, 2), row(3, 3)], ['k'])).toBeNull();
    expect(tailStart(drawn, [row(2, 1.5), row(3, 3)], ['k'])).toBeNull();
    expect(tailStart([], [row(1, 1)], ['k'])).toBeNull();
    // Other keys of the panel (e.g. the pinned run A) count too.
    const a = [
      { t: 1, k: 1, a: 1 },
      { t: 2, k: null, a: 1 },
    ];
    const b = [
      { t: 1, k: 1, a: 2 },
      { t: 2, k: 2, a: 1 },
    ];
    expect(tailStart(a, b, ['k', 'a'])).toBeNull();
    expect(tailStart(a, b, ['k'])).toBe(1);
  });

  it('breaks the line at missing values and joins isolated points like recharts', () => {
    const cases: [Row[], Row[]][] = [
      [
        [row(1, 1), row(2, null)],
        [row(3, 3), row(4, 4)],
      ],
      [[row(1, null), row(2, 2)], [row(3, 3)]],
      [
        [row(1, 1), row(2, null), row(3, 3)],
        [row(4, null), row(5, 5)],
      ],
      [[row(1, 1)], [row(2, null), row(3, null), row(4, 4)]],
    ];
    for (const [drawn, more] of cases) {
      const next = [...drawn, ...more];
      const d = tailPath(full(drawn), drawn, next, drawn.length, 'k', x, y);
      expect(points(d!)).toEqual(points(full(next)));
    }
    // Replacing an isolated last point.
    const drawn = [row(1, 1), row(2, null), row(3, 3)];
    const next = [row(1, 1), row(2, null), row(3, 4), row(4, 5)];
    expect(points(tailPath(full(drawn), drawn, next, 2, 'k', x, y)!)).toEqual(points(full(next)));
  });

  it('drops the last point of a path', () => {
    expect(dropLastPoint('M1,2L3,4L5,6')).toBe('M1,2L3,4');
    expect(dropLastPoint('M1,2L3,4M5,6Z')).toBe('M1,2L3,4');
    expect(dropLastPoint('M1,2Z')).toBe('');
  });

  it('gives up when a point falls outside the plot (the y axis must grow)', () => {
    const drawn = [row(1, 1)];
    const next = [row(1, 1), row(2, null), row(3, 12)];
    // y(12) = 88: inside rows 80..100, outside 90..100.
    expect(points(tailPath(full(drawn), drawn, next, 1, 'k', x, y, 80, 100)!)).toEqual(
      points(full(next)),
    );
    expect(tailPath(full(drawn), drawn, next, 1, 'k', x, y, 90, 100)).toBeNull();
  });

  it('gives up when a scale cannot place a point', () => {
    const drawn = [row(1, 1)];
    const next = [row(1, 1), row(2, 2)];
    expect(tailPath(full(drawn), drawn, next, 1, 'k', () => undefined, y)).toBeNull();
  });

  it('asks for a full redraw when the first value above zero arrives on an all-zero chart', () => {
    const zeros: Row[] = [
      { t: 1, a: 0, b: null },
      { t: 2, a: 0, b: null },
    ];
    const spike: Row[] = [...zeros, { t: 3, a: 0.2, b: null }];
    const flat: Row[] = [...zeros, { t: 3, a: 0, b: null }];
    expect(axisFromData(zeros, spike, 2, ['a', 'b'])).toBe(false);
    expect(axisFromData(zeros, flat, 2, ['a', 'b'])).toBe(true);
    // Once a value above zero was drawn, the axis is the data's (growth is tailPath's check).
    const drawn: Row[] = [...zeros, { t: 3, a: 1, b: null }];
    expect(axisFromData(drawn, [...drawn, { t: 4, a: 0.5, b: 2 }], 3, ['a', 'b'])).toBe(true);
  });
});
