import type { Clock, Nanos } from './time';

/** Slots per generation in a handle: handle = generation × SLOTS + slot (stays below 2^53). */
const SLOTS = 1 << 24;
const MAX_GEN = 1 << 28;

/**
 * The discrete-event loop. Events run in order of (time, insertion sequence), so two events
 * due at the same instant run in the order they were scheduled: this is what makes a run
 * deterministic. Time never goes backwards; scheduling in the past runs "now".
 *
 * The queue is a binary min-heap stored in parallel typed arrays (times, sequences, slots),
 * sifted with a moving hole, which keeps the per-event cost close to a bare heap (see bench/).
 * Each pending event owns a slot; a slot records its heap position, its callback and a
 * generation, so a handle (generation × 2^24 + slot) can be cancelled in O(log n) and a stale
 * handle (already run or cancelled) is recognised and ignored. Callbacks are stored by slot,
 * not by heap position, so sifting moves only numbers: a callback is written once when it is
 * scheduled and once when it leaves. (Callbacks are mostly younger than this array, and each
 * store of a young object into an old array takes the GC write barrier's slow path; moving
 * them along the heap took several such stores per event.) `scheduleWith(at, fn, arg)` keeps
 * an argument per slot beside the callback, so a hot path can use one long-lived callback
 * for all its events instead of a closure per event.
 */
export class EventLoop implements Clock {
  private t: Nanos = 0;
  private seq = 0;
  private size = 0;
  private times: Float64Array = new Float64Array(1024);
  private seqs: Float64Array = new Float64Array(1024);
  /** Slot → callback (noop when the slot is free). */
  private fns: ((arg: unknown) => void)[] = new Array<(arg: unknown) => void>(1024).fill(noop);
  /** Slot → the callback's argument (scheduleWith), else undefined. */
  private args: unknown[] = new Array<unknown>(1024).fill(undefined);
  /** The argument of the event popMin just took. */
  private arg: unknown = undefined;
  /** Heap position → slot. */
  private slots: Int32Array = new Int32Array(1024);
  /** Slot → heap position, or -1 when free. */
  private slotPos: Int32Array = new Int32Array(1024).fill(-1);
  /** Slot → generation (bumped each time the slot is freed). */
  private slotGen: Int32Array = new Int32Array(1024);
  private freeSlots: Int32Array = new Int32Array(1024);
  private freeCount = 0;
  private nextSlot = 0;
  private executed = 0;

  now(): Nanos {
    return this.t;
  }

  /** Number of events run so far (for benchmarks and traces). */
  eventsRun(): number {
    return this.executed;
  }

  /** Number of events waiting. */
  pending(): number {
    return this.size;
  }

  /** Time of the next event, or undefined if none is pending. */
  peekTime(): Nanos | undefined {
    return this.size > 0 ? this.times[0] : undefined;
  }

