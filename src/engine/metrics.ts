/**
 * A small Prometheus-like registry: counters, gauges and histograms with labels, using the
 * real metric names and bucket boundaries (controller-semantics.md §5,
 * apiserver-and-scale.md §1.6), exportable as the Prometheus text exposition format.
 *
 * Hot paths hold on to a series handle (`counter(name, labels)` returns one) so that an
 * increment is a field update, not a map lookup.
 */

export type Labels = Record<string, string>;

/** controller_runtime_reconcile_time_seconds (40 buckets, unchanged since ≤ v0.8). */
export const RECONCILE_TIME_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9,
  1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

/** Prometheus ExponentialBuckets(start, factor, count), by repeated float64 multiplication. */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  const out: number[] = [];
  let b = start;
  for (let i = 0; i < count; i++) {
    out.push(b);
    b *= factor;
  }
  return out;
}

/** workqueue_{queue,work}_duration_seconds: ExponentialBuckets(10e-9, 10, 12) since CR v0.17. */
export const WORKQUEUE_DURATION_BUCKETS: readonly number[] = exponentialBuckets(10e-9, 10, 12);

/** rest_client_request_duration_seconds / rest_client_rate_limiter_duration_seconds. */
export const REST_CLIENT_LATENCY_BUCKETS: readonly number[] = [
  0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60,
];

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDesc {
  name: string;
  help: string;
  type: MetricType;
  labelNames: readonly string[];
  buckets?: readonly number[];
}

export class CounterSeries {
  value = 0;
  constructor(readonly labels: Labels) {}
  inc(by = 1): void {
    this.value += by;
  }
}

export class GaugeSeries {
  value = 0;
  constructor(readonly labels: Labels) {}
  set(v: number): void {
    this.value = v;
  }
  inc(by = 1): void {
    this.value += by;
  }
  dec(by = 1): void {
    this.value -= by;
  }
}

export class HistogramSeries {
  count = 0;
  sum = 0;
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  readonly counts: Float64Array;
  constructor(
    readonly labels: Labels,
    readonly upperBounds: readonly number[],
  ) {
    this.counts = new Float64Array(upperBounds.length + 1);
  }
  /** The bucket of the last observation (consecutive values mostly share a bucket). */
  private lastBucket = 0;
  observe(v: number): void {
    this.count++;
    this.sum += v;
    // Prometheus: a value lands in the first bucket whose upper bound is >= v.
    const b = this.upperBounds;
    let lo = this.lastBucket;
    // Same bucket as last time? (v <= its bound and v > the bound below; NaN never is.)
    if (!(lo < b.length && v <= b[lo]! && (lo === 0 || v > b[lo - 1]!))) {
      lo = 0;
      let hi = b.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (v <= b[mid]!) hi = mid;
        else lo = mid + 1;
      }
      this.lastBucket = lo;
    }
    this.counts[lo]!++;
  }
  /** Cumulative [le, count] pairs, ending with +Inf. */
  cumulative(): [number, number][] {
    const out: [number, number][] = [];
    let acc = 0;
    for (let i = 0; i < this.upperBounds.length; i++) {
      acc += this.counts[i]!;
      out.push([this.upperBounds[i]!, acc]);
    }
    acc += this.counts[this.upperBounds.length]!;
    out.push([Infinity, acc]);
    return out;
  }
}

type AnySeries = CounterSeries | GaugeSeries | HistogramSeries;

interface Family {
  desc: MetricDesc;
  series: Map<string, AnySeries>;
}

function labelKey(labelNames: readonly string[], labels: Labels): string {
  let k = '';
  for (const n of labelNames) k += (labels[n] ?? '') + '\u0000';
  return k;
}

/**
 * Estimates a quantile from non-cumulative bucket counts the way PromQL's
 * histogram_quantile does (linear interpolation inside the bucket; the +Inf bucket returns
 * the highest finite bound).
 */
export function histogramQuantile(
  q: number,
  upperBounds: readonly number[],
  counts: ArrayLike<number>,
): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total === 0) return NaN;
  const rank = q * total;
  let acc = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (acc + c >= rank && c > 0) {
      if (i >= upperBounds.length) return upperBounds[upperBounds.length - 1]!;
      const lower = i === 0 ? 0 : upperBounds[i - 1]!;
      const upper = upperBounds[i]!;
      return lower + (upper - lower) * ((rank - acc) / c);
    }
    acc += c;
  }
  return upperBounds[upperBounds.length - 1]!;
}

export class MetricsRegistry {
  private families = new Map<string, Family>();

  /** Registers a metric family (idempotent for an identical description). */
  register(desc: MetricDesc): void {
    const f = this.families.get(desc.name);
    if (f) {
      if (f.desc.type !== desc.type) {
        throw new Error(`metric ${desc.name} already registered as ${f.desc.type}`);
      }
      return;
    }
    this.families.set(desc.name, { desc, series: new Map() });
  }

