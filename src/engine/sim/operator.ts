/**
 * One replica of the operator process (a controller-runtime manager): its informer cache,
 * field indexes, the controller (workqueue + MaxConcurrentReconciles workers, or the lesson's
 * batch / parallel forms), the reconciler's apiLimiter and external client, and leader
 * election. Shared world (API server, store, metrics, trace, logs) comes in through deps.
 */
import type { KubeObject, NewObject } from '../apiserver/object-store';
import { qualifiedKind, kindInfo } from '../cache/kinds';
import { CacheReader, type ListOptions as CacheListOptions } from '../cache/reader';
import { profileFor } from '../profiles';
import {
  type CachedObject,
  controllerOwnerKey,
  fieldExtractor,
  fieldIndexName,
  objectKey,
} from '../cache/indexer';
import { Informer, type ListWatcher } from '../informer/informer';
import { LeaderElector, type Lease } from '../leader/election';
import type { EventLoop } from '../loop';
import {
  type CounterSeries,
  type GaugeSeries,
  type HistogramSeries,
  type MetricsRegistry,
  RECONCILE_TIME_BUCKETS as RECONCILE_BUCKETS,
} from '../metrics';
import type { Rng } from '../prng';
import { Limiter } from '../rate';
import type { LogLine, TraceStage } from '../run-types';
import type { Scenario } from '../scenario-types';
import type { SimSettings } from '../settings';
import { formatDuration, type Nanos, Second } from '../time';
import type { ExternalApi } from '../client/external-api';
import {
  type ReconcileEnv,
  type ReconcileOutcome,
  type ReconcileSink,
  runReconcile,
  toReconcileErr,
  type WriteRequest,
} from './interpreter';
import type { ApiCall, ApiPort, ApiResult } from './ports';
import type { TraceRecorder } from './trace';
import type { WorkQueue } from './workqueue';

export interface OperatorDeps {
  loop: EventLoop;
  rng: Rng;
  metrics: MetricsRegistry;
  settings: SimSettings;
  scenario: Scenario;
  api: ApiPort;
  lw: ListWatcher;
  external: ExternalApi;
  trace: TraceRecorder;
  log: (
    level: LogLine['level'],
    logger: string,
    msg: string,
    kv: Record<string, string | number>,
  ) => void;
  event: (kind: 'cacheSynced' | 'leaderElected' | 'relist', label: string) => void;
  /** Makes the controller's workqueue (version-dependent kind, metrics). */
  newQueue: () => WorkQueue;
  /** Counts for the samples. */
  stats: OperatorStats;
  limiterWait: HistogramSeries;
  /** A reconcile of key finished with this outcome, having read `generation` of the object. */
  onReconciled: (key: string, generation: number | undefined, o: ReconcileOutcome) => void;
  lease?: Lease;
}

export interface OperatorStats {
  cacheReads: number;
  /** Cached Lists served and the objects they visited (the cost driver). */
  cacheLists: number;
  cacheScanned: number;
  /** Reconcile errors the lesson's ReconcileBatch dropped (its loop ignores them). */
  batchErrorsDropped: number;
  /** Goroutines started by ReconcileParallel. */
  goroutines: number;
  goroutinesPeak: number;
  goroutinesLive: number;
}

/** Requests handed to one ReconcileBatch call at most (the lesson does not say; est.). */
export const BATCH_MAX = 100;
/** Most workers (and goroutines) one controller runs in the simulation. */
export const MAX_WORKERS = 10_000;

const CONTROLLER_METRICS = [
  {
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller',
    type: 'counter' as const,
    labelNames: ['controller', 'result'],
  },
  {
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    type: 'counter' as const,
    labelNames: ['controller'],
  },
  {
    name: 'controller_runtime_terminal_reconcile_errors_total',
    help: 'Total number of terminal reconciliation errors per controller',
    type: 'counter' as const,
    labelNames: ['controller'],
  },
  {
    name: 'controller_runtime_reconcile_panics_total',
    help: 'Total number of reconciliation panics per controller',
    type: 'counter' as const,
    labelNames: ['controller'],
  },
  {
    name: 'controller_runtime_active_workers',
    help: 'Number of currently used workers per controller',
    type: 'gauge' as const,
    labelNames: ['controller'],
  },
  {
    name: 'controller_runtime_max_concurrent_reconciles',
    help: 'Maximum number of concurrent reconciles per controller',
    type: 'gauge' as const,
    labelNames: ['controller'],
  },
];

