/**
 * controller-runtime pkg/controller/priorityqueue (controller-semantics.md §1.4), the default
 * controller queue since v0.23.
 *
 * State: a map key → item {priority, counter, readyAt}; ready items ordered by priority
 * (higher first) then counter (lower first); waiting items ordered by readyAt then the same
 * tiebreak; a locked set of keys handed out and not yet Done. A ready item whose key is
 * locked (re-added while processing) is "parked": counted by len() and depth, invisible to
 * Get until Done, and it keeps its place (counter) in the order.
 *
 * Not modelled: the asynchronous add buffer of v0.23 (adds are applied synchronously, in call
 * order, which is the order the buffer preserves).
 */
import { MetricsRegistry, type GaugeSeries } from './metrics';
import { WaitList, type Waitable } from './process';
import {
  LATEST_WORKQUEUE_METRICS,
  QueueMetrics,
  UnfinishedWorkTicker,
  type QueueObserver,
  type QueueOptions,
} from './queue';
import {
  ItemExponentialFailureRateLimiter,
  type RateLimiter,
  type WaitCause,
} from './ratelimiters';
import type { EventLoop } from './loop';
import { Millisecond, Second, type Nanos } from './time';

/** handler.LowPriority: initial-list creates and resync updates. */
export const LowPriority = -100;

export interface AddOpts {
  after?: Nanos;
  rateLimited?: boolean;
  /** undefined: 0 for a new key, "no change" for an existing one. */
  priority?: number;
}

/**
 * One record per key that is queued (ready or waiting) and/or locked (handed out, not Done).
 * Go keeps the queued item in a map and the lock in a set; here both live on one record so the
 * hot path needs no map lookups between Get and Done.
 */
interface PqItem<T> {
  key: T;
  /**
   * State bits (one small integer keeps the record compact): QUEUED (the key has an item in
   * the queue, ready or waiting), LOCKED (between Get and Done), WAITING (it waits for
   * readyAt; else ready), IN_READY (it has a live entry in the ready heap; a ready item not
   * in it is parked).
   */
  st: number;
  /**
   * Stamp of the item's live entry in the ready or waiting heap (bumped by every put and by
   * leaving the waiting set, so older entries in either heap are stale).
   */
  stamp: number;
  priority: number;
  counter: number;
  /**
   * Index of the record's times in PriorityQueue.tm (readyAt, readySince, lockedSince): a
   * small typed-array slot instead of three boxed doubles keeps a record's memory compact.
   */
  id: number;
  /** Neighbours in the list of locked records (in lock order), while locked. */
  lprev: PqItem<T> | null;
  lnext: PqItem<T> | null;
}

const QUEUED = 1;
const LOCKED = 2;
const WAITING = 4;
const IN_READY = 8;

/** Offsets of a record's times in PriorityQueue.tm (stride TM_STRIDE per id). */
const TM_STRIDE = 4;
/** Meaningful while waiting. */
const READY_AT = 0;
/** When it became ready (the metrics' addTimes). */
const READY_SINCE = 1;
/** Get time while locked (the metrics' processingStartTimes). */
const LOCKED_SINCE = 2;

/**
 * A min-priority set of (k1, k2, k3) entries with lazy deletion: re-keying an item or taking
 * it out bumps its stamp, which makes its older entries stale; stale entries are dropped
 * when they reach the front. `live` says whether an entry (item, stamp) is current.
 *
 * Two parts, both in typed arrays (nothing is written into the items while sifting):
 * - a sorted run: a FIFO ring of entries put in non-decreasing key order. Most puts arrive in
 *   key order (a ready item's counter only grows; most waiting items are added with a later
 *   readyAt than the previous one), so they are appended in O(1) and popped in O(1);
 * - a binary heap for the entries that arrive out of order.
 * The front is the smaller of the run's head and the heap's top. Keys of entries are unique
 * (the counter is), so the order of pops is exactly that of a single heap.
 */
