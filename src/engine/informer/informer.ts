/**
 * A SharedIndexInformer for one kind, as controller-runtime runs it (controller-semantics.md
 * §7, apiserver-and-scale.md §5.1, §5.2, §10.3):
 *
 * - start: LIST with resourceVersion "0" (served whole, unpaginated, from the watch cache),
 *   store everything, deliver Add events flagged isInInitialList, mark synced, then WATCH from
 *   the returned resourceVersion;
 * - each WATCH times out after a random 5–10 min and is re-opened from the last seen
 *   resourceVersion (no re-LIST);
 * - a broken WATCH is re-opened with the reflector's backoff (0.8 s doubling to 30 s, jitter
 *   1.0, reset after 2 min of health); 410 Gone (too old a resourceVersion) forces a re-LIST
 *   (Replace) with the same backoff;
 * - watch events reach the handlers after a delivery latency (lognormal, median 10 ms, p99
 *   150 ms, §10.3), in order;
 * - resync every SyncPeriod × U[0.9, 1.1): a local replay of every cached object as an
 *   Update with old == new, no API call;
 * - memory: objects × bytes per object (typed / unstructured / metadata-only).
 */
import type { EventLoop } from '../loop';
import type { Rng } from '../prng';
import { Millisecond, Minute, type Nanos, Second } from '../time';
import { bytesPerObject, type CacheRepresentation } from '../cache/kinds';
import { type CachedObject, Indexer, objectKey } from '../cache/indexer';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Why a WATCH stream ended. */
export type WatchEnd =
  /** the server closed it after its timeout (normal). */
  | 'timeout'
  /** the connection broke (network, server restart). */
  | 'error'
  /** 410 Gone: the resourceVersion fell out of the watch-cache history. */
  | 'gone';

export interface WatchHandle {
  stop(): void;
}

/** The LIST/WATCH the informer needs from the API server (implemented over the apiserver store). */
export interface ListWatcher {
  /**
   * LIST kind with resourceVersion "0" from the watch cache. Calls back once with the objects
   * and the list's resourceVersion, or an error (e.g. the server is unreachable).
   */
  list(
    kind: string,
    cb: (
      r:
        | { ok: true; objects: CachedObject[]; resourceVersion: number }
        | { ok: false; message: string },
    ) => void,
  ): void;
  /**
   * WATCH kind from resourceVersion; `event` for each change after rv, `end` once when the
   * stream ends. Opening with a too-old rv ends immediately with 'gone'.
   */
  watch(
    kind: string,
    resourceVersion: number,
    timeout: Nanos,
    on: { event(type: WatchEventType, obj: CachedObject): void; end(why: WatchEnd): void },
  ): WatchHandle;
}

export interface InformerHandlers {
  onAdd(obj: CachedObject, isInInitialList: boolean): void;
  onUpdate(oldObj: CachedObject, newObj: CachedObject): void;
  onDelete(obj: CachedObject): void;
}

export interface InformerOptions {
  loop: EventLoop;
  rng: Rng;
  kind: string;
  lw: ListWatcher;
  /** cache.Options.SyncPeriod (default 10 h). */
  syncPeriod: Nanos;
  representation?: CacheRepresentation;
  /** Bytes of one typed object (scenario override). */
  typedBytes?: number;
  /** Scenario log/annotation hook. */
  onLifecycle?: (e: InformerLifecycle) => void;
}

export type InformerLifecycle =
  | { type: 'synced'; kind: string; objects: number }
  | { type: 'watchClosed'; kind: string; why: WatchEnd }
  | { type: 'relist'; kind: string; attempt: number; backoff: Nanos }
  | { type: 'listFailed'; kind: string; message: string; backoff: Nanos };

/** Reflector backoff: 800 ms initial, ×2, 30 s cap, jitter 1.0, reset after 2 min healthy. */
export const BACKOFF_INITIAL: Nanos = 800 * Millisecond;
export const BACKOFF_MAX: Nanos = 30 * Second;
export const BACKOFF_RESET: Nanos = 2 * Minute;
/** Watch timeouts are random in [5, 10] min (defaultMinWatchTimeout × (1 + U[0,1))). */
export const MIN_WATCH_TIMEOUT: Nanos = 5 * Minute;
/** Watch event delivery latency (est., §10.3). */
export const WATCH_DELIVERY_MEDIAN: Nanos = 10 * Millisecond;
export const WATCH_DELIVERY_P99: Nanos = 150 * Millisecond;