export class OperatorReplica {
  readonly informers = new Map<string, Informer>();
  private readonly readers = new Map<string, CacheReader>();
  private queue: WorkQueue | undefined;
  /** @internal read by ReconcileCall */
  alive = true;
  private controllerStarted = false;
  /** @internal read by ReconcileCall */
  readonly apiLimiter: Limiter | undefined;
  readonly elector: LeaderElector | undefined;
  private reconcileSeq = 0;
  private readonly name: string;
  private readonly cache = { started: false };
  private readonly processStart: Nanos;
  private mh:
    | {
        active: GaugeSeries;
        time: HistogramSeries;
        total: Record<'success' | 'error' | 'requeue' | 'requeue_after', CounterSeries>;
        errors: CounterSeries;
        terminal: CounterSeries;
      }
    | undefined;

  constructor(
    /** @internal read by ReconcileCall */
    readonly d: OperatorDeps,
    readonly identity: string,
  ) {
    const s = d.settings;
    this.name = s.controller.name;
    this.processStart = d.loop.now();
    if (s.apiLimiter) this.apiLimiter = new Limiter(s.apiLimiter.limit, s.apiLimiter.burst);
    for (const m of CONTROLLER_METRICS) d.metrics.register(m);
    d.metrics.register({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      type: 'histogram',
      labelNames: ['controller'],
      buckets: RECONCILE_BUCKETS,
    });
    if (s.manager.leaderElection && d.lease) {
      this.elector = new LeaderElector({
        loop: d.loop,
        rng: d.rng,
        lease: d.lease,
        identity,
        api: (verb, done) =>
          d.api.call(
            'leaderElection',
            verb === 'GET'
              ? { verb: 'get', kind: 'Lease', namespace: d.lease!.namespace, name: d.lease!.name }
              : {
                  verb: 'update',
                  kind: 'Lease',
                  namespace: d.lease!.namespace,
                  name: d.lease!.name,
                  obj: {
                    kind: 'Lease',
                    metadata: { namespace: d.lease!.namespace, name: d.lease!.name },
                    spec: { holderIdentity: identity, renewTime: d.loop.now() },
                  },
                },
            undefined,
            (r) => done(r.ok),
          ),
        log: (level, msg, kv) => d.log(level, 'leaderelection', msg, kv),
        onStartedLeading: () => {
          d.event('leaderElected', `${identity} became leader`);
          this.startController();
        },
        onStoppedLeading: () => this.kill(),
      });
    }
  }

  /** mgr.Start: caches (index kinds, and every watched kind when warm), then the controller. */
  start(warm: boolean): void {
    const s = this.d.settings;
    this.cache.started = true;
    // IndexField gets (and creates) the informer of its kind without waiting for sync.
    for (const ix of s.indexes) {
      const inf = this.informer(ix.kind);
      const name = fieldIndexName(ix.field);
      if (!inf.indexer.hasIndex(name)) inf.indexer.addIndexer(name, fieldExtractor(ix.field));
    }
    if (warm) {
      // EnableWarmup: sources start before leadership is won.
      this.informer(s.controller.forKind);
      for (const k of s.controller.owns) this.informer(k);
    }
    if (this.elector) this.elector.start();
    else this.startController();
  }

  isLeader(): boolean {
    return this.alive && (this.elector ? this.elector.isLeader() : this.controllerStarted);
  }

  isAlive(): boolean {
    return this.alive;
  }

  /** The process dies (leader failover fault): nothing is released. */
  kill(): void {
    if (!this.alive) return;
    this.alive = false;
    this.elector?.kill();
    for (const inf of this.informers.values()) inf.stop();
    this.queue?.shutDown();
  }

  memoryBytes(): number {
    let b = 0;
    for (const inf of this.informers.values()) b += inf.memoryBytes();
    return b;
  }

  queueLen(): number {
    return this.queue?.len() ?? 0;
  }

  /** The informer of a kind, created and started on first use (a cache miss). */
  informer(kind: string): Informer {
    let inf = this.informers.get(kind);
    if (inf) return inf;
    const shape = this.d.scenario.kinds?.[kind];
    inf = new Informer({
      loop: this.d.loop,
      rng: this.d.rng,
      kind,
      lw: this.d.lw,
      syncPeriod: this.d.settings.manager.syncPeriod,
      typedBytes: shape?.cachedBytes,
      onLifecycle: (e) => {
        if (!this.alive) return;
        if (e.type === 'synced') {
          this.d.event(
            'cacheSynced',
            `${e.kind} cache synced (${e.objects} objects) on ${this.identity}`,
          );
        } else if (e.type === 'relist') {
          this.d.event(
            'relist',
            `${e.kind} watch: 410 Gone, relisting in ${formatDuration(e.backoff)}`,
          );
          this.d.log(
            'info',
            'reflector',
            `watch of *v1.${e.kind} ended with: too old resource version`,
            {
              reflector: `pkg/mod/k8s.io/client-go/tools/cache/reflector.go:${kindInfo(e.kind).resource}`,
            },
          );
        } else if (e.type === 'listFailed') {
          this.d.log('error', 'reflector', `failed to list *v1.${e.kind}: ${e.message}`, {});
        }
      },
    });
    this.informers.set(kind, inf);
    this.readers.set(
      kind,
      new CacheReader(
        inf.indexer,
        kind,
        this.d.settings.version,
        shape?.cachedBytes ?? kindInfo(kind).typedBytes,
      ),
    );
    if (this.cache.started) inf.start();
    return inf;
  }

