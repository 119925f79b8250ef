/**
 * What a run produces for the rest of the product: sampled time series (one Sample per
 * sampleEvery of virtual time), scenario annotations, log lines, and the why-waiting trace.
 * The series keys are a fixed catalogue (SERIES) so charts and exports can rely on them.
 */
import type { Nanos } from './time';

export interface SeriesInfo {
  /** Unit of the value: 's' seconds, '/s' per second, '1' a count or gauge, 'B' bytes. */
  unit: 's' | '/s' | '1' | 'B';
  /** The real metric behind it. */
  metric: string;
  /** PromQL a learner would type in Grafana to see this panel on a real cluster. */
  promql: string;
  help: string;
}

export const SERIES = {
  reconcile_rate_success: {
    unit: '/s',
    metric: 'controller_runtime_reconcile_total',
    promql: 'sum(rate(controller_runtime_reconcile_total{result="success"}[1m]))',
    help: 'Reconciles per second that returned success.',
  },
  reconcile_rate_error: {
    unit: '/s',
    metric: 'controller_runtime_reconcile_total',
    promql: 'sum(rate(controller_runtime_reconcile_total{result="error"}[1m]))',
    help: 'Reconciles per second that returned an error.',
  },
  reconcile_rate_requeue: {
    unit: '/s',
    metric: 'controller_runtime_reconcile_total',
    promql: 'sum(rate(controller_runtime_reconcile_total{result="requeue"}[1m]))',
    help: 'Reconciles per second that returned Requeue: true.',
  },
  reconcile_rate_requeue_after: {
    unit: '/s',
    metric: 'controller_runtime_reconcile_total',
    promql: 'sum(rate(controller_runtime_reconcile_total{result="requeue_after"}[1m]))',
    help: 'Reconciles per second that returned RequeueAfter.',
  },
  reconcile_errors_rate: {
    unit: '/s',
    metric: 'controller_runtime_reconcile_errors_total',
    promql: 'sum(rate(controller_runtime_reconcile_errors_total[1m]))',
    help: 'Reconcile errors per second.',
  },
  reconcile_time_p50: {
    unit: 's',
    metric: 'controller_runtime_reconcile_time_seconds',
    promql:
      'histogram_quantile(0.5, sum by (le) (rate(controller_runtime_reconcile_time_seconds_bucket[1m])))',
    help: 'Median duration of a reconcile.',
  },
  reconcile_time_p90: {
    unit: 's',
    metric: 'controller_runtime_reconcile_time_seconds',
    promql:
      'histogram_quantile(0.9, sum by (le) (rate(controller_runtime_reconcile_time_seconds_bucket[1m])))',
    help: '90th percentile duration of a reconcile.',
  },
  reconcile_time_p99: {
    unit: 's',
    metric: 'controller_runtime_reconcile_time_seconds',
    promql:
      'histogram_quantile(0.99, sum by (le) (rate(controller_runtime_reconcile_time_seconds_bucket[1m])))',
    help: '99th percentile duration of a reconcile.',
  },
  workqueue_depth: {
    unit: '1',
    metric: 'workqueue_depth',
    promql: 'sum(workqueue_depth{name="database"})',
    help: 'Items waiting in the workqueue (ready to be handed to a worker).',
  },
  queue_wait_p50: {
    unit: 's',
    metric: 'workqueue_queue_duration_seconds',
    promql:
      'histogram_quantile(0.5, sum by (le) (rate(workqueue_queue_duration_seconds_bucket{name="database"}[1m])))',
    help: 'Median time an item waited in the queue before a worker took it.',
  },
  queue_wait_p90: {
    unit: 's',
    metric: 'workqueue_queue_duration_seconds',
    promql:
      'histogram_quantile(0.9, sum by (le) (rate(workqueue_queue_duration_seconds_bucket{name="database"}[1m])))',
    help: '90th percentile queue wait.',
  },
  queue_wait_p99: {
    unit: 's',
    metric: 'workqueue_queue_duration_seconds',
    promql:
      'histogram_quantile(0.99, sum by (le) (rate(workqueue_queue_duration_seconds_bucket{name="database"}[1m])))',
    help: '99th percentile queue wait.',
  },
  work_duration_p50: {
    unit: 's',
    metric: 'workqueue_work_duration_seconds',
    promql:
      'histogram_quantile(0.5, sum by (le) (rate(workqueue_work_duration_seconds_bucket{name="database"}[1m])))',
    help: 'Median time a worker spent on an item.',
  },
  work_duration_p90: {
    unit: 's',
    metric: 'workqueue_work_duration_seconds',
    promql:
      'histogram_quantile(0.9, sum by (le) (rate(workqueue_work_duration_seconds_bucket{name="database"}[1m])))',
    help: '90th percentile work duration.',
  },
  work_duration_p99: {
    unit: 's',
    metric: 'workqueue_work_duration_seconds',
    promql:
      'histogram_quantile(0.99, sum by (le) (rate(workqueue_work_duration_seconds_bucket{name="database"}[1m])))',
    help: '99th percentile work duration.',
  },
  retries_rate: {
    unit: '/s',
    metric: 'workqueue_retries_total',
    promql: 'sum(rate(workqueue_retries_total{name="database"}[1m]))',
    help: 'Rate-limited re-adds per second (AddRateLimited).',
  },
  active_workers: {
    unit: '1',
    metric: 'controller_runtime_active_workers',
    promql: 'sum(controller_runtime_active_workers{controller="database"})',
    help: 'Workers currently running a reconcile.',
  },
  max_workers: {
    unit: '1',
    metric: 'controller_runtime_max_concurrent_reconciles',
    promql: 'sum(controller_runtime_max_concurrent_reconciles{controller="database"})',
    help: 'MaxConcurrentReconciles.',
  },
  api_rate_get: {
    unit: '/s',
    metric: 'apiserver_request_total',
    promql: 'sum(rate(apiserver_request_total{verb="GET"}[1m]))',
    help: 'GET requests per second reaching the API server.',
  },
  api_rate_list: {
    unit: '/s',
    metric: 'apiserver_request_total',
    promql: 'sum(rate(apiserver_request_total{verb="LIST"}[1m]))',
    help: 'LIST requests per second.',
  },
  api_rate_create: {
    unit: '/s',
    metric: 'apiserver_request_total',
    promql: 'sum(rate(apiserver_request_total{verb="POST"}[1m]))',
    help: 'CREATE (POST) requests per second.',
  },
  api_rate_update: {
    unit: '/s',
    metric: 'apiserver_request_total',
    promql: 'sum(rate(apiserver_request_total{verb="PUT"}[1m]))',
    help: 'UPDATE (PUT) requests per second, status included.',
  },
  api_rate_patch: {
    unit: '/s',
    metric: 'apiserver_request_total',
    promql: 'sum(rate(apiserver_request_total{verb="PATCH"}[1m]))',
    help: 'PATCH requests per second.',
  },
  api_rate_delete: {
    unit: '/s',
    metric: 'apiserver_request_total',
    promql: 'sum(rate(apiserver_request_total{verb="DELETE"}[1m]))',
    help: 'DELETE requests per second.',
  },
  api_rate_2xx: {
    unit: '/s',
    metric: 'apiserver_request_total',
    promql: 'sum(rate(apiserver_request_total{code=~"2.."}[1m]))',
    help: 'Successful API responses per second.',
  },
  api_rate_404: {
    unit: '/s',
    metric: 'apiserver_request_total',
    promql: 'sum(rate(apiserver_request_total{code="404"}[1m]))',
    help: 'NotFound responses per second.',
  },
  api_rate_409: {
    unit: '/s',
    metric: 'apiserver_request_total',
    promql: 'sum(rate(apiserver_request_total{code="409"}[1m]))',
    help: 'Conflict responses per second.',
  },
  api_rate_429: {
    unit: '/s',
    metric: 'apiserver_request_total',
    promql: 'sum(rate(apiserver_request_total{code="429"}[1m]))',
    help: 'Too Many Requests responses per second (APF rejections).',
  },
  api_rate_5xx: {
    unit: '/s',
    metric: 'apiserver_request_total',
    promql: 'sum(rate(apiserver_request_total{code=~"5.."}[1m]))',
    help: 'Server errors per second.',
  },
  client_throttle_wait_p99: {
    unit: 's',
    metric: 'rest_client_rate_limiter_duration_seconds',
    promql:
      'histogram_quantile(0.99, sum by (le) (rate(rest_client_rate_limiter_duration_seconds_bucket[1m])))',
    help: 'Client-side (QPS/Burst) wait before a request was sent. Not exposed by controller-runtime by default.',
  },
  client_throttle_wait_mean: {
    unit: 's',
    metric: 'rest_client_rate_limiter_duration_seconds',
    promql:
      'sum(rate(rest_client_rate_limiter_duration_seconds_sum[1m])) / sum(rate(rest_client_rate_limiter_duration_seconds_count[1m]))',
    help: 'Mean client-side throttle wait. Not exposed by controller-runtime by default.',
  },
  apf_inqueue: {
    unit: '1',
    metric: 'apiserver_flowcontrol_current_inqueue_requests',
    promql: 'sum(apiserver_flowcontrol_current_inqueue_requests{priority_level="workload-low"})',
    help: 'Requests waiting in APF queues.',
  },
  apf_seats_in_use: {
    unit: '1',
    metric: 'apiserver_flowcontrol_request_concurrency_in_use',
    promql: 'sum(apiserver_flowcontrol_request_concurrency_in_use{priority_level="workload-low"})',
    help: 'Seats in use at the operator’s priority level.',
  },
  apf_wait_p99: {
    unit: 's',
    metric: 'apiserver_flowcontrol_request_wait_duration_seconds',
    promql:
      'histogram_quantile(0.99, sum by (le) (rate(apiserver_flowcontrol_request_wait_duration_seconds_bucket{priority_level="workload-low"}[1m])))',
    help: '99th percentile time a request waited in an APF queue.',
  },
  apf_rejected_queue_full: {
    unit: '/s',
    metric: 'apiserver_flowcontrol_rejected_requests_total',
    promql: 'sum(rate(apiserver_flowcontrol_rejected_requests_total{reason="queue-full"}[1m]))',
    help: '429s because the flow’s queue was full.',
  },
  apf_rejected_time_out: {
    unit: '/s',
    metric: 'apiserver_flowcontrol_rejected_requests_total',
    promql: 'sum(rate(apiserver_flowcontrol_rejected_requests_total{reason="time-out"}[1m]))',
    help: '429s because a request waited longer than the queue-wait limit.',
  },
  apf_rejected_concurrency_limit: {
    unit: '/s',
    metric: 'apiserver_flowcontrol_rejected_requests_total',
    promql:
      'sum(rate(apiserver_flowcontrol_rejected_requests_total{reason="concurrency-limit"}[1m]))',
    help: '429s because the level has no queues and no free seat.',
  },
  cache_reads_rate: {
    unit: '/s',
    metric: '(simulated) informer cache reads',
    promql: '# not a real metric: the cache serves reads in-process',
    help: 'Get/List calls served from the informer cache (zero API calls).',
  },
  api_reads_rate: {
    unit: '/s',
    metric: 'rest_client_requests_total',
    promql: 'sum(rate(rest_client_requests_total{method=~"GET"}[1m]))',
    help: 'Reads sent to the API server by the operator.',
  },
  external_calls_rate: {
    unit: '/s',
    metric: '(simulated) external API calls',
    promql: '# your own metric, e.g. rate(external_api_requests_total[1m])',
    help: 'Calls to the external API per second.',
  },
  external_errors_rate: {
    unit: '/s',
    metric: '(simulated) external API errors',
    promql: '# your own metric, e.g. rate(external_api_requests_total{code!~"2.."}[1m])',
    help: 'External API errors per second (including its 429s).',
  },
  limiter_wait_p99: {
    unit: 's',
    metric: '(simulated) apiLimiter.Wait duration',
    promql: '# your own histogram around r.apiLimiter.Wait(ctx)',
    help: '99th percentile time spent in r.apiLimiter.Wait.',
  },
  cache_memory_bytes: {
    unit: 'B',
    metric: 'process_resident_memory_bytes (cache share)',
    promql: 'process_resident_memory_bytes{job="my-operator"}',
    help: 'Estimated memory held by the informer cache.',
  },
  objects_total: {
    unit: '1',
    metric: '(simulated) objects of the For() kind',
    promql: 'count(kube_customresource_info)  # e.g. via kube-state-metrics',
    help: 'Objects of the reconciled kind that exist.',
  },
  objects_unreconciled: {
    unit: '1',
    metric: '(simulated) backlog',
    promql: '# no direct metric: compare observedGeneration with generation',
    help: 'Objects changed since their last successful reconcile (the real backlog).',
  },
} as const satisfies Record<string, SeriesInfo>;

