/**
 * Turns the metrics registry (plus a few simulated, non-Prometheus counters) into one Sample
 * per interval: rates from counter deltas over the interval, quantiles with
 * histogramQuantile over the interval's bucket deltas (PromQL's
 * histogram_quantile(q, rate(…_bucket[interval]))), gauges as read at the end of the interval.
 * A quantile of an interval with no observations is NaN, as in PromQL.
 */
import {
  CounterSeries,
  GaugeSeries,
  HistogramSeries,
  histogramQuantile,
  type Labels,
  type MetricsRegistry,
  RECONCILE_TIME_BUCKETS,
} from '../metrics';
import { SERIES_KEYS, type Sample, type SeriesKey } from '../run-types';
import type { Nanos } from '../time';

/** Simulated quantities that have no Prometheus metric of their own. */
export interface SimGauges {
  cacheReads: number;
  externalCalls: number;
  externalErrors: number;
  cacheMemoryBytes: number;
  objectsTotal: number;
  objectsUnreconciled: number;
  /** r.apiLimiter.Wait durations (seconds), non-cumulative bucket counts over LIMITER_BUCKETS. */
  limiterWait: HistogramSeries;
}

type Match = (labels: Labels) => boolean;
type AnySeries = CounterSeries | GaugeSeries | HistogramSeries;

/**
 * The series of one metric family that a sum reads: the series accepted by `accept`, in the
 * registry's order. Series are only ever added to a family, so each sample classifies only the
 * series that are new since the last one (instead of filtering every series for every sum).
 */
class Selection<S extends AnySeries> {
  readonly list: S[] = [];
  constructor(readonly accept: (s: AnySeries) => s is S) {}
}

/** Every Selection of one family and how many of its series have been classified. */
interface FamilyWatch {
  name: string;
  seen: number;
  sels: Selection<AnySeries>[];
}

const isValueSeries = (s: AnySeries): s is CounterSeries | GaugeSeries =>
  !(s instanceof HistogramSeries);
const isGaugeOrCounter = (s: AnySeries): s is CounterSeries | GaugeSeries =>
  s instanceof GaugeSeries || s instanceof CounterSeries;
const isHistogram = (s: AnySeries): s is HistogramSeries => s instanceof HistogramSeries;

/** Sum of the values, in registry order (the order counterSum/gaugeSum added them). */
function sumValues(list: readonly (CounterSeries | GaugeSeries)[]): number {
  let total = 0;
  for (let i = 0; i < list.length; i++) total += list[i]!.value;
  return total;
}

/**
 * Bucket counts summed over the histogram series (series whose bucket layout differs from the
 * first one are skipped), or undefined when there is none.
 */
function histCounts(
  list: readonly HistogramSeries[],
): { counts: Float64Array; sum: number; count: number; bounds: readonly number[] } | undefined {
  if (list.length === 0) return undefined;
  const first = list[0]!;
  const counts = new Float64Array(first.counts.length);
  let sum = 0;
  let count = 0;
  for (const s of list) {
    if (s.counts.length !== counts.length) continue;
    for (let i = 0; i < s.counts.length; i++) counts[i]! += s.counts[i]!;
    sum += s.sum;
    count += s.count;
  }
  return { counts, sum, count, bounds: first.upperBounds };
}

const eq =
  (k: string, v: string): Match =>
  (l) =>
    l[k] === v;
const codeClass =
  (prefix: string): Match =>
  (l) =>
    (l['code'] ?? '').startsWith(prefix);
const workloadLow: Match = (l) =>
  l['priority_level'] === undefined || l['priority_level'] === 'workload-low';

/** A rate: the delta of a counter sum (over the series matching `match`) or of a simulated count. */
type CounterDef =
  | { key: SeriesKey; metric: string; match?: Match }
  | { key: SeriesKey; sim: (g: SimGauges) => number };
interface QuantileDef {
  key: SeriesKey;
  metric: string;
  q: number;
  match?: Match;
}

