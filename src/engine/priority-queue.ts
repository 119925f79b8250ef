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
 * Go keeps the queued item in a map and the lock in a set; here both live in one record so the
 * hot path needs no map lookups between Get and Done.
 *
 * The records are a table rather than objects, indexed by a record id: a reconcile touches its
 * record when the key becomes ready, when a worker gets it and when it is requeued and Done,
 * each time after thousands of other keys did the same, so what those steps read must be in
 * cache. The heaps' liveness test reads only S (8 bytes per record: 80 KB for 10,000 keys, which
 * stays in the core's cache); the priority a step needs comes with the heap entry; the other
 * fields (F, 64 bytes per record) are mostly written on the hot path, and typed-array stores
 * need no GC write barrier.
 */
/** F: while waiting, when it becomes ready. */
const F_READY_AT = 0;
/** F: when it became ready (the metrics' addTimes). */
const F_READY_SINCE = 1;
/** F: Get time while locked (the metrics' processingStartTimes). */
const F_LOCKED_SINCE = 2;
/** F: the ready order's tiebreak (lower first); unique per put. */
const F_COUNTER = 3;
/** F: the item's priority (higher first). */
const F_PRIORITY = 4;
/** F: neighbours in the list of locked records (in lock order), NONE for none. */
const F_LPREV = 5;
const F_LNEXT = 6;
const F_STRIDE = 8;
/**
 * S: state bits: QUEUED (the key has an item in the queue, ready or waiting), LOCKED (between
 * Get and Done), WAITING (it waits for readyAt; else ready), IN_READY (it has a live entry in
 * the ready heap; a ready item not in it is parked). 0 for a free id.
 */
const S_ST = 0;
/**
 * S: stamp of the record's live entry in the ready or waiting heap (bumped, wrapping at 2^32,
 * by every put and by leaving the waiting set, so older entries in either heap are stale). It
 * is never reset, so entries left by an earlier key that had the same id stay stale.
 */
const S_STAMP = 1;
const S_STRIDE = 2;

const QUEUED = 1;
const LOCKED = 2;
const WAITING = 4;
const IN_READY = 8;
/**
 * The rate limiter may hold per-item state for the key: set when the record is created and
 * by every rate-limited add through this queue, cleared by forgetLeased. Without it, the key
 * has had no `when` since its last forget, so a forget has nothing to do (see forgetLeased).
 */
const MAY_FAIL = 16;

/** No record (a lease that would block; the end of the locked list). */
const NONE = -1;

/** The record table (see above); F and S are replaced when it grows. */
class Records<T> {
  F = new Float64Array(64 * F_STRIDE);
  S = new Int32Array(64 * S_STRIDE);
  readonly keys: (T | undefined)[] = [];
  private cap = 64;
  private next = 0;
  private readonly free: number[] = [];

  alloc(key: T): number {
    let id = this.free.pop();
    if (id === undefined) {
      id = this.next++;
      if (id === this.cap) this.grow();
    }
    this.keys[id] = key;
    return id;
  }

  /** The record leaves the table (its stamp stays; its state bits are already 0). */
  release(id: number): void {
    this.S[id * S_STRIDE + S_ST] = 0;
    this.keys[id] = undefined;
    this.free.push(id);
  }

  private grow(): void {
    this.cap *= 2;
    const F = new Float64Array(this.cap * F_STRIDE);
    F.set(this.F);
    this.F = F;
    const S = new Int32Array(this.cap * S_STRIDE);
    S.set(this.S);
    this.S = S;
  }
}