class LazyHeap<T> {
  // The heap.
  private k1 = new Float64Array(64);
  private k2 = new Float64Array(64);
  private k3 = new Float64Array(64);
  private st = new Float64Array(64);
  private its: (PqItem<T> | undefined)[] = [];
  private n = 0;
  // The sorted run: a ring of capacity mask + 1 (a power of two); rn entries from index rh.
  private r1 = new Float64Array(64);
  private r2 = new Float64Array(64);
  private r3 = new Float64Array(64);
  private rs = new Float64Array(64);
  private ri: (PqItem<T> | undefined)[] = new Array<PqItem<T> | undefined>(64).fill(undefined);
  private mask = 63;
  private rh = 0;
  private rn = 0;
  /** Whether the last peek() found the front in the run (else in the heap). */
  private fromRun = false;
  /** Live entries (maintained by the owner through put/popLive/dropped). */
  live = 0;

  /** `waiting`: the waiting heap rather than the ready heap (for the liveness test). */
  constructor(private readonly waiting: boolean) {}

  /** The front live item, dropping stale entries on the way. */
  peek(): PqItem<T> | undefined {
    const waiting = this.waiting;
    // Stale entries at the head of the run.
    let rx: PqItem<T> | undefined = undefined;
    while (this.rn > 0) {
      const j = this.rh;
      const x = this.ri[j]!;
      const s = this.rs[j]!;
      // The liveness test of each set, inline (a call through a function field is not).
      if (waiting ? waitingLive(x, s) : readyLive(x, s)) {
        rx = x;
        break;
      }
      this.ri[j] = undefined;
      this.rh = (j + 1) & this.mask;
      this.rn--;
    }
    // Stale entries at the top of the heap.
    let hx: PqItem<T> | undefined = undefined;
    while (this.n > 0) {
      const x = this.its[0]!;
      const s = this.st[0]!;
      if (waiting ? waitingLive(x, s) : readyLive(x, s)) {
        hx = x;
        break;
      }
      this.popTop();
    }
    if (hx === undefined) {
      this.fromRun = true;
      return rx;
    }
    if (rx === undefined) {
      this.fromRun = false;
      return hx;
    }
    const j = this.rh;
    this.fromRun = this.less(this.r1[j]!, this.r2[j]!, this.r3[j]!, 0);
    return this.fromRun ? rx : hx;
  }
  /** The first key of the live front (valid right after peek() returned it). */
  frontK1(): number {
    return this.fromRun ? this.r1[this.rh]! : this.k1[0]!;
  }
  /** The third key of the live front (valid right after peek() returned it). */
  frontK3(): number {
    return this.fromRun ? this.r3[this.rh]! : this.k3[0]!;
  }
  /** Removes the live front (call right after peek() returned it). */
  popLive(): void {
    if (this.fromRun) {
      const j = this.rh;
      this.ri[j] = undefined;
      this.rh = (j + 1) & this.mask;
      this.rn--;
    } else {
      this.popTop();
    }
    this.live--;
  }
  /** Adds an entry with the item's current stamp (bump the stamp first to re-key). */
  put(x: PqItem<T>, a: number, b: number, c: number, stamp: number): void {
    if (this.rn > 0) {
      const j = (this.rh + this.rn - 1) & this.mask;
      const a2 = this.r1[j]!;
      // Out of order for the run (smaller than its tail): into the heap.
      if (a < a2 || (a === a2 && (b < this.r2[j]! || (b === this.r2[j]! && c < this.r3[j]!)))) {
        this.heapPut(x, a, b, c, stamp);
        return;
      }
      if (this.rn > this.mask) this.growRun();
    }
    const j = (this.rh + this.rn++) & this.mask;
    this.r1[j] = a;
    this.r2[j] = b;
    this.r3[j] = c;
    this.rs[j] = stamp;
    this.ri[j] = x;
  }
  private heapPut(x: PqItem<T>, a: number, b: number, c: number, stamp: number): void {
    if (this.n === this.k1.length) this.grow();
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a, b, c, p)) break;
      this.k1[i] = this.k1[p]!;
      this.k2[i] = this.k2[p]!;
      this.k3[i] = this.k3[p]!;
      this.st[i] = this.st[p]!;
      this.its[i] = this.its[p];
      i = p;
    }
    this.k1[i] = a;
    this.k2[i] = b;
    this.k3[i] = c;
    this.st[i] = stamp;
    this.its[i] = x;
  }
  /** Whether (a, b, c) orders before heap entry j. */
  private less(a: number, b: number, c: number, j: number): boolean {
    const a2 = this.k1[j]!;
    if (a !== a2) return a < a2;
    const b2 = this.k2[j]!;
    if (b !== b2) return b < b2;
    return c < this.k3[j]!;
  }
  /**
   * Removes the top heap entry, bottom-up (Floyd): the hole goes down to a leaf along the
   * smaller children (one comparison per level), then the last entry is sifted up from
   * there, which does about half the comparisons of a plain sift-down.
   */
  private popTop(): void {
    const last = --this.n;
    const its = this.its;
    if (last === 0) {
      its[0] = undefined;
      return;
    }
    const k1 = this.k1;
    const k2 = this.k2;
    const k3 = this.k3;
    const st = this.st;
    const a = k1[last]!;
    const b = k2[last]!;
    const c = k3[last]!;
    const s = st[last]!;
    const x = its[last];
    its[last] = undefined;
    let i = 0;
    for (;;) {
      let ch = 2 * i + 1;
      if (ch >= last) break;
      const r = ch + 1;
      if (r < last && this.less(k1[r]!, k2[r]!, k3[r]!, ch)) ch = r;
      k1[i] = k1[ch]!;
      k2[i] = k2[ch]!;
      k3[i] = k3[ch]!;
      st[i] = st[ch]!;
      its[i] = its[ch];
      i = ch;
    }
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a, b, c, p)) break;
      k1[i] = k1[p]!;
      k2[i] = k2[p]!;
      k3[i] = k3[p]!;
      st[i] = st[p]!;
      its[i] = its[p];
      i = p;
    }
    k1[i] = a;
    k2[i] = b;
    k3[i] = c;
    st[i] = s;
    its[i] = x;
  }
  private grow(): void {
    const m = this.k1.length * 2;
    for (const f of ['k1', 'k2', 'k3', 'st'] as const) {
      const a = new Float64Array(m);
      a.set(this[f]);
      this[f] = a;
    }
  }
  /** Doubles the run's ring, unrolling it to start at index 0. */
  private growRun(): void {
    const cap = this.mask + 1;
    const m = cap * 2;
    const h = this.rh;
    for (const f of ['r1', 'r2', 'r3', 'rs'] as const) {
      const old = this[f];
      const a = new Float64Array(m);
      a.set(old.subarray(h));
      a.set(old.subarray(0, h), cap - h);
      this[f] = a;
    }
    const ri = new Array<PqItem<T> | undefined>(m).fill(undefined);
    for (let i = 0; i < cap; i++) ri[i] = this.ri[(h + i) & this.mask];
    this.ri = ri;
    this.mask = m - 1;
    this.rh = 0;
  }
}

