/**
 * SimPy-style sequential processes on top of the EventLoop.
 *
 * A process is a generator function that yields what it waits for:
 *
 *   - a number: sleep that many virtual nanoseconds (`yield 5 * Millisecond`; fractions are
 *     truncated; 0 lets the other events due now run first);
 *   - a Waitable `(resume) => void`: a function that arranges for `resume(value)` to be called
 *     once, later or at once; the value becomes the result of the `yield` expression;
 *   - an Op (below): a one-shot wait that needs no closure, waited on with `yield* op`.
 *
 * Sub-steps compose with `yield*` (`const resp = yield* client.get(key)`), and
 * `waitFor<T>(w)` gives a typed result. A process ends when its generator returns; an
 * exception thrown by the generator propagates out of the event that resumed it (a bug in
 * the simulation, never swallowed).
 *
 * Resumption is synchronous: `resume(v)` continues the process inside that call. Wake a
 * process from a fresh event (WaitList does) when the waker is in the middle of changing
 * shared state.
 */
import type { EventLoop } from './loop';
import type { Limiter } from './rate';
import type { Nanos } from './time';

export type Resume = (value?: unknown) => void;
/** Something a process can wait on: calls resume exactly once (extra calls are ignored). */
export type Waitable = (resume: Resume) => void;
export type Yield = Nanos | Waitable | Op<unknown>;
/** A process body (or a sub-step used with yield*) returning R. */
export type Proc<R = void> = Generator<Yield, R, unknown>;

/** What waits on an Op: a Process, or a controller's worker. */
export interface OpWaiter {
  /** The result of `op`. Ignored unless the waiter is waiting on that op right now. */
  opDone(op: Op<unknown>, value: unknown): void;
}

/**
 * A one-shot wait without closures, for hot paths (the REST client's `request`): where a
 * Waitable costs a closure, a `waitFor` generator, two iterator results and the driver's
 * resume closure per wait, an Op is one object that is at once the step's iterator, its
 * iterator results and the value yielded to the driver. A process waits with
 * `const r = yield* op`; the driver (Process, or a controller worker) sees the Op yielded,
 * calls `op.begin(waiter)`, and the Op calls `waiter.opDone(op, value)` exactly once, later or
 * at once (inside `begin`). An Op is waited on once.
 */
export abstract class Op<T> implements Iterator<Op<T>, T, unknown> {
  // Iterator-result fields: while yielded, value is the Op itself; once done, the result.
  value: unknown;
  done: boolean;
  /** Whether the Op has been yielded (the first next()). */
  private yielded: boolean;
  constructor() {
    this.value = this;
    this.done = false;
    this.yielded = false;
  }

  /** Starts the operation; it must call `waiter.opDone(this, value)` exactly once. */
  abstract begin(waiter: OpWaiter): void;

  [Symbol.iterator](): Op<T> {
    return this;
  }

  /** yield*'s protocol: the first call yields the Op itself, the second returns the result. */
  next(value?: unknown): IteratorResult<Op<T>, T> {
    if (!this.done) {
      if (this.yielded) {
        this.done = true;
        this.value = value;
      } else this.yielded = true;
    }
    // The Op is its own iterator result ({ value, done }), so a wait allocates none.
    return this as unknown as IteratorResult<Op<T>, T>;
  }

  /** The waiting process was stopped (generator.return): the wait is abandoned. */
  return(value: T): IteratorResult<Op<T>, T> {
    this.done = true;
    this.value = value;
    return this as unknown as IteratorResult<Op<T>, T>;
  }

  throw(e?: unknown): IteratorResult<Op<T>, T> {
    this.done = true;
    throw e;
  }
}

/**
 * One waiter's wait on an Op (a Process, a controller worker): which Op it waits on, and its
 * result when that came synchronously, inside `begin`.
 */
export class OpWait {
  private op: Op<unknown> | undefined = undefined;
  private starting = false;
  private sync = false;
  private value: unknown = undefined;

  /** Begins `op` for `waiter`. True if the result came at once: read it with `take()`. */
  begin(op: Op<unknown>, waiter: OpWaiter): boolean {
    this.op = op;
    this.starting = true;
    this.sync = false;
    try {
      op.begin(waiter);
    } finally {
      this.starting = false;
    }
    return this.sync;
  }

  /** The result that came inside `begin`. */
  take(): unknown {
    const v = this.value;
    this.value = undefined;
    return v;
  }

