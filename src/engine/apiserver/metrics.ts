/**
 * Metric families of the API server side and of the REST client, with the real names, labels
 * and buckets (apiserver-and-scale.md §1.6, controller-semantics.md §5.3). Registration is
 * idempotent, so every component calls it on the shared registry.
 */
import { REST_CLIENT_LATENCY_BUCKETS, type MetricsRegistry } from '../metrics';

/** apiserver_flowcontrol_request_wait_duration_seconds buckets (§1.6). */
export const APF_REQUEST_WAIT_BUCKETS: readonly number[] = [
  0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30,
];

/**
 * apiserver_request_duration_seconds buckets (k8s.io/apiserver endpoints/metrics, 5 ms … 60 s
 * as §1.6 says; the individual bounds are the current upstream list).
 */
export const APISERVER_REQUEST_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45,
  60,
];

/** apiserver_flowcontrol_request_queue_length_after_enqueue buckets (§1.6). */
export const APF_QUEUE_LENGTH_BUCKETS: readonly number[] = [0, 10, 25, 50, 100, 250, 500, 1000];

const FLOW = ['priority_level', 'flow_schema'] as const;

export function registerApiServerMetrics(r: MetricsRegistry): void {
  r.register({
    name: 'apiserver_flowcontrol_rejected_requests_total',
    help: 'Number of requests rejected by API Priority and Fairness subsystem',
    type: 'counter',
    labelNames: [...FLOW, 'reason'],
  });
  r.register({
    name: 'apiserver_flowcontrol_dispatched_requests_total',
    help: 'Number of requests executed by API Priority and Fairness subsystem',
    type: 'counter',
    labelNames: FLOW,
  });
  r.register({
    name: 'apiserver_flowcontrol_current_inqueue_requests',
    help: 'Number of requests currently pending in queues of the API Priority and Fairness subsystem',
    type: 'gauge',
    labelNames: FLOW,
  });
  r.register({
    name: 'apiserver_flowcontrol_current_executing_requests',
    help: 'Number of requests in initial (for a WATCH) or any (for a non-WATCH) execution stage in the API Priority and Fairness subsystem',
    type: 'gauge',
    labelNames: FLOW,
  });
  r.register({
    name: 'apiserver_flowcontrol_current_executing_seats',
    help: 'Concurrency (number of seats) occupied by the currently executing (initial stage for a WATCH, any stage otherwise) requests in the API Priority and Fairness subsystem',
    type: 'gauge',
    labelNames: FLOW,
  });
  r.register({
    name: 'apiserver_flowcontrol_request_concurrency_in_use',
    help: 'Concurrency (number of seats) occupied by the currently executing (initial stage for a WATCH, any stage otherwise) requests in the API Priority and Fairness subsystem',
    type: 'gauge',
    labelNames: FLOW,
  });
  r.register({
    name: 'apiserver_flowcontrol_request_wait_duration_seconds',
    help: 'Length of time a request spent waiting in its queue',
    type: 'histogram',
    labelNames: [...FLOW, 'execute'],
    buckets: APF_REQUEST_WAIT_BUCKETS,
  });
  r.register({
    name: 'apiserver_flowcontrol_request_queue_length_after_enqueue',
    help: 'Length of queue in the API Priority and Fairness subsystem, as seen by each request after it is enqueued',
    type: 'histogram',
    labelNames: FLOW,
    buckets: APF_QUEUE_LENGTH_BUCKETS,
  });
  for (const name of [
    'apiserver_flowcontrol_nominal_limit_seats',
    'apiserver_flowcontrol_lower_limit_seats',
    'apiserver_flowcontrol_upper_limit_seats',
    'apiserver_flowcontrol_current_limit_seats',
  ]) {
    r.register({
      name,
      help: `${name.replace('apiserver_flowcontrol_', '').replace(/_/g, ' ')} per priority level`,
      type: 'gauge',
      labelNames: ['priority_level'],
    });
  }
  r.register({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
    type: 'counter',
    labelNames: ['code', 'verb', 'resource'],
  });
  r.register({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
    type: 'histogram',
    labelNames: ['verb', 'resource'],
    buckets: APISERVER_REQUEST_DURATION_BUCKETS,
  });
}

export function registerRestClientMetrics(r: MetricsRegistry): void {
  r.register({
    name: 'rest_client_requests_total',
    help: 'Number of HTTP requests, partitioned by status code, method, and host.',
    type: 'counter',
    labelNames: ['code', 'method', 'host'],
  });
  r.register({
    name: 'rest_client_request_duration_seconds',
    help: 'Request latency in seconds. Broken down by verb, and host.',
    type: 'histogram',
    labelNames: ['verb', 'host'],
    buckets: REST_CLIENT_LATENCY_BUCKETS,
  });
  r.register({
    name: 'rest_client_rate_limiter_duration_seconds',
    help: 'Client side rate limiter latency in seconds. Broken down by verb, and host.',
    type: 'histogram',
    labelNames: ['verb', 'host'],
    buckets: REST_CLIENT_LATENCY_BUCKETS,
  });
  r.register({
    name: 'rest_client_request_retries_total',
    help: 'Number of request retries, partitioned by status code, verb, and host.',
    type: 'counter',
    labelNames: ['code', 'verb', 'host'],
  });
}
