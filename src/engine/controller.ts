/**
 * controller-runtime's controller (controller-semantics.md §4): MaxConcurrentReconciles
 * worker processes pulling from the queue, the reconcile handler with the exact mapping from a
 * Reconcile result to queue operations (§4.2), RecoverPanic, ReconciliationTimeout, the
 * controller_runtime_* metrics (§5.1) and the real log lines.
 *
 * A Reconciler is a generator function (see process.ts): it consumes virtual time by yielding
 * and returns { result?, err? }. Throw `new ReconcilePanic(value)` to model a Go panic.
 */
import type { EventLoop } from './loop';
import { MetricsRegistry, RECONCILE_TIME_BUCKETS, type CounterSeries } from './metrics';
import type { GaugeSeries, HistogramSeries } from './metrics';
import {
  Context,
  DeadlineExceeded,
  Op,
  OpWait,
  type OpWaiter,
  type Proc,
  type Waitable,
} from './process';
import {
  PriorityQueue,
  LowPriority,
  LEASE_BLOCKED,
  LEASE_SHUTDOWN,
  type AddOpts,
  type PriorityGetResult,
} from './priority-queue';
import {
  defaultRateLimiterFor,
  profileFor,
  queueKindFor,
  type QueueKind,
  type VersionProfile,
} from './profiles';
import type { QueueObserver } from './queue';
import { RateLimitingQueue } from './ratelimiting-queue';
import type { RateLimiter, WaitCause } from './ratelimiters';
import type { LogLine } from './run-types';
import type { CrVersion } from './settings';
import { Second, type Nanos } from './time';

/** reconcile.Result. */
export interface ReconcileResult {
  /** Deprecated since v0.21 ("Use RequeueAfter instead"). */
  requeue?: boolean;
  requeueAfter?: Nanos;
  /** Result.Priority (v0.23+; ignored by older profiles). */
  priority?: number;
}

/** A returned error; terminal = wrapped in reconcile.TerminalError. */
export interface ReconcileError {
  message: string;
  terminal?: boolean;
}

export interface ReconcileOutcome {
  result?: ReconcileResult;
  err?: ReconcileError | null;
}

/** A Go panic inside Reconcile: `throw new ReconcilePanic('nil pointer dereference')`. */
export class ReconcilePanic extends Error {
  constructor(readonly value: string) {
    super(`panic: ${value}`);
  }
}

export interface ReconcileInfo {
  worker: number;
  priority: number;
  /** Sequence number of this reconcile in the controller (reconcileID in logs). */
  reconcileID: number;
}

export type Reconciler<T> = (req: T, ctx: Context, info: ReconcileInfo) => Proc<ReconcileOutcome>;

export type ResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after';

export interface ReconcileEnd extends ReconcileInfo {
  start: Nanos;
  end: Nanos;
  result: ResultLabel;
  err: string | null;
  terminal: boolean;
  panicked: boolean;
  timedOut: boolean;
}

/** Hooks for the why-waiting trace (combine with controller.queue.setObserver for queue stages). */
export interface ControllerObserver<T> {
  onReconcileStart?(item: T, info: ReconcileInfo, t: Nanos): void;
  onReconcileEnd?(item: T, end: ReconcileEnd): void;
  /**
   * Queue operations of the result mapping, reported right after each is applied:
   * addRateLimited (delay and what decided it), addAfter (RequeueAfter), forget.
   */
  onRequeue?(
    item: T,
    op: 'addRateLimited' | 'addAfter' | 'forget',
    delay: Nanos,
    cause: WaitCause | undefined,
  ): void;
}

/** What the controller needs from its queue (priorityqueue.PriorityQueue's interface). */
export interface ControllerQueue<T> {
  addWithOpts(o: AddOpts, ...items: T[]): void;
  add(item: T): void;
  addAfter(item: T, d: Nanos): void;
  addRateLimited(item: T): void;
  getWithPriority(): PriorityGetResult<T> | undefined;
  done(item: T): void;
  forget(item: T): void;
  numRequeues(item: T): number;
  len(): number;
  shutDown(): void;
  shuttingDown(): boolean;
  onReady(cb: () => void): void;
  readonly ready: Waitable;
  readonly lastRateLimit: { delay: Nanos; cause: WaitCause | undefined };
  setObserver(o: QueueObserver<T> | undefined): void;
  processingCount(): number;
}

