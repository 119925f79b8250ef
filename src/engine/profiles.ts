/**
 * controller-runtime version profiles: the defaults that changed between versions
 * (controller-semantics.md §4.1, §5, §6, §9). Each profile names the client-go and
 * golang.org/x/time versions that version's go.mod pins (§0.1).
 */
import { WORKQUEUE_DURATION_BUCKETS } from './metrics';
import type { WorkqueueMetricsStyle } from './queue';
import { Limiter, type XTimeVersion } from './rate';
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  ItemFastSlowRateLimiter,
  MaxOfRateLimiter,
  WithMaxWaitRateLimiter,
  defaultControllerRateLimiter,
  defaultItemBasedRateLimiter,
  type RateLimiter,
} from './ratelimiters';
import type { CrVersion, RateLimiterSpec } from './settings';
import { LATEST_CR_VERSION } from './settings';
import { Millisecond, Second, type Clock } from './time';

export type QueueKind = 'rateLimiting' | 'priority';

export interface VersionProfile {
  version: CrVersion;
  /** client-go minor version pinned by this controller-runtime version. */
  clientGo: string;
  /** golang.org/x/time behaviour (v0.7.0 behaves as v0.9.0 for everything modelled). */
  xtime: XTimeVersion;
  /** controller.Options.UsePriorityQueue exists (v0.20+). */
  priorityQueueAvailable: boolean;
  /** Its default (true since v0.23). */
  usePriorityQueue: boolean;
  /** rest.Config from ctrl.GetConfig: QPS/Burst when left at 0 (§6). QPS < 0: limiter off. */
  clientQPS: number;
  clientBurst: number;
  /** RecoverPanic default (true since v0.19). */
  recoverPanic: boolean;
  /** reconcile.Result.Priority exists (v0.23+). */
  resultPriority: boolean;
  /** controller.Options.ReconciliationTimeout exists (v0.22+). */
  reconciliationTimeout: boolean;
  /** Which optional controller_runtime_* counters exist. */
  controllerMetrics: { terminalErrors: boolean; panics: boolean; timeouts: boolean };
  workqueueMetrics: WorkqueueMetricsStyle;
  /** The log line for "error together with Requeue/RequeueAfter" (§4.2). */
  resultAndErrorWarning: string;
  /** When the warning is logged: any non-zero result (older), or Requeue/RequeueAfter set (HEAD). */
  resultAndErrorWarningWhen: 'nonZeroResult' | 'requeueSet';
  /** client-go throttling log: "Waited for …" (≤ v0.32) or structured "Waited before sending request" (v0.33+). */
  throttleLog: 'waitedFor' | 'structured';
}

/** client-go rest defaults (DefaultQPS, DefaultBurst): raw client-go, e.g. rest.InClusterConfig(). */
export const RAW_CLIENT_GO_QPS = 5;
export const RAW_CLIENT_GO_BURST = 10;

/**
 * The older warning text (v0.19 era; the misspelling "reqeueuing" is upstream's). Which minor
 * version switched to the HEAD text is not in the reference; v0.23 (where Result gained
 * Priority and the condition became RequeueAfter/Requeue) is assumed here.
 */
const WARNING_NON_ZERO =
  'Warning: Reconciler returned both a non-zero result and a non-nil error. The result will always be ignored if the error is non-nil and the non-nil error causes reqeueuing with exponential backoff. For more details, see: https://pkg.go.dev/sigs.k8s.io/controller-runtime/pkg/reconcile#Reconciler';
const WARNING_HEAD =
  'Warning: Reconciler returned both a result with either RequeueAfter or Requeue set and a non-nil error. RequeueAfter and Requeue will always be ignored if the error is non-nil. For more details, see: https://pkg.go.dev/sigs.k8s.io/controller-runtime/pkg/reconcile#Reconciler';

const WQ_V19: WorkqueueMetricsStyle = {
  controllerLabel: true,
  priorityLabel: false,
  buckets: WORKQUEUE_DURATION_BUCKETS,
};
const WQ_V21: WorkqueueMetricsStyle = {
  controllerLabel: true,
  priorityLabel: true,
  buckets: WORKQUEUE_DURATION_BUCKETS,
};

