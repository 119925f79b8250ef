/**
 * client-go util/workqueue/queue.go: the plain queue (controller-semantics.md §1.1), plus the
 * workqueue_* metrics shared by every queue kind (§5.2).
 *
 * Blocking: get() returns undefined where a real Get would block. A consumer then registers
 * with onReady(cb) and calls get() again when cb runs (like cond.Wait in a loop); cb runs as
 * its own event at the virtual time of the add/done/shutdown that may unblock it. With
 * process.ts: `while ((r = q.get()) === undefined) yield q.ready;`.
 *
 * Items are compared like Go map keys: use primitives (e.g. "namespace/name" strings) or the
 * very same object; `undefined` is not a valid item.
 */
import type { EventLoop } from './loop';
import {
  MetricsRegistry,
  WORKQUEUE_DURATION_BUCKETS,
  exponentialBuckets,
  type CounterSeries,
  type GaugeSeries,
  type HistogramSeries,
  type Labels,
} from './metrics';
import { WaitList, type Waitable } from './process';
import { Millisecond, Second, type Nanos } from './time';

/** Label and bucket choices of the workqueue metrics, which changed across versions (§5.2). */
export interface WorkqueueMetricsStyle {
  /** `controller` label next to `name` (controller-runtime v0.19+). */
  controllerLabel: boolean;
  /** `priority` label on workqueue_depth (controller-runtime v0.21+). */
  priorityLabel: boolean;
  /** Bucket upper bounds of the two duration histograms. */
  buckets: readonly number[];
}

/** controller-runtime v0.21 and later. */
export const LATEST_WORKQUEUE_METRICS: WorkqueueMetricsStyle = {
  controllerLabel: true,
  priorityLabel: true,
  buckets: WORKQUEUE_DURATION_BUCKETS,
};

/** ExponentialBuckets(10e-9, 10, 10): controller-runtime up to v0.16. */
export const LEGACY_WORKQUEUE_DURATION_BUCKETS: readonly number[] = exponentialBuckets(
  10e-9,
  10,
  10,
);

/** defaultUnfinishedWorkUpdatePeriod. */
export const UNFINISHED_WORK_UPDATE_PERIOD: Nanos = 500 * Millisecond;

/** Past this many distinct priorities the depth label becomes this value (§5.2). */
const PRIORITY_CARDINALITY_LIMIT = 25;
const EXCEEDED_CARDINALITY = 'exceeded_cardinality_limit';

/**
 * Registers the workqueue_* families. HELP texts follow controller-runtime's
 * pkg/internal/metrics/workqueue.go as I remember them; the reference does not quote them.
 */
export function registerWorkqueueMetrics(r: MetricsRegistry, style: WorkqueueMetricsStyle): void {
  const base = style.controllerLabel ? ['name', 'controller'] : ['name'];
  r.register({
    name: 'workqueue_depth',
    help: style.priorityLabel
      ? 'Current depth of workqueue by workqueue and priority'
      : 'Current depth of workqueue',
    type: 'gauge',
    labelNames: style.priorityLabel ? [...base, 'priority'] : base,
  });
  r.register({
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by workqueue',
    type: 'counter',
    labelNames: base,
  });
  r.register({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested',
    type: 'histogram',
    labelNames: base,
    buckets: style.buckets,
  });
  r.register({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes.',
    type: 'histogram',
    labelNames: base,
    buckets: style.buckets,
  });
  r.register({
    name: 'workqueue_unfinished_work_seconds',
    help:
      "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. " +
      'Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
    type: 'gauge',
    labelNames: base,
  });
  r.register({
    name: 'workqueue_longest_running_processor_seconds',
    help: 'How many seconds has the longest running processor for workqueue been running.',
    type: 'gauge',
    labelNames: base,
  });
  r.register({
    name: 'workqueue_retries_total',
    help: 'Total number of retries handled by workqueue',
    type: 'counter',
    labelNames: base,
  });
}

/**
 * The queue metrics of client-go's defaultQueueMetrics (metrics.go), also used by the priority
 * queue: adds/depth on a counted add, latency from the first counted add to Get, work
 * duration from Get to Done, unfinished/longest recomputed from the in-flight items. The
 * queues keep the add and start times themselves (in their dirty/processing maps), so the
 * metrics need no maps of their own.
 */