  /**
   * A result of `op` (OpWaiter.opDone). True if the waiter must resume with it now; false if it
   * is not the Op waited on (a stale or second result: ignored) or it came inside `begin`.
   */
  accept(op: Op<unknown>, value: unknown): boolean {
    if (op !== this.op) return false;
    this.op = undefined;
    if (!this.starting) return true;
    this.sync = true;
    this.value = value;
    return false;
  }

  /** The wait is abandoned (the reconcile or process ended): a later result is ignored. */
  clear(): void {
    this.op = undefined;
    this.value = undefined;
  }
}

export class Process<R = void> implements OpWaiter {
  private finished = false;
  private killed = false;
  private value: R | undefined = undefined;
  private readonly resumeTimer: () => void;
  private readonly opWait = new OpWait();

  constructor(
    private readonly loop: EventLoop,
    private readonly gen: Proc<R>,
    private readonly onExit?: (result: R) => void,
  ) {
    this.resumeTimer = () => this.run(undefined);
  }

  /** Whether the generator has returned (or the process was killed). */
  get done(): boolean {
    return this.finished || this.killed;
  }

  /** The generator's return value once done. */
  get result(): R | undefined {
    return this.value;
  }

  /** Stops the process: pending wake-ups are ignored and the generator's finally blocks run. */
  kill(): void {
    if (this.done) return;
    this.killed = true;
    this.gen.return(undefined as R);
  }

  /** @internal Starts or continues the generator with the value of the pending yield. */
  run(v: unknown): void {
    if (this.done) return;
    for (;;) {
      const r = this.gen.next(v);
      if (r.done) {
        this.finished = true;
        this.value = r.value;
        this.onExit?.(r.value);
        return;
      }
      const y = r.value;
      if (typeof y === 'number') {
        // Durations are whole nanoseconds (a fractional delay is truncated, as Go's
        // time.Duration(f) does); negative or zero means "after the events due now".
        if (!(y > 0)) {
          if (Number.isNaN(y)) throw new RangeError('process yielded NaN as a delay');
          this.loop.schedule(this.loop.now(), this.resumeTimer);
        } else {
          this.loop.schedule(this.loop.now() + Math.trunc(y), this.resumeTimer);
        }
        return;
      }
      if (y instanceof Op) {
        if (!this.opWait.begin(y, this)) return;
        v = this.opWait.take();
        continue;
      }
      let fired = false;
      let subscribing = true;
      let syncValue: unknown = undefined;
      let sync = false;
      y((val?: unknown) => {
        if (fired || this.done) return;
        fired = true;
        if (subscribing) {
          sync = true;
          syncValue = val;
        } else {
          this.run(val);
        }
      });
      subscribing = false;
      if (!sync) return;
      v = syncValue;
    }
  }

  /** @internal OpWaiter: the result of the Op this process waits on. */
  opDone(op: Op<unknown>, value: unknown): void {
    if (this.opWait.accept(op, value) && !this.done) this.run(value);
  }
}

/** Starts a process now (synchronously up to its first wait). */
export function spawn<R>(loop: EventLoop, gen: Proc<R>, onExit?: (result: R) => void): Process<R> {
  const p = new Process(loop, gen, onExit);
  p.run(undefined);
  return p;
}

/** Waits on a Waitable and returns its value, typed: `const x = yield* waitFor<X>(w)`. */
export function* waitFor<T>(w: (resume: (value: T) => void) => void): Proc<T> {
  return (yield w as Waitable) as T;
}

/**
 * A FIFO list of waiting callbacks, like a sync.Cond's notify list. notifyOne wakes the
 * longest waiter and notifyAll wakes every waiter, each as its own event at the current time
 * (after whatever is running now), so a woken consumer re-checks its condition and waits
 * again if someone else got there first (the cond.Wait loop).
 */
export class WaitList {
  private q: (() => void)[] = [];
  private head = 0;

  constructor(private readonly loop: EventLoop) {}

  get length(): number {
    return this.q.length - this.head;
  }

  wait(cb: () => void): void {
    this.q.push(cb);
  }

  notifyOne(): boolean {
    if (this.head === this.q.length) return false;
    const cb = this.q[this.head]!;
    this.q[this.head++] = noop;
    if (this.head === this.q.length) {
      this.q.length = 0;
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.q.length) {
      this.q = this.q.slice(this.head);
      this.head = 0;
    }
    this.loop.schedule(this.loop.now(), cb);
    return true;
  }

