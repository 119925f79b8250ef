/**
 * The dashboard's panels: each is titled with the real metric name (SERIES), says in words
 * what it shows, and lists the series it plots. The PromQL shown on hover/focus comes from
 * SERIES, so a learner can type the same query in Grafana on a real cluster.
 */
import { SERIES, type SeriesInfo, type SeriesKey } from '../../engine/run-types';

export interface PanelLine {
  key: SeriesKey;
  label: string;
  color: string;
}

export interface PanelDef {
  id: string;
  /** The real metric name. */
  metric: string;
  /** What the panel shows, in words. */
  title: string;
  unit: SeriesInfo['unit'];
  lines: PanelLine[];
  /** Shown under the title (e.g. a caveat about the metric). */
  note?: string;
  /** Clicking a point opens "why is this item waiting?" at that time. */
  pickItem?: boolean;
}

// Colours with at least 3:1 contrast on both the light and the dark panel background.
const C = {
  p50: '#2f7ed8',
  p90: '#c77c02',
  p99: '#d6336c',
  ok: '#2b9348',
  err: '#d6336c',
  warn: '#c77c02',
  a: '#7048e8',
  b: '#1098ad',
  grey: '#868e96',
};

export const PANELS: readonly PanelDef[] = [
  {
    id: 'reconcile-time',
    metric: 'controller_runtime_reconcile_time_seconds',
    title: 'Reconcile duration p50 / p90 / p99',
    unit: 's',
    lines: [
      { key: 'reconcile_time_p50', label: 'p50', color: C.p50 },
      { key: 'reconcile_time_p90', label: 'p90', color: C.p90 },
      { key: 'reconcile_time_p99', label: 'p99', color: C.p99 },
    ],
  },
  {
    id: 'reconcile-rate',
    metric: 'controller_runtime_reconcile_total',
    title: 'Reconciles per second by result',
    unit: '/s',
    lines: [
      { key: 'reconcile_rate_success', label: 'success', color: C.ok },
      { key: 'reconcile_rate_error', label: 'error', color: C.err },
      { key: 'reconcile_rate_requeue', label: 'requeue', color: C.warn },
      { key: 'reconcile_rate_requeue_after', label: 'requeue_after', color: C.a },
    ],
  },
  {
    id: 'reconcile-errors',
    metric: 'controller_runtime_reconcile_errors_total',
    title: 'Reconcile errors per second',
    unit: '/s',
    lines: [{ key: 'reconcile_errors_rate', label: 'errors', color: C.err }],
  },
  {
    id: 'queue-depth',
    metric: 'workqueue_depth',
    title: 'Queue depth (and the real backlog)',
    unit: '1',
    lines: [
      { key: 'workqueue_depth', label: 'depth', color: C.p50 },
      { key: 'objects_unreconciled', label: 'not yet reconciled', color: C.grey },
    ],
  },
  {
    id: 'queue-wait',
    metric: 'workqueue_queue_duration_seconds',
    title: 'Queue wait p50 / p90 / p99 (click a point: who was waiting?)',
    note: 'The workqueue buckets grow by 10× (…, 1 s, 10 s, 100 s, 1000 s), so quantiles above 10 s are interpolated inside a 10× bucket, exactly as histogram_quantile does on a real cluster: read them as “between 100 s and 1000 s”, not to the second.',
    unit: 's',
    pickItem: true,
    lines: [
      { key: 'queue_wait_p50', label: 'p50', color: C.p50 },
      { key: 'queue_wait_p90', label: 'p90', color: C.p90 },
      { key: 'queue_wait_p99', label: 'p99', color: C.p99 },
    ],
  },
  {
    id: 'work-duration',
    metric: 'workqueue_work_duration_seconds',
    title: 'Work duration p50 / p90 / p99',
    note: 'The workqueue buckets grow by 10× (…, 1 s, 10 s, 100 s, 1000 s), so quantiles above 10 s are interpolated inside a 10× bucket, exactly as histogram_quantile does on a real cluster: read them as “between 100 s and 1000 s”, not to the second.',
    unit: 's',
    lines: [
      { key: 'work_duration_p50', label: 'p50', color: C.p50 },
      { key: 'work_duration_p90', label: 'p90', color: C.p90 },
      { key: 'work_duration_p99', label: 'p99', color: C.p99 },
    ],
  },
  {
    id: 'retries',
    metric: 'workqueue_retries_total',
    title: 'Retries per second (AddRateLimited)',
    unit: '/s',
    lines: [{ key: 'retries_rate', label: 'retries', color: C.warn }],
  },
  {
    id: 'workers',
    metric: 'controller_runtime_active_workers',
    title: 'Active workers vs MaxConcurrentReconciles',
    unit: '1',
    lines: [
      { key: 'active_workers', label: 'active', color: C.p50 },
      { key: 'max_workers', label: 'max', color: C.grey },
    ],
  },
  {
    id: 'api-verb',
    metric: 'apiserver_request_total',
    title: 'API requests per second by verb',
    unit: '/s',
    lines: [
      { key: 'api_rate_get', label: 'GET', color: C.p50 },
      { key: 'api_rate_list', label: 'LIST', color: C.a },
      { key: 'api_rate_create', label: 'POST', color: C.ok },
      { key: 'api_rate_update', label: 'PUT', color: C.p90 },
      { key: 'api_rate_patch', label: 'PATCH', color: C.b },
      { key: 'api_rate_delete', label: 'DELETE', color: C.grey },
    ],
  },
  {
    id: 'api-code',
    metric: 'apiserver_request_total',
    title: 'API responses per second by code',
    unit: '/s',
    lines: [
      { key: 'api_rate_2xx', label: '2xx', color: C.ok },
      { key: 'api_rate_404', label: '404', color: C.grey },
      { key: 'api_rate_409', label: '409', color: C.p90 },
      { key: 'api_rate_429', label: '429', color: C.err },
      { key: 'api_rate_5xx', label: '5xx', color: C.a },
    ],
  },
  {
    id: 'client-throttle',
    metric: 'rest_client_rate_limiter_duration_seconds',
    title: 'Client-side throttle wait (QPS/Burst)',
    note:
      'Not exposed by default in controller-runtime: your real Grafana will not show this. ' +
      'A p99 of up to 5 ms can mean no wait at all: histogram_quantile interpolates inside ' +
      'the first bucket (le="0.005"), as Prometheus does.',
    unit: 's',
    lines: [
      { key: 'client_throttle_wait_mean', label: 'mean', color: C.p50 },
      { key: 'client_throttle_wait_p99', label: 'p99', color: C.p99 },
    ],
  },
  {
    id: 'apf-queue',
    metric: 'apiserver_flowcontrol_current_inqueue_requests',
    title: 'APF: requests in queue and seats in use',
    unit: '1',
    lines: [
      { key: 'apf_inqueue', label: 'in queue', color: C.p90 },
      { key: 'apf_seats_in_use', label: 'seats in use', color: C.p50 },
    ],
  },
  {
    id: 'apf-wait',
    metric: 'apiserver_flowcontrol_request_wait_duration_seconds',
    title: 'APF queue wait p99',
    unit: 's',
    lines: [{ key: 'apf_wait_p99', label: 'p99', color: C.p99 }],
  },
  {
    id: 'apf-rejected',
    metric: 'apiserver_flowcontrol_rejected_requests_total',
    title: 'APF 429 rejections per second by reason',
    unit: '/s',
    lines: [
      { key: 'apf_rejected_queue_full', label: 'queue-full', color: C.err },
      { key: 'apf_rejected_time_out', label: 'time-out', color: C.p90 },
      { key: 'apf_rejected_concurrency_limit', label: 'concurrency-limit', color: C.a },
    ],
  },
  {
    id: 'reads',
    metric: 'rest_client_requests_total',
    title: 'Cache reads vs API reads per second',
    unit: '/s',
    lines: [
      { key: 'cache_reads_rate', label: 'cache', color: C.ok },
      { key: 'api_reads_rate', label: 'API', color: C.err },
    ],
  },
  {
    id: 'external',
    metric: 'external API (your own metric)',
    title: 'External API calls and errors per second',
    unit: '/s',
    lines: [
      { key: 'external_calls_rate', label: 'calls', color: C.p50 },
      { key: 'external_errors_rate', label: 'errors', color: C.err },
    ],
  },
  {
    id: 'limiter-wait',
    metric: 'apiLimiter.Wait (your own histogram)',
    title: 'rate.Limiter wait p99 before the external call',
    unit: 's',
    lines: [{ key: 'limiter_wait_p99', label: 'p99', color: C.p90 }],
  },
  {
    id: 'cache-memory',
    metric: 'process_resident_memory_bytes',
    title: 'Memory held by the informer cache',
    unit: 'B',
    lines: [{ key: 'cache_memory_bytes', label: 'cache', color: C.a }],
  },
];

/** The PromQL of each line (deduplicated, in order). */
export function promqlOf(p: PanelDef): string[] {
  const out: string[] = [];
  for (const l of p.lines) {
    const q = SERIES[l.key].promql;
    if (!out.includes(q)) out.push(q);
  }
  return out;
}

export const HEATMAP_PROMQL =
  'sum by (le) (increase(controller_runtime_reconcile_time_seconds_bucket[1m]))';