  // ---- controller ----

  private startController(): void {
    if (this.controllerStarted || !this.alive) return;
    this.controllerStarted = true;
    const s = this.d.settings;
    const d = this.d;
    const forInf = this.informer(s.controller.forKind);
    const ownInfs = s.controller.owns.map((k) => [k, this.informer(k)] as const);
    const parallel = s.reconcile.mode === 'parallel';
    const queue = parallel ? undefined : this.d.newQueue();
    this.queue = queue;
    const enqueue = (key: string, low: boolean): void => {
      if (!this.alive) return;
      if (parallel) return this.goroutine(key);
      queue!.add(key, low);
    };
    forInf.addEventHandler({
      onAdd: (o, initial) => enqueue(keyOf(o), initial),
      onUpdate: (a, b) =>
        enqueue(keyOf(b), a.metadata.resourceVersion === b.metadata.resourceVersion),
      onDelete: (o) => enqueue(keyOf(o), false),
    });
    for (const [, inf] of ownInfs) {
      const map = (o: CachedObject, low: boolean): void => {
        const k = controllerOwnerKey(o, s.controller.forKind);
        if (k) enqueue(k, low);
      };
      inf.addEventHandler({
        onAdd: (o, initial) => map(o, initial),
        onUpdate: (a, b) => {
          map(a, a.metadata.resourceVersion === b.metadata.resourceVersion);
          if (
            controllerOwnerKey(a, s.controller.forKind) !==
            controllerOwnerKey(b, s.controller.forKind)
          )
            map(b, false);
        },
        onDelete: (o) => map(o, false),
      });
    }
    d.log('info', 'controller-runtime', 'Starting EventSource', {
      controller: this.name,
      controllerGroup: kindInfo(s.controller.forKind).group,
      controllerKind: s.controller.forKind,
      source: `kind source: *v1.${s.controller.forKind}`,
    });
    d.log('info', 'controller-runtime', 'Starting Controller', {
      controller: this.name,
      controllerGroup: kindInfo(s.controller.forKind).group,
      controllerKind: s.controller.forKind,
    });
    // WaitForSync of every source, bounded by CacheSyncTimeout.
    const all = [forInf, ...ownInfs.map(([, i]) => i)];
    let pending = all.length;
    let timedOut = false;
    const timeout = d.loop.after(s.controller.cacheSyncTimeout, () => {
      if (pending === 0 || !this.alive) return;
      timedOut = true;
      d.log('error', 'controller-runtime', 'Could not wait for Cache to sync', {
        controller: this.name,
        error: `failed to wait for ${this.name} caches to sync kind source: *v1.${s.controller.forKind}: timed out waiting for cache to be synced for Kind *v1.${s.controller.forKind}`,
      });
      this.kill();
    });
    for (const inf of all) {
      inf.waitForSync(() => {
        if (timedOut || --pending > 0 || !this.alive) return;
        d.loop.cancel(timeout);
        this.startWorkers();
      });
    }
  }

  private startWorkers(): void {
    const s = this.d.settings;
    const d = this.d;
    // Capped at MAX_WORKERS: the lab-config flags larger values; an absurd number must not hang the run.
    const n = Math.min(
      MAX_WORKERS,
      Math.max(1, Math.floor(s.controller.maxConcurrentReconciles) || 1),
    );
    d.log('info', 'controller-runtime', 'Starting workers', {
      controller: this.name,
      controllerGroup: kindInfo(s.controller.forKind).group,
      controllerKind: s.controller.forKind,
      'worker count': n,
    });
    d.metrics
      .gauge('controller_runtime_max_concurrent_reconciles', { controller: this.name })
      .set(n);
    for (const r of ['success', 'error', 'requeue', 'requeue_after']) {
      d.metrics.counter('controller_runtime_reconcile_total', { controller: this.name, result: r });
    }
    d.metrics.counter('controller_runtime_reconcile_errors_total', { controller: this.name });
    d.metrics.counter('controller_runtime_terminal_reconcile_errors_total', {
      controller: this.name,
    });
    d.metrics.counter('controller_runtime_reconcile_panics_total', { controller: this.name });
    d.metrics.gauge('controller_runtime_active_workers', { controller: this.name });
    if (s.reconcile.mode === 'parallel') return;
    for (let i = 0; i < n; i++) this.worker();
  }

