import type { Clock, Nanos } from './time';

/**
 * The discrete-event loop. Events run in order of (time, insertion sequence), so two events
 * due at the same instant run in the order they were scheduled: this is what makes a run
 * deterministic. Time never goes backwards; scheduling in the past runs "now".
 *
 * The queue is a binary min-heap stored in parallel typed arrays (times, sequences) plus a
 * callback array, which keeps the per-event cost close to a bare heap (see bench/).
 */
export class EventLoop implements Clock {
  private t: Nanos = 0;
  private seq = 0;
  private size = 0;
  private times: Float64Array = new Float64Array(1024);
  private seqs: Float64Array = new Float64Array(1024);
  private fns: (() => void)[] = new Array<() => void>(1024);
  private handles: Int32Array = new Int32Array(1024);
  /** handle → heap position, or -1 once run or cancelled. */
  private pos = new Map<number, number>();
  private nextHandle = 1;
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
    if (this.size === this.times.length) this.grow();
    const h = this.nextHandle++;
    const i = this.size++;
    this.times[i] = at;
    this.seqs[i] = this.seq++;
    this.fns[i] = fn;
    this.handles[i] = h;
    this.pos.set(h, i);
    this.up(i);
    return h;
  }

  /** Schedules fn after duration d from now. */
  after(d: Nanos, fn: () => void): number {
    return this.schedule(this.t + Math.max(0, d), fn);
  }

  /** Cancels a scheduled event; a handle that already ran or was cancelled is ignored. */
  cancel(handle: number): void {
    const i = this.pos.get(handle);
    if (i === undefined) return;
    this.pos.delete(handle);
    const last = --this.size;
    if (i !== last) {
      this.move(last, i);
      this.down(i);
      this.up(i);
    }
    this.fns[last] = noop;
  }

  /** Runs the next event, advancing time to it. Returns false if there was none. */
  step(): boolean {
    if (this.size === 0) return false;
    const fn = this.popMin();
    fn();
    return true;
  }

  /** Runs every event due at or before t, in order, then sets now = t. */
  runUntil(t: Nanos): void {
    while (this.size > 0 && this.times[0]! <= t) {
      const fn = this.popMin();
      fn();
    }
    if (t > this.t) this.t = t;
  }

  /** Runs every event due up to now + d, in order, then sets now = now + d. */
  advance(d: Nanos): void {
    this.runUntil(this.t + d);
  }

  private popMin(): () => void {
    const fn = this.fns[0]!;
    this.t = this.times[0]!;
    this.pos.delete(this.handles[0]!);
    const last = --this.size;
    if (last > 0) {
      this.move(last, 0);
      this.down(0);
    }
    this.fns[last] = noop;
    this.executed++;
    return fn;
  }

  private less(a: number, b: number): boolean {
    const ta = this.times[a]!;
    const tb = this.times[b]!;
    return ta < tb || (ta === tb && this.seqs[a]! < this.seqs[b]!);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.fns[to] = this.fns[from]!;
    const h = this.handles[from]!;
    this.handles[to] = h;
    this.pos.set(h, to);
  }

  private swap(a: number, b: number): void {
    const t = this.times[a]!;
    const s = this.seqs[a]!;
    const f = this.fns[a]!;
    const h = this.handles[a]!;
    this.move(b, a);
    this.times[b] = t;
    this.seqs[b] = s;
    this.fns[b] = f;
    this.handles[b] = h;
    this.pos.set(h, b);
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(r, l) ? r : l;
      if (!this.less(c, i)) break;
      this.swap(i, c);
      i = c;
    }
  }

  private grow(): void {
    const n = this.times.length * 2;
    const t = new Float64Array(n);
    t.set(this.times);
    this.times = t;
    const s = new Float64Array(n);
    s.set(this.seqs);
    this.seqs = s;
    const h = new Int32Array(n);
    h.set(this.handles);
    this.handles = h;
    this.fns.length = n;
  }
}

function noop(): void {}
