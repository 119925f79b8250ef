/**
 * The engine's public surface (issue 3). Names mirror Go in camelCase; all times are Nanos.
 * Other helpers append `export … from './…'` lines below the engine-core block.
 */

// --- engine core (owned by the engine-core helper) ---
export * from './time';
export { EventLoop } from './loop';
export { Rng } from './prng';
export * from './metrics';
export { Inf, InfDuration, Limiter, every, durationSeconds } from './rate';
export type { Reservation, LimiterOptions, XTimeVersion } from './rate';
export { TokenBucketRateLimiter } from './flowcontrol';
export * from './ratelimiters';
export * from './process';
export {
  Queue,
  Fifo,
  QueueMetrics,
  UnfinishedWorkTicker,
  registerWorkqueueMetrics,
  LATEST_WORKQUEUE_METRICS,
  LEGACY_WORKQUEUE_DURATION_BUCKETS,
  UNFINISHED_WORK_UPDATE_PERIOD,
} from './queue';
export type { QueueOptions, QueueObserver, GetResult, WorkqueueMetricsStyle } from './queue';
export { DelayingQueue } from './delaying-queue';
export { RateLimitingQueue } from './ratelimiting-queue';
export { PriorityQueue, LowPriority } from './priority-queue';
export type { AddOpts, PriorityGetResult } from './priority-queue';
export {
  Controller,
  ClientGoQueueAdapter,
  ReconcilePanic,
  registerControllerMetrics,
} from './controller';
export type {
  ControllerOptions,
  ControllerObserver,
  ControllerQueue,
  Reconciler,
  ReconcileResult,
  ReconcileError,
  ReconcileOutcome,
  ReconcileInfo,
  ReconcileEnd,
  ResultLabel,
} from './controller';
export * from './profiles';
export type * from './settings';
export { CR_VERSIONS, LATEST_CR_VERSION } from './settings';

// --- other helpers append below ---
export { ObjectStore, cloneObject, matchesLabels, objectKeyOf } from './apiserver/object-store';
export type {
  KubeObject,
  ObjectMeta,
  OwnerReference,
  Fields,
  FieldValue,
  NewObject,
  ObjectUpdate,
  MergePatch,
  WatchEvent,
  WatchOptions,
  Watch,
  WatchCloseReason,
  ListOptions,
  ListResult,
} from './apiserver/object-store';
export * from './apiserver/errors';
export { ApiServer, isMutating } from './apiserver/server';
export type { ApiRequest, ApiResponse, ApiServerOptions, Verb } from './apiserver/server';
export {
  apiServerPreset,
  serviceAccountUser,
  OPERATOR_USER,
  DEFAULT_PRIORITY_LEVELS,
  DEFAULT_FLOW_SCHEMAS,
  SERVICE_TIMES,
} from './apiserver/config';
export type {
  ApiServerConfig,
  UserInfo,
  PriorityLevelSpec,
  FlowSchemaSpec,
} from './apiserver/config';
export { Apf, DroppedRequestsStats, levelMaxSeats, nominalConcurrencyLimit } from './apiserver/apf';
export type { RejectReason, WorkEstimate } from './apiserver/apf';
export { registerApiServerMetrics, registerRestClientMetrics } from './apiserver/metrics';
export { RestClient, DEFAULT_QPS, DEFAULT_BURST, DEFAULT_MAX_RETRIES } from './client/rest-client';
export type {
  ClientResult,
  RequestContext,
  RequestObserver,
  RequestTimings,
  RestClientOptions,
} from './client/rest-client';
export {
  DefaultRetry,
  DefaultBackoff,
  backoffStep,
  retryOnConflict,
  retryOnConflictProc,
  onError,
} from './client/retry';
export type { Backoff } from './client/retry';
export { ExternalApi, limiterWait, DEFAULT_EXTERNAL_PROFILE } from './client/external-api';
export type { ExternalResult } from './client/external-api';
// --- operator-sim helper: scenarios, informers, cache, leader election, runs ---
export {
  parseScenario,
  parseGoDuration,
  formatScenarioErrors,
  DEFAULT_SCENARIO_ID,
  CLUSTER_PRESETS,
} from './scenario';
export type { ScenarioError, ParseScenarioResult } from './scenario';
export type * from './scenario-types';
export { createSimulation, runScenario, defaultSettings } from './sim/simulation';
export type { SimulationOptions } from './sim/simulation';
export type * from './run-types';
export { SERIES, SERIES_KEYS } from './run-types';
export { Informer } from './informer/informer';
export { Indexer } from './cache/indexer';
export { CacheReader, CONTINUE_NOT_SUPPORTED } from './cache/reader';
export { kindInfo, qualifiedKind, qualifiedResource, bytesPerObject } from './cache/kinds';
export {
  LeaderElector,
  Lease,
  LEASE_DURATION,
  RENEW_DEADLINE,
  RETRY_PERIOD,
} from './leader/election';