const counter = (key: SeriesKey, metric: string, match?: Match): CounterDef => ({
  key,
  metric,
  match,
});

const COUNTERS: CounterDef[] = [
  counter('reconcile_rate_success', 'controller_runtime_reconcile_total', eq('result', 'success')),
  counter('reconcile_rate_error', 'controller_runtime_reconcile_total', eq('result', 'error')),
  counter('reconcile_rate_requeue', 'controller_runtime_reconcile_total', eq('result', 'requeue')),
  counter(
    'reconcile_rate_requeue_after',
    'controller_runtime_reconcile_total',
    eq('result', 'requeue_after'),
  ),
  counter('reconcile_errors_rate', 'controller_runtime_reconcile_errors_total'),
  counter('retries_rate', 'workqueue_retries_total'),
  counter('api_rate_get', 'apiserver_request_total', eq('verb', 'GET')),
  counter('api_rate_list', 'apiserver_request_total', eq('verb', 'LIST')),
  counter('api_rate_create', 'apiserver_request_total', eq('verb', 'POST')),
  counter('api_rate_update', 'apiserver_request_total', eq('verb', 'PUT')),
  counter('api_rate_patch', 'apiserver_request_total', eq('verb', 'PATCH')),
  counter('api_rate_delete', 'apiserver_request_total', eq('verb', 'DELETE')),
  counter('api_rate_2xx', 'apiserver_request_total', codeClass('2')),
  counter('api_rate_404', 'apiserver_request_total', eq('code', '404')),
  counter('api_rate_409', 'apiserver_request_total', eq('code', '409')),
  counter('api_rate_429', 'apiserver_request_total', eq('code', '429')),
  counter('api_rate_5xx', 'apiserver_request_total', codeClass('5')),
  counter(
    'apf_rejected_queue_full',
    'apiserver_flowcontrol_rejected_requests_total',
    eq('reason', 'queue-full'),
  ),
  counter(
    'apf_rejected_time_out',
    'apiserver_flowcontrol_rejected_requests_total',
    eq('reason', 'time-out'),
  ),
  counter(
    'apf_rejected_concurrency_limit',
    'apiserver_flowcontrol_rejected_requests_total',
    eq('reason', 'concurrency-limit'),
  ),
  counter('api_reads_rate', 'rest_client_requests_total', eq('method', 'GET')),
  { key: 'cache_reads_rate', sim: (g) => g.cacheReads },
  { key: 'external_calls_rate', sim: (g) => g.externalCalls },
  { key: 'external_errors_rate', sim: (g) => g.externalErrors },
];

const QUANTILES: QuantileDef[] = [
  { key: 'reconcile_time_p50', metric: 'controller_runtime_reconcile_time_seconds', q: 0.5 },
  { key: 'reconcile_time_p90', metric: 'controller_runtime_reconcile_time_seconds', q: 0.9 },
  { key: 'reconcile_time_p99', metric: 'controller_runtime_reconcile_time_seconds', q: 0.99 },
  { key: 'queue_wait_p50', metric: 'workqueue_queue_duration_seconds', q: 0.5 },
  { key: 'queue_wait_p90', metric: 'workqueue_queue_duration_seconds', q: 0.9 },
  { key: 'queue_wait_p99', metric: 'workqueue_queue_duration_seconds', q: 0.99 },
  { key: 'work_duration_p50', metric: 'workqueue_work_duration_seconds', q: 0.5 },
  { key: 'work_duration_p90', metric: 'workqueue_work_duration_seconds', q: 0.9 },
  { key: 'work_duration_p99', metric: 'workqueue_work_duration_seconds', q: 0.99 },
  { key: 'client_throttle_wait_p99', metric: 'rest_client_rate_limiter_duration_seconds', q: 0.99 },
  {
    key: 'apf_wait_p99',
    metric: 'apiserver_flowcontrol_request_wait_duration_seconds',
    q: 0.99,
    match: workloadLow,
  },
];