  private worker(): void {
    new Worker(this, this.queue!).next();
  }

  /** One turn of a worker's loop: Get (or wait for an item), then reconcile it. */
  /** @internal called by Worker */
  workerTurn(w: Worker): void {
    if (!this.alive) return;
    const q = w.q;
    const got = q.get();
    if (got === undefined) {
      q.onReady(w.next);
      return;
    }
    if (got.shutdown) return;
    const keys: string[] = [got.item];
    if (this.d.settings.reconcile.mode === 'batch') {
      while (keys.length < BATCH_MAX) {
        const more = q.get();
        if (more === undefined || more.shutdown) break;
        keys.push(more.item);
      }
    }
    w.keys = keys;
    w.priority = got.priority;
    w.sync = true;
    this.handle(w);
    w.sync = false;
  }

  /** reconcileHandler: runs Reconcile (or ReconcileBatch), records metrics, maps the result. */
  /** Series handles of the controller metrics (looked up once). */
  private metricHandles() {
    if (this.mh) return this.mh;
    const m = this.d.metrics;
    const c = { controller: this.name };
    this.mh = {
      active: m.gauge('controller_runtime_active_workers', c),
      time: m.histogramSeries('controller_runtime_reconcile_time_seconds', c),
      total: {
        success: m.counter('controller_runtime_reconcile_total', { ...c, result: 'success' }),
        error: m.counter('controller_runtime_reconcile_total', { ...c, result: 'error' }),
        requeue: m.counter('controller_runtime_reconcile_total', { ...c, result: 'requeue' }),
        requeue_after: m.counter('controller_runtime_reconcile_total', {
          ...c,
          result: 'requeue_after',
        }),
      },
      errors: m.counter('controller_runtime_reconcile_errors_total', c),
      terminal: m.counter('controller_runtime_terminal_reconcile_errors_total', c),
    };
    return this.mh;
  }

  /** reconcileHandler: runs Reconcile (or ReconcileBatch) for the worker's keys. */
  private handle(w: Worker): void {
    w.start = this.d.loop.now();
    w.index = 0;
    this.metricHandles().active.inc();
    this.reconcileOne(w.keys[0]!, w);
  }

  /** A reconcile of the worker's current key returned. */
  /** @internal called by Worker */
  workerReconciled(w: Worker, o: ReconcileOutcome): void {
    if (w.keys.length === 1) return this.finishHandle(w, o);
    // The lesson's ReconcileBatch: each request in turn; errors of reconcileDatabase are not
    // checked by the lesson's loop, so they are dropped and the batch returns success.
    if (o.err) this.d.stats.batchErrorsDropped++;
    if (++w.index >= w.keys.length) {
      return this.finishHandle(w, { requeue: false, requeueAfter: 0, err: null, terminal: false });
    }
    this.reconcileOne(w.keys[w.index]!, w);
  }

  /** Records the reconcile's metrics and trace, maps its result, then the worker loops. */
  private finishHandle(w: Worker, o: ReconcileOutcome): void {
    const d = this.d;
    const mh = this.metricHandles();
    const keys = w.keys;
    const start = w.start;
    mh.active.dec();
    const end = d.loop.now();
    mh.time.observe((end - start) / Second);
    for (const k of keys) {
      if (d.trace.traced(k)) {
        d.trace.span(
          k,
          'reconcile',
          start,
          end,
          keys.length > 1 ? `ReconcileBatch of ${keys.length}` : undefined,
        );
      }
    }
    this.applyResult(keys, w.priority, o);
    const q = w.q;
    for (const k of keys) q.done(k);
    // The worker loops at once; a reconcile that finished without blocking continues in a
    // fresh event (no unbounded recursion).
    if (w.sync) d.loop.after(0, w.next);
    else w.next();
  }

  private newReconcileID(): string {
    // A UUID-shaped id from the seeded stream (controller-runtime uses uuid.NewUUID()).
    const a = this.d.rng.nextUint32();
    const b = this.d.rng.nextUint32();
    const hex = (x: number, n: number): string => (x >>> 0).toString(16).padStart(8, '0').slice(-n);
    this.reconcileSeq++;
    return `${hex(a, 8)}-${hex(b >>> 16, 4)}-4${hex(b, 3)}-a${hex(a ^ b, 3)}-${hex(this.reconcileSeq, 4)}${hex(a ^ (b << 7), 8)}`;
  }

