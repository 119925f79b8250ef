/**
 * SimHost: the part of the worker that owns a run. It receives commands (protocol.ts), drives a
 * SimulationApi in bounded slices of wall time, paces it at the chosen speed, and posts batched
 * frames. It knows nothing about Web Workers: sim.worker.ts gives it the real clock and
 * postMessage, the in-process runner gives it a manual clock (tests drive it with ticks).
 */
import type { Nanos } from '../engine/time';
import { Second } from '../engine/time';
import type { SimSettings } from '../engine/settings';
import type { Scenario } from '../engine/scenario-types';
import type { Sample, SimulationApi, TraceSpan, TraceStage } from '../engine/run-types';
import {
  FRAME_INTERVAL_MS,
  PROTOCOL_VERSION,
  fromWorker,
  type Frame,
  type FromWorker,
  type HostStatus,
  type StartParams,
  type StepUnit,
  type ToWorker,
} from './protocol';
import { Pacer } from './pacing';

export type SimFactory = (
  settings: SimSettings,
  scenario: Scenario,
  opts: { sampleEvery: Nanos },
) => SimulationApi;

export interface HostDeps {
  createSimulation: SimFactory;
  /** Wall clock in milliseconds (performance.now in the worker). */
  nowMs(): number;
  post(m: FromWorker): void;
}

/** Longest stretch of wall time one slice may compute before yielding (keeps messages flowing). */
export const SLICE_BUDGET_MS = 10;
/** Summaries are recomputed at most this often while streaming (wall ms). */
const SUMMARY_INTERVAL_MS = 250;
/** The list of traced keys is re-sent at most this often while streaming (wall ms). */
const KEYS_INTERVAL_MS = 1000;
/** A frame carries at most this many log lines (the newest); the store keeps a ring anyway. */
export const MAX_LOGS_PER_FRAME = 2000;

type Mode = 'live' | 'seek';

export class SimHost {
  private sim: SimulationApi | null = null;
  private params: StartParams | null = null;
  private status: HostStatus = 'idle';
  private mode: Mode = 'live';
  private seekTo: Nanos = 0;
  private pacer = new Pacer(1);
  private pendingSamples: Sample[] = [];
  private replaceNext = false;
  private lastFrameMs = -Infinity;
  private lastSummaryMs = -Infinity;
  private lastKeysMs = -Infinity;
  private lastKeysCount = -1;

  constructor(private deps: HostDeps) {}

  getStatus(): HostStatus {
    return this.status;
  }

  /** Whether slice() has work to do right now. */
  busy(): boolean {
    return this.sim !== null && this.status === 'running';
  }

  handle(msg: ToWorker): void {
    switch (msg.type) {
      case 'start':
        this.start(msg);
        break;
      case 'pause':
        if (this.status === 'running') {
          this.status = 'paused';
          this.flush(true);
        }
        break;
      case 'resume':
        if (this.sim && this.status === 'paused') {
          this.status = 'running';
          this.mode = 'live';
          this.pacer.anchor(this.deps.nowMs(), this.sim.now());
          this.flush(true);
        }
        break;
      case 'setSpeed':
        this.pacer.setSpeed(msg.speed, this.deps.nowMs(), this.sim?.now() ?? 0);
        if (this.params) this.params = { ...this.params, speed: msg.speed };
        break;
      case 'step':
        this.step(msg.unit);
        break;
      case 'seek':
        if (this.params) this.start({ ...this.params, seekTo: msg.t, paused: false });
        break;
      case 'reset':
        this.sim = null;
        this.status = 'idle';
        this.pendingSamples = [];
        this.replaceNext = true;
        this.flush(true);
        break;
      case 'trace':
        this.deps.post(
          fromWorker({
            type: 'traceResult',
            reqId: msg.reqId,
            key: msg.key,
            spans: this.sim
              ? this.safe(() => this.sim!.traceFor(msg.key, msg.from, msg.to), [])
              : [],
          }),
        );
        break;
      case 'traceAt': {
        const found = this.sim ? this.safe(() => waitingAt(this.sim!, msg.t), null) : null;
        this.deps.post(
          fromWorker({
            type: 'traceResult',
            reqId: msg.reqId,
            key: found?.key ?? '',
            spans: found?.spans ?? [],
          }),
        );
        break;
      }
      case 'metrics':
        this.deps.post(
          fromWorker({
            type: 'metricsResult',
            reqId: msg.reqId,
            text: this.sim ? this.safe(() => this.sim!.metricsText(), '') : '',
          }),
        );
        break;
      case 'debugCrash':
      case 'debugHang':
        // Handled by the worker shell (they are about the thread, not the run).
        break;
    }
  }

  private start(p: StartParams): void {
    this.params = {
      runId: p.runId,
      settings: p.settings,
      scenario: p.scenario,
      speed: p.speed,
      sampleEvery: p.sampleEvery,
    };
    this.pendingSamples = [];
    this.replaceNext = true;
    this.lastKeysCount = -1;
    this.lastSummaryMs = -Infinity;
    this.lastKeysMs = -Infinity;
    try {
      this.sim = this.deps.createSimulation(p.settings, p.scenario, {
        sampleEvery: p.sampleEvery,
      });
    } catch (e) {
      this.fail(e);
      return;
    }
    this.pacer = new Pacer(p.speed);
    this.pacer.anchor(this.deps.nowMs(), this.sim.now());
    if (p.seekTo !== undefined) {
      this.mode = 'seek';
      this.seekTo = p.seekTo;
      this.status = 'running';
    } else {
      this.mode = 'live';
      this.status = p.paused ? 'paused' : 'running';
    }
    this.flush(true);
  }