/**
 * A min-priority set of (k1, k2, k3) entries of record ids with lazy deletion: re-keying a
 * record or taking it out bumps its stamp, which makes its older entries stale; stale entries
 * are dropped when they reach the front.
 *
 * Two parts, both in typed arrays (nothing is written into the records while sifting):
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
  private st = new Int32Array(64);
  private ids = new Int32Array(64);
  private n = 0;
  // The sorted run: a ring of capacity mask + 1 (a power of two); rn entries from index rh.
  private r1 = new Float64Array(64);
  private r2 = new Float64Array(64);
  private r3 = new Float64Array(64);
  private rs = new Int32Array(64);
  private ri = new Int32Array(64);
  private mask = 63;
  private rh = 0;
  private rn = 0;
  /** Whether the last peek() found the front in the run (else in the heap). */
  private fromRun = false;
  /** Live entries (maintained by the owner through put/popLive/dropped). */
  live = 0;
  /** The state bits an entry's record must have (all of them) to be live. */
  private readonly need: number;

  /** `waiting`: the waiting heap rather than the ready heap (for the liveness test). */
  constructor(
    private readonly recs: Records<T>,
    waiting: boolean,
  ) {
    this.need = waiting ? QUEUED | WAITING : IN_READY;
  }

  /** The id of the front live record (NONE if empty), dropping stale entries on the way. */
  peek(): number {
    const S = this.recs.S;
    const need = this.need;
    // Stale entries at the head of the run.
    let rx = NONE;
    while (this.rn > 0) {
      const j = this.rh;
      const x = this.ri[j]!;
      const b = x * S_STRIDE;
      if ((S[b + S_ST]! & need) === need && S[b + S_STAMP] === this.rs[j]) {
        rx = x;
        break;
      }
      this.rh = (j + 1) & this.mask;
      this.rn--;
    }
    // Stale entries at the top of the heap.
    let hx = NONE;
    while (this.n > 0) {
      const x = this.ids[0]!;
      const b = x * S_STRIDE;
      if ((S[b + S_ST]! & need) === need && S[b + S_STAMP] === this.st[0]) {
        hx = x;
        break;
      }
      this.popTop();
    }
    if (hx === NONE) {
      this.fromRun = true;
      return rx;
    }
    if (rx === NONE) {
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
  /** The second key of the live front (valid right after peek() returned it). */
  frontK2(): number {
    return this.fromRun ? this.r2[this.rh]! : this.k2[0]!;
  }
  /** The third key of the live front (valid right after peek() returned it). */
  frontK3(): number {
    return this.fromRun ? this.r3[this.rh]! : this.k3[0]!;
  }
  /** Removes the live front (call right after peek() returned it). */
  popLive(): void {
    if (this.fromRun) {
      this.rh = (this.rh + 1) & this.mask;
      this.rn--;
    } else {
      this.popTop();
    }
    this.live--;
  }
  /** Adds an entry with the record's current stamp (bump the stamp first to re-key). */
  put(x: number, a: number, b: number, c: number, stamp: number): void {
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
  private heapPut(x: number, a: number, b: number, c: number, stamp: number): void {
    if (this.n === this.k1.length) this.grow();
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a, b, c, p)) break;
      this.k1[i] = this.k1[p]!;
      this.k2[i] = this.k2[p]!;
      this.k3[i] = this.k3[p]!;
      this.st[i] = this.st[p]!;
      this.ids[i] = this.ids[p]!;
      i = p;
    }
    this.k1[i] = a;
    this.k2[i] = b;
    this.k3[i] = c;
    this.st[i] = stamp;
    this.ids[i] = x;
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
    if (last === 0) return;
    const k1 = this.k1;
    const k2 = this.k2;
    const k3 = this.k3;
    const st = this.st;
    const ids = this.ids;
    const a = k1[last]!;
    const b = k2[last]!;
    const c = k3[last]!;
    const s = st[last]!;
    const x = ids[last]!;
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
      ids[i] = ids[ch]!;
      i = ch;
    }
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a, b, c, p)) break;
      k1[i] = k1[p]!;
      k2[i] = k2[p]!;
      k3[i] = k3[p]!;
      st[i] = st[p]!;
      ids[i] = ids[p]!;
      i = p;
    }
    k1[i] = a;
    k2[i] = b;
    k3[i] = c;
    st[i] = s;
    ids[i] = x;
  }
  private grow(): void {
    const m = this.k1.length * 2;
    for (const f of ['k1', 'k2', 'k3'] as const) {
      const a = new Float64Array(m);
      a.set(this[f]);
      this[f] = a;
    }
    for (const f of ['st', 'ids'] as const) {
      const a = new Int32Array(m);
      a.set(this[f]);
      this[f] = a;
    }
  }
  /** Doubles the run's ring, unrolling it to start at index 0. */
  private growRun(): void {
    const cap = this.mask + 1;
    const m = cap * 2;
    const h = this.rh;
    for (const f of ['r1', 'r2', 'r3'] as const) {
      const old = this[f];
      const a = new Float64Array(m);
      a.set(old.subarray(h));
      a.set(old.subarray(0, h), cap - h);
      this[f] = a;
    }
    for (const f of ['rs', 'ri'] as const) {
      const old = this[f];
      const a = new Int32Array(m);
      a.set(old.subarray(h));
      a.set(old.subarray(0, h), cap - h);
      this[f] = a;
    }
    this.mask = m - 1;
    this.rh = 0;
  }
}