function readyLive<T>(x: PqItem<T>, stamp: number): boolean {
  return (x.st & IN_READY) !== 0 && x.stamp === stamp;
}

function waitingLive<T>(x: PqItem<T>, stamp: number): boolean {
  return (x.st & (QUEUED | WAITING)) === (QUEUED | WAITING) && x.stamp === stamp;
}

/**
 * Ready order: priority (higher first), then counter (lower first). The third key carries
 * readySince, so Get reads it from the heap rather than from the record's times (the counter
 * of a ready entry is unique, so the third key never decides the order).
 */
function putReady<T>(h: LazyHeap<T>, it: PqItem<T>, readySince: Nanos): void {
  const stamp = ++it.stamp;
  if ((it.st & IN_READY) === 0) {
    it.st |= IN_READY;
    h.live++;
  }
  h.put(it, -it.priority, it.counter, readySince, stamp);
}

/** Waiting order: readyAt, then the ready order. */
function putWaiting<T>(h: LazyHeap<T>, it: PqItem<T>, readyAt: Nanos, isNew: boolean): void {
  const stamp = ++it.stamp;
  if (isNew) h.live++;
  h.put(it, readyAt, -it.priority, it.counter, stamp);
}

/** The item leaves the waiting set. */
function dropWaiting<T>(h: LazyHeap<T>, it: PqItem<T>): void {
  it.stamp++;
  h.live--;
}