  private get(name: string, labels: Labels): AnySeries {
    const f = this.families.get(name);
    if (!f) throw new Error(`metric ${name} is not registered`);
    const key = labelKey(f.desc.labelNames, labels);
    let s = f.series.get(key);
    if (!s) {
      const own: Labels = {};
      for (const n of f.desc.labelNames) own[n] = labels[n] ?? '';
      s =
        f.desc.type === 'counter'
          ? new CounterSeries(own)
          : f.desc.type === 'gauge'
            ? new GaugeSeries(own)
            : new HistogramSeries(own, f.desc.buckets ?? []);
      f.series.set(key, s);
    }
    return s;
  }

  counter(name: string, labels: Labels = {}): CounterSeries {
    const s = this.get(name, labels);
    if (!(s instanceof CounterSeries)) throw new Error(`metric ${name} is not a counter`);
    return s;
  }

  gauge(name: string, labels: Labels = {}): GaugeSeries {
    const s = this.get(name, labels);
    if (!(s instanceof GaugeSeries)) throw new Error(`metric ${name} is not a gauge`);
    return s;
  }

  histogramSeries(name: string, labels: Labels = {}): HistogramSeries {
    const s = this.get(name, labels);
    if (!(s instanceof HistogramSeries)) throw new Error(`metric ${name} is not a histogram`);
    return s;
  }

  /** Value of a counter or gauge series; undefined if the metric or series does not exist. */
  value(name: string, labels: Labels = {}): number | undefined {
    const f = this.families.get(name);
    if (!f || f.desc.type === 'histogram') return undefined;
    const s = f.series.get(labelKey(f.desc.labelNames, labels));
    return s ? (s as CounterSeries | GaugeSeries).value : undefined;
  }

  /** Sum of a counter/gauge over every series whose labels include `match`. */
  sum(name: string, match: Labels = {}): number {
    const f = this.families.get(name);
    if (!f || f.desc.type === 'histogram') return 0;
    let total = 0;
    for (const s of f.series.values()) {
      if (matches(s.labels, match)) total += (s as CounterSeries | GaugeSeries).value;
    }
    return total;
  }

  histogram(
    name: string,
    labels: Labels = {},
  ): { count: number; sum: number; buckets: [le: number, cumulative: number][] } | undefined {
    const f = this.families.get(name);
    if (!f || f.desc.type !== 'histogram') return undefined;
    const s = f.series.get(labelKey(f.desc.labelNames, labels)) as HistogramSeries | undefined;
    if (!s) return undefined;
    return { count: s.count, sum: s.sum, buckets: s.cumulative() };
  }

  /** Every series of a family (for samplers that aggregate across labels). */
  seriesOf(name: string): AnySeries[] {
    const f = this.families.get(name);
    return f ? [...f.series.values()] : [];
  }

  /** The Prometheus text exposition format (version 0.0.4), families sorted by name. */
  toPrometheusText(): string {
    const lines: string[] = [];
    const names = [...this.families.keys()].sort();
    for (const name of names) {
      const f = this.families.get(name)!;
      lines.push(`# HELP ${name} ${escapeHelp(f.desc.help)}`);
      lines.push(`# TYPE ${name} ${f.desc.type}`);
      // Code-unit order, not localeCompare: the text must not depend on the browser's locale.
      const series = [...f.series.values()]
        .map((x) => [formatLabels(x.labels), x] as const)
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([, x]) => x);
      for (const s of series) {
        if (s instanceof HistogramSeries) {
          for (const [le, c] of s.cumulative()) {
            lines.push(
              `${name}_bucket${formatLabels({ ...s.labels, le: formatFloat(le) })} ${formatFloat(c)}`,
            );
          }
          lines.push(`${name}_sum${formatLabels(s.labels)} ${formatFloat(s.sum)}`);
          lines.push(`${name}_count${formatLabels(s.labels)} ${formatFloat(s.count)}`);
        } else {
          lines.push(`${name}${formatLabels(s.labels)} ${formatFloat(s.value)}`);
        }
      }
    }
    return lines.join('\n') + '\n';
  }
}

function matches(labels: Labels, match: Labels): boolean {
  for (const k in match) if (labels[k] !== match[k]) return false;
  return true;
}

/** Go's strconv.FormatFloat(v, 'g', -1, 64) as Prometheus prints sample values and `le`. */
export function formatFloat(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  // 'g' with the shortest precision uses the exponent form when the decimal exponent is
  // < -4 or >= 6 (strconv: "if precision was the shortest possible, use precision 6 for this
  // decision"), so a counter of 1234567 prints as 1.234567e+06, as Prometheus shows it.
  const a = Math.abs(v);
  if (v !== 0 && (a >= 1e6 || a < 1e-4)) {
    // Go 'g' uses exponent form with at least two exponent digits: 1e-08.
    const [m, e] = v.toExponential().split('e') as [string, string];
    const sign = e.startsWith('-') ? '-' : '+';
    const digits = e.replace(/^[+-]/, '');
    return `${m}e${sign}${digits.padStart(2, '0')}`;
  }
  return String(v);
}

function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels).filter((k) => labels[k] !== undefined);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(',')}}`;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