export const PROFILES: Readonly<Record<CrVersion, VersionProfile>> = {
  'v0.19': {
    version: 'v0.19',
    clientGo: 'v0.31',
    xtime: 'v0.3.0',
    priorityQueueAvailable: false,
    usePriorityQueue: false,
    clientQPS: 20,
    clientBurst: 30,
    recoverPanic: true,
    resultPriority: false,
    reconciliationTimeout: false,
    controllerMetrics: { terminalErrors: true, panics: true, timeouts: false },
    workqueueMetrics: WQ_V19,
    resultAndErrorWarning: WARNING_NON_ZERO,
    resultAndErrorWarningWhen: 'nonZeroResult',
    throttleLog: 'waitedFor',
  },
  'v0.20': {
    version: 'v0.20',
    clientGo: 'v0.32',
    xtime: 'v0.9.0',
    priorityQueueAvailable: true,
    usePriorityQueue: false,
    clientQPS: 20,
    clientBurst: 30,
    recoverPanic: true,
    resultPriority: false,
    reconciliationTimeout: false,
    controllerMetrics: { terminalErrors: true, panics: true, timeouts: false },
    workqueueMetrics: WQ_V19,
    resultAndErrorWarning: WARNING_NON_ZERO,
    resultAndErrorWarningWhen: 'nonZeroResult',
    throttleLog: 'waitedFor',
  },
  'v0.22': {
    version: 'v0.22',
    clientGo: 'v0.34',
    xtime: 'v0.9.0',
    priorityQueueAvailable: true,
    usePriorityQueue: false,
    // v0.21+: GetConfig sets QPS −1 (client-side limiting off); Burst is left alone (0, which
    // client-go turns into its default 10 if the learner re-enables QPS).
    clientQPS: -1,
    clientBurst: RAW_CLIENT_GO_BURST,
    recoverPanic: true,
    resultPriority: false,
    reconciliationTimeout: true,
    controllerMetrics: { terminalErrors: true, panics: true, timeouts: false },
    workqueueMetrics: WQ_V21,
    resultAndErrorWarning: WARNING_NON_ZERO,
    resultAndErrorWarningWhen: 'nonZeroResult',
    throttleLog: 'structured',
  },
  'v0.23': {
    version: 'v0.23',
    clientGo: 'v0.35',
    xtime: 'v0.9.0',
    priorityQueueAvailable: true,
    usePriorityQueue: true,
    clientQPS: -1,
    clientBurst: RAW_CLIENT_GO_BURST,
    recoverPanic: true,
    resultPriority: true,
    reconciliationTimeout: true,
    controllerMetrics: { terminalErrors: true, panics: true, timeouts: true },
    workqueueMetrics: WQ_V21,
    resultAndErrorWarning: WARNING_HEAD,
    resultAndErrorWarningWhen: 'requeueSet',
    throttleLog: 'structured',
  },
};

export function profileFor(version: CrVersion = LATEST_CR_VERSION): VersionProfile {
  return PROFILES[version];
}

/** The controller's queue: the priority queue if available and enabled (default from v0.23). */
export function queueKindFor(p: VersionProfile, usePriorityQueue?: boolean): QueueKind {
  return p.priorityQueueAvailable && (usePriorityQueue ?? p.usePriorityQueue)
    ? 'priority'
    : 'rateLimiting';
}

/**
 * The controller's default rate limiter: exponential (5 ms, 1000 s) only with the priority
 * queue; DefaultTypedControllerRateLimiter (exponential + 10 qps / 100 bucket) otherwise.
 */
export function defaultRateLimiterFor<T>(
  p: VersionProfile,
  kind: QueueKind,
  clock: Clock,
): RateLimiter<T> {
  return kind === 'priority'
    ? new ItemExponentialFailureRateLimiter<T>(5 * Millisecond, 1000 * Second)
    : defaultControllerRateLimiter<T>(clock, { xtime: p.xtime });
}

/** Builds the workqueue rate limiter a RateLimiterSpec describes, for a version and queue kind. */
export function buildRateLimiter<T>(
  spec: RateLimiterSpec,
  p: VersionProfile,
  kind: QueueKind,
  clock: Clock,
): RateLimiter<T> {
  switch (spec.kind) {
    case 'default':
      return defaultRateLimiterFor<T>(p, kind, clock);
    case 'defaultController':
      return defaultControllerRateLimiter<T>(clock, { xtime: p.xtime });
    case 'defaultItemBased':
      return defaultItemBasedRateLimiter<T>();
    case 'itemExponentialFailure':
      return new ItemExponentialFailureRateLimiter<T>(spec.baseDelay, spec.maxDelay);
    case 'itemFastSlow':
      return new ItemFastSlowRateLimiter<T>(spec.fastDelay, spec.slowDelay, spec.maxFastAttempts);
    case 'bucket':
      return new BucketRateLimiter<T>(new Limiter(spec.qps, spec.burst, { xtime: p.xtime }), clock);
    case 'maxOf':
      return new MaxOfRateLimiter<T>(
        ...spec.limiters.map((s) => buildRateLimiter<T>(s, p, kind, clock)),
      );
    case 'withMaxWait':
      return new WithMaxWaitRateLimiter<T>(
        buildRateLimiter<T>(spec.limiter, p, kind, clock),
        spec.maxDelay,
      );
  }
}

/**
 * The client-side limiter a controller-runtime manager's client gets (§6), from the rest.Config
 * values the learner wrote ('default' = not written, so ctrl.GetConfig's rule applies).
 * An explicit QPS 0 / Burst 0 become client-go's 5 / 10; QPS < 0 turns the limiter off.
 * The QPS is a Go float32 (see TokenBucketRateLimiter).
 */
export function clientRateLimit(
  p: VersionProfile,
  client: { qps: number | 'default'; burst: number | 'default' },
): { enabled: boolean; qps: number; burst: number } {
  let qps = client.qps === 'default' ? p.clientQPS : client.qps;
  let burst = client.burst === 'default' ? p.clientBurst : client.burst;
  if (qps === 0) qps = RAW_CLIENT_GO_QPS;
  if (burst === 0) burst = RAW_CLIENT_GO_BURST;
  return { enabled: qps >= 0, qps, burst };
}