  notifyAll(): void {
    while (this.notifyOne());
  }
}

function noop(): void {}

/** ctx.Err() texts. */
export const Canceled = 'context canceled';
export const DeadlineExceeded = 'context deadline exceeded';

/**
 * A Go context.Context for simulated code: cancellation, an optional deadline, and
 * callbacks when it ends. Children end when their parent ends (with the parent's error).
 */
export class Context {
  private e: string | null = null;
  private cbs: (() => void)[] = [];
  private timer = -1;
  private unsubParent: () => void = noop;
  readonly deadline: Nanos | undefined;

  private constructor(
    private readonly loop: EventLoop,
    parent: Context | undefined,
    deadline: Nanos | undefined,
  ) {
    const pd = parent?.deadline;
    this.deadline = pd !== undefined && (deadline === undefined || pd <= deadline) ? pd : deadline;
    if (parent) {
      if (parent.e !== null) {
        this.e = parent.e;
        return;
      }
      this.unsubParent = parent.onDone(() => this.end(parent.e ?? Canceled));
    }
    if (deadline !== undefined && this.deadline === deadline) {
      if (deadline <= loop.now()) this.e = DeadlineExceeded;
      else this.timer = loop.schedule(deadline, () => this.end(DeadlineExceeded));
    }
  }

  /** context.Background(). */
  static background(loop: EventLoop): Context {
    return new Context(loop, undefined, undefined);
  }

  /** context.WithCancel(parent). */
  withCancel(): Context {
    return new Context(this.loop, this, undefined);
  }

  /** context.WithTimeout(parent, d). */
  withTimeout(d: Nanos): Context {
    return new Context(this.loop, this, this.loop.now() + d);
  }

  /** ctx.Err(): null while live, then 'context canceled' or 'context deadline exceeded'. */
  err(): string | null {
    return this.e;
  }

  done(): boolean {
    return this.e !== null;
  }

  /** The cancel func. A no-op once the context has ended. */
  cancel(): void {
    this.end(Canceled);
  }

  /** Calls cb when the context ends (at once if it already has). Returns an unsubscribe. */
  onDone(cb: () => void): () => void {
    if (this.e !== null) {
      cb();
      return noop;
    }
    this.cbs.push(cb);
    return () => {
      const i = this.cbs.indexOf(cb);
      if (i >= 0) this.cbs.splice(i, 1);
    };
  }

  private end(err: string): void {
    if (this.e !== null) return;
    this.e = err;
    if (this.timer >= 0) this.loop.cancel(this.timer);
    this.unsubParent();
    this.unsubParent = noop;
    const cbs = this.cbs;
    this.cbs = [];
    for (const cb of cbs) cb();
  }
}

/**
 * Sleeps d unless ctx ends first (Go: select on a timer and ctx.Done()). Returns null after a
 * full sleep, or ctx.Err() if the context ended. At an exact tie the earlier-scheduled event
 * wins, which is the context's deadline timer.
 */
export function* sleepCtx(loop: EventLoop, ctx: Context, d: Nanos): Proc<string | null> {
  if (ctx.done()) return ctx.err();
  if (d <= 0) return null;
  return yield* waitFor<string | null>((resume) => {
    let timer = -1;
    const unsub = ctx.onDone(() => {
      loop.cancel(timer);
      resume(ctx.err());
    });
    timer = loop.schedule(loop.now() + d, () => {
      unsub();
      resume(null);
    });
  });
}

/**
 * limiter.WaitN(ctx, n) as a process step: returns null, or the error text Go would return
 * (burst exceeded, deadline would be exceeded, or ctx.Err() — in which case the reservation
 * is cancelled and its tokens restored, as x/time does).
 */
export function* limiterWait(
  loop: EventLoop,
  lim: Limiter,
  n: number,
  ctx: Context,
): Proc<string | null> {
  const now = loop.now();
  const w = lim.waitN(now, n, {
    deadline: ctx.deadline,
    cancelled: ctx.err() === Canceled,
  });
  if (w.err !== null) return w.err;
  if (w.delay === 0) return null;
  const err = yield* sleepCtx(loop, ctx, w.delay);
  if (err !== null) w.reservation?.cancelAt(loop.now());
  return err;
}