export class QueueMetrics {
  readonly adds: CounterSeries;
  readonly retries: CounterSeries;
  readonly latency: HistogramSeries;
  readonly workDuration: HistogramSeries;
  readonly unfinished: GaugeSeries;
  readonly longest: GaugeSeries;
  private readonly depthByLabel = new Map<string, GaugeSeries>();
  private readonly labels: Labels;

  constructor(
    readonly registry: MetricsRegistry,
    readonly name: string,
    readonly style: WorkqueueMetricsStyle,
  ) {
    registerWorkqueueMetrics(registry, style);
    this.labels = style.controllerLabel ? { name, controller: name } : { name };
    this.adds = registry.counter('workqueue_adds_total', this.labels);
    this.retries = registry.counter('workqueue_retries_total', this.labels);
    this.latency = registry.histogramSeries('workqueue_queue_duration_seconds', this.labels);
    this.workDuration = registry.histogramSeries('workqueue_work_duration_seconds', this.labels);
    this.unfinished = registry.gauge('workqueue_unfinished_work_seconds', this.labels);
    this.longest = registry.gauge('workqueue_longest_running_processor_seconds', this.labels);
  }

  /** The last depth() lookup (most adds and gets use the same priority). */
  private lastDepthKey: number | '' | undefined = undefined;
  private lastDepth: GaugeSeries | undefined = undefined;

  /** The depth series for a priority ('' for client-go queues). */
  depth(priority: number | ''): GaugeSeries {
    if (priority === this.lastDepthKey) return this.lastDepth!;
    const g = this.depthFor(priority);
    this.lastDepthKey = priority;
    this.lastDepth = g;
    return g;
  }

  private depthFor(priority: number | ''): GaugeSeries {
    const key = String(priority);
    let g = this.depthByLabel.get(key);
    if (g === undefined) {
      if (!this.style.priorityLabel) {
        g = this.registry.gauge('workqueue_depth', this.labels);
      } else {
        const label =
          this.depthByLabel.size >= PRIORITY_CARDINALITY_LIMIT ? EXCEEDED_CARDINALITY : key;
        g = this.registry.gauge('workqueue_depth', { ...this.labels, priority: label });
      }
      this.depthByLabel.set(key, g);
    }
    return g;
  }

  /** A counted add (the item became dirty / ready). */
  add(depth: GaugeSeries): void {
    this.adds.value++;
    depth.value++;
  }

  /** Get: the item waited `queued` ns since its first counted add. */
  get(depth: GaugeSeries, queued: Nanos): void {
    depth.value--;
    this.latency.observe(queued / Second);
  }

  /** Done: the item was processed for `worked` ns. */
  done(worked: Nanos): void {
    this.workDuration.observe(worked / Second);
  }

  retry(): void {
    this.retries.value++;
  }

  /** updateUnfinishedWork over the start times of the in-flight items. */
  updateUnfinishedWork(now: Nanos, starts: Iterable<Nanos>): void {
    let total = 0;
    let oldest = 0;
    for (const t of starts) {
      const age = (now - t) / Second;
      total += age;
      if (age > oldest) oldest = age;
    }
    this.unfinished.value = total;
    this.longest.value = oldest;
  }
}

/**
 * Drives QueueMetrics.updateUnfinishedWork on the 500 ms ticker of the real queue (first
 * tick 500 ms after the queue was created). Ticks are only scheduled while something is in
 * flight, plus the one tick that sees nothing in flight and sets both gauges to 0, which is
 * observably the same as a ticker that never stops. Stops for good on shutdown.
 */
export class UnfinishedWorkTicker {
  private scheduled = false;
  private stopped = false;
  private readonly start: Nanos;
  private readonly tick = (): void => {
    this.scheduled = false;
    if (this.stopped) return;
    const inFlight = this.inFlight();
    this.m.updateUnfinishedWork(this.loop.now(), inFlight.values());
    if (inFlight.size > 0) this.ensure();
  };