/**
 * controller-runtime's priorityQueueWrapper around a client-go rate-limiting queue:
 * RateLimited → AddRateLimited; After > 0 → AddAfter; otherwise Add. Priorities are ignored
 * and Get reports priority 0.
 */
export class ClientGoQueueAdapter<T> implements ControllerQueue<T> {
  readonly ready: Waitable;
  constructor(readonly inner: RateLimitingQueue<T>) {
    this.ready = inner.ready;
  }
  get lastRateLimit(): { delay: Nanos; cause: WaitCause | undefined } {
    return this.inner.lastRateLimit;
  }
  addWithOpts(o: AddOpts, ...items: T[]): void {
    for (const item of items) {
      if (o.rateLimited) this.inner.addRateLimited(item);
      else if (o.after !== undefined && o.after > 0) this.inner.addAfter(item, o.after);
      else this.inner.add(item);
    }
  }
  add(item: T): void {
    this.inner.add(item);
  }
  addAfter(item: T, d: Nanos): void {
    this.inner.addAfter(item, d);
  }
  addRateLimited(item: T): void {
    this.inner.addRateLimited(item);
  }
  getWithPriority(): PriorityGetResult<T> | undefined {
    return this.inner.getWithPriority();
  }
  done(item: T): void {
    this.inner.done(item);
  }
  forget(item: T): void {
    this.inner.forget(item);
  }
  numRequeues(item: T): number {
    return this.inner.numRequeues(item);
  }
  len(): number {
    return this.inner.len();
  }
  shutDown(): void {
    this.inner.shutDown();
  }
  shuttingDown(): boolean {
    return this.inner.shuttingDown();
  }
  onReady(cb: () => void): void {
    this.inner.onReady(cb);
  }
  setObserver(o: QueueObserver<T> | undefined): void {
    this.inner.setObserver(o);
  }
  processingCount(): number {
    return this.inner.processingCount();
  }
}

export interface ControllerOptions<T> {
  loop: EventLoop;
  /** Controller name (builder default: lower-case Kind of For()); also the queue's name. */
  name: string;
  reconciler: Reconciler<T>;
  /** Default 1. */
  maxConcurrentReconciles?: number;
  /** Version profile (default: latest). */
  version?: CrVersion;
  /** undefined: the version's default. */
  usePriorityQueue?: boolean;
  /** undefined: the version's default for the chosen queue. */
  rateLimiter?: RateLimiter<T>;
  /** undefined: the version's default. */
  recoverPanic?: boolean;
  /** 0 / undefined: no timeout. Ignored before v0.22 (the option does not exist). */
  reconciliationTimeout?: Nanos;
  metrics?: MetricsRegistry;
  observer?: ControllerObserver<T>;
  /** Receives controller-runtime's log lines. */
  log?: (line: LogLine) => void;
  /** The For() kind and group, for log keys (controllerKind, controllerGroup). */
  kind?: string;
  group?: string;
  /** Key/values naming a request in logs; default splits "namespace/name". */
  requestKV?: (item: T) => Record<string, string>;
  /**
   * Called when a panic is not recovered (RecoverPanic=false): in Go the process dies. The
   * controller stops (its queue shuts down, workers exit) before this is called.
   */
  onFatal?: (message: string) => void;
}

const EMPTY_RESULT: ReconcileResult = Object.freeze({});

function defaultRequestKV(item: unknown): Record<string, string> {
  if (typeof item === 'string') {
    const i = item.indexOf('/');
    return i >= 0
      ? { namespace: item.slice(0, i), name: item.slice(i + 1) }
      : { namespace: '', name: item };
  }
  return { request: String(item) };
}

