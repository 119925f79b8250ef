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

function counterSum(reg: MetricsRegistry, name: string, match?: Match): number {
  let total = 0;
  for (const s of reg.seriesOf(name)) {
    if (s instanceof HistogramSeries) continue;
    if (!match || match(s.labels)) total += s.value;
  }
  return total;
}

function histCounts(
  reg: MetricsRegistry,
  name: string,
  match?: Match,
): { counts: Float64Array; sum: number; count: number; bounds: readonly number[] } | undefined {
  let out:
    { counts: Float64Array; sum: number; count: number; bounds: readonly number[] } | undefined;
  for (const s of reg.seriesOf(name)) {
    if (!(s instanceof HistogramSeries)) continue;
    if (match && !match(s.labels)) continue;
    if (!out)
      out = { counts: new Float64Array(s.counts.length), sum: 0, count: 0, bounds: s.upperBounds };
    if (s.counts.length !== out.counts.length) continue;
    for (let i = 0; i < s.counts.length; i++) out.counts[i]! += s.counts[i]!;
    out.sum += s.sum;
    out.count += s.count;
  }
  return out;
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

interface CounterDef {
  key: SeriesKey;
  read: (reg: MetricsRegistry, g: SimGauges) => number;
}
interface QuantileDef {
  key: SeriesKey;
  metric: string;
  q: number;
  match?: Match;
}

const COUNTERS: CounterDef[] = [
  {
    key: 'reconcile_rate_success',
    read: (r) => counterSum(r, 'controller_runtime_reconcile_total', eq('result', 'success')),
  },
  {
    key: 'reconcile_rate_error',
    read: (r) => counterSum(r, 'controller_runtime_reconcile_total', eq('result', 'error')),
  },
  {
    key: 'reconcile_rate_requeue',
    read: (r) => counterSum(r, 'controller_runtime_reconcile_total', eq('result', 'requeue')),
  },
  {
    key: 'reconcile_rate_requeue_after',
    read: (r) => counterSum(r, 'controller_runtime_reconcile_total', eq('result', 'requeue_after')),
  },
  {
    key: 'reconcile_errors_rate',
    read: (r) => counterSum(r, 'controller_runtime_reconcile_errors_total'),
  },
  { key: 'retries_rate', read: (r) => counterSum(r, 'workqueue_retries_total') },
  { key: 'api_rate_get', read: (r) => counterSum(r, 'apiserver_request_total', eq('verb', 'GET')) },
  {
    key: 'api_rate_list',
    read: (r) => counterSum(r, 'apiserver_request_total', eq('verb', 'LIST')),
  },
  {
    key: 'api_rate_create',
    read: (r) => counterSum(r, 'apiserver_request_total', eq('verb', 'POST')),
  },
  {
    key: 'api_rate_update',
    read: (r) => counterSum(r, 'apiserver_request_total', eq('verb', 'PUT')),
  },
  {
    key: 'api_rate_patch',
    read: (r) => counterSum(r, 'apiserver_request_total', eq('verb', 'PATCH')),
  },
  {
    key: 'api_rate_delete',
    read: (r) => counterSum(r, 'apiserver_request_total', eq('verb', 'DELETE')),
  },
  { key: 'api_rate_2xx', read: (r) => counterSum(r, 'apiserver_request_total', codeClass('2')) },
  { key: 'api_rate_404', read: (r) => counterSum(r, 'apiserver_request_total', eq('code', '404')) },
  { key: 'api_rate_409', read: (r) => counterSum(r, 'apiserver_request_total', eq('code', '409')) },
  { key: 'api_rate_429', read: (r) => counterSum(r, 'apiserver_request_total', eq('code', '429')) },
  { key: 'api_rate_5xx', read: (r) => counterSum(r, 'apiserver_request_total', codeClass('5')) },
  {
    key: 'apf_rejected_queue_full',
    read: (r) =>
      counterSum(r, 'apiserver_flowcontrol_rejected_requests_total', eq('reason', 'queue-full')),
  },
  {
    key: 'apf_rejected_time_out',
    read: (r) =>
      counterSum(r, 'apiserver_flowcontrol_rejected_requests_total', eq('reason', 'time-out')),
  },
  {
    key: 'apf_rejected_concurrency_limit',
    read: (r) =>
      counterSum(
        r,
        'apiserver_flowcontrol_rejected_requests_total',
        eq('reason', 'concurrency-limit'),
      ),
  },
  {
    key: 'api_reads_rate',
    read: (r) => counterSum(r, 'rest_client_requests_total', eq('method', 'GET')),
  },
  { key: 'cache_reads_rate', read: (_r, g) => g.cacheReads },
  { key: 'external_calls_rate', read: (_r, g) => g.externalCalls },
  { key: 'external_errors_rate', read: (_r, g) => g.externalErrors },
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

export class Sampler {
  private prevCounters = new Map<SeriesKey, number>();
  private prevHist = new Map<string, Float64Array>();
  private prevThrottle = { sum: 0, count: 0 };
  private prevLimiter: Float64Array;
  private lastT: Nanos = 0;

  constructor(
    private readonly reg: MetricsRegistry,
    private readonly gauges: () => SimGauges,
  ) {
    this.prevLimiter = new Float64Array(gauges().limiterWait.counts.length);
  }

  take(t: Nanos): Sample {
    const reg = this.reg;
    const g = this.gauges();
    const dt = (t - this.lastT) / 1e9;
    this.lastT = t;
    const v = {} as Record<SeriesKey, number>;
    for (const k of SERIES_KEYS) v[k] = 0;
    for (const c of COUNTERS) {
      const cur = c.read(reg, g);
      const prev = this.prevCounters.get(c.key) ?? 0;
      this.prevCounters.set(c.key, cur);
      v[c.key] = dt > 0 ? (cur - prev) / dt : 0;
    }
    const deltas = new Map<string, { d: Float64Array; bounds: readonly number[] }>();
    for (const m of HIST_METRICS) {
      const h = histCounts(
        reg,
        m,
        m === 'apiserver_flowcontrol_request_wait_duration_seconds' ? workloadLow : undefined,
      );
      if (!h) continue;
      const prev = this.prevHist.get(m) ?? new Float64Array(h.counts.length);
      const d = new Float64Array(h.counts.length);
      for (let i = 0; i < d.length; i++) d[i] = h.counts[i]! - (prev[i] ?? 0);
      this.prevHist.set(m, h.counts);
      deltas.set(m, { d, bounds: h.bounds });
      if (m === 'rest_client_rate_limiter_duration_seconds') {
        const ds = h.sum - this.prevThrottle.sum;
        const dc = h.count - this.prevThrottle.count;
        this.prevThrottle = { sum: h.sum, count: h.count };
        v.client_throttle_wait_mean = dc > 0 ? ds / dc : NaN;
      }
    }
    if (!deltas.has('rest_client_rate_limiter_duration_seconds')) v.client_throttle_wait_mean = NaN;
    for (const q of QUANTILES) {
      const d = deltas.get(q.metric);
      v[q.key] = d ? histogramQuantile(q.q, d.bounds, d.d) : NaN;
    }
    const lw = g.limiterWait;
    const ld = new Float64Array(lw.counts.length);
    for (let i = 0; i < ld.length; i++) ld[i] = lw.counts[i]! - this.prevLimiter[i]!;
    this.prevLimiter = Float64Array.from(lw.counts);
    v.limiter_wait_p99 = histogramQuantile(0.99, lw.upperBounds, ld);

    v.workqueue_depth = gaugeSum(reg, 'workqueue_depth');
    v.active_workers = gaugeSum(reg, 'controller_runtime_active_workers');
    v.max_workers = gaugeSum(reg, 'controller_runtime_max_concurrent_reconciles');
    v.apf_inqueue = gaugeSum(reg, 'apiserver_flowcontrol_current_inqueue_requests', workloadLow);
    v.apf_seats_in_use =
      gaugeSum(reg, 'apiserver_flowcontrol_request_concurrency_in_use', workloadLow) ||
      gaugeSum(reg, 'apiserver_flowcontrol_current_executing_seats', workloadLow);
    v.cache_memory_bytes = g.cacheMemoryBytes;
    v.objects_total = g.objectsTotal;
    v.objects_unreconciled = g.objectsUnreconciled;

    const rt = deltas.get('controller_runtime_reconcile_time_seconds');
    const reconcileTimeBuckets = rt
      ? Array.from(rt.d)
      : new Array<number>(RECONCILE_TIME_BUCKETS.length + 1).fill(0);
    return { t, v, reconcileTimeBuckets };
  }
}

function gaugeSum(reg: MetricsRegistry, name: string, match?: Match): number {
  let total = 0;
  for (const s of reg.seriesOf(name)) {
    if (s instanceof GaugeSeries || s instanceof CounterSeries) {
      if (!match || match(s.labels)) total += s.value;
    }
  }
  return total;
}
