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
export type * from './settings';
export { CR_VERSIONS, LATEST_CR_VERSION } from './settings';

// --- other helpers append below ---