  /** `inFlight`: the queue's in-flight items (count and Get times). */
  constructor(
    private readonly loop: EventLoop,
    private readonly m: QueueMetrics,
    private readonly inFlight: () => { readonly size: number; values(): Iterable<Nanos> },
  ) {
    this.start = loop.now();
  }

  ensure(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    const P = UNFINISHED_WORK_UPDATE_PERIOD;
    const k = Math.floor((this.loop.now() - this.start) / P) + 1;
    this.loop.schedule(this.start + k * P, this.tick);
  }

  stop(): void {
    this.stopped = true;
  }
}

/** Hooks for the why-waiting trace. All optional; called synchronously. */
export interface QueueObserver<T> {
  /**
   * An add: 'queued' (new, visible to Get), 'merged' (already queued: nothing happens),
   * 'dirty' (re-added while processing: one more processing after Done), 'dropped'
   * (shutting down).
   */
  onAdd?(item: T, outcome: 'queued' | 'merged' | 'dirty' | 'dropped', priority: number): void;
  /** The item waits until readyAt (AddAfter / AddRateLimited with a delay). */
  onWait?(item: T, readyAt: Nanos): void;
  onGet?(item: T, priority: number): void;
  onDone?(item: T): void;
}

export interface QueueOptions {
  loop: EventLoop;
  /** Enables metrics (the queue's `name` label). */
  name?: string;
  /** Where metrics go; a private registry if omitted (see `.metrics`). */
  metrics?: MetricsRegistry;
  /** Label/bucket style of the workqueue metrics (default: latest). */
  metricsStyle?: WorkqueueMetricsStyle;
}

export type GetResult<T> = { item: T; shutdown: false } | { item: undefined; shutdown: true };

const SHUTDOWN: { item: undefined; shutdown: true } = Object.freeze({
  item: undefined,
  shutdown: true,
}) as { item: undefined; shutdown: true };

/** A FIFO with amortised O(1) shift (Go's slice queue). */
export class Fifo<T> {
  private a: T[] = [];
  private h = 0;
  get length(): number {
    return this.a.length - this.h;
  }
  push(x: T): void {
    this.a.push(x);
  }
  shift(): T | undefined {
    if (this.h === this.a.length) return undefined;
    const x = this.a[this.h]!;
    this.a[this.h++] = undefined as T;
    if (this.h === this.a.length) {
      this.a.length = 0;
      this.h = 0;
    } else if (this.h >= 1024 && this.h * 2 >= this.a.length) {
      this.a = this.a.slice(this.h);
      this.h = 0;
    }
    return x;
  }
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.h; i < this.a.length; i++) yield this.a[i]!;
  }
}

/** workqueue.Typed[T] (NewTyped / NewTypedWithConfig). */
export class Queue<T> {
  protected readonly loop: EventLoop;
  protected readonly fifo = new Fifo<T>();
  /** Dirty items → time of their counted add (the metrics' addTimes). */
  protected readonly dirty = new Map<T, Nanos>();
  /** Processing items → time of their Get (the metrics' processingStartTimes). */
  protected readonly processing = new Map<T, Nanos>();
  protected shutting = false;
  protected drain = false;
  protected readonly waiters: WaitList;
  /** Metrics of a named queue, undefined otherwise. */
  readonly queueMetrics: QueueMetrics | undefined;
  protected readonly depthSeries: GaugeSeries | undefined;
  protected readonly ticker: UnfinishedWorkTicker | undefined;
  protected observer: QueueObserver<T> | undefined;
  private drainCbs: (() => void)[] = [];
  /** A Waitable for processes: resumes when get() may succeed. */
  readonly ready: Waitable;

  constructor(o: QueueOptions) {
    this.loop = o.loop;
    this.waiters = new WaitList(o.loop);
    if (o.name) {
      const reg = o.metrics ?? new MetricsRegistry();
      this.queueMetrics = new QueueMetrics(reg, o.name, o.metricsStyle ?? LATEST_WORKQUEUE_METRICS);
      this.depthSeries = this.queueMetrics.depth('');
      this.ticker = new UnfinishedWorkTicker(o.loop, this.queueMetrics, () => this.processing);
    }
    this.ready = (resume) => this.onReady(resume);
  }

