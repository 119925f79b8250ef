/**
 * The controller's workqueue behind one interface: controller-runtime's priority queue
 * (default since v0.23) or client-go's rate-limiting queue, chosen by the version profile
 * and UsePriorityQueue, with the rate limiter the learner wrote (profiles.ts), the workqueue
 * metrics named after the controller, and an observer that feeds the why-waiting trace.
 */
import type { EventLoop } from '../loop';
import type { MetricsRegistry } from '../metrics';
import { LowPriority, PriorityQueue } from '../priority-queue';
import { buildRateLimiter, profileFor, queueKindFor, type QueueKind } from '../profiles';
import { RateLimitingQueue } from '../ratelimiting-queue';
import type { WaitCause } from '../ratelimiters';
import type { SimSettings } from '../settings';
import type { Nanos } from '../time';
import type { TraceRecorder } from './trace';

export type WorkGet =
  | { item: string; priority: number; shutdown: false }
  | { item: undefined; priority: 0; shutdown: true };

export interface WorkQueue {
  readonly kind: QueueKind;
  /** An event handler's add; `low`: initial list or resync (LowPriority with the priority queue). */
  add(key: string, low: boolean): void;
  addRateLimited(key: string, priority: number): void;
  addAfter(key: string, d: Nanos, priority: number): void;
  forget(key: string): void;
  get(): WorkGet | undefined;
  onReady(cb: () => void): void;
  done(key: string): void;
  len(): number;
  shutDown(): void;
  lastRateLimit(): { delay: Nanos; cause: WaitCause | undefined };
}

export function newWorkQueue(
  loop: EventLoop,
  metrics: MetricsRegistry,
  settings: SimSettings,
  trace: TraceRecorder,
): WorkQueue {
  const p = profileFor(settings.version);
  const kind = queueKindFor(p, settings.controller.usePriorityQueue);
  const rl = buildRateLimiter<string>(settings.controller.rateLimiter, p, kind, loop);
  const opts = { loop, name: settings.controller.name, metrics, metricsStyle: p.workqueueMetrics };
  // Trace: when an item became visible to Get, and when a worker took it.
  const queuedAt = new Map<string, Nanos>();
  const observer = {
    onAdd(item: string, outcome: 'queued' | 'merged' | 'dirty' | 'dropped') {
      const now = loop.now();
      if (outcome === 'queued') {
        if (!queuedAt.has(item) && trace.traced(item)) queuedAt.set(item, now);
      } else if ((outcome === 'merged' || outcome === 'dirty') && trace.traced(item)) {
        trace.span(
          item,
          'dedup',
          now,
          now,
          outcome === 'dirty'
            ? 'added while being processed: one more reconcile after Done'
            : 'already queued: merged',
        );
      }
    },
    onWait(item: string, readyAt: Nanos) {
      void item;
      void readyAt;
    },
    onGet(item: string) {
      const now = loop.now();
      const at = queuedAt.get(item);
      queuedAt.delete(item);
      if (at !== undefined && trace.traced(item)) {
        trace.span(item, 'waitingForWorker', at, now);
      }
    },
  };
  if (kind === 'priority') {
    const q = new PriorityQueue<string>({ ...opts, rateLimiter: rl });
    q.setObserver(observer);
    return {
      kind,
      add: (k, low) => q.addWithOpts(low ? { priority: LowPriority } : {}, k),
      addRateLimited: (k, priority) => q.addWithOpts({ rateLimited: true, priority }, k),
      addAfter: (k, d, priority) => q.addWithOpts({ after: d, priority }, k),
      forget: (k) => q.forget(k),
      get: () => q.getWithPriority(),
      onReady: (cb) => q.onReady(cb),
      done: (k) => q.done(k),
      len: () => q.len(),
      shutDown: () => q.shutDown(),
      lastRateLimit: () => q.lastRateLimit,
    };
  }
  const q = new RateLimitingQueue<string>({ ...opts, rateLimiter: rl });
  q.setObserver(observer);
  return {
    kind,
    add: (k) => q.add(k),
    addRateLimited: (k) => q.addRateLimited(k),
    addAfter: (k, d) => q.addAfter(k, d),
    forget: (k) => q.forget(k),
    get: () => {
      const r = q.get();
      if (r === undefined) return undefined;
      return r.shutdown
        ? { item: undefined, priority: 0, shutdown: true }
        : { item: r.item, priority: 0, shutdown: false };
    },
    onReady: (cb) => q.onReady(cb),
    done: (k) => q.done(k),
    len: () => q.len(),
    shutDown: () => q.shutDown(),
    lastRateLimit: () => q.lastRateLimit,
  };
}
