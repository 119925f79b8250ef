import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { Nanos } from '../engine/time';
import type { CrVersion, SimSettings } from '../engine/settings';
import type { Scenario } from '../engine/scenario-types';
import {
  SERIES,
  SERIES_KEYS,
  type LogLine,
  type RunEvent,
  type RunSummary,
  type Sample,
  type SeriesKey,
  type TraceSpan,
} from '../engine/run-types';
import type { Runner, RunnerEvent } from '../worker/runner';
import type { Frame, Speed, StepUnit } from '../worker/protocol';
import { sampleEveryFor } from '../worker/pacing';
import { WorkerRunner } from '../worker/workerRunner';
import { DEFAULT_SCENARIO_ID } from '../engine/scenario';

/**
 * The run slice: what the simulation produced and what the run controls show. Samples are
 * stored as columns (one append-only number array per series) inside a mutable RunData; every
 * append bumps `dataVersion`, which is what charts memoise on. See src/store/README.md.
 */

// ---------------------------------------------------------------------------------------------
// Columns and decimation

/** Columns kept per run; on reaching this, adjacent pairs are merged (halving the count). */
export const MAX_POINTS = 2048;

export interface RunData {
  /** Sample end times (ns). */
  t: number[];
  v: Record<SeriesKey, number[]>;
  /** Per sample: per-bucket counts of controller_runtime_reconcile_time_seconds. */
  buckets: number[][];
  /** How many engine samples each column stands for (1, 2, 4, … after decimation). */
  stride: number;
}

export function emptyRunData(): RunData {
  const v = {} as Record<SeriesKey, number[]>;
  for (const k of SERIES_KEYS) v[k] = [];
  return { t: [], v, buckets: [], stride: 1 };
}

/**
 * How two adjacent columns merge when the data is decimated: rates ('/s') are averaged (two
 * equal intervals: the mean is the exact rate over the merged interval); latencies, gauges and
 * bytes keep the larger value so spikes stay visible; heatmap buckets are summed (counts).
 */
export function mergeRule(k: SeriesKey): 'mean' | 'max' {
  return SERIES[k].unit === '/s' ? 'mean' : 'max';
}

function merge(a: number, b: number, rule: 'mean' | 'max'): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return rule === 'mean' ? (a + b) / 2 : Math.max(a, b);
}

/** Halves a column set in place semantics (returns the new columns). A trailing odd column stays. */
export function decimate(d: RunData): RunData {
  const n = d.t.length;
  const half = Math.floor(n / 2);
  const out = emptyRunData();
  out.stride = d.stride * 2;
  for (let i = 0; i < half; i++) {
    out.t.push(d.t[2 * i + 1]!);
    const a = d.buckets[2 * i] ?? [];
    const b = d.buckets[2 * i + 1] ?? [];
    const len = Math.max(a.length, b.length);
    const s: number[] = new Array<number>(len);
    for (let j = 0; j < len; j++) s[j] = (a[j] ?? 0) + (b[j] ?? 0);
    out.buckets.push(s);
  }
  for (const k of SERIES_KEYS) {
    const src = d.v[k];
    const dst = out.v[k];
    const rule = mergeRule(k);
    for (let i = 0; i < half; i++) dst.push(merge(src[2 * i]!, src[2 * i + 1]!, rule));
  }
  if (n % 2 === 1) {
    out.t.push(d.t[n - 1]!);
    out.buckets.push(d.buckets[n - 1] ?? []);
    for (const k of SERIES_KEYS) out.v[k].push(d.v[k][n - 1]!);
    // The odd column counts for fewer samples; treated as one column of the new stride.
  }
  return out;
}

/**
 * Appends samples. Returns the same object when no decimation happened, else new columns.
 * While a RunData is decimated (stride > 1), incoming samples are first accumulated in
 * `pending` until `stride` of them can be merged into one column.
 */
export function appendSamples(d: RunData, samples: readonly Sample[], pending: Sample[]): RunData {
  let cur = d;
  for (const s of samples) {
    if (cur.stride === 1) {
      pushSample(cur, s);
    } else {
      pending.push(s);
      if (pending.length >= cur.stride) {
        pushSample(cur, mergeSamples(pending));
        pending.length = 0;
      }
    }
    if (cur.t.length >= MAX_POINTS) cur = decimate(cur);
  }
  return cur;
}

function pushSample(d: RunData, s: Sample): void {
  d.t.push(s.t);
  for (const k of SERIES_KEYS) d.v[k].push(s.v[k] ?? NaN);
  d.buckets.push(s.reconcileTimeBuckets);
}