const HIST_METRICS = [...new Set(QUANTILES.map((d) => d.metric))];
/** Per QUANTILES entry: the index of its metric in HIST_METRICS. */
const QUANTILE_HIST = QUANTILES.map((q) => HIST_METRICS.indexOf(q.metric));
const RECONCILE_TIME_HIST = HIST_METRICS.indexOf('controller_runtime_reconcile_time_seconds');

/** Array.from(a) without the iterator protocol. */
function toNumbers(a: Float64Array): number[] {
  const out = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]!;
  return out;
}
const THROTTLE_METRIC = 'rest_client_rate_limiter_duration_seconds';
const APF_WAIT_METRIC = 'apiserver_flowcontrol_request_wait_duration_seconds';

/** Gauges read at the sample time: the series summed (counters and gauges) per sample key. */
const GAUGES: { key: SeriesKey; metric: string; match?: Match }[] = [
  { key: 'workqueue_depth', metric: 'workqueue_depth' },
  { key: 'active_workers', metric: 'controller_runtime_active_workers' },
  { key: 'max_workers', metric: 'controller_runtime_max_concurrent_reconciles' },
  {
    key: 'apf_inqueue',
    metric: 'apiserver_flowcontrol_current_inqueue_requests',
    match: workloadLow,
  },
];
const SEATS_IN_USE = 'apiserver_flowcontrol_request_concurrency_in_use';
const SEATS_EXECUTING = 'apiserver_flowcontrol_current_executing_seats';

/** Every series key with 0, in SERIES_KEYS order (the property order of Sample.v). */
const ZERO_V = Object.fromEntries(SERIES_KEYS.map((k) => [k, 0])) as Record<SeriesKey, number>;

export class Sampler {
  private readonly families = new Map<string, FamilyWatch>();
  /** Per COUNTERS entry: its selection (undefined for simulated counts) and last value. */
  private readonly counterSels: (Selection<CounterSeries | GaugeSeries> | undefined)[];
  private readonly prevCounters: number[];
  private readonly histSels: Selection<HistogramSeries>[];
  private readonly prevHist: (Float64Array | undefined)[];
  private readonly gaugeSels: Selection<CounterSeries | GaugeSeries>[];
  private readonly seatsInUse: Selection<CounterSeries | GaugeSeries>;
  private readonly seatsExecuting: Selection<CounterSeries | GaugeSeries>;
  private prevThrottle = { sum: 0, count: 0 };
  private prevLimiter: Float64Array;
  private lastT: Nanos = 0;

  constructor(
    private readonly reg: MetricsRegistry,
    private readonly gauges: () => SimGauges,
  ) {
    this.prevLimiter = new Float64Array(gauges().limiterWait.counts.length);
    this.counterSels = COUNTERS.map((c) =>
      'metric' in c ? this.select(c.metric, valuesMatching(c.match)) : undefined,
    );
    this.prevCounters = COUNTERS.map(() => 0);
    this.histSels = HIST_METRICS.map((m) =>
      this.select(m, m === APF_WAIT_METRIC ? histogramsMatching(workloadLow) : isHistogram),
    );
    this.prevHist = HIST_METRICS.map(() => undefined);
    this.gaugeSels = GAUGES.map((g) => this.select(g.metric, gaugesMatching(g.match)));
    this.seatsInUse = this.select(SEATS_IN_USE, gaugesMatching(workloadLow));
    this.seatsExecuting = this.select(SEATS_EXECUTING, gaugesMatching(workloadLow));
  }

  private select<S extends AnySeries>(
    name: string,
    accept: (s: AnySeries) => s is S,
  ): Selection<S> {
    let f = this.families.get(name);
    if (!f) this.families.set(name, (f = { name, seen: 0, sels: [] }));
    const sel = new Selection(accept);
    f.sels.push(sel as unknown as Selection<AnySeries>);
    return sel;
  }

  /** Classifies the series added to each family since the last sample. */
  private refresh(): void {
    for (const f of this.families.values()) {
      const all = this.reg.seriesOf(f.name);
      if (all.length === f.seen) continue;
      for (let i = f.seen; i < all.length; i++) {
        const s = all[i]!;
        for (const sel of f.sels) if (sel.accept(s)) sel.list.push(s);
      }
      f.seen = all.length;
    }
  }