/** What a lease() hands the controller: read `key` and `priority` right away. */
export interface LeasedItem<T> {
  readonly key: T;
  readonly priority: number;
}

export type PriorityGetResult<T> =
  { item: T; priority: number; shutdown: false } | { item: undefined; priority: 0; shutdown: true };

const SHUTDOWN_P = Object.freeze({ item: undefined, priority: 0, shutdown: true }) as {
  item: undefined;
  priority: 0;
  shutdown: true;
};

/** priorityqueue.PriorityQueue[T] (priorityqueue.New). */
export class PriorityQueue<T> {
  readonly rateLimiter: RateLimiter<T>;
  readonly queueMetrics: QueueMetrics | undefined;
  /** A Waitable for processes: resumes when get() may succeed. */
  readonly ready: Waitable;
  /** Delay and cause of the last rate-limited add (for the why-waiting trace). */
  readonly lastRateLimit: { delay: Nanos; cause: WaitCause | undefined } = {
    delay: 0,
    cause: undefined,
  };
  private readonly loop: EventLoop;
  /** Records of keys that are queued and/or locked. */
  private readonly recs = new Map<T, PqItem<T>>();
  /** The records' times, TM_STRIDE per record id (see PqItem.id). */
  private tm = new Float64Array(64 * TM_STRIDE);
  private nextId = 0;
  private readonly freeIds: number[] = [];
  /**
   * The last record looked up (a reconcile's requeue is followed by Done of the same key):
   * valid while lastRec is set; cleared when a record is deleted.
   */
  private lastKey: T | undefined = undefined;
  private lastRec: PqItem<T> | undefined = undefined;
  private readonly readyHeap = new LazyHeap<T>(false);
  private readonly waitingHeap = new LazyHeap<T>(true);
  /** Ready items whose key is locked (not in the ready heap until Done). */
  private parked = 0;
  /**
   * Locked records as an intrusive list in lock order (the iteration order of Go's and a JS
   * Set alike), so Get and Done need no hashing.
   */
  private lockedHead: PqItem<T> | null = null;
  private lockedTail: PqItem<T> | null = null;
  private lockedCount = 0;
  private readonly waiters: WaitList;
  private readonly ticker: UnfinishedWorkTicker | undefined;
  private observer: QueueObserver<T> | undefined;
  private counter = 0;
  private shutting = false;
  private timer = -1;
  private timerAt = Infinity;
  /** While fire() moves due items (an observer may add meanwhile: armFor defers to arm()). */
  private firing = false;
  private readonly fire = (): void => {
    this.timer = -1;
    this.timerAt = Infinity;
    if (this.shutting) return;
    const now = this.loop.now();
    this.firing = true;
    let head: PqItem<T> | undefined;
    try {
      for (;;) {
        head = this.waitingHeap.peek();
        // The waiting heap's first key is the live entry's readyAt.
        if (!head || this.waitingHeap.frontK1() > now) break;
        this.waitingHeap.popLive();
        this.becomeReady(head);
      }
    } finally {
      this.firing = false;
    }
    // arm(), with the head just peeked (nothing has changed since).
    if (head) this.armAt(this.waitingHeap.frontK1());
  };

  constructor(o: QueueOptions & { rateLimiter?: RateLimiter<T> }) {
    this.loop = o.loop;
    this.waiters = new WaitList(o.loop);
    // The priority queue's default: per-item exponential backoff only, no global bucket.
    this.rateLimiter =
      o.rateLimiter ?? new ItemExponentialFailureRateLimiter<T>(5 * Millisecond, 1000 * Second);
    if (o.name) {
      this.queueMetrics = new QueueMetrics(
        o.metrics ?? new MetricsRegistry(),
        o.name,
        o.metricsStyle ?? LATEST_WORKQUEUE_METRICS,
      );
      const inFlight = {
        size: 0,
        values: (): Nanos[] => {
          const starts: Nanos[] = [];
          for (let r = this.lockedHead; r !== null; r = r.lnext) {
            starts.push(this.tm[r.id * TM_STRIDE + LOCKED_SINCE]!);
          }
          return starts;
        },
      };
      this.ticker = new UnfinishedWorkTicker(o.loop, this.queueMetrics, () => {
        inFlight.size = this.lockedCount;
        return inFlight;
      });
    }
    this.ready = (resume) => this.onReady(resume);
  }