  /** Runs the ops for one request; reports the outcome (and the generation it read). */
  private reconcileOne(key: string, owner: ReconcileOwner): void {
    const call = new ReconcileCall(this, key, owner);
    runReconcile(this.d.settings.reconcile.ops, this.d.settings.controller.forKind, call, call);
  }

  private applyResult(keys: string[], priority: number, o: ReconcileOutcome): void {
    const d = this.d;
    const q = this.queue;
    const mh = this.metricHandles();
    if (o.err) {
      mh.total.error.inc();
      mh.errors.inc();
      const reconcileID = this.newReconcileID();
      const key = keys[0]!;
      const [namespace, name] = splitKey(key);
      const forKind = d.settings.controller.forKind;
      d.log('error', 'controller-runtime', 'Reconciler error', {
        controller: this.name,
        controllerGroup: kindInfo(forKind).group,
        controllerKind: forKind,
        [forKind]: `{"name":"${name}","namespace":"${namespace}"}`,
        namespace,
        name,
        reconcileID,
        error: o.err.message,
      });
      if (o.terminal) {
        mh.terminal.inc();
        return;
      }
      if (o.requeue || o.requeueAfter > 0) {
        // One source of truth for the text per version: the profile (profiles.ts).
        d.log('info', 'controller-runtime', profileFor(d.settings.version).resultAndErrorWarning, {
          controller: this.name,
        });
      }
      for (const k of keys) this.traceBackoff(k, () => q?.addRateLimited(k, priority));
      return;
    }
    if (o.requeueAfter > 0) {
      mh.total.requeue_after.inc();
      for (const k of keys) {
        q?.forget(k);
        q?.addAfter(k, o.requeueAfter, priority);
      }
      return;
    }
    if (o.requeue) {
      mh.total.requeue.inc();
      for (const k of keys) this.traceBackoff(k, () => q?.addRateLimited(k, priority));
      return;
    }
    mh.total.success.inc();
    for (const k of keys) q?.forget(k);
  }

  private traceBackoff(key: string, add: () => void): void {
    add();
    const q = this.queue;
    if (!q) return;
    const w = q.lastRateLimit();
    if (w.delay > 0 && this.d.trace.traced(key)) {
      const now = this.d.loop.now();
      this.d.trace.span(
        key,
        w.cause === 'bucket' ? 'bucket' : 'backoff',
        now,
        now + w.delay,
        `AddRateLimited: ${formatDuration(w.delay)} (${w.cause ?? 'backoff'})`,
      );
    }
  }

  /** ReconcileParallel: a goroutine per request, no queue, no dedup, no backoff. */
  private goroutine(key: string): void {
    const d = this.d;
    const st = d.stats;
    st.goroutines++;
    st.goroutinesLive++;
    if (st.goroutinesLive > st.goroutinesPeak) st.goroutinesPeak = st.goroutinesLive;
    const start = d.loop.now();
    const mh = this.metricHandles();
    mh.active.inc();
    this.reconcileOne(key, {
      reconciled: (o) => {
        st.goroutinesLive--;
        mh.active.dec();
        const end = d.loop.now();
        mh.time.observe((end - start) / Second);
        d.trace.span(key, 'reconcile', start, end, 'goroutine (ReconcileParallel)');
        // Counted like controller reconciles so the charts compare (a real process would not:
        // these calls bypass the controller); errors are only collected, never retried.
        mh.total[
          o.err ? 'error' : o.requeueAfter > 0 ? 'requeue_after' : o.requeue ? 'requeue' : 'success'
        ].inc();
        if (o.err) mh.errors.inc();
      },
    });
  }

  /** The reader of a kind whose informer has synced (undefined: use cachedRead). */
  /** @internal read by ReconcileCall */
  syncedReader(kind: string): CacheReader | undefined {
    const inf = this.informers.get(kind);
    return inf !== undefined && inf.hasSynced() ? this.readers.get(kind) : undefined;
  }

  /** Cached read: a kind without an informer starts one and blocks until it has synced. */
  /** @internal read by ReconcileCall */
  cachedRead(kind: string, fn: (r: CacheReader) => void): void {
    const inf = this.informer(kind);
    if (inf.hasSynced()) return fn(this.readers.get(kind)!);
    inf.waitForSync(() => fn(this.readers.get(kind)!));
  }

  /** Process age (for logs). */
  uptime(): Nanos {
    return this.d.loop.now() - this.processStart;
  }
}

/** Who a finished reconcile reports to: its worker, or a ReconcileParallel goroutine. */
interface ReconcileOwner {
  reconciled(o: ReconcileOutcome): void;
  /**
   * A callback that resumes `call` (ReconcileCall.resume), when the owner can make one for
   * all its calls: a worker runs one reconcile at a time, so it holds one callback.
   */
  resumer?(call: ReconcileCall): () => void;
}