export class Informer {
  readonly indexer = new Indexer();
  private handlers: InformerHandlers[] = [];
  private synced = false;
  private started = false;
  private stopped = false;
  private syncWaiters: (() => void)[] = [];
  private lastRV = 0;
  private watch: WatchHandle | undefined;
  private backoff = 0;
  private lastBackoffAt = -Infinity;
  private lastDelivery = 0;
  private resyncTimer: number | undefined;
  private readonly bytes: number;
  /** Counters for tests and metrics. */
  lists = 0;
  watches = 0;
  resyncs = 0;

  constructor(private readonly o: InformerOptions) {
    this.bytes = bytesPerObject(o.kind, o.representation ?? 'typed', o.typedBytes);
  }

  get kind(): string {
    return this.o.kind;
  }

  addEventHandler(h: InformerHandlers): void {
    this.handlers.push(h);
    // client-go replays the current store to a handler added after start.
    if (this.synced) for (const obj of this.indexer.list()) h.onAdd(obj, false);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Calls fn once the initial LIST has been stored (immediately if it has). */
  waitForSync(fn: () => void): void {
    if (this.synced) fn();
    else this.syncWaiters.push(fn);
  }

  memoryBytes(): number {
    return this.indexer.size() * this.bytes;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.listAndWatch(0);
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
    this.watch = undefined;
    if (this.resyncTimer !== undefined) this.o.loop.cancel(this.resyncTimer);
  }

  /** The reflector's jittered backoff step (wait.Backoff with Jitter 1.0). */
  private nextBackoff(): Nanos {
    const now = this.o.loop.now();
    if (now - this.lastBackoffAt > BACKOFF_RESET) this.backoff = 0;
    this.lastBackoffAt = now;
    this.backoff = this.backoff === 0 ? BACKOFF_INITIAL : Math.min(this.backoff * 2, BACKOFF_MAX);
    return this.backoff + Math.floor(this.o.rng.float64() * this.backoff);
  }

  private listAndWatch(attempt: number): void {
    if (this.stopped) return;
    this.lists++;
    this.o.lw.list(this.o.kind, (r) => {
      if (this.stopped) return;
      if (!r.ok) {
        const d = this.nextBackoff();
        this.o.onLifecycle?.({
          type: 'listFailed',
          kind: this.o.kind,
          message: r.message,
          backoff: d,
        });
        this.o.loop.after(d, () => this.listAndWatch(attempt + 1));
        return;
      }
      this.replace(r.objects);
      this.lastRV = r.resourceVersion;
      if (!this.synced) {
        this.synced = true;
        this.o.onLifecycle?.({ type: 'synced', kind: this.o.kind, objects: this.indexer.size() });
        const w = this.syncWaiters;
        this.syncWaiters = [];
        for (const fn of w) fn();
        this.scheduleResync();
      }
      this.startWatch();
    });
  }

  /** DeltaFIFO Replace: Add for new objects, Update for known ones, Delete for vanished ones. */
  private replace(objects: CachedObject[]): void {
    const initial = !this.synced;
    if (initial) {
      this.indexer.replace(objects);
      for (const obj of objects) for (const h of this.handlers) h.onAdd(obj, true);
      return;
    }
    const seen = new Set<string>();
    for (const obj of objects) {
      const key = objectKey(obj.metadata.namespace, obj.metadata.name);
      seen.add(key);
      const old = this.indexer.upsert(obj);
      for (const h of this.handlers) {
        if (old) h.onUpdate(old, obj);
        else h.onAdd(obj, false);
      }
    }
    const gone: CachedObject[] = [];
    for (const obj of this.indexer.list()) {
      if (!seen.has(objectKey(obj.metadata.namespace, obj.metadata.name))) gone.push(obj);
    }
    for (const obj of gone) {
      this.indexer.delete(obj.metadata.namespace, obj.metadata.name);
      for (const h of this.handlers) h.onDelete(obj);
    }
  }

  private startWatch(): void {
    if (this.stopped) return;
    this.watches++;
    const timeout = MIN_WATCH_TIMEOUT + Math.floor(this.o.rng.float64() * MIN_WATCH_TIMEOUT);
    const openedAt = this.o.loop.now();
    let ended = false;
    this.watch = this.o.lw.watch(this.o.kind, this.lastRV, timeout, {
      event: (type, obj) => this.deliver(type, obj),
      end: (why) => {
        if (ended || this.stopped) return;
        ended = true;
        // Events already in flight are delivered before the reflector reacts.
        const at = Math.max(this.o.loop.now(), this.lastDelivery);
        this.o.loop.schedule(at, () => this.onWatchEnd(why, openedAt));
      },
    });
  }

  private onWatchEnd(why: WatchEnd, openedAt: Nanos): void {
    if (this.stopped) return;
    this.watch = undefined;
    this.o.onLifecycle?.({ type: 'watchClosed', kind: this.o.kind, why });
    if (why === 'timeout') {
      // A healthy stream ran its course: re-open from the last resourceVersion at once.
      if (this.o.loop.now() - openedAt > BACKOFF_RESET) this.backoff = 0;
      this.startWatch();
      return;
    }
    const d = this.nextBackoff();
    if (why === 'gone') {
      this.o.onLifecycle?.({ type: 'relist', kind: this.o.kind, attempt: 1, backoff: d });
      this.o.loop.after(d, () => this.listAndWatch(1));
    } else {
      this.o.loop.after(d, () => this.startWatch());
    }
  }

  /** Delivers one watch event after the delivery latency, keeping the stream's order. */
  private deliver(type: WatchEventType, obj: CachedObject): void {
    const now = this.o.loop.now();
    const lat = Math.round(this.o.rng.lognormal(WATCH_DELIVERY_MEDIAN, WATCH_DELIVERY_P99));
    const at = Math.max(now + lat, this.lastDelivery);
    this.lastDelivery = at;
    if (obj.metadata.resourceVersion > this.lastRV) this.lastRV = obj.metadata.resourceVersion;
    // Delivery times never decrease, so the loop runs these events in the order they were
    // scheduled: one shared callback takes the oldest undelivered event (no closure per event).
    this.pendingTypes.push(type);
    this.pendingObjs.push(obj);
    this.o.loop.schedule(at, (this.deliverCb ??= () => this.deliverNext()));
  }

  /** Events received from the watch and not yet handed to the handlers, oldest at pendingHead. */
  private pendingTypes: WatchEventType[] = [];
  private pendingObjs: (CachedObject | undefined)[] = [];
  private pendingHead = 0;
  private deliverCb: (() => void) | undefined = undefined;

  private deliverNext(): void {
    const i = this.pendingHead++;
    const type = this.pendingTypes[i]!;
    const obj = this.pendingObjs[i]!;
    this.pendingObjs[i] = undefined;
    if (this.pendingHead === this.pendingTypes.length) {
      this.pendingTypes.length = 0;
      this.pendingObjs.length = 0;
      this.pendingHead = 0;
    } else if (this.pendingHead >= 1024 && this.pendingHead * 2 >= this.pendingTypes.length) {
      this.pendingTypes.splice(0, this.pendingHead);
      this.pendingObjs.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
    if (this.stopped) return;
    this.apply(type, obj);
  }

  private apply(type: WatchEventType, obj: CachedObject): void {
    if (type === 'DELETED') {
      const old = this.indexer.delete(obj.metadata.namespace, obj.metadata.name);
      if (old) for (const h of this.handlers) h.onDelete(old);
      return;
    }
    const old = this.indexer.upsert(obj);
    for (const h of this.handlers) {
      if (old) h.onUpdate(old, obj);
      else h.onAdd(obj, false);
    }
  }

  /** calculateResyncPeriod: SyncPeriod × (rand.Float64()/5 + 0.9), drawn once per informer. */
  private resyncPeriod: Nanos | undefined;
  private scheduleResync(): void {
    this.resyncPeriod ??= Math.floor(this.o.syncPeriod * (this.o.rng.float64() / 5 + 0.9));
    const period = this.resyncPeriod;
    if (!(period > 0) || !Number.isFinite(period)) return;
    this.resyncTimer = this.o.loop.after(period, () => {
      if (this.stopped) return;
      this.resyncs++;
      for (const obj of this.indexer.list()) for (const h of this.handlers) h.onUpdate(obj, obj);
      this.scheduleResync();
    });
  }
}