  get metrics(): MetricsRegistry | undefined {
    return this.queueMetrics?.registry;
  }

  setObserver(o: QueueObserver<T> | undefined): void {
    this.observer = o;
  }

  addWithOpts(o: AddOpts, ...keys: T[]): void {
    const after = o.after ?? 0;
    const rateLimited = o.rateLimited === true;
    const priority = o.priority;
    for (let i = 0; i < keys.length; i++) {
      this.addOne(keys[i]!, after, rateLimited, priority, undefined);
    }
  }

  /**
   * @internal The controller's requeue of the key it holds (`it`: the record from lease(),
   * still locked), as addWithOpts({after, rateLimited, priority}, it.key) without the map
   * lookup.
   */
  addLeased(
    it: LeasedItem<T>,
    after: Nanos,
    rateLimited: boolean,
    priority: number | undefined,
  ): void {
    this.addOne(it.key, after, rateLimited, priority, it as PqItem<T>);
  }

  /** `known`: the key's record if the caller holds it (it is locked, so it is in the map). */
  private addOne(
    key: T,
    after: Nanos,
    rateLimited: boolean,
    priority: number | undefined,
    known: PqItem<T> | undefined,
  ): void {
    if (this.shutting) {
      this.observer?.onAdd?.(key, 'dropped', priority ?? 0);
      return;
    }
    const now = this.loop.now();
    if (rateLimited) {
      const rl = this.rateLimiter.when(key);
      this.lastRateLimit.delay = rl;
      this.lastRateLimit.cause = this.rateLimiter.lastCause;
      if (after === 0 || rl < after) after = rl;
    }
    const delayed = after > 0;
    const readyAt = delayed ? now + after : 0;
    if (delayed) this.queueMetrics?.retry();
    let it = known ?? this.rec(key);
    if (it === undefined || (it.st & QUEUED) === 0) {
      // A new item (a key that is only locked gets a new, separate queue entry).
      if (it === undefined) {
        it = {
          key,
          st: delayed ? QUEUED | WAITING : QUEUED,
          stamp: 0,
          priority: priority ?? 0,
          counter: this.counter++,
          id: this.newId(),
          lprev: null,
          lnext: null,
        };
        this.recs.set(key, it);
        this.lastKey = key;
        this.lastRec = it;
      } else {
        // Only locked before: LOCKED stays, QUEUED (and WAITING if delayed) are set.
        it.st = (it.st & LOCKED) | QUEUED | (delayed ? WAITING : 0);
        it.priority = priority ?? 0;
        it.counter = this.counter++;
      }
      const t = it.id * TM_STRIDE;
      this.tm[t + READY_AT] = readyAt;
      this.tm[t + READY_SINCE] = now;
      if (!delayed) {
        this.becomeReady(it, false);
      } else {
        putWaiting(this.waitingHeap, it, readyAt, true);
        this.observer?.onWait?.(key, readyAt);
        this.armFor(readyAt);
      }
      return;
    }
    const newPriority = priority ?? 0;
    const raise = newPriority > it.priority;
    if ((it.st & WAITING) === 0) {
      // Already ready: stays ready (a later After is dropped).
      if (raise) {
        if (this.queueMetrics) {
          this.depth(it.priority).value--;
          this.depth(newPriority).value++;
        }
        it.priority = newPriority;
        it.counter = this.counter++;
        if ((it.st & IN_READY) !== 0)
          putReady(this.readyHeap, it, this.tm[it.id * TM_STRIDE + READY_SINCE]!);
      }
      this.observer?.onAdd?.(key, 'merged', it.priority);
      return;
    }
    // Waiting.
    if (raise) {
      it.priority = newPriority;
      it.counter = this.counter++;
    }
    if (!delayed) {
      dropWaiting(this.waitingHeap, it);
      this.becomeReady(it);
    } else {
      const t = it.id * TM_STRIDE + READY_AT;
      const earlier = readyAt < this.tm[t]!;
      if (earlier) {
        this.tm[t] = readyAt;
        this.observer?.onWait?.(key, readyAt);
      }
      if (earlier || raise) {
        const at = this.tm[t]!;
        putWaiting(this.waitingHeap, it, at, false);
        this.armFor(at);
      }
    }
  }