export type SeriesKey = keyof typeof SERIES;
export const SERIES_KEYS = Object.keys(SERIES) as SeriesKey[];

/** One sample: every series' value at (or over the interval ending at) time t. */
export interface Sample {
  t: Nanos;
  v: Record<SeriesKey, number>;
  /**
   * Heatmap column: per-bucket counts of controller_runtime_reconcile_time_seconds observed in
   * this interval (not cumulative), aligned with RECONCILE_TIME_BUCKETS of the metrics module.
   */
  reconcileTimeBuckets: number[];
}

/** A scenario event drawn as an annotation on the time axis. */
export interface RunEvent {
  t: Nanos;
  kind:
    | 'bulkCreate'
    | 'updateStorm'
    | 'bulkDelete'
    | 'churnStart'
    | 'brownoutStart'
    | 'brownoutEnd'
    | 'watchDisconnect'
    | 'relist'
    | 'leaderFailover'
    | 'leaderElected'
    | 'hotKey'
    | 'cacheSynced';
  label: string;
}

/** A log line as controller-runtime / client-go would print it. */
export interface LogLine {
  t: Nanos;
  level: 'info' | 'error' | 'debug';
  /** e.g. "controller-runtime", "client-go", "reconciler" */
  logger: string;
  msg: string;
  /** Structured key/values, e.g. controller, namespace, name, reconcileID, error. */
  kv: Record<string, string | number>;
}

