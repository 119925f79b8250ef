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