  add(item: T): void {
    this.addOne(item, 0, false, undefined, undefined);
  }

  addAfter(item: T, d: Nanos): void {
    this.addOne(item, d, false, undefined, undefined);
  }

  addRateLimited(item: T): void {
    this.addOne(item, 0, true, undefined, undefined);
  }

  /**
   * GetWithPriority: the highest-priority, oldest ready item whose key is not locked; on
   * shutdown {shutdown: true} at once, even with ready items left (no drain); undefined when
   * a real Get would block.
   */
  getWithPriority(): PriorityGetResult<T> | undefined {
    const it = this.lease();
    if (it === undefined) return undefined;
    if (it === null) return SHUTDOWN_P;
    return { item: it.key, priority: it.priority, shutdown: false };
  }

  /**
   * @internal getWithPriority for the controller's workers, without the result object: the
   * key's record (read its key and priority at once; pass it to addLeased and doneLeased),
   * null on shutdown, undefined when a real Get would block.
   */
  lease(): LeasedItem<T> | null | undefined {
    if (this.shutting) return null;
    const it = this.readyHeap.peek();
    if (it === undefined) return undefined;
    const readySince = this.readyHeap.frontK3();
    this.readyHeap.popLive();
    const now = this.loop.now();
    // Out of the ready heap and the queue, locked (WAITING is already clear).
    it.st = LOCKED;
    const t = it.id * TM_STRIDE;
    this.tm[t + LOCKED_SINCE] = now;
    this.lockLink(it);
    if (this.queueMetrics) {
      this.queueMetrics.get(this.depth(it.priority), now - readySince);
      this.ticker!.ensure();
    }
    this.observer?.onGet?.(it.key, it.priority);
    return it;
  }

  get(): { item: T; shutdown: false } | { item: undefined; shutdown: true } | undefined {
    const r = this.getWithPriority();
    if (r === undefined) return undefined;
    if (r.shutdown) return { item: undefined, shutdown: true };
    return { item: r.item, shutdown: false };
  }

  done(item: T): void {
    this.doneOne(item, this.rec(item));
  }

  /** @internal done(it.key) for the record lease() returned. */
  doneLeased(it: LeasedItem<T>): void {
    this.doneOne(it.key, it as PqItem<T>);
  }

  private doneOne(item: T, it: PqItem<T> | undefined): void {
    if (it !== undefined && (it.st & LOCKED) !== 0) {
      it.st &= ~LOCKED;
      this.lockUnlink(it);
      this.queueMetrics?.done(this.loop.now() - this.tm[it.id * TM_STRIDE + LOCKED_SINCE]!);
    }
    this.observer?.onDone?.(item);
    if (it === undefined) return;
    if ((it.st & QUEUED) === 0) {
      this.recs.delete(item);
      this.lastRec = undefined;
      this.freeIds.push(it.id);
    } else if ((it.st & (WAITING | IN_READY)) === 0) {
      // A parked ready item: visible to Get from now on, keeping its place (counter).
      this.parked--;
      putReady(this.readyHeap, it, this.tm[it.id * TM_STRIDE + READY_SINCE]!);
      this.waiters.notifyOne();
    }
  }

  /** Ready items only, including ready items whose key is locked; waiting items excluded. */
  len(): number {
    return this.readyHeap.live + this.parked;
  }