  /** Schedules fn at absolute virtual time `at` (clamped to now). Returns a handle for cancel. */
  schedule(at: Nanos, fn: () => void): number {
    if (!(at >= this.t)) {
      if (Number.isNaN(at)) throw new RangeError('EventLoop.schedule: time is NaN');
      at = this.t;
    }
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount]!;
    } else {
      slot = this.nextSlot++;
      if (slot >= this.slotPos.length) this.growSlots();
    }
    if (this.size === this.times.length) this.growHeap();
    this.fns[slot] = fn as (arg: unknown) => void;
    this.siftUp(this.size++, at, this.seq++, slot);
    return this.slotGen[slot]! * SLOTS + slot;
  }

  /**
   * Schedules fn(arg) at `at`: one long-lived callback for many events, each with its own
   * argument, instead of a closure per event (hot paths: the REST client, the server).
   */
  scheduleWith<A>(at: Nanos, fn: (arg: A) => void, arg: A): number {
    const h = this.schedule(at, fn as () => void);
    this.args[h % SLOTS] = arg;
    return h;
  }

  /** Schedules fn after duration d from now. */
  after(d: Nanos, fn: () => void): number {
    return this.schedule(this.t + Math.max(0, d), fn);
  }

  /** Cancels a scheduled event; a handle that already ran or was cancelled is ignored. */
  cancel(handle: number): void {
    if (!(handle >= 0)) return;
    const slot = handle % SLOTS;
    if (slot >= this.nextSlot) return;
    if (this.slotGen[slot]! !== (handle - slot) / SLOTS) return;
    const i = this.slotPos[slot]!;
    if (i < 0) return;
    this.freeSlot(slot);
    const last = --this.size;
    if (i !== last) {
      const t = this.times[last]!;
      const s = this.seqs[last]!;
      const sl = this.slots[last]!;
      // Put the last element in the hole, then restore the heap in whichever direction.
      if (i > 0 && lessTS(t, s, this.times[(i - 1) >> 1]!, this.seqs[(i - 1) >> 1]!)) {
        this.siftUp(i, t, s, sl);
      } else {
        this.siftDown(i, t, s, sl);
      }
    }
  }

  /** Runs the next event, advancing time to it. Returns false if there was none. */
  step(): boolean {
    if (this.size === 0) return false;
    const fn = this.popMin();
    fn(this.arg);
    return true;
  }

  /** Runs every event due at or before t, in order, then sets now = t. */
  runUntil(t: Nanos): void {
    while (this.size > 0 && this.times[0]! <= t) {
      const fn = this.popMin();
      fn(this.arg);
    }
    if (t > this.t) this.t = t;
  }

  /** Runs every event due up to now + d, in order, then sets now = now + d. */
  advance(d: Nanos): void {
    this.runUntil(this.t + d);
  }

  private popMin(): (arg: unknown) => void {
    const slot = this.slots[0]!;
    const fn = this.fns[slot]!;
    this.arg = this.args[slot];
    this.t = this.times[0]!;
    this.freeSlot(slot);
    const last = --this.size;
    if (last > 0) {
      this.siftDown(0, this.times[last]!, this.seqs[last]!, this.slots[last]!);
    }
    this.executed++;
    return fn;
  }

  /** The slot's event left the heap: its callback is dropped (not kept alive) and it is reusable. */
  private freeSlot(slot: number): void {
    this.fns[slot] = noop;
    this.args[slot] = undefined;
    this.slotPos[slot] = -1;
    const g = this.slotGen[slot]! + 1;
    this.slotGen[slot] = g >= MAX_GEN ? 0 : g;
    this.freeSlots[this.freeCount++] = slot;
  }

  /** Places (t, s, sl) at hole i and moves it up. */
  private siftUp(i: number, t: number, s: number, sl: number): void {
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    const pos = this.slotPos;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const tp = times[p]!;
      if (!(t < tp || (t === tp && s < seqs[p]!))) break;
      times[i] = tp;
      seqs[i] = seqs[p]!;
      const ps = slots[p]!;
      slots[i] = ps;
      pos[ps] = i;
      i = p;
    }
    times[i] = t;
    seqs[i] = s;
    slots[i] = sl;
    pos[sl] = i;
  }

  /** Places (t, s, sl) at hole i and moves it down. */
  private siftDown(i: number, t: number, s: number, sl: number): void {
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    const pos = this.slotPos;
    const n = this.size;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let tc = times[c]!;
      let sc = seqs[c]!;
      const r = c + 1;
      if (r < n) {
        const tr = times[r]!;
        const sr = seqs[r]!;
        if (tr < tc || (tr === tc && sr < sc)) {
          c = r;
          tc = tr;
          sc = sr;
        }
      }
      if (!(tc < t || (tc === t && sc < s))) break;
      times[i] = tc;
      seqs[i] = sc;
      const cs = slots[c]!;
      slots[i] = cs;
      pos[cs] = i;
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    slots[i] = sl;
    pos[sl] = i;
  }

  private growHeap(): void {
    const n = this.times.length * 2;
    const t = new Float64Array(n);
    t.set(this.times);
    this.times = t;
    const s = new Float64Array(n);
    s.set(this.seqs);
    this.seqs = s;
    const sl = new Int32Array(n);
    sl.set(this.slots);
    this.slots = sl;
  }

  private growSlots(): void {
    const n = this.slotPos.length * 2;
    if (n > SLOTS) throw new RangeError('EventLoop: too many pending events');
    const p = new Int32Array(n).fill(-1);
    p.set(this.slotPos);
    this.slotPos = p;
    const g = new Int32Array(n);
    g.set(this.slotGen);
    this.slotGen = g;
    const f = new Int32Array(n);
    f.set(this.freeSlots);
    this.freeSlots = f;
    const oldLen = this.fns.length;
    this.fns.length = n;
    this.fns.fill(noop, oldLen);
    this.args.length = n;
    this.args.fill(undefined, oldLen);
  }
}

function lessTS(t1: number, s1: number, t2: number, s2: number): boolean {
  return t1 < t2 || (t1 === t2 && s1 < s2);
}

function noop(): void {}
