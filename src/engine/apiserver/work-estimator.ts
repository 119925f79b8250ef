/**
 * APF work estimation ("width"), k8s.io/apiserver pkg/util/flowcontrol/request
 * (apiserver-and-scale.md §1.2, §10.1).
 */
import type { Nanos } from '../time';
import { Millisecond } from '../time';
import type { ListWorkEstimator } from './config';
import type { WorkEstimate } from './apf';

/** MaximumListSeatsLimit by object count (≤ 1.33). */
export const MAX_LIST_SEATS_BY_COUNT = 10;
/** MaximumListSeatsLimit with SizeBasedListCostEstimate (≥ 1.34). */
export const MAX_LIST_SEATS_BY_SIZE = 100;
/** ObjectsPerSeat. */
export const OBJECTS_PER_SEAT = 100;
/** Bytes per seat for the size-based estimator (100 kB). */
export const BYTES_PER_SEAT = 100_000;
/** Cache-served lists are charged for at most 1 MB of memory. */
export const CACHE_LIST_BYTES_CAP = 1_000_000;
/** Mutating: WatchesPerSeat and the per-event additional duration. */
export const WATCHES_PER_SEAT = 10;
export const EVENT_ADDITIONAL_DURATION: Nanos = 5 * Millisecond;
/** MaximumMutatingSeatsLimit. */
export const MAX_MUTATING_SEATS = 10;

export interface ListEstimateInput {
  /** Objects of the resource in storage (all namespaces, as the count tracker reports). */
  numStored: number;
  /** listOptions.limit (0 or undefined: none). */
  limit?: number;
  hasSelector: boolean;
  /** Served from the watch cache (not shouldListFromStorage). */
  fromCache: boolean;
  /** A LIST with metadata.name= (single object). */
  singleName?: boolean;
  /** Average stored object size in bytes (size-based estimator). */
  avgObjectBytes: number;
  estimator: ListWorkEstimator;
  /** The level's per-request cap (levelMaxSeats). */
  levelMaxSeats: number;
}

/** Objects the LIST will process (list_work_estimator.go). */
export function estimatedObjectsProcessed(i: ListEstimateInput): number {
  if (i.singleName) return 1;
  const limit = i.limit && i.limit > 0 && i.limit < i.numStored ? i.limit : i.numStored;
  if (i.fromCache) return i.numStored;
  if (i.hasSelector) return i.numStored + limit;
  return 2 * limit;
}

export function listSeats(i: ListEstimateInput): number {
  const objects = estimatedObjectsProcessed(i);
  let seats: number;
  let max: number;
  if (i.estimator === 'objectCount') {
    seats = Math.ceil(objects / OBJECTS_PER_SEAT);
    max = MAX_LIST_SEATS_BY_COUNT;
  } else {
    let bytes = objects * i.avgObjectBytes;
    if (i.fromCache && bytes > CACHE_LIST_BYTES_CAP) bytes = CACHE_LIST_BYTES_CAP;
    seats = Math.ceil(bytes / BYTES_PER_SEAT);
    max = MAX_LIST_SEATS_BY_SIZE;
  }
  max = Math.min(max, Math.max(1, i.levelMaxSeats));
  if (seats < 1) seats = 1;
  if (seats > max) seats = max;
  return seats;
}

/**
 * mutating_work_estimator.go: 1 seat to execute; with ≥ 10 watchers an extra final phase of
 * ceil(watchers/10) seats (≤ max) lasting the same total work (watchers/10 × 5 ms).
 */
export function mutatingWork(watchers: number, levelMaxSeats: number): WorkEstimate {
  if (watchers < WATCHES_PER_SEAT) return { initialSeats: 1, finalSeats: 0, additionalLatency: 0 };
  const max = Math.min(MAX_MUTATING_SEATS, Math.max(1, levelMaxSeats));
  const wanted = Math.ceil(watchers / WATCHES_PER_SEAT);
  const finalWork = wanted * EVENT_ADDITIONAL_DURATION; // seat-nanoseconds
  const finalSeats = Math.min(wanted, max);
  return { initialSeats: 1, finalSeats, additionalLatency: Math.round(finalWork / finalSeats) };
}

export const ONE_SEAT: WorkEstimate = { initialSeats: 1, finalSeats: 0, additionalLatency: 0 };