/** Merges consecutive samples with the same rules as decimate (mean for rates, else max). */
export function mergeSamples(ss: readonly Sample[]): Sample {
  const last = ss[ss.length - 1]!;
  const v = {} as Record<SeriesKey, number>;
  for (const k of SERIES_KEYS) {
    const rule = mergeRule(k);
    let acc = NaN;
    let sum = 0;
    let n = 0;
    for (const s of ss) {
      const x = s.v[k];
      if (x === undefined || Number.isNaN(x)) continue;
      if (rule === 'mean') {
        sum += x;
        n++;
      } else acc = Number.isNaN(acc) ? x : Math.max(acc, x);
    }
    v[k] = rule === 'mean' ? (n > 0 ? sum / n : NaN) : acc;
  }
  const len = Math.max(...ss.map((s) => s.reconcileTimeBuckets.length));
  const b = new Array<number>(len).fill(0);
  for (const s of ss) s.reconcileTimeBuckets.forEach((c, i) => (b[i] = (b[i] ?? 0) + c));
  return { t: last.t, v, reconcileTimeBuckets: b };
}

export function cloneRunData(d: RunData): RunData {
  const v = {} as Record<SeriesKey, number[]>;
  for (const k of SERIES_KEYS) v[k] = d.v[k].slice();
  return { t: d.t.slice(), v, buckets: d.buckets.slice(), stride: d.stride };
}

