import { describe, expect, it } from 'vitest';
import { Second } from '../../engine/time';
import { SERIES_KEYS, type Sample, type SeriesKey } from '../../engine/run-types';
import { appendSamples, emptyRunData } from '../../store/runStore';
import {
  GHOST,
  formatClock,
  formatTick,
  formatValue,
  panelRows,
  panelSentence,
  toRows,
} from './chartData';
import { PANELS, promqlOf } from './panels';

function sample(i: number, f: (k: SeriesKey) => number): Sample {
  const v = {} as Record<SeriesKey, number>;
  for (const k of SERIES_KEYS) v[k] = f(k);
  return { t: (i + 1) * Second, v, reconcileTimeBuckets: [] };
}

describe('chart rows', () => {
  it('keeps every point under the display budget', () => {
    const d = appendSamples(
      emptyRunData(),
      [0, 1, 2].map((i) => sample(i, () => i)),
      [],
    );
    const rows = toRows(d, null, 10);
    expect(rows.map((r) => r.t)).toEqual([1, 2, 3]);
    expect(rows.map((r) => r.workqueue_depth)).toEqual([0, 1, 2]);
  });

  it('decimates long runs: rates averaged, gauges and latencies keep the peak', () => {
    const ss = Array.from({ length: 8 }, (_, i) => sample(i, () => (i % 2 === 0 ? 0 : 10)));
    const d = appendSamples(emptyRunData(), ss, []);
    const rows = toRows(d, null, 4);
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r.t)).toEqual([2, 4, 6, 8]);
    expect(rows.map((r) => r.reconcile_rate_success)).toEqual([5, 5, 5, 5]);
    expect(rows.map((r) => r.workqueue_depth)).toEqual([10, 10, 10, 10]);
    expect(rows.map((r) => r.reconcile_time_p99)).toEqual([10, 10, 10, 10]);
  });

  it('aligns the pinned run A under ghost keys, beyond the length of B', () => {
    const a = appendSamples(
      emptyRunData(),
      [0, 1, 2, 3].map((i) => sample(i, () => 100)),
      [],
    );
    const b = appendSamples(
      emptyRunData(),
      [0, 1].map((i) => sample(i, () => 1)),
      [],
    );
    const rows = toRows(b, a);
    expect(rows).toHaveLength(4);
    expect(rows[3]![GHOST + 'workqueue_depth']).toBe(100);
    expect(rows[3]!.workqueue_depth).toBeNull();
    expect(rows[0]!.workqueue_depth).toBe(1);
  });

  it('gives a panel rows of its own series only (and the pinned run A), the same values as toRows', () => {
    const ss = Array.from({ length: 50 }, (_, i) =>
      sample(i, (k) => (k === 'workqueue_depth' ? i : 7)),
    );
    const d = appendSamples(emptyRunData(), ss, []);
    const qd = PANELS.find((p) => p.id === 'queue-depth')!;
    const { rows } = panelRows(qd, d, d);
    expect(Object.keys(rows[0]!).sort()).toEqual(
      [
        't',
        'workqueue_depth',
        'objects_unreconciled',
        GHOST + 'workqueue_depth',
        GHOST + 'objects_unreconciled',
      ].sort(),
    );
    const all = toRows(d, d);
    for (let i = 0; i < rows.length; i++) {
      for (const [k, v] of Object.entries(rows[i]!)) expect(v).toBe(all[i]![k]);
    }
  });

  it('marks lines with few points as sparse (they are drawn with dots)', () => {
    const ss = Array.from({ length: 60 }, (_, i) =>
      sample(i, (k) => (k === 'reconcile_rate_error' ? (i % 10 === 0 ? 1 : NaN) : 5)),
    );
    const d = appendSamples(emptyRunData(), ss, []);
    const rate = PANELS.find((p) => p.id === 'reconcile-rate')!;
    expect(panelRows(rate, d, null).sparse).toBe('reconcile_rate_error');
    const one = appendSamples(emptyRunData(), ss.slice(0, 1), []);
    expect(panelRows(rate, one, null).sparse.split(' ').sort()).toEqual(
      rate.lines.map((l) => l.key).sort(),
    );
  });

  it('draws a short unbroken line without dots (only lone points need them)', () => {
    const ss = Array.from({ length: 5 }, (_, i) =>
      sample(i, (k) => (k === 'reconcile_rate_error' ? (i === 2 ? 1 : NaN) : i)),
    );
    const d = appendSamples(emptyRunData(), ss, []);
    const rate = PANELS.find((p) => p.id === 'reconcile-rate')!;
    // Five joined points of the success line: a visible line; the lone error point: dots.
    expect(panelRows(rate, d, null).sparse).toBe('reconcile_rate_error');
    const two = appendSamples(emptyRunData(), ss.slice(0, 2), []);
    expect(panelRows(rate, two, null).sparse).toBe('');
  });

  it('draws a gap, not a zero, where a quantile had no observations', () => {
    const d = appendSamples(emptyRunData(), [sample(0, () => NaN)], []);
    expect(toRows(d, null)[0]!.reconcile_time_p99).toBeNull();
  });
});

describe('panel text', () => {
  it('every panel names a real metric and has PromQL for hover', () => {
    for (const p of PANELS) {
      expect(p.metric.length).toBeGreaterThan(0);
      expect(promqlOf(p).length).toBeGreaterThan(0);
    }
    const throttle = PANELS.find((p) => p.id === 'client-throttle')!;
    expect(throttle.note).toMatch(/Not exposed by default in controller-runtime/);
  });

  it('summarises a panel in one sentence with its trend', () => {
    const ss = [2000, 1800, 1600, 1500, 1400, 1240].map((x, i) => sample(i, () => x));
    const d = appendSamples(emptyRunData(), ss, []);
    const qd = PANELS.find((p) => p.id === 'queue-depth')!;
    expect(panelSentence(qd, d)).toBe('queue depth 1,240 and falling; not yet reconciled 1,240');
    expect(panelSentence(qd, emptyRunData())).toMatch(/no data yet/);
  });

  it('formats values with units', () => {
    expect(formatValue(0.85, 's')).toBe('850 ms');
    expect(formatValue(2.5, 's')).toBe('2.5 s');
    expect(formatValue(35.24, '/s')).toBe('35.2/s');
    expect(formatValue(12.5 * 1024 * 1024, 'B')).toBe('12.5 MiB');
    expect(formatValue(1240, '1')).toBe('1,240');
    expect(formatValue(NaN, '1')).toBe('–');
    expect(formatClock(65 * Second)).toBe('1m05.0s');
    expect(formatClock(3.25 * Second)).toBe('3.3s');
  });

  it('labels every tick of a nice axis differently', () => {
    // Steps of 1, 2, 2.5 and 5 times a power of ten, as recharts' nice ticks are.
    const axes: [number, number][] = [0.05, 0.025, 0.2, 0.25, 2.5, 250, 2500, 25_000, 0.0025]
      .map((step): [number, number] => [0, step])
      .concat([[10_000, 250]]);
    for (const [from, step] of axes) {
      const ticks = Array.from({ length: 6 }, (_, i) => from + i * step);
      const labels = ticks.map((v) => formatTick(v, '1'));
      expect(new Set(labels).size, labels.join(', ')).toBe(ticks.length);
    }
    expect(formatTick(0.15, '1')).toBe('0.15');
    expect(formatTick(0.1 + 0.2, '1')).toBe('0.3');
    expect(formatTick(12_500, '/s')).toBe('12.5k');
    expect(formatTick(1240, '1')).toBe('1,240');
  });
});