/** What lease() returns when a real Get would block. */
export const LEASE_BLOCKED = -1;
/** What lease() returns once the queue is shutting down. */
export const LEASE_SHUTDOWN = -2;

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
  /** Ids of the records of keys that are queued and/or locked. */
  private readonly ids = new Map<T, number>();
  private readonly recs = new Records<T>();
  /**
   * The last record looked up (a reconcile's requeue is followed by Done of the same key):
   * valid while lastId is not NONE; cleared when a record is released.
   */
  private lastKey: T | undefined = undefined;
  /** @internal The priority the last lease() handed its key out with. */
  leasePriority = 0;
  private lastId = NONE;
  private readonly readyHeap: LazyHeap<T>;
  private readonly waitingHeap: LazyHeap<T>;
  /** Ready items whose key is locked (not in the ready heap until Done). */
  private parked = 0;
  /**
   * Locked records as an intrusive list in lock order (the iteration order of Go's and a JS
   * Set alike), so Get and Done need no hashing.
   */
  private lockedHead = NONE;
  private lockedTail = NONE;
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
    let head: number;
    try {
      for (;;) {
        head = this.waitingHeap.peek();
        // The waiting heap's first key is the live entry's readyAt.
        if (head === NONE || this.waitingHeap.frontK1() > now) break;
        // The waiting order's second key is -priority.
        const priority = 0 - this.waitingHeap.frontK2();
        this.waitingHeap.popLive();
        this.becomeReady(head, this.counter++, priority);
      }
    } finally {
      this.firing = false;
    }
    // arm(), with the head just peeked (nothing has changed since).
    if (head !== NONE) this.armAt(this.waitingHeap.frontK1());
  };

  constructor(o: QueueOptions & { rateLimiter?: RateLimiter<T> }) {
    this.loop = o.loop;
    this.waiters = new WaitList(o.loop);
    this.readyHeap = new LazyHeap<T>(this.recs, false);
    this.waitingHeap = new LazyHeap<T>(this.recs, true);
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
          const F = this.recs.F;
          for (let r = this.lockedHead; r !== NONE; r = F[r * F_STRIDE + F_LNEXT]!) {
            starts.push(F[r * F_STRIDE + F_LOCKED_SINCE]!);
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
      this.addOne(keys[i]!, after, rateLimited, priority, NONE);
    }
  }

  /**
   * @internal The controller's requeue of the key it holds (`id`: from lease(), still
   * locked), as addWithOpts({after, rateLimited, priority}, key) without the map lookup.
   */
  addLeased(id: number, after: Nanos, rateLimited: boolean, priority: number | undefined): void {
    this.addOne(this.recs.keys[id] as T, after, rateLimited, priority, id);
  }

  /** `known`: the key's record if the caller holds it (it is locked, so it is in the map). */
  private addOne(
    key: T,
    after: Nanos,
    rateLimited: boolean,
    priority: number | undefined,
    known: number,
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
    let id = known !== NONE ? known : this.rec(key);
    const recs = this.recs;
    if (rateLimited && id !== NONE) recs.S[id * S_STRIDE + S_ST]! |= MAY_FAIL;
    if (id === NONE || (recs.S[id * S_STRIDE + S_ST]! & QUEUED) === 0) {
      // A new item (a key that is only locked gets a new, separate queue entry).
      if (id === NONE) {
        id = recs.alloc(key);
        recs.S[id * S_STRIDE + S_ST] = (delayed ? QUEUED | WAITING : QUEUED) | MAY_FAIL;
        recs.F[id * F_STRIDE + F_LPREV] = NONE;
        recs.F[id * F_STRIDE + F_LNEXT] = NONE;
        this.ids.set(key, id);
        this.lastKey = key;
        this.lastId = id;
      } else {
        // Only locked before: LOCKED (and MAY_FAIL) stay, QUEUED (and WAITING if delayed) are
        // set.
        const b = id * S_STRIDE + S_ST;
        recs.S[b] = (recs.S[b]! & (LOCKED | MAY_FAIL)) | QUEUED | (delayed ? WAITING : 0);
      }
      const F = recs.F;
      const f = id * F_STRIDE;
      const p = priority ?? 0;
      F[f + F_PRIORITY] = p;
      const counter = this.counter++;
      F[f + F_COUNTER] = counter;
      F[f + F_READY_AT] = readyAt;
      F[f + F_READY_SINCE] = now;
      if (!delayed) {
        this.becomeReady(id, counter, p);
      } else {
        this.putWaiting(id, readyAt, true);
        this.observer?.onWait?.(key, readyAt);
        this.armFor(readyAt);
      }
      return;
    }
    const F = recs.F;
    const f = id * F_STRIDE;
    const st = recs.S[id * S_STRIDE + S_ST]!;
    const newPriority = priority ?? 0;
    const raise = newPriority > F[f + F_PRIORITY]!;
    if ((st & WAITING) === 0) {
      // Already ready: stays ready (a later After is dropped).
      if (raise) {
        if (this.queueMetrics) {
          this.depth(F[f + F_PRIORITY]!).value--;
          this.depth(newPriority).value++;
        }
        F[f + F_PRIORITY] = newPriority;
        F[f + F_COUNTER] = this.counter++;
        if ((st & IN_READY) !== 0) {
          this.putReady(id, newPriority, F[f + F_COUNTER]!, F[f + F_READY_SINCE]!);
        }
      }
      this.observer?.onAdd?.(key, 'merged', F[f + F_PRIORITY]!);
      return;
    }
    // Waiting.
    if (raise) {
      F[f + F_PRIORITY] = newPriority;
      F[f + F_COUNTER] = this.counter++;
    }
    if (!delayed) {
      this.dropWaiting(id);
      this.becomeReady(id, this.counter++, F[f + F_PRIORITY]!);
    } else {
      const earlier = readyAt < F[f + F_READY_AT]!;
      if (earlier) {
        F[f + F_READY_AT] = readyAt;
        this.observer?.onWait?.(key, readyAt);
      }
      if (earlier || raise) {
        const at = F[f + F_READY_AT]!;
        this.putWaiting(id, at, false);
        this.armFor(at);
      }
    }
  }

  add(item: T): void {
    this.addOne(item, 0, false, undefined, NONE);
  }

  addAfter(item: T, d: Nanos): void {
    this.addOne(item, d, false, undefined, NONE);
  }

  addRateLimited(item: T): void {
    this.addOne(item, 0, true, undefined, NONE);
  }

  /**
   * GetWithPriority: the highest-priority, oldest ready item whose key is not locked; on
   * shutdown {shutdown: true} at once, even with ready items left (no drain); undefined when
   * a real Get would block.
   */
  getWithPriority(): PriorityGetResult<T> | undefined {
    const id = this.lease();
    if (id === LEASE_BLOCKED) return undefined;
    if (id === LEASE_SHUTDOWN) return SHUTDOWN_P;
    return { item: this.leasedKey(id), priority: this.leasePriority, shutdown: false };
  }

  /**
   * @internal getWithPriority for the controller's workers, without the result object: the
   * id of the key's record (read leasedKey(id) and leasePriority at once; pass the id to
   * addLeased, forgetLeased and doneLeased), LEASE_SHUTDOWN on shutdown, LEASE_BLOCKED when a
   * real Get would block.
   */
  lease(): number {
    if (this.shutting) return LEASE_SHUTDOWN;
    const id = this.readyHeap.peek();
    if (id === NONE) return LEASE_BLOCKED;
    // The ready order's first key is -priority.
    const priority = 0 - this.readyHeap.frontK1();
    const readySince = this.readyHeap.frontK3();
    this.readyHeap.popLive();
    const now = this.loop.now();
    // Out of the ready heap and the queue, locked (WAITING is already clear).
    const sb = id * S_STRIDE + S_ST;
    this.recs.S[sb] = LOCKED | (this.recs.S[sb]! & MAY_FAIL);
    this.recs.F[id * F_STRIDE + F_LOCKED_SINCE] = now;
    this.lockLink(id);
    this.leasePriority = priority;
    if (this.queueMetrics) {
      this.queueMetrics.get(this.depth(priority), now - readySince);
      this.ticker!.ensure();
    }
    this.observer?.onGet?.(this.recs.keys[id] as T, priority);
    return id;
  }

  /** @internal The key of a record lease() returned (until doneLeased). */
  leasedKey(id: number): T {
    return this.recs.keys[id] as T;
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

  /** @internal done(key) for the record lease() returned. */
  doneLeased(id: number): void {
    this.doneOne(this.recs.keys[id] as T, id);
  }

  private doneOne(item: T, id: number): void {
    const recs = this.recs;
    if (id !== NONE && (recs.S[id * S_STRIDE + S_ST]! & LOCKED) !== 0) {
      recs.S[id * S_STRIDE + S_ST]! &= ~LOCKED;
      this.lockUnlink(id);
      this.queueMetrics?.done(this.loop.now() - recs.F[id * F_STRIDE + F_LOCKED_SINCE]!);
    }
    this.observer?.onDone?.(item);
    if (id === NONE) return;
    const st = recs.S[id * S_STRIDE + S_ST]!;
    if ((st & QUEUED) === 0) {
      this.ids.delete(item);
      this.lastId = NONE;
      this.lastKey = undefined;
      recs.release(id);
    } else if ((st & (WAITING | IN_READY)) === 0) {
      // A parked ready item: visible to Get from now on, keeping its place (counter).
      this.parked--;
      const f = id * F_STRIDE;
      this.putReady(
        id,
        recs.F[f + F_PRIORITY]!,
        recs.F[f + F_COUNTER]!,
        recs.F[f + F_READY_SINCE]!,
      );
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

  /**
   * @internal forget(key) for the record lease() returned. The rate limiter's per-item state
   * (failures) changes only through `when`, which this queue calls on a rate-limited add, so a
   * key with no rate-limited add since its last forget here (MAY_FAIL clear) has nothing to
   * forget and the limiter is not asked (a Map.delete of a key that is not there). This holds
   * while the queue is the only caller of its limiter's `when`, as in controller-runtime, where
   * the queue owns its rate limiter; a new record starts with MAY_FAIL set, so state left from
   * an earlier record of the key (a TerminalError is not forgotten) is still forgotten.
   */
  forgetLeased(id: number): void {
    const S = this.recs.S;
    const b = id * S_STRIDE + S_ST;
    if ((S[b]! & MAY_FAIL) === 0) return;
    S[b] = S[b]! & ~MAY_FAIL;
    this.rateLimiter.forget(this.recs.keys[id] as T);
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
    const id = this.ids.get(item);
    if (id === undefined || (this.recs.S[id * S_STRIDE + S_ST]! & QUEUED) === 0) return undefined;
    return this.recs.F[id * F_STRIDE + F_PRIORITY]!;
  }

  /** ids.get(key) through the one-entry cache; NONE when the key has no record. */
  private rec(key: T): number {
    if (this.lastId !== NONE && key === this.lastKey) return this.lastId;
    const id = this.ids.get(key) ?? NONE;
    this.lastKey = key;
    this.lastId = id;
    return id;
  }

  private lockLink(id: number): void {
    const F = this.recs.F;
    const tail = this.lockedTail;
    const b = id * F_STRIDE;
    F[b + F_LPREV] = tail;
    F[b + F_LNEXT] = NONE;
    if (tail === NONE) this.lockedHead = id;
    else F[tail * F_STRIDE + F_LNEXT] = id;
    this.lockedTail = id;
    this.lockedCount++;
  }

  private lockUnlink(id: number): void {
    const F = this.recs.F;
    const b = id * F_STRIDE;
    const prev = F[b + F_LPREV]!;
    const next = F[b + F_LNEXT]!;
    if (prev === NONE) this.lockedHead = next;
    else F[prev * F_STRIDE + F_LNEXT] = next;
    if (next === NONE) this.lockedTail = prev;
    else F[next * F_STRIDE + F_LPREV] = prev;
    F[b + F_LPREV] = NONE;
    F[b + F_LNEXT] = NONE;
    this.lockedCount--;
  }

  private depth(priority: number): GaugeSeries {
    return this.queueMetrics!.depth(priority);
  }

  /**
   * Ready order: priority (higher first), then counter (lower first). The third key carries
   * readySince, so Get reads it from the heap rather than from the record (the counter of a
   * ready entry is unique, so the third key never decides the order).
   */
  private putReady(id: number, priority: number, counter: number, readySince: Nanos): void {
    const S = this.recs.S;
    const b = id * S_STRIDE;
    const stamp = (S[b + S_STAMP] = (S[b + S_STAMP]! + 1) | 0);
    if ((S[b + S_ST]! & IN_READY) === 0) {
      S[b + S_ST]! |= IN_READY;
      this.readyHeap.live++;
    }
    this.readyHeap.put(id, -priority, counter, readySince, stamp);
  }

  /** Waiting order: readyAt, then the ready order. */
  private putWaiting(id: number, readyAt: Nanos, isNew: boolean): void {
    const S = this.recs.S;
    const F = this.recs.F;
    const b = id * S_STRIDE + S_STAMP;
    const stamp = (S[b] = (S[b]! + 1) | 0);
    if (isNew) this.waitingHeap.live++;
    const f = id * F_STRIDE;
    this.waitingHeap.put(id, readyAt, -F[f + F_PRIORITY]!, F[f + F_COUNTER]!, stamp);
  }

  /** The item leaves the waiting set. */
  private dropWaiting(id: number): void {
    const S = this.recs.S;
    const b = id * S_STRIDE + S_STAMP;
    S[b] = (S[b]! + 1) | 0;
    this.waitingHeap.live--;
  }

  /**
   * The item is ready from now, with this counter (a fresh one unless it is new) and its
   * priority (passed in: the callers have it at hand, and the record's row may be cold).
   */
  private becomeReady(id: number, counter: number, priority: number): void {
    const S = this.recs.S;
    const F = this.recs.F;
    const f = id * F_STRIDE;
    const b = id * S_STRIDE + S_ST;
    F[f + F_COUNTER] = counter;
    const st = (S[b] = S[b]! & ~WAITING);
    const now = this.loop.now();
    F[f + F_READY_SINCE] = now;
    if (this.queueMetrics) this.queueMetrics.add(this.depth(priority));
    if ((st & LOCKED) !== 0) {
      this.parked++;
      this.observer?.onAdd?.(this.recs.keys[id] as T, 'dirty', priority);
    } else {
      this.putReady(id, priority, counter, now);
      this.waiters.notifyOne();
      this.observer?.onAdd?.(this.recs.keys[id] as T, 'queued', priority);
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
    if (this.waitingHeap.peek() !== NONE) this.armAt(this.waitingHeap.frontK1());
  }

  /** Moves the timer to `at` (the head's readyAt) if that is earlier. */
  private armAt(at: Nanos): void {
    if (at >= this.timerAt) return;
    if (this.timer >= 0) this.loop.cancel(this.timer);
    this.timerAt = at;
    this.timer = this.loop.schedule(at, this.fire);
  }
}
