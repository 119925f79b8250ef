import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  HistogramSeries,
  MetricsRegistry,
  RECONCILE_TIME_BUCKETS,
  WORKQUEUE_DURATION_BUCKETS,
  formatFloat,
  histogramQuantile,
} from './metrics';

describe('metrics registry (§5)', () => {
  it('workqueue duration buckets are ExponentialBuckets(10e-9, 10, 12) with Go float64 labels', () => {
    expect(WORKQUEUE_DURATION_BUCKETS.map(formatFloat)).toEqual([
      '1e-08',
      '1e-07',
      '1e-06',
      '9.999999999999999e-06',
      '9.999999999999999e-05',
      '0.001',
      '0.01',
      '0.1',
      '1',
      '10',
      '100',
      '1000',
    ]);
    expect(RECONCILE_TIME_BUCKETS).toHaveLength(40);
  });

  it('formats sample values like strconv.FormatFloat(v, g, -1, 64)', () => {
    expect(formatFloat(0)).toBe('0');
    expect(formatFloat(1)).toBe('1');
    expect(formatFloat(999999)).toBe('999999');
    expect(formatFloat(1000000)).toBe('1e+06');
    expect(formatFloat(1234567)).toBe('1.234567e+06');
    expect(formatFloat(0.0001)).toBe('0.0001');
    expect(formatFloat(0.00001234)).toBe('1.234e-05');
    expect(formatFloat(Infinity)).toBe('+Inf');
    expect(formatFloat(-Infinity)).toBe('-Inf');
    expect(formatFloat(NaN)).toBe('NaN');
  });

  it('exposes the text format with HELP/TYPE, cumulative buckets, _sum and _count', () => {
    const r = new MetricsRegistry();
    r.register({
      name: 'h',
      help: 'a histogram',
      type: 'histogram',
      labelNames: ['c'],
      buckets: [1, 2],
    });
    r.register({ name: 'c_total', help: 'a counter', type: 'counter', labelNames: ['x'] });
    const h = r.histogramSeries('h', { c: 'a' });
    h.observe(0.5);
    h.observe(2);
    h.observe(5);
    r.counter('c_total', { x: 'b' }).inc(2);
    r.counter('c_total', { x: 'a' }).inc();
    expect(r.toPrometheusText()).toBe(
      [
        '# HELP c_total a counter',
        '# TYPE c_total counter',
        'c_total{x="a"} 1',
        'c_total{x="b"} 2',
        '# HELP h a histogram',
        '# TYPE h histogram',
        'h_bucket{c="a",le="1"} 1',
        'h_bucket{c="a",le="2"} 2',
        'h_bucket{c="a",le="+Inf"} 3',
        'h_sum{c="a"} 7.5',
        'h_count{c="a"} 3',
        '',
      ].join('\n'),
    );
    expect(r.histogram('h', { c: 'a' })!.count).toBe(3);
    expect(r.value('c_total', { x: 'b' })).toBe(2);
    expect(r.value('missing')).toBeUndefined();
  });

  it('orders series by code unit, independent of locale', () => {
    const r = new MetricsRegistry();
    r.register({ name: 'g', help: 'g', type: 'gauge', labelNames: ['k'] });
    for (const k of ['b', 'B', 'a', 'Z', '_']) r.gauge('g', { k }).set(1);
    const keys = r
      .toPrometheusText()
      .split('\n')
      .filter((l) => l.startsWith('g{'))
      .map((l) => l.slice(5, 6));
    expect(keys).toEqual(['B', 'Z', '_', 'a', 'b']);
  });

  it('histogramQuantile interpolates inside the bucket like PromQL', () => {
    expect(histogramQuantile(0.5, [1, 2], [0, 10, 0])).toBe(1.5);
    expect(histogramQuantile(0.99, [1, 2], [0, 0, 5])).toBe(2);
    expect(histogramQuantile(0.5, [1], [0, 0])).toBeNaN();
  });
});

describe('HistogramSeries.observe', () => {
  it('puts every value in the first bucket whose bound is >= it, whatever came before', () => {
    const bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 1, 10];
    const value = fc.oneof(
      fc.constantFrom(...bounds, 0, -1, 100, Infinity, -Infinity, Number.NaN),
      fc.double({ min: -1, max: 20, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 60 }), (vs) => {
        const h = new HistogramSeries({}, bounds);
        const want = new Array<number>(bounds.length + 1).fill(0);
        for (const v of vs) {
          h.observe(v);
          const i = bounds.findIndex((b) => v <= b);
          want[i < 0 ? bounds.length : i]!++;
        }
        expect([...h.counts]).toEqual(want);
      }),
    );
  });
});