  /** Items waiting for their readyAt. */
  waitingLen(): number {
    return this.waitingHeap.live;
  }

  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  /** Immediate: Get reports shutdown even with ready items left; later adds are ignored. */
  shutDown(): void {
    this.shutting = true;
    this.ticker?.stop();
    if (this.timer >= 0) this.loop.cancel(this.timer);
    this.timer = -1;
    this.timerAt = Infinity;
    this.waiters.notifyAll();
  }

  /** An alias of shutDown (it does not wait); onDrained is called at once. */
  shutDownWithDrain(onDrained?: () => void): void {
    this.shutDown();
    onDrained?.();
  }

  shuttingDown(): boolean {
    return this.shutting;
  }

  processingCount(): number {
    return this.lockedCount;
  }

  /** See Queue.onReady. */
  onReady(cb: () => void): void {
    if (this.readyHeap.live > 0 || this.shutting) this.loop.schedule(this.loop.now(), cb);
    else this.waiters.wait(cb);
  }

  /** The priority an item would be handed out with, if it is queued. */
  priorityOf(item: T): number | undefined {
    const it = this.recs.get(item);
    return it !== undefined && (it.st & QUEUED) !== 0 ? it.priority : undefined;
  }

  /** recs.get(key) through the one-entry cache. */
  private rec(key: T): PqItem<T> | undefined {
    const last = this.lastRec;
    if (last !== undefined && key === this.lastKey) return last;
    const it = this.recs.get(key);
    this.lastKey = key;
    this.lastRec = it;
    return it;
  }

  private lockLink(it: PqItem<T>): void {
    const tail = this.lockedTail;
    it.lprev = tail;
    it.lnext = null;
    if (tail === null) this.lockedHead = it;
    else tail.lnext = it;
    this.lockedTail = it;
    this.lockedCount++;
  }

  private lockUnlink(it: PqItem<T>): void {
    const prev = it.lprev;
    const next = it.lnext;
    if (prev === null) this.lockedHead = next;
    else prev.lnext = next;
    if (next === null) this.lockedTail = prev;
    else next.lprev = prev;
    it.lprev = null;
    it.lnext = null;
    this.lockedCount--;
  }

  private depth(priority: number): GaugeSeries {
    return this.queueMetrics!.depth(priority);
  }

  private becomeReady(it: PqItem<T>, fresh = true): void {
    if (fresh) it.counter = this.counter++;
    it.st &= ~WAITING;
    const now = this.loop.now();
    this.tm[it.id * TM_STRIDE + READY_SINCE] = now;
    if (this.queueMetrics) this.queueMetrics.add(this.depth(it.priority));
    if ((it.st & LOCKED) !== 0) {
      this.parked++;
      this.observer?.onAdd?.(it.key, 'dirty', it.priority);
    } else {
      putReady(this.readyHeap, it, now);
      this.waiters.notifyOne();
      this.observer?.onAdd?.(it.key, 'queued', it.priority);
    }
  }

  /**
   * arm() right after an item started waiting until readyAt (or moved its readyAt earlier):
   * outside fire() the timer is always due at or before every waiting item, so only an
   * earlier readyAt moves it, and then to readyAt, which is the new head (no peek needed).
   */
  private armFor(readyAt: Nanos): void {
    if (this.firing) this.arm();
    else this.armAt(readyAt);
  }

  /** Arms the timer for the head of the waiting set. */
  private arm(): void {
    if (this.waitingHeap.peek()) this.armAt(this.waitingHeap.frontK1());
  }

  /** Moves the timer to `at` (the head's readyAt) if that is earlier. */
  private armAt(at: Nanos): void {
    if (at >= this.timerAt) return;
    if (this.timer >= 0) this.loop.cancel(this.timer);
    this.timerAt = at;
    this.timer = this.loop.schedule(at, this.fire);
  }

  /** A free slot in tm for a new record. */
  private newId(): number {
    const id = this.freeIds.pop();
    if (id !== undefined) return id;
    const n = this.nextId++;
    if ((n + 1) * TM_STRIDE > this.tm.length) {
      const tm = new Float64Array(this.tm.length * 2);
      tm.set(this.tm);
      this.tm = tm;
    }
    return n;
  }
}
