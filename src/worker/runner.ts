/**
 * The runner interface the store talks to. Two implementations share it:
 *  - WorkerRunner (workerRunner.ts): the engine in a Web Worker, with a heartbeat watchdog that
 *    detects a crashed or hung worker and restarts it;
 *  - InProcessRunner (inProcessRunner.ts): the same host in the calling thread, driven by
 *    explicit ticks of a manual clock (unit tests, Node).
 */
import type { Nanos } from '../engine/time';
import type { TraceSpan } from '../engine/run-types';
import {
  toWorker,
  type FromWorker,
  type Speed,
  type StartParams,
  type StepUnit,
  type ToWorker,
} from './protocol';

/** What a runner reports: the worker's messages, plus crash and restart notices. */
export type RunnerEvent =
  | FromWorker
  | { type: 'crashed'; reason: 'error' | 'hung' | 'protocol'; message: string }
  | { type: 'restarted' };

export interface Runner {
  start(p: StartParams): void;
  pause(): void;
  resume(): void;
  setSpeed(speed: Speed): void;
  step(unit: StepUnit): void;
  /** Deterministic seek: re-runs the current run from t = 0 to t, then pauses. */
  seek(t: Nanos): void;
  reset(): void;
  trace(key: string, from?: Nanos, to?: Nanos): Promise<TraceSpan[]>;
  /** The traced item waiting longest at t, with its spans (key '' when none). */
  traceAt(t: Nanos): Promise<{ key: string; spans: TraceSpan[] }>;
  metrics(): Promise<string>;
  subscribe(listener: (e: RunnerEvent) => void): () => void;
  dispose(): void;
}

/** Shared plumbing: listeners and request/response correlation. */
export abstract class BaseRunner implements Runner {
  private listeners = new Set<(e: RunnerEvent) => void>();
  private nextReq = 1;
  private pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; whole: boolean }
  >();

  protected abstract send(msg: ToWorker): void;

  start(p: StartParams): void {
    this.send(toWorker({ type: 'start', ...p }));
  }
  pause(): void {
    this.send(toWorker({ type: 'pause' }));
  }
  resume(): void {
    this.send(toWorker({ type: 'resume' }));
  }
  setSpeed(speed: Speed): void {
    this.send(toWorker({ type: 'setSpeed', speed }));
  }
  step(unit: StepUnit): void {
    this.send(toWorker({ type: 'step', unit }));
  }
  seek(t: Nanos): void {
    this.send(toWorker({ type: 'seek', t }));
  }
  reset(): void {
    this.send(toWorker({ type: 'reset' }));
  }

  trace(key: string, from?: Nanos, to?: Nanos): Promise<TraceSpan[]> {
    return this.request<TraceSpan[]>((reqId) => toWorker({ type: 'trace', reqId, key, from, to }));
  }

  traceAt(t: Nanos): Promise<{ key: string; spans: TraceSpan[] }> {
    return this.request<{ key: string; spans: TraceSpan[] }>((reqId) =>
      toWorker({ type: 'traceAt', reqId, t }),
    );
  }

  metrics(): Promise<string> {
    return this.request<string>((reqId) => toWorker({ type: 'metrics', reqId }));
  }

  subscribe(listener: (e: RunnerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    this.listeners.clear();
    this.rejectPending('runner disposed');
  }

  private request<T>(make: (reqId: number) => ToWorker): Promise<T> {
    const reqId = this.nextReq++;
    return new Promise<T>((resolve, reject) => {
      const msg = make(reqId);
      this.pending.set(reqId, {
        resolve: resolve as (v: unknown) => void,
        reject,
        whole: msg.type === 'traceAt',
      });
      this.send(msg);
    });
  }

  protected rejectPending(reason: string): void {
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
  }

  /** Delivers an event to listeners and settles requests. */
  protected emit(e: RunnerEvent): void {
    if (e.type === 'traceResult' || e.type === 'metricsResult') {
      const p = this.pending.get(e.reqId);
      if (p) {
        this.pending.delete(e.reqId);
        p.resolve(
          e.type === 'traceResult' ? (p.whole ? { key: e.key, spans: e.spans } : e.spans) : e.text,
        );
      }
    }
    for (const l of this.listeners) l(e);
  }
}