/**
 * One of the controller's MaxConcurrentReconciles workers: its loop state as fields and
 * `next` made once, so a reconcile allocates no worker closures (the loop itself is
 * OperatorReplica.workerTurn / handle / finishHandle).
 */
class Worker implements ReconcileOwner {
  /** The items of the current reconcile (one, or a ReconcileBatch). */
  keys: string[] = [];
  priority = 0;
  start: Nanos = 0;
  /** Index in keys of the request being reconciled (ReconcileBatch). */
  index = 0;
  /** The reconcile was started from workerTurn and has not returned to it yet. */
  sync = false;
  readonly next: () => void;
  /** The call whose cache-read CPU time is being slept off (at most one at a time). */
  private resuming: ReconcileCall | undefined = undefined;
  private readonly resumeCb: () => void;

  constructor(
    private readonly op: OperatorReplica,
    readonly q: WorkQueue,
  ) {
    this.next = () => op.workerTurn(this);
    this.resumeCb = () => this.resuming!.resume();
  }

  reconciled(o: ReconcileOutcome): void {
    this.op.workerReconciled(this, o);
  }

  resumer(call: ReconcileCall): () => void {
    this.resuming = call;
    return this.resumeCb;
  }
}

/** What a ReconcileCall does once its cache-read CPU time is slept off. */
const AFTER_NOTHING = 0;
const AFTER_WRITE = 1;
const AFTER_DONE = 2;

/**
 * The calls of one reconcile (the `ReconcileEnv` the interpreter runs against), as one object
 * per reconcile with prototype methods instead of a set of closures per reconcile.
 *
 * Cache reads are synchronous and only add CPU time to `pending`; that time is slept off
 * before the next blocking call or the end of the reconcile (one event instead of one per
 * read). A dead process does nothing more: responses to its in-flight calls are dropped.
 */
class ReconcileCall implements ReconcileEnv {
  /** CPU time of cache reads not yet slept off. */
  pending = 0;
  /** Generation of the For() object this reconcile read. */
  readGen: number | undefined = undefined;
  /** The reconcile.Request (namespace/name of key). */
  readonly namespace: string;
  readonly name: string;
  /** The write or end of reconcile waiting for `pending` to be slept off. */
  private after = AFTER_NOTHING;
  private afterReq: WriteRequest | undefined = undefined;
  private afterSink: ReconcileSink | undefined = undefined;
  private outcome: ReconcileOutcome | undefined = undefined;
  private resumeCb: (() => void) | undefined = undefined;

  constructor(
    private readonly op: OperatorReplica,
    private readonly key: string,
    private readonly owner: ReconcileOwner,
  ) {
    const i = key.indexOf('/');
    this.namespace = i < 0 ? '' : key.slice(0, i);
    this.name = i < 0 ? key : key.slice(i + 1);
  }

  /** Sleeps off the CPU time of cache reads before anything that blocks. */
  private flush(fn: () => void): void {
    const dd = this.pending;
    if (dd <= 0) return fn();
    this.pending = 0;
    const op = this.op;
    op.d.loop.after(dd, () => {
      if (op.alive) fn();
    });
  }

  /** flush for the common calls (a write, the end of the reconcile): no closure per call. */
  private flushThen(after: number): void {
    const dd = this.pending;
    this.pending = 0;
    this.after = after;
    const owner = this.owner;
    this.op.d.loop.after(
      dd,
      owner.resumer ? owner.resumer(this) : (this.resumeCb ??= () => this.resume()),
    );
  }

  /** @internal called when the cache-read CPU time is slept off (flushThen). */
  resume(): void {
    if (!this.op.alive) return;
    const after = this.after;
    this.after = AFTER_NOTHING;
    if (after === AFTER_WRITE) this.apiWrite(this.afterReq!, this.afterSink!);
    else if (after === AFTER_DONE) this.complete(this.outcome!);
  }

  private span(stage: TraceStage, start: Nanos, detail?: string): void {
    const d = this.op.d;
    if (d.trace.traced(this.key)) d.trace.span(this.key, stage, start, d.loop.now(), detail);
  }

  random(): number {
    return this.op.d.rng.float64();
  }

  sleep(dd: Nanos, cb: () => void): void {
    const op = this.op;
    this.flush(() =>
      op.d.loop.after(dd, () => {
        if (op.alive) cb();
      }),
    );
  }

  reconcileDone(o: ReconcileOutcome): void {
    if (this.pending <= 0) return this.complete(o);
    this.outcome = o;
    this.flushThen(AFTER_DONE);
  }

  private complete(o: ReconcileOutcome): void {
    this.op.d.onReconciled(this.key, this.readGen, o);
    this.owner.reconciled(o);
  }