/** Index of the column at or before time t (binary search), or -1. */
export function indexAt(d: RunData, t: Nanos): number {
  let lo = 0;
  let hi = d.t.length - 1;
  if (hi < 0 || t < d.t[0]!) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (d.t[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------
// Log ring buffer

export const LOG_CAPACITY = 5000;

export class LogRing {
  private buf: LogLine[] = [];
  private start = 0;
  /** Lines ever pushed (including the ones that fell out). */
  total = 0;
  constructor(readonly capacity = LOG_CAPACITY) {}
  push(lines: readonly LogLine[]): void {
    for (const l of lines) {
      this.total++;
      if (this.buf.length < this.capacity) this.buf.push(l);
      else {
        this.buf[this.start] = l;
        this.start = (this.start + 1) % this.capacity;
      }
    }
  }
  size(): number {
    return this.buf.length;
  }
  /** Oldest first. */
  toArray(): LogLine[] {
    return this.buf.slice(this.start).concat(this.buf.slice(0, this.start));
  }
  clear(): void {
    this.buf = [];
    this.start = 0;
    this.total = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// The store

export type RunStatus = 'idle' | 'running' | 'paused' | 'done' | 'crashed';

/** What a run was started with (for "results are stale" and share links). */
export interface RunInputs {
  text: string;
  version: CrVersion;
  scenarioId: string;
  seed: number;
  settingsJson: string;
}

export interface PinnedRun {
  data: RunData;
  events: RunEvent[];
  summary: RunSummary | null;
  inputs: RunInputs;
  end: Nanos;
}

export interface RunState {
  status: RunStatus;
  /** Message shown when the worker crashed or hung (results are kept). */
  crash: string | null;
  /** The engine refused the run (e.g. invalid settings); shown, results kept. */
  runError: string | null;
  speed: Speed;
  scenarioId: string;
  /** null: the scenario's own seed. */
  seed: number | null;
  runId: number;
  now: Nanos;
  end: Nanos;
  data: RunData;
  /** Bumps on every change of `data` (charts memoise on it). */
  dataVersion: number;
  events: RunEvent[];
  logs: LogRing;
  logsVersion: number;
  summary: RunSummary | null;
  tracedKeys: string[];
  inputs: RunInputs | null;
  pinnedA: PinnedRun | null;
  /** Virtual time the learner is looking at (hover/click on a chart, share link). */
  cursor: Nanos | null;
  /** Frames received (for the bench and tests). */
  frames: number;

  run(req: RunRequest): void;
  pause(): void;
  resume(): void;
  step(unit: StepUnit): void;
  setSpeed(speed: Speed): void;
  reset(): void;
  seek(t: Nanos): void;
  setScenarioId(id: string): void;
  setSeed(seed: number | null): void;
  setCursor(t: Nanos | null): void;
  pinA(): void;
  clearA(): void;
  trace(key: string, from?: Nanos, to?: Nanos): Promise<TraceSpan[]>;
  traceAt(t: Nanos): Promise<{ key: string; spans: TraceSpan[] }>;
  metricsText(): Promise<string>;
  /** Test hooks (the worker runner only). */
  debug(kind: 'crash' | 'hang'): void;
}

export interface RunRequest {
  settings: SimSettings;
  scenario: Scenario;
  text: string;
  /** Start paused at t = 0 (for stepping). */
  paused?: boolean;
  /** Run as fast as possible to this time, then pause (share links, seek). */
  seekTo?: Nanos;
}

/** True when the run's results no longer match the code, version, scenario or seed. */
export function isStale(
  inputs: RunInputs | null,
  now: { text: string; version: CrVersion; scenarioId: string; seed: number },
): boolean {
  if (!inputs) return false;
  return (
    inputs.text !== now.text ||
    inputs.version !== now.version ||
    inputs.scenarioId !== now.scenarioId ||
    inputs.seed !== now.seed
  );
}

/** True when the pinned A run can be overlaid on the current run (same scenario and seed). */
export function comparable(a: PinnedRun | null, inputs: RunInputs | null): boolean {
  return (
    !!a && !!inputs && a.inputs.scenarioId === inputs.scenarioId && a.inputs.seed === inputs.seed
  );
}

export type RunnerWithHooks = Runner & { debugCrash?(): void; debugHang?(): void };

/** A held streaming commit is retried this often (ms). */
export const HOLD_RETRY_MS = 4;
/** Streaming commits are never held longer than this after the previous commit (ms). */
export const MAX_HOLD_MS = 400;

export function createRunStore(
  makeRunner: () => RunnerWithHooks,
  opts: {
    scenarioId?: string;
    batchMs?: number;
    nowMs?: () => number;
    /**
     * While this returns true, a due streaming commit waits (retried every HOLD_RETRY_MS, for
     * at most MAX_HOLD_MS after the previous commit): the charts hold commits while one of
     * them is rendered in slices, which a commit would interrupt and restart. Status changes
     * are never held.
     */
    holdCommit?: () => boolean;
  } = {},
): UseBoundStore<StoreApi<RunState>> {
  let runner: RunnerWithHooks | null = null;
  let pending: Sample[] = [];
  let queued: Frame[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let lastFlushMs = -Infinity;
  const batchMs = opts.batchMs ?? 0;
  const nowMs = opts.nowMs ?? (() => performance.now());
  const holdCommit = opts.holdCommit ?? (() => false);

  return create<RunState>((set, get) => {
    function getRunner(): RunnerWithHooks {
      if (!runner) {
        runner = makeRunner();
        runner.subscribe(onEvent);
      }
      return runner;
    }

    function flushFrames(): void {
      if (flushTimer !== null) clearTimeout(flushTimer);
      flushTimer = null;
      lastFlushMs = nowMs();
      const frames = queued;
      queued = [];
      const s = get();
      let data = s.data;
      let events = s.events;
      let logsChanged = false;
      let summary = s.summary;
      let tracedKeys = s.tracedKeys;
      let clearErrors = false;
      let last: Frame | null = null;
      for (const e of frames) {
        if (e.runId !== s.runId) continue;
        if (e.replace) {
          data = emptyRunData();
          pending = [];
          events = [];
          s.logs.clear();
          logsChanged = true;
          clearErrors = true;
        }
        data = appendSamples(data, e.samples, pending);
        if (e.events.length > 0) events = events.concat(e.events);
        if (e.logs.length > 0) {
          s.logs.push(e.logs);
          logsChanged = true;
        }
        if (e.summary) summary = e.summary;
        if (e.tracedKeys) tracedKeys = e.tracedKeys;
        last = e;
      }
      if (!last) return;
      set({
        status: last.status,
        now: last.now,
        end: last.end,
        data,
        dataVersion: s.dataVersion + 1,
        events,
        logsVersion: logsChanged ? s.logsVersion + 1 : s.logsVersion,
        summary,
        tracedKeys,
        frames: s.frames + frames.length,
        ...(clearErrors ? { crash: null, runError: null } : {}),
      });
    }

    /** The batch timer: commits, unless the commit is held (see holdCommit). */
    function onFlushTimer(): void {
      flushTimer = null;
      if (holdCommit() && nowMs() - lastFlushMs < MAX_HOLD_MS) {
        flushTimer = setTimeout(onFlushTimer, HOLD_RETRY_MS);
        return;
      }
      flushFrames();
    }

    function onEvent(e: RunnerEvent): void {
      const s = get();
      switch (e.type) {
        case 'frame': {
          if (e.runId !== s.runId) return;
          queued.push(e);
          // Streaming frames are committed together, one commit (one store update, one React
          // render) every batchMs on a steady cadence: the wait counts from the previous commit,
          // not from this frame's arrival (which would stretch the period by up to a frame
          // interval). A status change is committed at once.
          if (batchMs <= 0 || e.status !== 'running') flushFrames();
          else if (flushTimer === null) {
            flushTimer = setTimeout(onFlushTimer, Math.max(0, lastFlushMs + batchMs - nowMs()));
          }
          return;
        }
        case 'runError':
          if (e.runId !== s.runId) return;
          set({ status: 'idle', runError: `The simulation could not run: ${e.message}` });
          return;
        case 'protocolError':
          set({ runError: `Simulation worker protocol problem: ${e.message}` });
          return;
        case 'crashed':
          set({
            status: 'crashed',
            crash:
              `The simulation stopped: ${e.message}. It has been restarted; your code and the ` +
              'last results are kept. Press Run to run again.',
          });
          return;
        default:
          return;
      }
    }

    return {
      status: 'idle',
      crash: null,
      runError: null,
      speed: 'max',
      scenarioId: opts.scenarioId ?? DEFAULT_SCENARIO_ID,
      seed: null,
      runId: 0,
      now: 0,
      end: 0,
      data: emptyRunData(),
      dataVersion: 0,
      events: [],
      logs: new LogRing(),
      logsVersion: 0,
      summary: null,
      tracedKeys: [],
      inputs: null,
      pinnedA: null,
      cursor: null,
      frames: 0,

      run(req) {
        const s = get();
        const seed = s.seed ?? req.scenario.seed;
        const scenario: Scenario = { ...req.scenario, seed };
        const runId = s.runId + 1;
        const inputs: RunInputs = {
          text: req.text,
          version: req.settings.version,
          scenarioId: req.scenario.id,
          seed,
          settingsJson: JSON.stringify(req.settings),
        };
        pending = [];
        queued = [];
        set({
          runId,
          inputs,
          status: req.paused || req.seekTo !== undefined ? 'paused' : 'running',
          crash: null,
          runError: null,
          summary: null,
          tracedKeys: [],
          now: 0,
          end: scenario.duration,
          data: emptyRunData(),
          dataVersion: s.dataVersion + 1,
          events: [],
          cursor: req.seekTo ?? null,
        });
        s.logs.clear();
        set({ logsVersion: get().logsVersion + 1 });
        getRunner().start({
          runId,
          settings: req.settings,
          scenario,
          speed: s.speed,
          sampleEvery: sampleEveryFor(scenario.duration),
          ...(req.paused ? { paused: true } : {}),
          ...(req.seekTo !== undefined ? { seekTo: req.seekTo } : {}),
        });
        if (req.seekTo !== undefined) set({ status: 'running' });
      },
      pause() {
        if (get().status === 'running') getRunner().pause();
      },
      resume() {
        if (get().status === 'paused') getRunner().resume();
      },
      step(unit) {
        const st = get().status;
        if (st === 'paused') getRunner().step(unit);
      },
      setSpeed(speed) {
        set({ speed });
        getRunner().setSpeed(speed);
      },
      reset() {
        const s = get();
        getRunner().reset();
        pending = [];
        s.logs.clear();
        set({
          runId: s.runId + 1,
          status: 'idle',
          inputs: null,
          now: 0,
          end: 0,
          data: emptyRunData(),
          dataVersion: s.dataVersion + 1,
          events: [],
          summary: null,
          tracedKeys: [],
          cursor: null,
          crash: null,
          runError: null,
          logsVersion: s.logsVersion + 1,
        });
      },
      seek(t) {
        if (!get().inputs) return;
        set({ cursor: t, status: 'running' });
        getRunner().seek(t);
      },
      setScenarioId(id) {
        set({ scenarioId: id });
      },
      setSeed(seed) {
        set({ seed: seed === null || !Number.isFinite(seed) ? null : Math.trunc(seed) });
      },
      setCursor(t) {
        set({ cursor: t });
      },
      pinA() {
        const s = get();
        if (!s.inputs || s.data.t.length === 0) return;
        set({
          pinnedA: {
            data: cloneRunData(s.data),
            events: s.events,
            summary: s.summary,
            inputs: s.inputs,
            end: s.end,
          },
        });
      },
      clearA() {
        set({ pinnedA: null });
      },
      trace(key, from, to) {
        return getRunner().trace(key, from, to);
      },
      traceAt(t) {
        return getRunner().traceAt(t);
      },
      metricsText() {
        return getRunner().metrics();
      },
      debug(kind) {
        const r = getRunner();
        if (kind === 'crash') r.debugCrash?.();
        else r.debugHang?.();
      },
    };
  });
}

/**
 * Streaming frames are committed to the app's store this often (ms): one React render, one
 * paint of the run panel (clock, charts, sentences) per commit, about 14 a second (timers fire
 * late on a busy machine: the cadence leaves room for that above 10 a second).
 */
export const STREAM_BATCH_MS = 70;

let appCommitHold: () => boolean = () => false;

/** Sets what holds the app store's streaming commits (the dashboard: a chart being drawn). */
export function setStreamingCommitHold(hold: () => boolean): void {
  appCommitHold = hold;
}

/** The app's run store: the engine in a Web Worker (created on the first Run). */
export const useRunStore = createRunStore(() => new WorkerRunner(), {
  batchMs: STREAM_BATCH_MS,
  holdCommit: () => appCommitHold(),
});