/** A deterministic stand-in for the reconcileID UUID. */
function reconcileUUID(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

const CONTROLLER_HELP: Record<string, string> = {
  controller_runtime_reconcile_total: 'Total number of reconciliations per controller',
  controller_runtime_reconcile_errors_total: 'Total number of reconciliation errors per controller',
  controller_runtime_terminal_reconcile_errors_total:
    'Total number of terminal reconciliation errors per controller',
  controller_runtime_reconcile_panics_total: 'Total number of reconciliation panics per controller',
  controller_runtime_reconcile_timeouts_total:
    'Total number of reconciliation timeouts per controller',
  controller_runtime_reconcile_time_seconds: 'Length of time per reconciliation per controller',
  controller_runtime_max_concurrent_reconciles:
    'Maximum number of concurrent reconciles per controller',
  controller_runtime_active_workers: 'Number of currently used workers per controller',
};

/** Registers the controller_runtime_* families a version has (§5.1). */
export function registerControllerMetrics(r: MetricsRegistry, p: VersionProfile): void {
  const reg = (name: string, type: 'counter' | 'gauge' | 'histogram', labels: string[]) =>
    r.register({
      name,
      help: CONTROLLER_HELP[name]!,
      type,
      labelNames: labels,
      ...(type === 'histogram' ? { buckets: RECONCILE_TIME_BUCKETS } : {}),
    });
  reg('controller_runtime_reconcile_total', 'counter', ['controller', 'result']);
  reg('controller_runtime_reconcile_errors_total', 'counter', ['controller']);
  if (p.controllerMetrics.terminalErrors) {
    reg('controller_runtime_terminal_reconcile_errors_total', 'counter', ['controller']);
  }
  if (p.controllerMetrics.panics) {
    reg('controller_runtime_reconcile_panics_total', 'counter', ['controller']);
  }
  if (p.controllerMetrics.timeouts) {
    reg('controller_runtime_reconcile_timeouts_total', 'counter', ['controller']);
  }
  reg('controller_runtime_reconcile_time_seconds', 'histogram', ['controller']);
  reg('controller_runtime_max_concurrent_reconciles', 'gauge', ['controller']);
  reg('controller_runtime_active_workers', 'gauge', ['controller']);
}

interface Series {
  total: Record<ResultLabel, CounterSeries>;
  errors: CounterSeries;
  terminal: CounterSeries | undefined;
  panics: CounterSeries | undefined;
  timeouts: CounterSeries | undefined;
  time: HistogramSeries;
  maxConcurrent: GaugeSeries;
  active: GaugeSeries;
}

export class Controller<T> {
  readonly name: string;
  readonly profile: VersionProfile;
  readonly queueKind: QueueKind;
  readonly queue: ControllerQueue<T>;
  readonly rateLimiter: RateLimiter<T>;
  readonly metrics: MetricsRegistry;
  readonly maxConcurrentReconciles: number;
  readonly recoverPanic: boolean;
  readonly reconciliationTimeout: Nanos;
  private readonly loop: EventLoop;
  private readonly reconciler: Reconciler<T>;
  private readonly observer: ControllerObserver<T> | undefined;
  private readonly log: ((line: LogLine) => void) | undefined;
  private readonly requestKV: (item: T) => Record<string, string>;
  private readonly onFatal: ((message: string) => void) | undefined;
  private readonly kind: string | undefined;
  private readonly group: string | undefined;
  private readonly s: Series;
  private started = false;
  private crashed = false;
  private reconciles = 0;
  private finished = 0;
  private active = 0;
  private ctx: Context | undefined;
  private workers: Worker<T>[] = [];
  /** The queue when it is a PriorityQueue (workers then hold its records from Get to Done). */
  private readonly pq: PriorityQueue<T> | undefined;

  constructor(o: ControllerOptions<T>) {
    this.loop = o.loop;
    this.name = o.name;
    this.reconciler = o.reconciler;
    this.profile = profileFor(o.version);
    this.queueKind = queueKindFor(this.profile, o.usePriorityQueue);
    const n = o.maxConcurrentReconciles ?? 1;
    this.maxConcurrentReconciles = Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
    this.recoverPanic = o.recoverPanic ?? this.profile.recoverPanic;
    this.reconciliationTimeout = this.profile.reconciliationTimeout
      ? Math.max(0, o.reconciliationTimeout ?? 0)
      : 0;
    this.metrics = o.metrics ?? new MetricsRegistry();
    this.observer = o.observer;
    this.log = o.log;
    this.kind = o.kind;
    this.group = o.group;
    this.onFatal = o.onFatal;
    this.requestKV = o.requestKV ?? defaultRequestKV;
    this.rateLimiter =
      o.rateLimiter ?? defaultRateLimiterFor<T>(this.profile, this.queueKind, o.loop);
    const qo = {
      loop: o.loop,
      name: o.name,
      metrics: this.metrics,
      metricsStyle: this.profile.workqueueMetrics,
      rateLimiter: this.rateLimiter,
    };
    this.pq = this.queueKind === 'priority' ? new PriorityQueue<T>(qo) : undefined;
    this.queue = this.pq ?? new ClientGoQueueAdapter<T>(new RateLimitingQueue<T>(qo));

    registerControllerMetrics(this.metrics, this.profile);
    const c = { controller: o.name };
    const m = this.metrics;
    const total = (result: ResultLabel) =>
      m.counter('controller_runtime_reconcile_total', { controller: o.name, result });
    this.s = {
      total: {
        success: total('success'),
        error: total('error'),
        requeue: total('requeue'),
        requeue_after: total('requeue_after'),
      },
      errors: m.counter('controller_runtime_reconcile_errors_total', c),
      terminal: this.profile.controllerMetrics.terminalErrors
        ? m.counter('controller_runtime_terminal_reconcile_errors_total', c)
        : undefined,
      panics: this.profile.controllerMetrics.panics
        ? m.counter('controller_runtime_reconcile_panics_total', c)
        : undefined,
      timeouts: this.profile.controllerMetrics.timeouts
        ? m.counter('controller_runtime_reconcile_timeouts_total', c)
        : undefined,
      time: m.histogramSeries('controller_runtime_reconcile_time_seconds', c),
      maxConcurrent: m.gauge('controller_runtime_max_concurrent_reconciles', c),
      active: m.gauge('controller_runtime_active_workers', c),
    };
  }

  /**
   * Start: initialises the metrics (every result label, error/terminal/panic/timeout counters
   * at 0, max_concurrent_reconciles, active_workers 0) and starts the workers. Throws Go's
   * error text when started twice.
   */
  start(ctx?: Context): void {
    if (this.started) {
      throw new Error(
        'controller was started more than once. This is likely to be caused by being added to a manager multiple times',
      );
    }
    this.started = true;
    this.ctx = ctx ?? Context.background(this.loop);
    this.s.maxConcurrent.set(this.maxConcurrentReconciles);
    this.s.active.set(0);
    this.ctx.onDone(() => this.queue.shutDown());
    this.log?.({
      t: this.loop.now(),
      level: 'info',
      logger: 'controller-runtime',
      msg: 'Starting workers',
      kv: { ...this.baseKV(), 'worker count': this.maxConcurrentReconciles },
    });
    for (let i = 0; i < this.maxConcurrentReconciles; i++) {
      const w = new Worker<T>(i, this);
      w.resumeTimer = () => this.resume(w, undefined);
      w.wake = () => this.workerLoop(w);
      this.workerLoop(w);
      this.workers.push(w);
    }
  }

  /** Shuts the queue down; workers exit after their current reconcile. */
  stop(): void {
    this.queue.shutDown();
  }

  /** Workers currently running a reconcile (controller_runtime_active_workers). */
  activeWorkers(): number {
    return this.active;
  }

  /** Reconciles finished so far. */
  reconcileCount(): number {
    return this.finished;
  }

  /** Whether a non-recovered panic stopped this controller. */
  hasCrashed(): boolean {
    return this.crashed;
  }

  /** Workers still running (they exit once the queue reports shutdown). */
  liveWorkers(): number {
    let n = 0;
    for (const w of this.workers) if (!w.done) n++;
    return n;
  }

  /**
   * An event handler's enqueue (handler.EnqueueRequestForObject and friends): with the
   * priority queue, creates from the initial list and resync updates get LowPriority (−100);
   * everything else priority 0. The client-go queue ignores priorities.
   */
  enqueueEvent(item: T, event: { initialList?: boolean; resync?: boolean } = {}): void {
    if (this.queueKind === 'priority' && (event.initialList || event.resync)) {
      this.queue.addWithOpts({ priority: LowPriority }, item);
    } else {
      this.queue.add(item);
    }
  }

  /**
   * A worker (processNextWorkItem in a loop): Get, run the reconcile, Done, until it must wait
   * for the queue (then q.ready wakes it, as its own event) or the queue shuts down. The
   * reconciler's generator is driven here directly, exactly as process.ts runs a process
   * (same events, same order), without a worker generator around it.
   */
  private workerLoop(w: Worker<T>): void {
    const q = this.queue;
    const pq = this.pq;
    for (;;) {
      let req: T;
      let priority: number;
      let rec = -1;
      if (pq !== undefined) {
        const id = pq.lease();
        if (id === LEASE_BLOCKED) {
          pq.onReady(w.wake);
          return;
        }
        if (id === LEASE_SHUTDOWN) {
          w.done = true;
          return;
        }
        req = pq.leasedKey(id);
        priority = pq.leasePriority;
        rec = id;
      } else {
        const g = q.getWithPriority();
        if (g === undefined) {
          q.ready(w.wake);
          return;
        }
        if (g.shutdown) {
          w.done = true;
          return;
        }
        req = g.item;
        priority = g.priority;
      }
      this.active++;
      this.s.active.value++;
      // reconcileHandler.
      const start = this.loop.now();
      const reconcileID = ++this.reconciles;
      const info: ReconcileInfo = { worker: w.idx, priority, reconcileID };
      this.observer?.onReconcileStart?.(req, info, start);
      const root = this.ctx!;
      const ctx =
        this.reconciliationTimeout > 0 ? root.withTimeout(this.reconciliationTimeout) : root;
      w.req = req;
      w.rec = rec;
      w.info = info;
      w.start = start;
      w.rctx = ctx;
      let gen: Proc<ReconcileOutcome>;
      try {
        gen = this.reconciler(req, ctx, info);
      } catch (e) {
        if (!(e instanceof ReconcilePanic)) throw e;
        this.endReconcile(w, undefined, e.value);
        if (this.crashed) {
          w.done = true;
          return;
        }
        continue;
      }
      w.gen = gen;
      if (!this.drive(w, undefined)) return;
      if (this.crashed) {
        w.done = true;
        return;
      }
    }
  }

  /** Continues a waiting reconcile with the value of its pending yield. */
  private resume(w: Worker<T>, v: unknown): void {
    if (!this.drive(w, v)) return;
    if (this.crashed) {
      w.done = true;
      return;
    }
    this.workerLoop(w);
  }

  /**
   * Runs the reconciler until it waits (false) or ends (true, after endReconcile). Yields are
   * handled as Process.run does: a number sleeps (whole ns), a Waitable resumes once.
   */
  private drive(w: Worker<T>, v: unknown): boolean {
    const gen = w.gen!;
    for (;;) {
      let r: IteratorResult<unknown, ReconcileOutcome>;
      try {
        r = gen.next(v);
      } catch (e) {
        if (!(e instanceof ReconcilePanic)) throw e;
        this.endReconcile(w, undefined, e.value);
        return true;
      }
      if (r.done === true) {
        this.endReconcile(w, r.value, undefined);
        return true;
      }
      const y = r.value;
      if (typeof y === 'number') {
        const loop = this.loop;
        if (!(y > 0)) {
          if (Number.isNaN(y)) throw new RangeError('process yielded NaN as a delay');
          loop.schedule(loop.now(), w.resumeTimer);
        } else {
          loop.schedule(loop.now() + Math.trunc(y), w.resumeTimer);
        }
        return false;
      }
      if (y instanceof Op) {
        // An Op resumes the worker through opDone (no closure per wait).
        if (!w.opWait.begin(y, w)) return false;
        v = w.opWait.take();
        continue;
      }
      let fired = false;
      let subscribing = true;
      let syncValue: unknown = undefined;
      let sync = false;
      (y as Waitable)((val?: unknown) => {
        if (fired || w.done) return;
        fired = true;
        if (subscribing) {
          sync = true;
          syncValue = val;
        } else {
          this.resume(w, val);
        }
      });
      subscribing = false;
      if (!sync) return false;
      v = syncValue;
    }
  }

  /** @internal The result of the Op a worker's reconcile waits on (Worker.opDone). */
  opResult(w: Worker<T>, op: Op<unknown>, value: unknown): void {
    if (w.opWait.accept(op, value) && !w.done) this.resume(w, value);
  }

  /** After Reconcile returned (or panicked): the result mapping, then Done. */
  private endReconcile(
    w: Worker<T>,
    out: ReconcileOutcome | undefined,
    panicValue: string | undefined,
  ): void {
    const req = w.req as T;
    const rec = w.rec;
    const info = w.info!;
    const ctx = w.rctx!;
    w.gen = undefined;
    w.opWait.clear();
    w.req = undefined;
    w.rec = -1;
    w.info = undefined;
    w.rctx = undefined;
    this.finishReconcile(req, rec, info, w.start, ctx, this.ctx!, out, panicValue);
    this.active--;
    this.s.active.value--;
    if (rec >= 0) this.pq!.doneLeased(rec);
    else this.queue.done(req);
  }

  /** The rest of reconcileHandler once Reconcile has returned (or panicked). */
  private finishReconcile(
    req: T,
    rec: number,
    info: ReconcileInfo,
    start: Nanos,
    ctx: Context,
    root: Context,
    out: ReconcileOutcome | undefined,
    panicValue: string | undefined,
  ): void {
    const reconcileID = info.reconcileID;
    let priority = info.priority;
    let result: ReconcileResult = EMPTY_RESULT;
    let err: ReconcileError | null = null;
    const panicked = panicValue !== undefined;
    if (panicValue !== undefined) {
      this.s.panics?.inc();
      if (!this.recoverPanic) {
        this.emit('info', `Observed a panic in reconciler: ${panicValue}`, req, reconcileID);
        if (ctx !== root) ctx.cancel();
        this.crash(`panic: ${panicValue}`);
        return;
      }
      // utilruntime's default panic handler logs the panic before the controller turns it
      // into an error (its exact key/values are not in the reference).
      this.emit('error', 'Observed a panic', req, reconcileID, { panic: panicValue });
      err = { message: `panic: ${panicValue} [recovered]` };
    } else if (out !== undefined) {
      if (out.result !== undefined) result = out.result;
      if (out.err) err = out.err;
    }

    let timedOut = false;
    if (ctx !== root) {
      timedOut = ctx.err() === DeadlineExceeded && root.err() === null;
      ctx.cancel();
      if (timedOut) this.s.timeouts?.inc();
    }

    if (this.profile.resultPriority && result.priority !== undefined) priority = result.priority;
    const q = this.queue;
    const total = this.s.total;
    let label: ResultLabel;
    let counted: CounterSeries;
    if (err !== null) {
      counted = total.error;
      if (err.terminal) {
        this.s.terminal?.inc();
      } else {
        if (rec >= 0) this.pq!.addLeased(rec, 0, true, priority);
        else q.addWithOpts({ rateLimited: true, priority }, req);
        this.observer?.onRequeue?.(
          req,
          'addRateLimited',
          q.lastRateLimit.delay,
          q.lastRateLimit.cause,
        );
      }
      this.s.errors.inc();
      label = 'error';
      const warn =
        this.profile.resultAndErrorWarningWhen === 'requeueSet'
          ? (result.requeueAfter ?? 0) > 0 || result.requeue === true
          : (result.requeueAfter ?? 0) !== 0 || result.requeue === true; // !result.IsZero()
      if (warn) this.emit('info', this.profile.resultAndErrorWarning, req, reconcileID);
      // TerminalError's Error() prefixes "terminal error: " (controller-runtime
      // pkg/reconcile; the reference does not quote it).
      const text = err.terminal ? `terminal error: ${err.message}` : err.message;
      this.emit('error', 'Reconciler error', req, reconcileID, { error: text });
    } else if ((result.requeueAfter ?? 0) > 0) {
      if (rec >= 0) this.pq!.forgetLeased(rec);
      else q.forget(req);
      this.observer?.onRequeue?.(req, 'forget', 0, undefined);
      if (rec >= 0) this.pq!.addLeased(rec, result.requeueAfter!, false, priority);
      else q.addWithOpts({ after: result.requeueAfter, priority }, req);
      this.observer?.onRequeue?.(req, 'addAfter', result.requeueAfter!, undefined);
      counted = total.requeue_after;
      label = 'requeue_after';
    } else if (result.requeue) {
      if (rec >= 0) this.pq!.addLeased(rec, 0, true, priority);
      else q.addWithOpts({ rateLimited: true, priority }, req);
      this.observer?.onRequeue?.(
        req,
        'addRateLimited',
        q.lastRateLimit.delay,
        q.lastRateLimit.cause,
      );
      counted = total.requeue;
      label = 'requeue';
    } else {
      if (rec >= 0) this.pq!.forgetLeased(rec);
      else q.forget(req);
      this.observer?.onRequeue?.(req, 'forget', 0, undefined);
      counted = total.success;
      label = 'success';
    }
    counted.value++;
    this.finished++;
    const end = this.loop.now();
    this.s.time.observe((end - start) / Second);
    this.observer?.onReconcileEnd?.(req, {
      worker: info.worker,
      reconcileID,
      priority,
      start,
      end,
      result: label,
      err: err?.message ?? null,
      terminal: err?.terminal === true,
      panicked,
      timedOut,
    });
  }

  private crash(message: string): void {
    this.crashed = true;
    this.queue.shutDown();
    this.onFatal?.(message);
  }

  private baseKV(): Record<string, string> {
    const kv: Record<string, string> = { controller: this.name };
    if (this.group !== undefined) kv.controllerGroup = this.group;
    if (this.kind !== undefined) kv.controllerKind = this.kind;
    return kv;
  }

  private emit(
    level: LogLine['level'],
    msg: string,
    req: T,
    reconcileID: number,
    extra: Record<string, string> = {},
  ): void {
    if (!this.log) return;
    const r = this.requestKV(req);
    const kv: Record<string, string> = this.baseKV();
    if (this.kind !== undefined && r.name !== undefined) {
      kv[this.kind] = JSON.stringify({ name: r.name, namespace: r.namespace ?? '' });
    }
    Object.assign(kv, r, { reconcileID: reconcileUUID(reconcileID) }, extra);
    this.log({ t: this.loop.now(), level, logger: 'controller-runtime', msg, kv });
  }
}

/** One of the MaxConcurrentReconciles workers and the reconcile it is running. */
class Worker<T> implements OpWaiter {
  /** Whether the worker has exited (shutdown, or a panic that stopped the controller). */
  done = false;
  /** Continues the reconcile after a sleep (a loop event). */
  resumeTimer: () => void = noop;
  /** Continues the worker loop when the queue may have something (q.ready). */
  wake: () => void = noop;
  // The reconcile in progress.
  gen: Proc<ReconcileOutcome> | undefined = undefined;
  req: T | undefined = undefined;
  /** The priority queue's record id of the key (lease()), or -1 (another queue kind). */
  rec = -1;
  info: ReconcileInfo | undefined = undefined;
  start: Nanos = 0;
  rctx: Context | undefined = undefined;
  /** The Op the reconcile waits on, if any. */
  readonly opWait = new OpWait();

  constructor(
    readonly idx: number,
    private readonly controller: Controller<T>,
  ) {}

  opDone(op: Op<unknown>, value: unknown): void {
    this.controller.opResult(this, op, value);
  }
}

function noop(): void {}