  get(kind: string, ns: string, name: string, source: 'cache' | 'api', sink: ReconcileSink): void {
    if (source === 'cache') return this.cacheGet(kind, ns, name, sink);
    this.flush(() => this.apiGet(kind, ns, name, sink));
  }

  private apiGet(kind: string, ns: string, name: string, sink: ReconcileSink): void {
    const op = this.op;
    const d = op.d;
    const forKind = d.settings.controller.forKind;
    d.api.call('apiReader', { verb: 'get', kind, namespace: ns, name }, this.key, (r) => {
      if (!op.alive) return;
      if (!r.ok) return sink.readDone(toReconcileErr(r.err), undefined);
      if (kind === forKind && r.obj) this.readGen = r.obj.metadata.generation;
      sink.readDone(null, r.obj!);
    });
  }

  private cacheGet(kind: string, ns: string, name: string, sink: ReconcileSink): void {
    const op = this.op;
    const reader = op.syncedReader(kind);
    if (reader === undefined) {
      // A kind without a synced informer: start it and block until it has synced.
      op.cachedRead(kind, (rd) => {
        if (op.alive) this.cacheGetFrom(rd, kind, ns, name, sink);
      });
      return;
    }
    if (op.alive) this.cacheGetFrom(reader, kind, ns, name, sink);
  }

  private cacheGetFrom(
    reader: CacheReader,
    kind: string,
    ns: string,
    name: string,
    sink: ReconcileSink,
  ): void {
    const d = this.op.d;
    const obj = reader.lookup(ns, name);
    const cost = reader.getCost(obj !== undefined);
    d.stats.cacheReads++;
    const t0 = d.loop.now() + this.pending;
    this.pending += cost;
    if (d.trace.traced(this.key))
      d.trace.span(this.key, 'cacheRead', t0, t0 + cost, `Get ${kind} ${ns}/${name} from cache`);
    if (obj === undefined)
      return sink.readDone(
        { message: reader.notFoundMessage(name), reason: 'NotFound', code: 404 },
        undefined,
      );
    if (kind === d.settings.controller.forKind) this.readGen = obj.metadata.generation;
    sink.readDone(null, obj);
  }

  list(kind: string, opts: CacheListOptions, source: 'cache' | 'api', sink: ReconcileSink): void {
    const op = this.op;
    if (source === 'cache') {
      return op.cachedRead(kind, (reader) => {
        if (op.alive) this.cacheList(reader, kind, opts, sink);
      });
    }
    this.flush(() => this.apiList(kind, opts, sink));
  }

  private apiList(kind: string, opts: CacheListOptions, sink: ReconcileSink): void {
    const op = this.op;
    if (opts.matchingFields && Object.keys(opts.matchingFields).length > 0) {
      // Custom resources have no server-side field index: only metadata.name/namespace
      // are supported as field selectors by the API server.
      const f = Object.keys(opts.matchingFields)[0]!;
      return sink.listDone(
        { message: `field label not supported: ${f}`, reason: 'BadRequest', code: 400 },
        [],
      );
    }
    op.d.api.call(
      'apiReader',
      {
        verb: 'list',
        kind,
        namespace: opts.namespace ?? '',
        labelSelector: opts.matchingLabels,
        limit: opts.limit,
      },
      this.key,
      (r) => {
        if (!op.alive) return;
        if (r.ok) sink.listDone(null, r.list?.items ?? []);
        else sink.listDone(toReconcileErr(r.err), []);
      },
    );
  }

  private cacheList(
    reader: CacheReader,
    kind: string,
    opts: CacheListOptions,
    sink: ReconcileSink,
  ): void {
    const d = this.op.d;
    const r = reader.list(opts);
    d.stats.cacheReads++;
    d.stats.cacheLists++;
    d.stats.cacheScanned += r.scanned;
    const t0 = d.loop.now() + this.pending;
    this.pending += r.cost;
    if (d.trace.traced(this.key)) {
      d.trace.span(
        this.key,
        'cacheRead',
        t0,
        t0 + r.cost,
        `List ${kind} from cache: ${r.scanned} scanned${r.ok ? `, ${r.items.length} returned` : ''}`,
      );
    }
    if (!r.ok)
      return sink.listDone({ message: r.err.message, reason: r.err.reason, code: 400 }, []);
    sink.listDone(null, r.items);
  }

  write(req: WriteRequest, sink: ReconcileSink): void {
    if (this.pending <= 0) return this.apiWrite(req, sink);
    this.afterReq = req;
    this.afterSink = sink;
    this.flushThen(AFTER_WRITE);
  }