  private step(unit: StepUnit): void {
    const sim = this.sim;
    if (!sim || this.status === 'running' || this.status === 'done') return;
    if (sim.done()) {
      this.status = 'done';
      this.flush(true);
      return;
    }
    try {
      const s =
        unit === 'event'
          ? sim.stepEvent()
          : unit === 'reconcile'
            ? sim.stepReconcile()
            : sim.advance(Math.min(Second, sim.end() - sim.now()));
      this.pendingSamples.push(...s);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.status = sim.done() ? 'done' : 'paused';
    this.flush(true);
  }

  /**
   * One slice of work. Returns the wall delay (ms) before the next slice should run: 0 to
   * continue at once (after yielding to messages), a positive number when the run is ahead of
   * its pace, or null when there is nothing to do.
   */
  slice(): number | null {
    const sim = this.sim;
    const params = this.params;
    if (!sim || !params || this.status !== 'running') return null;
    const t0 = this.deps.nowMs();
    const chunk = params.sampleEvery;
    try {
      if (this.mode === 'seek') {
        while (sim.now() < this.seekTo && !sim.done()) {
          this.pendingSamples.push(...sim.advance(Math.min(chunk, this.seekTo - sim.now())));
          if (this.deps.nowMs() - t0 >= SLICE_BUDGET_MS) break;
        }
        if (sim.now() >= this.seekTo || sim.done()) {
          this.status = sim.done() ? 'done' : 'paused';
          this.mode = 'live';
          this.flush(true);
          return null;
        }
        this.flushIfDue();
        return 0;
      }
      const target = Math.min(this.pacer.target(t0, sim.now()), sim.end());
      while (sim.now() < target && !sim.done()) {
        this.pendingSamples.push(...sim.advance(Math.min(chunk, target - sim.now())));
        if (this.deps.nowMs() - t0 >= SLICE_BUDGET_MS) break;
      }
    } catch (e) {
      this.fail(e);
      return null;
    }
    if (sim.done()) {
      this.status = 'done';
      this.flush(true);
      return null;
    }
    this.flushIfDue();
    if (this.pacer.getSpeed() === 'max') return 0;
    // Ahead of pace: come back in a little while (half a frame).
    return sim.now() >= this.pacer.target(this.deps.nowMs(), sim.now()) ? 8 : 0;
  }

  private flushIfDue(): void {
    if (this.deps.nowMs() - this.lastFrameMs >= FRAME_INTERVAL_MS) this.flush(false);
  }

  /** Posts one frame with everything produced since the last one. */
  private flush(statusChange: boolean): void {
    const now = this.deps.nowMs();
    this.lastFrameMs = now;
    const sim = this.sim;
    const frame: Frame = {
      v: PROTOCOL_VERSION,
      type: 'frame',
      runId: this.params?.runId ?? 0,
      status: this.status,
      now: sim?.now() ?? 0,
      end: sim?.end() ?? this.params?.scenario.duration ?? 0,
      samples: this.pendingSamples,
      events: [],
      logs: [],
    };
    if (sim) {
      try {
        frame.events = sim.drainEvents();
        const logs = sim.drainLogs();
        frame.logs =
          logs.length > MAX_LOGS_PER_FRAME ? logs.slice(logs.length - MAX_LOGS_PER_FRAME) : logs;
        if (statusChange || now - this.lastSummaryMs >= SUMMARY_INTERVAL_MS) {
          frame.summary = sim.summary();
          this.lastSummaryMs = now;
        }
        if (statusChange || now - this.lastKeysMs >= KEYS_INTERVAL_MS) {
          this.lastKeysMs = now;
          const keys = sim.tracedKeys();
          if (statusChange || keys.length !== this.lastKeysCount) {
            frame.tracedKeys = keys;
            this.lastKeysCount = keys.length;
          }
        }
      } catch (e) {
        this.fail(e);
        return;
      }
    }
    if (this.replaceNext) {
      frame.replace = true;
      this.replaceNext = false;
    }
    this.pendingSamples = [];
    this.deps.post(frame);
  }

  private fail(e: unknown): void {
    const runId = this.params?.runId ?? 0;
    this.sim = null;
    this.status = 'idle';
    this.pendingSamples = [];
    const message = e instanceof Error ? e.message : String(e);
    this.deps.post(fromWorker({ type: 'runError', runId, message }));
  }

  private safe<T>(f: () => T, fallback: T): T {
    try {
      return f();
    } catch {
      return fallback;
    }
  }
}

/** Stages in which an item is waiting rather than being worked on. */
export const WAIT_STAGES: ReadonlySet<TraceStage> = new Set<TraceStage>([
  'backoff',
  'bucket',
  'waitingForWorker',
  'dedup',
  'clientThrottle',
  'apfQueue',
  'retrySleep',
  'limiterWait',
]);
/** At most this many keys are scanned for "who was waiting at t" (the trace is bounded anyway). */
export const MAX_SCAN_KEYS = 20_000;

/**
 * The traced item that had been waiting longest at time t (a wait span covering t), with its
 * full timeline; null if no traced item was waiting then.
 */
export function waitingAt(
  sim: Pick<SimulationApi, 'tracedKeys' | 'traceFor'>,
  t: Nanos,
): { key: string; spans: TraceSpan[] } | null {
  let best: { key: string; since: Nanos } | null = null;
  const keys = sim.tracedKeys();
  for (let i = 0; i < keys.length && i < MAX_SCAN_KEYS; i++) {
    const key = keys[i]!;
    for (const sp of sim.traceFor(key, t, t)) {
      if (!WAIT_STAGES.has(sp.stage) || sp.start > t || sp.end < t) continue;
      if (!best || sp.start < best.since) best = { key, since: sp.start };
    }
  }
  return best ? { key: best.key, spans: sim.traceFor(best.key) } : null;
}