  /** The registry holding this queue's metrics (if named). */
  get metrics(): MetricsRegistry | undefined {
    return this.queueMetrics?.registry;
  }

  setObserver(o: QueueObserver<T> | undefined): void {
    this.observer = o;
  }

  add(item: T): void {
    if (this.shutting) {
      this.observer?.onAdd?.(item, 'dropped', 0);
      return;
    }
    if (this.dirty.has(item)) {
      // Dirty and not processing: Touch(x), a no-op for the default FIFO.
      this.observer?.onAdd?.(item, 'merged', 0);
      return;
    }
    if (this.queueMetrics) this.queueMetrics.add(this.depthSeries!);
    this.dirty.set(item, this.loop.now());
    if (this.processing.has(item)) {
      this.observer?.onAdd?.(item, 'dirty', 0);
      return;
    }
    this.fifo.push(item);
    this.waiters.notifyOne();
    this.observer?.onAdd?.(item, 'queued', 0);
  }

  /** The FIFO length only (items re-added while processing are not counted). */
  len(): number {
    return this.fifo.length;
  }

  /**
   * Get: the head of the FIFO, or {shutdown: true} once shut down and empty, or undefined
   * when a real Get would block (nothing is consumed then; wait with onReady).
   */
  get(): GetResult<T> | undefined {
    if (this.fifo.length === 0) return this.shutting ? SHUTDOWN : undefined;
    const it = this.fifo.shift() as T;
    const now = this.loop.now();
    if (this.queueMetrics) {
      this.queueMetrics.get(this.depthSeries!, now - this.dirty.get(it)!);
      this.ticker!.ensure();
    }
    this.processing.set(it, now);
    this.dirty.delete(it);
    this.observer?.onGet?.(it, 0);
    return { item: it, shutdown: false };
  }

  /** The same as get() with the priority-queue shape (priority 0). */
  getWithPriority():
    | { item: T; priority: number; shutdown: false }
    | { item: undefined; priority: 0; shutdown: true }
    | undefined {
    const r = this.get();
    if (r === undefined) return undefined;
    if (r.shutdown) return { item: undefined, priority: 0, shutdown: true };
    return { item: r.item, priority: 0, shutdown: false };
  }

  done(item: T): void {
    const start = this.processing.get(item);
    if (start !== undefined) {
      this.queueMetrics?.done(this.loop.now() - start);
      this.processing.delete(item);
    }
    this.observer?.onDone?.(item);
    if (this.dirty.has(item)) {
      this.fifo.push(item);
      this.waiters.notifyOne();
    } else if (this.processing.size === 0 && this.drain) {
      this.releaseDrain();
    }
  }

  /**
   * Registers a one-shot callback for when get() may return something (an add, a Done that
   * re-queues, a shutdown). If get() would not block right now, cb runs as an event at the
   * current time.
   */
  onReady(cb: () => void): void {
    if (this.fifo.length > 0 || this.shutting) this.loop.schedule(this.loop.now(), cb);
    else this.waiters.wait(cb);
  }

  shutDown(): void {
    this.shutting = true;
    this.drain = false;
    this.ticker?.stop();
    this.waiters.notifyAll();
    this.releaseDrain();
  }

  /**
   * ShutDownWithDrain: shuts down, then "blocks" until nothing is processing; onDrained is
   * called then (at once if nothing is processing now), or when a later shutDown() releases
   * the drain.
   */
  shutDownWithDrain(onDrained?: () => void): void {
    this.drain = true;
    this.shutting = true;
    this.ticker?.stop();
    this.waiters.notifyAll();
    if (this.processing.size === 0) {
      onDrained?.();
      return;
    }
    if (onDrained) this.drainCbs.push(onDrained);
  }

  shuttingDown(): boolean {
    return this.shutting;
  }

  /** Items handed out by get() and not yet done (for tests and traces). */
  processingCount(): number {
    return this.processing.size;
  }

  /** Whether the item is dirty (queued, or re-added while processing). */
  isDirty(item: T): boolean {
    return this.dirty.has(item);
  }

  private releaseDrain(): void {
    const cbs = this.drainCbs;
    if (cbs.length === 0) return;
    this.drainCbs = [];
    for (const cb of cbs) cb();
  }
}