  private apiWrite(req: WriteRequest, sink: ReconcileSink): void {
    const op = this.op;
    const d = op.d;
    const call = buildWrite(req, d.settings.controller.forKind);
    d.api.call('manager', call, this.key, (r: ApiResult) => {
      if (!op.alive) return;
      if (!r.ok) return sink.writeDone(toReconcileErr(r.err), undefined);
      sink.writeDone(null, r.obj);
    });
  }

  limiterWait(sink: ReconcileSink): void {
    this.flush(() => this.apiLimiterWait(sink));
  }

  private apiLimiterWait(sink: ReconcileSink): void {
    const op = this.op;
    const d = op.d;
    const lim = op.apiLimiter;
    if (!lim) return sink.waitDone(null);
    const now = d.loop.now();
    const r = lim.waitN(now, 1, {});
    if (r.err) return sink.waitDone({ message: r.err });
    d.limiterWait.observe(r.delay / Second);
    if (r.delay <= 0) return sink.waitDone(null);
    d.loop.after(r.delay, () => {
      this.span('limiterWait', now, `r.apiLimiter.Wait: ${formatDuration(r.delay)}`);
      if (op.alive) sink.waitDone(null);
    });
  }

  external(sink: ReconcileSink): void {
    this.flush(() => this.callExternal(sink));
  }

  private callExternal(sink: ReconcileSink): void {
    const op = this.op;
    const d = op.d;
    const start = d.loop.now();
    d.external.call((r) => {
      this.span(
        'external',
        start,
        r.ok ? 'external API 200' : (r.error?.message ?? `external API ${r.code}`),
      );
      if (!op.alive) return;
      sink.waitDone(
        r.ok
          ? null
          : { message: r.error?.message ?? `external API returned ${r.code}`, code: r.code },
      );
    });
  }
}

export function keyOf(o: CachedObject): string {
  return objectKey(o.metadata.namespace, o.metadata.name);
}

export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)];
}

/** The desired spec of an owned child, derived from its owner's spec. */
export function desiredChildSpec(owner: CachedObject | undefined): Record<string, string | number> {
  const spec = owner?.spec ?? {};
  return { replicas: Number(spec['replicas'] ?? 1), revision: Number(spec['revision'] ?? 0) };
}

/** The status a reconcile writes on the object it reconciled. */
export function desiredStatus(obj: CachedObject | undefined): Record<string, string | number> {
  return { observedGeneration: obj?.metadata.generation ?? 0, phase: 'Ready' };
}

/**
 * The request of a write op. Objects are written out key by key (no spread of a shared
 * `{namespace, name}`: a spread plus extra keys takes V8's slow object-clone path), with the
 * same keys in the same order as before.
 */
function buildWrite(req: WriteRequest, forKind: string): ApiCall {
  const { kind, namespace, name, base, owner } = req;
  const isChild = kind !== forKind;
  switch (req.verb) {
    case 'create': {
      const labels = { app: owner?.metadata.name ?? name };
      const obj: NewObject = {
        kind,
        metadata:
          isChild && owner
            ? {
                namespace,
                name,
                labels,
                ownerReferences: [
                  {
                    kind: forKind,
                    name: owner.metadata.name,
                    uid: owner.metadata.uid,
                    controller: true,
                  },
                ],
              }
            : { namespace, name, labels },
        spec: isChild ? desiredChildSpec(owner) : {},
      };
      return { verb: 'create', kind, namespace, name, obj };
    }
    case 'update':
      return {
        verb: 'update',
        kind,
        namespace,
        name,
        obj: {
          kind,
          metadata: {
            namespace,
            name,
            labels: { ...(base?.metadata.labels ?? {}) },
            resourceVersion: base?.metadata.resourceVersion,
            ownerReferences: base?.metadata.ownerReferences,
          },
          spec: isChild ? desiredChildSpec(owner) : { ...(base?.spec ?? {}) },
        },
      };
    case 'statusUpdate':
      return {
        verb: 'updateStatus',
        kind,
        namespace,
        name,
        obj: {
          kind,
          metadata: { namespace, name, resourceVersion: base?.metadata.resourceVersion },
          status: isChild ? { ...(base?.status ?? {}) } : desiredStatus(base),
        },
      };
    case 'patch':
      return {
        verb: 'patch',
        kind,
        namespace,
        name,
        patch: isChild
          ? { spec: desiredChildSpec(owner) }
          : { labels: { 'example.com/reconciled': 'true' } },
      };
    case 'statusPatch':
      return {
        verb: 'patchStatus',
        kind,
        namespace,
        name,
        patch: { status: isChild ? {} : desiredStatus(base) },
      };
    case 'delete':
      return { verb: 'delete', kind, namespace, name };
  }
}

export { qualifiedKind };
export type { KubeObject };
