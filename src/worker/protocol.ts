/**
 * The message protocol between the main thread and the simulation worker. Every message
 * carries `v` (PROTOCOL_VERSION); a side that receives another version answers with a
 * `protocolError` (worker) or reports it as a crash (main thread) instead of guessing.
 *
 * Frames are the only way samples reach the main thread: the worker batches the samples,
 * scenario events and log lines produced since the last frame and posts them together,
 * at most once per FRAME_INTERVAL_MS of wall time (a few times per animation frame at most).
 */
import type { Nanos } from '../engine/time';
import type { SimSettings } from '../engine/settings';
import type { Scenario } from '../engine/scenario-types';
import type { LogLine, RunEvent, RunSummary, Sample, TraceSpan } from '../engine/run-types';

export const PROTOCOL_VERSION = 1;

/** Wall milliseconds between two frames while a run streams (≈ 30 frames/s). */
export const FRAME_INTERVAL_MS = 33;
/** The worker says it is alive this often (wall ms), busy or not. */
export const HEARTBEAT_INTERVAL_MS = 500;
/** No message for this long while a run is active ⇒ the worker is declared hung. */
export const HEARTBEAT_TIMEOUT_MS = 4000;

/** Speed: virtual seconds per wall second; 'max' is "as fast as possible". */
export type Speed = number | 'max';
export const SPEEDS: readonly Speed[] = [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 100, 250, 1000, 'max'];
export const MIN_SPEED = 0.1;
export const MAX_SPEED = 1000;

export type StepUnit = 'event' | 'reconcile' | 'second';

/** What the worker is doing with the current run. */
export type HostStatus = 'idle' | 'running' | 'paused' | 'done';

export interface StartParams {
  /** Chosen by the main thread; every frame echoes it so stale frames can be dropped. */
  runId: number;
  settings: SimSettings;
  scenario: Scenario;
  speed: Speed;
  sampleEvery: Nanos;
  /** Start paused (for stepping from t = 0). */
  paused?: boolean;
  /** Run (as fast as possible) to this virtual time, then pause: deterministic seek. */
  seekTo?: Nanos;
}

export type ToWorker =
  | ({ v: number; type: 'start' } & StartParams)
  | { v: number; type: 'pause' }
  | { v: number; type: 'resume' }
  | { v: number; type: 'setSpeed'; speed: Speed }
  | { v: number; type: 'step'; unit: StepUnit }
  /** Re-runs the current run from t = 0 to `t` (deterministic), then pauses. */
  | { v: number; type: 'seek'; t: Nanos }
  | { v: number; type: 'reset' }
  | { v: number; type: 'trace'; reqId: number; key: string; from?: Nanos; to?: Nanos }
  /** Which traced item was waiting longest at time t (click on the queue-wait panel). */
  | { v: number; type: 'traceAt'; reqId: number; t: Nanos }
  | { v: number; type: 'metrics'; reqId: number }
  /** Test hooks: make the worker throw, or block it forever (the watchdog must notice). */
  | { v: number; type: 'debugCrash' }
  | { v: number; type: 'debugHang' };

export interface Frame {
  v: number;
  type: 'frame';
  runId: number;
  status: HostStatus;
  now: Nanos;
  end: Nanos;
  samples: Sample[];
  events: RunEvent[];
  logs: LogLine[];
  /** Present when it changed since the last frame. */
  tracedKeys?: string[];
  /** Present on a status change and at most every few hundred ms. */
  summary?: RunSummary;
  /** True when this frame starts a fresh series (start, seek): drop what you hold. */
  replace?: boolean;
}

export type FromWorker =
  | { v: number; type: 'ready' }
  | { v: number; type: 'heartbeat' }
  | Frame
  | { v: number; type: 'traceResult'; reqId: number; key: string; spans: TraceSpan[] }
  | { v: number; type: 'metricsResult'; reqId: number; text: string }
  /** The engine threw while creating or advancing a run (bad settings, engine bug). */
  | { v: number; type: 'runError'; runId: number; message: string }
  | { v: number; type: 'protocolError'; message: string };

type Untagged<T> = T extends unknown ? Omit<T, 'v'> : never;

export function toWorker(m: Untagged<ToWorker>): ToWorker {
  return { v: PROTOCOL_VERSION, ...m } as ToWorker;
}

export function fromWorker(m: Untagged<FromWorker>): FromWorker {
  return { v: PROTOCOL_VERSION, ...m } as FromWorker;
}

const TO_WORKER_TYPES = new Set([
  'start',
  'pause',
  'resume',
  'setSpeed',
  'step',
  'seek',
  'reset',
  'trace',
  'traceAt',
  'metrics',
  'debugCrash',
  'debugHang',
]);
const FROM_WORKER_TYPES = new Set([
  'ready',
  'heartbeat',
  'frame',
  'traceResult',
  'metricsResult',
  'runError',
  'protocolError',
]);

export type Checked<T> = { ok: true; msg: T } | { ok: false; error: string };

function check<T>(data: unknown, types: Set<string>, side: string): Checked<T> {
  if (typeof data !== 'object' || data === null) {
    return { ok: false, error: `${side}: message is not an object` };
  }
  const m = data as { v?: unknown; type?: unknown };
  if (m.v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      error: `${side}: protocol version ${String(m.v)} is not supported (expected ${PROTOCOL_VERSION})`,
    };
  }
  if (typeof m.type !== 'string' || !types.has(m.type)) {
    return { ok: false, error: `${side}: unknown message type ${String(m.type)}` };
  }
  return { ok: true, msg: data as T };
}

/** Validates a message received by the worker. */
export function checkToWorker(data: unknown): Checked<ToWorker> {
  return check<ToWorker>(data, TO_WORKER_TYPES, 'worker');
}

/** Validates a message received by the main thread. */
export function checkFromWorker(data: unknown): Checked<FromWorker> {
  return check<FromWorker>(data, FROM_WORKER_TYPES, 'main thread');
}

/** A speed as the UI writes it: "0.1×", "100×", "max". */
export function formatSpeed(s: Speed): string {
  return s === 'max' ? 'as fast as possible' : `${s}×`;
}

/** Clamps a speed into [MIN_SPEED, MAX_SPEED]; NaN and non-positive become 1×. */
export function clampSpeed(s: Speed): Speed {
  if (s === 'max') return s;
  if (!Number.isFinite(s) || s <= 0) return 1;
  return Math.min(MAX_SPEED, Math.max(MIN_SPEED, s));
}