  take(t: Nanos): Sample {
    const g = this.gauges();
    this.refresh();
    const dt = (t - this.lastT) / 1e9;
    this.lastT = t;
    const v: Record<SeriesKey, number> = { ...ZERO_V };
    for (let i = 0; i < COUNTERS.length; i++) {
      const c = COUNTERS[i]!;
      const sel = this.counterSels[i];
      const cur = sel ? sumValues(sel.list) : (c as { sim: (g: SimGauges) => number }).sim(g);
      const prev = this.prevCounters[i]!;
      this.prevCounters[i] = cur;
      v[c.key] = dt > 0 ? (cur - prev) / dt : 0;
    }
    const deltas: ({ d: Float64Array; bounds: readonly number[] } | undefined)[] = [];
    let throttleSeen = false;
    for (let j = 0; j < HIST_METRICS.length; j++) {
      const m = HIST_METRICS[j]!;
      const h = histCounts(this.histSels[j]!.list);
      if (!h) {
        deltas.push(undefined);
        continue;
      }
      const prev = this.prevHist[j] ?? new Float64Array(h.counts.length);
      const d = new Float64Array(h.counts.length);
      for (let i = 0; i < d.length; i++) d[i] = h.counts[i]! - (prev[i] ?? 0);
      this.prevHist[j] = h.counts;
      deltas.push({ d, bounds: h.bounds });
      if (m === THROTTLE_METRIC) {
        throttleSeen = true;
        const ds = h.sum - this.prevThrottle.sum;
        const dc = h.count - this.prevThrottle.count;
        this.prevThrottle = { sum: h.sum, count: h.count };
        v.client_throttle_wait_mean = dc > 0 ? ds / dc : NaN;
      }
    }
    if (!throttleSeen) v.client_throttle_wait_mean = NaN;
    for (let i = 0; i < QUANTILES.length; i++) {
      const q = QUANTILES[i]!;
      const d = deltas[QUANTILE_HIST[i]!];
      v[q.key] = d ? histogramQuantile(q.q, d.bounds, d.d) : NaN;
    }
    const lw = g.limiterWait;
    const ld = new Float64Array(lw.counts.length);
    for (let i = 0; i < ld.length; i++) ld[i] = lw.counts[i]! - this.prevLimiter[i]!;
    this.prevLimiter = Float64Array.from(lw.counts);
    v.limiter_wait_p99 = histogramQuantile(0.99, lw.upperBounds, ld);

    for (let i = 0; i < GAUGES.length; i++) v[GAUGES[i]!.key] = sumValues(this.gaugeSels[i]!.list);
    v.apf_seats_in_use = sumValues(this.seatsInUse.list) || sumValues(this.seatsExecuting.list);
    v.cache_memory_bytes = g.cacheMemoryBytes;
    v.objects_total = g.objectsTotal;
    v.objects_unreconciled = g.objectsUnreconciled;

    const rt = deltas[RECONCILE_TIME_HIST];
    const reconcileTimeBuckets = rt
      ? toNumbers(rt.d)
      : new Array<number>(RECONCILE_TIME_BUCKETS.length + 1).fill(0);
    return { t, v, reconcileTimeBuckets };
  }
}

function valuesMatching(match?: Match): (s: AnySeries) => s is CounterSeries | GaugeSeries {
  return (s): s is CounterSeries | GaugeSeries => isValueSeries(s) && (!match || match(s.labels));
}

function gaugesMatching(match?: Match): (s: AnySeries) => s is CounterSeries | GaugeSeries {
  return (s): s is CounterSeries | GaugeSeries =>
    isGaugeOrCounter(s) && (!match || match(s.labels));
}

function histogramsMatching(match: Match): (s: AnySeries) => s is HistogramSeries {
  return (s): s is HistogramSeries => isHistogram(s) && match(s.labels);
}