/** Stages a request or item can spend time in (the why-waiting trace). */
export type TraceStage =
  | 'enqueued'
  | 'backoff'
  | 'bucket'
  | 'waitingForWorker'
  | 'dedup'
  | 'reconcile'
  | 'clientThrottle'
  | 'apfQueue'
  | 'execution'
  | 'retrySleep'
  | 'limiterWait'
  | 'external'
  | 'cacheRead';

export interface TraceSpan {
  /** namespace/name of the object (the reconcile.Request). */
  key: string;
  stage: TraceStage;
  start: Nanos;
  end: Nanos;
  /** e.g. "PUT databases 429 (queue-full), Retry-After 1s" */
  detail?: string;
}

export interface RunResult {
  samples: Sample[];
  events: RunEvent[];
  logs: LogLine[];
  /** Prometheus text exposition of the final metrics. */
  metricsText: string;
  /** Spans for the why-waiting view (bounded: see the engine README). */
  trace: TraceSpan[];
  /** Summary figures for A/B comparison and exercises. */
  summary: RunSummary;
}

export interface RunSummary {
  virtualSeconds: number;
  reconciles: number;
  reconcileErrors: number;
  throughputPerSecond: number;
  reconcileP99Seconds: number;
  queueWaitP99Seconds: number;
  apiRequests: number;
  apiRequests429: number;
  cacheReads: number;
  /** Time when the backlog first reached zero after the last workload step, or null. */
  drainedAtSeconds: number | null;
}

/**
 * A live simulation, advanced in steps (the worker paces it against wall time). Implemented
 * in src/engine/sim; created with createSimulation(settings, scenario, { sampleEvery }).
 * runScenario(settings, scenario, { until, sampleEvery }) is the batch form returning RunResult.
 */
export interface SimulationApi {
  /** Current virtual time. */
  now(): Nanos;
  /** End of the scenario (its duration). */
  end(): Nanos;
  /** Advances virtual time by d (never past end()) and returns the samples taken meanwhile. */
  advance(d: Nanos): Sample[];
  /** Runs exactly one engine event; returns any sample it completed. */
  stepEvent(): Sample[];
  /** Runs until the next reconcile finishes (or end()); returns samples taken meanwhile. */
  stepReconcile(): Sample[];
  /** Scenario events, log lines and trace spans produced since the last drain. */
  drainEvents(): RunEvent[];
  drainLogs(): LogLine[];
  /** Why-waiting spans for one object (namespace/name), optionally within [from, to]. */
  traceFor(key: string, from?: Nanos, to?: Nanos): TraceSpan[];
  /** Keys of objects that have trace spans (for a picker). */
  tracedKeys(): string[];
  metricsText(): string;
  summary(): RunSummary;
  done(): boolean;
}
