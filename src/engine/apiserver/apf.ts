/**
 * API Priority and Fairness (k8s.io/apiserver pkg/util/flowcontrol), apiserver-and-scale.md §1:
 *
 * - classification by FlowSchema (precedence, then name) → priority level + flow
 *   (FlowSchema, distinguisher);
 * - nominal seats NominalCL = ceil(serverCL × NCS / ΣNCS), lendable seats
 *   round(NominalCL × lendablePercent / 100), seat borrowing every 10 s from smoothed demand
 *   (coefficient 0.977) with the controller's fair allocation (computeConcurrencyAllocation);
 * - per level a queue set: shuffle sharding (the Dealer of k8s.io/apimachinery
 *   shufflesharding), the queue of the hand with the least waiting work, fair queuing in
 *   virtual time R (seat-seconds) with the 3 ms initial service-time guess corrected at
 *   finish, the anti-windup bound, round-robin tie breaking;
 * - rejection with reasons queue-full, time-out (after the 15 s wait limit) and
 *   concurrency-limit (Reject-type levels);
 * - the adaptive Retry-After of dropped_requests_tracker.go (1 s → 32 s);
 * - the metrics of §1.6 with their real names and labels.
 *
 * Simplifications, also listed in the README: the flow hash is FNV-1a 64 instead of SHA-256
 * (which queues a flow lands in differs from a real server, the dealing is the real one);
 * the wait-limit time-out is a timer per queued request rather than the request context;
 * every request of a Reject-type level is dispatched without a queue.
 */
import type { EventLoop } from '../loop';
import type { GaugeSeries, HistogramSeries, MetricsRegistry } from '../metrics';
import type { Nanos } from '../time';
import { Millisecond, Second } from '../time';
import type { FlowSchemaSpec, PolicyRule, PriorityLevelSpec, Subject, UserInfo } from './config';
import { DEFAULT_FLOW_SCHEMAS, DEFAULT_PRIORITY_LEVELS } from './config';
import { registerApiServerMetrics } from './metrics';

export type RejectReason = 'queue-full' | 'time-out' | 'concurrency-limit';

/** apiserver `estimatedServiceDuration` in queueset.go. */
export const ESTIMATED_SERVICE_DURATION: Nanos = 3 * Millisecond;
/** apf_controller.go borrowingAdjustmentPeriod. */
export const BORROWING_ADJUSTMENT_PERIOD: Nanos = 10 * Second;
/** apf_controller.go seatDemandSmoothingCoefficient. */
export const SEAT_DEMAND_SMOOTHING_COEFFICIENT = 0.977;
/** dropped_requests_tracker.go maxRetryAfter. */
export const MAX_RETRY_AFTER = 32;

/** Go's math.Round: half away from zero. */
export function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.floor(x + 0.5);
}

/** NominalCL(level) = ceil(serverCL × NCS / ΣNCS). */
export function nominalConcurrencyLimit(serverCL: number, ncs: number, sumNcs: number): number {
  if (sumNcs <= 0) return 0;
  return Math.ceil((serverCL * ncs) / sumNcs);
}

/** Seats a level may lend: round(NominalCL × lendablePercent / 100). */
export function lendableConcurrencyLimit(nominalCL: number, lendablePercent: number): number {
  return goRound((nominalCL * lendablePercent) / 100);
}

/** Per-request seat cap of a level: max(1, min(ceil(0.15 × nominal), nominal / handSize)). */
export function levelMaxSeats(nominalCL: number, handSize: number | undefined): number {
  const a = Math.ceil(0.15 * nominalCL);
  const b = handSize && handSize > 0 ? Math.floor(nominalCL / handSize) : a;
  return Math.max(1, Math.min(a, b));
}

// ---------------------------------------------------------------------------------------
// Adaptive Retry-After (dropped_requests_tracker.go), per priority level.

export class DroppedRequestsStats {
  private history: { unix: number; requests: number }[] = [];
  private currentUnix = 0;
  private currentCount = 0;
  private retryAfter = 1;
  private retryAfterUpdateUnix = 0;

  recordDroppedRequest(unixTime: number): void {
    if (this.currentUnix === unixTime) {
      this.currentCount++;
      return;
    }
    this.updateHistory(this.currentUnix, this.currentCount);
    this.currentUnix = unixTime;
    this.currentCount = 1;
    this.updateRetryAfterIfNeeded(unixTime);
  }

  getRetryAfter(): number {
    return this.retryAfter;
  }

  private updateHistory(unixTime: number, count: number): void {
    this.history.push({ unix: unixTime, requests: count });
    let maxHistory = 2 * this.retryAfter;
    if (maxHistory > MAX_RETRY_AFTER) maxHistory = MAX_RETRY_AFTER;
    let start = 0;
    while (start < this.history.length && unixTime - this.history[start]!.unix > maxHistory)
      start++;
    if (start > 0) this.history = this.history.slice(start);
  }

  private updateRetryAfterIfNeeded(unixTime: number): void {
    let retryAfter = this.retryAfter;
    let dropped = 0;
    for (let i = this.history.length - 1; i >= 0; i--) {
      const h = this.history[i]!;
      if (unixTime - h.unix > retryAfter) break;
      if (h.unix < unixTime) dropped += h.requests;
    }
    if (unixTime - this.retryAfterUpdateUnix >= retryAfter && dropped >= 3 * retryAfter) {
      retryAfter *= 2;
      if (retryAfter >= MAX_RETRY_AFTER) retryAfter = MAX_RETRY_AFTER;
      this.retryAfter = retryAfter;
      this.retryAfterUpdateUnix = unixTime;
      return;
    }
    if (dropped < retryAfter && retryAfter > 1) {
      this.retryAfter = retryAfter - 1;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Shuffle sharding (k8s.io/apimachinery/pkg/util/shufflesharding Dealer.Deal).

const MASK64 = (1n << 64n) - 1n;

/** FNV-1a 64 of fsName + NUL + distinguisher (real code: first 8 bytes of SHA-256). */
export function hashFlowID(fsName: string, distinguisher: string): bigint {
  let h = 0xcbf29ce484222325n;
  const s = `${fsName}\u0000${distinguisher}`;
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i) & 0xff);
    h = (h * 0x100000001b3n) & MASK64;
  }
  return h;
}

/** Dealer.Deal: the hand (queue indices, in dealing order) for a hash. */
export function dealHand(hashValue: bigint, deckSize: number, handSize: number): number[] {
  const remainders: number[] = [];
  let hv = hashValue;
  for (let i = 0; i < handSize; i++) {
    const d = BigInt(deckSize - i);
    const next = hv / d;
    remainders.push(Number(hv - d * next));
    hv = next;
  }
  const hand: number[] = [];
  for (let i = 0; i < handSize; i++) {
    let card = remainders[i]!;
    for (let j = i; j > 0; j--) if (card >= remainders[j - 1]!) card++;
    hand.push(card);
  }
  return hand;
}

// ---------------------------------------------------------------------------------------
// Requests and queue sets.

export interface WorkEstimate {
  initialSeats: number;
  finalSeats: number;
  /** How long the final seats stay occupied after the response (watch fan-out). */
  additionalLatency: Nanos;
}

interface FlowMetrics {
  queueLengthAfterEnqueue: HistogramSeries;
  inqueue: GaugeSeries;
  executing: GaugeSeries;
  executingSeats: GaugeSeries;
  concurrencyInUse: GaugeSeries;
  waitExecuted: HistogramSeries;
  waitRejected: HistogramSeries;
  dispatched: { inc(): void };
  rejected: Map<RejectReason, { inc(): void }>;
}

export interface ApfTicket {
  readonly id: number;
  readonly flowSchema: string;
  readonly priorityLevel: string;
  readonly work: WorkEstimate;
  /** When the request entered APF. */
  readonly arrivedAt: Nanos;
  /** When it got its seats (its arrival while it waits). */
  readonly dispatchedAt: Nanos;
}

/**
 * One request inside APF: its classification and seats, its queue, its wait-limit timer.
 * Whoever sends requests subclasses it, so a request is one object on both sides (the
 * server's ServerCall is one; `Apf.start` wraps callbacks in one), and is told through
 * `apfDispatched` / `apfRejected`. One of these is created per request: its fields are
 * plain stores in the constructor (class fields have assignment semantics, tsconfig.app.json).
 */
export abstract class ApfRequest implements ApfTicket {
  readonly c: Classification;
  readonly work: WorkEstimate;
  readonly arrivedAt: Nanos;
  dispatchedAt: Nanos;
  /** max(initial, final) seats: what the request occupies. */
  readonly maxSeats: number;
  // Set by Apf.admit, which knows the level, the metrics and the next id; the constructor
  // only stores what its caller has.
  id: number;
  /** The request's priority level and its flow's metric series. */
  pl: PriorityLevel;
  fm: FlowMetrics;
  /** The flow's hand of queue indices (shuffle sharding), cached on its classification. */
  hand: readonly number[] | undefined;
  queue: FQQueue | undefined;
  arrivalR: number;
  timer: number;
  state: 'waiting' | 'executing' | 'finished' | 'rejected';

  /** A request classified as `c` with estimated `work`, arriving at `arrivedAt`. */
  constructor(c: Classification, work: WorkEstimate, arrivedAt: Nanos) {
    this.c = c;
    this.work = work;
    this.arrivedAt = arrivedAt;
    this.dispatchedAt = arrivedAt;
    this.maxSeats = work.initialSeats > work.finalSeats ? work.initialSeats : work.finalSeats;
    this.id = 0;
    this.pl = undefined as never;
    this.fm = undefined as never;
    this.hand = undefined;
    this.queue = undefined;
    this.arrivalR = 0;
    this.timer = -1;
    this.state = 'waiting';
  }
  get flowSchema(): string {
    return this.c.flowSchema;
  }
  get priorityLevel(): string {
    return this.c.priorityLevel;
  }
  /** totalWork in seat-seconds with the estimated service duration. */
  totalWork(): number {
    const w = this.work;
    return (
      (w.initialSeats * ESTIMATED_SERVICE_DURATION + w.finalSeats * w.additionalLatency) / Second
    );
  }
  /** It got its seats (dispatchedAt is set). */
  abstract apfDispatched(): void;
  /** It was rejected: 429 with `reason` and the level's current Retry-After. */
  abstract apfRejected(reason: RejectReason, retryAfterSeconds: number): void;
}

/** The callback form of Apf.start. */
class CallbackRequest extends ApfRequest {
  readonly onDispatch: (t: ApfTicket) => void;
  readonly onReject: (reason: RejectReason, retryAfterSeconds: number) => void;
  constructor(
    c: Classification,
    work: WorkEstimate,
    arrivedAt: Nanos,
    onDispatch: (t: ApfTicket) => void,
    onReject: (reason: RejectReason, retryAfterSeconds: number) => void,
  ) {
    super(c, work, arrivedAt);
    this.onDispatch = onDispatch;
    this.onReject = onReject;
  }
  apfDispatched(): void {
    this.onDispatch(this);
  }
  apfRejected(reason: RejectReason, retryAfterSeconds: number): void {
    this.onReject(reason, retryAfterSeconds);
  }
}

class FQQueue {
  /** Waiting requests from `head` on; slots before it are cleared (no retention). */
  waiting: (ApfRequest | null)[] = [];
  head = 0;
  nextDispatchR = 0;
  seatsInUse = 0;
  executing = 0;
  waitingWork = 0;
  waitingMaxSeats = 0;
  constructor(readonly index: number) {}
  get length(): number {
    return this.waiting.length - this.head;
  }
  peek(): ApfRequest | undefined {
    return this.waiting[this.head] ?? undefined;
  }
  push(r: ApfRequest): void {
    this.waiting.push(r);
  }
  shift(): ApfRequest {
    const w = this.waiting;
    const r = w[this.head]!;
    w[this.head++] = null;
    if (this.head === w.length) {
      w.length = 0;
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > w.length) {
      this.waiting = w.slice(this.head);
      this.head = 0;
    }
    return r;
  }
  remove(r: ApfRequest): boolean {
    const i = this.waiting.indexOf(r, this.head);
    if (i < 0) return false;
    this.waiting.splice(i, 1);
    return true;
  }
  active(): boolean {
    return this.length > 0 || this.executing > 0;
  }
}

/** Time-weighted integrator of seat demand (fairqueuing Integrator). */
class Integrator {
  private x = 0;
  private last: Nanos;
  private sum = 0;
  private sumSq = 0;
  private start: Nanos;
  private max = 0;
  constructor(now: Nanos) {
    this.last = now;
    this.start = now;
  }
  set(now: Nanos, x: number): void {
    this.advance(now);
    this.x = x;
    if (x > this.max) this.max = x;
  }
  private advance(now: Nanos): void {
    const dt = (now - this.last) / Second;
    if (dt > 0) {
      this.sum += this.x * dt;
      this.sumSq += this.x * this.x * dt;
    }
    this.last = now;
  }
  reset(now: Nanos): { duration: number; average: number; deviation: number; max: number } {
    this.advance(now);
    const duration = (now - this.start) / Second;
    const average = duration > 0 ? this.sum / duration : 0;
    const variance = duration > 0 ? this.sumSq / duration - average * average : 0;
    const res = { duration, average, deviation: Math.sqrt(Math.max(0, variance)), max: this.max };
    this.sum = 0;
    this.sumSq = 0;
    this.start = now;
    this.max = this.x;
    return res;
  }
}

/** One priority level's queue set (queueset.go), or a Reject-type / Exempt level. */
export class PriorityLevel {
  readonly queues: FQQueue[];
  private nonEmpty: number[] = [];
  private robinIndex = -1;
  private currentR = 0;
  private lastRealTime: Nanos;
  private activeQueues = 0;
  private seatsRequested = 0;
  totSeatsInUse = 0;
  totRequestsWaiting = 0;
  totSeatsWaiting = 0;
  totRequestsExecuting = 0;
  nominalCL = 0;
  minCL = 0;
  maxCL = 0;
  currentCL = 0;
  maxSeatsPerRequest = 1;
  readonly integrator: Integrator;
  /** Seat demand statistics (apf_controller seatDemandStats). */
  smoothed = 0;
  avg = 0;
  stdDev = 0;
  highWatermark = 0;
  private readonly hands = new Map<string, number[]>();
  readonly dropped = new DroppedRequestsStats();

  constructor(
    readonly spec: PriorityLevelSpec,
    private readonly loop: EventLoop,
    private readonly waitLimit: Nanos,
    /** Seats in use over all levels of the server (shared counter). */
    private readonly serverSeats: { n: number } = { n: 0 },
  ) {
    const n = spec.queuing?.queues ?? 0;
    this.queues = [];
    for (let i = 0; i < n; i++) this.queues.push(new FQQueue(i));
    this.lastRealTime = loop.now();
    this.integrator = new Integrator(loop.now());
  }

  get exempt(): boolean {
    return this.spec.type === 'Exempt';
  }

  /** Seats executing plus seats waiting (the integrator's input). */
  seatDemand(): number {
    return this.totSeatsInUse + this.totSeatsWaiting;
  }

  private noteDemand(): void {
    this.integrator.set(this.loop.now(), this.totSeatsInUse + this.totSeatsWaiting);
  }

  private syncTime(): void {
    const now = this.loop.now();
    const dt = now - this.lastRealTime;
    this.lastRealTime = now;
    if (dt <= 0 || this.activeQueues === 0) return;
    const ratio = Math.min(this.seatsRequested, this.currentCL) / this.activeQueues;
    this.currentR += (ratio * dt) / Second;
  }

  private queueActivityBefore(q: FQQueue): boolean {
    return q.active();
  }

  private queueActivityAfter(q: FQQueue, was: boolean): void {
    const is = q.active();
    if (was !== is) this.activeQueues += is ? 1 : -1;
  }

  private canAccommodate(seats: number): boolean {
    if (seats > this.currentCL) return this.totRequestsExecuting === 0;
    return this.totSeatsInUse + seats <= this.currentCL;
  }

  /** Enters a request; it is dispatched now or later, or rejected (callbacks). */
  start(r: ApfRequest): void {
    if (this.exempt) {
      this.dispatchUnqueued(r);
      return;
    }
    this.syncTime();
    if (this.queues.length === 0) {
      if (this.canAccommodate(r.maxSeats)) this.dispatchUnqueued(r);
      else this.reject(r, 'concurrency-limit');
      return;
    }
    const q = this.shuffleShard(r);
    const qlen = this.spec.queuing!.queueLengthLimit;
    if (this.totSeatsInUse >= this.currentCL && q.length >= qlen) {
      this.reject(r, 'queue-full');
      return;
    }
    if (
      this.totRequestsWaiting === 0 &&
      this.totSeatsInUse < this.currentCL &&
      this.canAccommodate(r.maxSeats)
    ) {
      this.enqueueAndDispatchAtOnce(q, r);
      return;
    }
    this.enqueue(q, r);
    this.dispatchAsMuchAsPossible();
    // The wait-limit timer only for a request that actually waits (same instant as arrival).
    if (r.state === 'waiting') r.timer = this.loop.after(this.waitLimit, () => this.timeOut(r));
  }

  /** The hand of queue indices a flow is dealt (shuffle sharding), computed once per flow. */
  handOf(flowKey: string, flowHash: bigint): readonly number[] {
    let hand = this.hands.get(flowKey);
    if (!hand) {
      hand = dealHand(flowHash, this.queues.length, this.spec.queuing!.handSize);
      this.hands.set(flowKey, hand);
    }
    return hand;
  }

  private shuffleShard(r: ApfRequest): FQQueue {
    const hand = r.hand ?? this.handOf(r.c.flowKey, r.c.flowHash);
    const queues = this.queues;
    let best = hand[0]!;
    let bestWork = Infinity;
    for (let i = 0; i < hand.length; i++) {
      const qi = hand[i]!;
      const w = queues[qi]!.waitingWork;
      if (w < bestWork) {
        best = qi;
        bestWork = w;
      }
    }
    return queues[best]!;
  }

  private enqueue(q: FQQueue, r: ApfRequest): void {
    const was = this.queueActivityBefore(q);
    if (q.length === 0 && q.executing === 0) q.nextDispatchR = this.currentR;
    r.queue = q;
    r.arrivalR = this.currentR;
    if (q.length === 0) this.insertNonEmpty(q.index);
    q.push(r);
    r.fm.queueLengthAfterEnqueue.observe(q.length);
    q.waitingWork += r.totalWork();
    q.waitingMaxSeats += r.maxSeats;
    this.seatsRequested += r.maxSeats;
    this.totRequestsWaiting++;
    this.totSeatsWaiting += r.maxSeats;
    r.fm.inqueue.inc();
    this.queueActivityAfter(q, was);
    this.boundNextDispatch(q);
    this.noteDemand();
  }

  /**
   * What enqueue + dispatchAsMuchAsPossible do when nothing waits in the level and the
   * request fits: it passes through its (empty) queue and is dispatched at once. Same state
   * changes, in the same arithmetic, without the queue bookkeeping that cancels out (push
   * and shift, the non-empty index, waiting counters, the in-queue gauge's +1 −1, the second
   * integrator sample at the same instant with the same value).
   */
  private enqueueAndDispatchAtOnce(q: FQQueue, r: ApfRequest): void {
    const seats = r.maxSeats;
    const R = this.currentR;
    // enqueue: an idle queue restarts at R; the anti-windup bound (boundNextDispatch).
    if (q.executing === 0) {
      q.nextDispatchR = R;
      this.activeQueues++;
    } else if (q.nextDispatchR < R) q.nextDispatchR = R;
    r.queue = q;
    r.arrivalR = R;
    r.fm.queueLengthAfterEnqueue.observe(1);
    // dispatchOne
    this.robinIndex = q.index;
    this.totRequestsExecuting++;
    this.totSeatsInUse += seats;
    this.serverSeats.n += seats;
    q.executing++;
    q.seatsInUse += seats;
    this.seatsRequested += seats;
    q.nextDispatchR += r.totalWork();
    this.noteDemand();
    this.markExecuting(r);
  }

  private insertNonEmpty(i: number): void {
    const a = this.nonEmpty;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (a[m]! < i) lo = m + 1;
      else hi = m;
    }
    a.splice(lo, 0, i);
  }

  private removeNonEmpty(i: number): void {
    const k = this.nonEmpty.indexOf(i);
    if (k >= 0) this.nonEmpty.splice(k, 1);
  }

  private dequeueAccounting(q: FQQueue, r: ApfRequest): void {
    q.waitingWork -= r.totalWork();
    q.waitingMaxSeats -= r.maxSeats;
    this.seatsRequested -= r.maxSeats;
    this.totRequestsWaiting--;
    this.totSeatsWaiting -= r.maxSeats;
    if (q.length === 0) {
      this.removeNonEmpty(q.index);
      q.waitingWork = 0;
    }
    r.fm.inqueue.dec();
  }

  private timeOut(r: ApfRequest): void {
    if (r.state !== 'waiting') return;
    this.syncTime();
    const q = r.queue!;
    const was = this.queueActivityBefore(q);
    q.remove(r);
    this.dequeueAccounting(q, r);
    this.queueActivityAfter(q, was);
    this.boundNextDispatch(q);
    this.noteDemand();
    this.reject(r, 'time-out');
    // A timed-out request frees no seat, but others may now fit differently.
    this.dispatchAsMuchAsPossible();
  }

  private reject(r: ApfRequest, reason: RejectReason): void {
    r.state = 'rejected';
    const waited = (this.loop.now() - r.arrivedAt) / Second;
    if (reason === 'time-out') r.fm.waitRejected.observe(waited);
    const c = r.fm.rejected.get(reason);
    if (!c) throw new Error(`no rejected series for ${reason}`);
    c.inc();
    this.dropped.recordDroppedRequest(Math.floor(this.loop.now() / Second));
    r.apfRejected(reason, this.dropped.getRetryAfter());
  }

  private dispatchUnqueued(r: ApfRequest): void {
    this.totRequestsExecuting++;
    this.totSeatsInUse += r.maxSeats;
    this.serverSeats.n += r.maxSeats;
    this.noteDemand();
    this.markExecuting(r);
  }

  private markExecuting(r: ApfRequest): void {
    r.state = 'executing';
    r.dispatchedAt = this.loop.now();
    r.fm.executing.inc();
    r.fm.executingSeats.inc(r.maxSeats);
    r.fm.concurrencyInUse.inc(r.maxSeats);
    r.fm.dispatched.inc();
    r.fm.waitExecuted.observe((r.dispatchedAt - r.arrivedAt) / Second);
    r.apfDispatched();
  }

  dispatchAsMuchAsPossible(): void {
    while (this.totRequestsWaiting !== 0 && this.totSeatsInUse < this.currentCL) {
      if (!this.dispatchOne()) break;
    }
  }

  private dispatchOne(): boolean {
    const nq = this.queues.length;
    let minQueue: FQQueue | undefined;
    let minFinish = Infinity;
    let minIndex = -1;
    // Round robin from robinIndex+1 over the non-empty queues (same order as scanning all).
    const ne = this.nonEmpty;
    if (ne.length === 0) return false;
    let startPos = 0;
    const from = (this.robinIndex + 1) % nq;
    while (startPos < ne.length && ne[startPos]! < from) startPos++;
    for (let k = 0; k < ne.length; k++) {
      const qi = ne[(startPos + k) % ne.length]!;
      const q = this.queues[qi]!;
      const oldest = q.peek()!;
      const finish = q.nextDispatchR + oldest.totalWork();
      if (finish < minFinish) {
        minFinish = finish;
        minQueue = q;
        minIndex = qi;
      }
    }
    if (!minQueue) return false;
    const r = minQueue.peek()!;
    if (!this.canAccommodate(r.maxSeats)) return false;
    const was = this.queueActivityBefore(minQueue);
    minQueue.shift();
    this.dequeueAccounting(minQueue, r);
    this.robinIndex = minIndex;
    if (r.timer >= 0) this.loop.cancel(r.timer);
    this.totRequestsExecuting++;
    this.totSeatsInUse += r.maxSeats;
    this.serverSeats.n += r.maxSeats;
    minQueue.executing++;
    minQueue.seatsInUse += r.maxSeats;
    this.seatsRequested += r.maxSeats;
    this.queueActivityAfter(minQueue, was);
    minQueue.nextDispatchR += r.totalWork();
    this.boundNextDispatch(minQueue);
    this.noteDemand();
    this.markExecuting(r);
    return true;
  }

  private boundNextDispatch(q: FQQueue): void {
    const oldest = q.peek();
    if (!oldest) return;
    if (q.nextDispatchR < oldest.arrivalR) q.nextDispatchR = oldest.arrivalR;
  }

  /** The request's response has been written; seats are released (after additionalLatency). */
  finish(r: ApfRequest): void {
    if (r.state !== 'executing') return;
    r.state = 'finished';
    if (!this.exempt) this.syncTime();
    this.totRequestsExecuting--;
    r.fm.executing.dec();
    const actual = this.loop.now() - r.dispatchedAt;
    const q = r.queue;
    if (q) {
      // queue's R is corrected by (estimated − actual) × initial seats.
      q.nextDispatchR -= (r.work.initialSeats * (ESTIMATED_SERVICE_DURATION - actual)) / Second;
    }
    if (r.work.additionalLatency <= 0) this.release(r);
    else this.loop.after(r.work.additionalLatency, () => this.release(r));
  }

  /** Frees the request's seats (after its additional latency, if any). */
  private release(r: ApfRequest): void {
    if (!this.exempt) this.syncTime();
    const q = r.queue;
    this.totSeatsInUse -= r.maxSeats;
    this.serverSeats.n -= r.maxSeats;
    r.fm.executingSeats.dec(r.maxSeats);
    r.fm.concurrencyInUse.dec(r.maxSeats);
    if (q) {
      const was = this.queueActivityBefore(q);
      q.executing--;
      q.seatsInUse -= r.maxSeats;
      this.seatsRequested -= r.maxSeats;
      this.queueActivityAfter(q, was);
      this.boundNextDispatch(q);
    }
    this.noteDemand();
    this.dispatchAsMuchAsPossible();
  }

  setCurrentCL(cl: number): void {
    if (!this.exempt) this.syncTime();
    this.currentCL = cl;
    this.dispatchAsMuchAsPossible();
  }
}

// ---------------------------------------------------------------------------------------
// The controller: classification, levels, borrowing, metrics.

export interface RequestAttributes {
  user: UserInfo;
  /** Kubernetes verb: get, list, watch, create, update, patch, delete. */
  verb: string;
  /** Plural resource, with '/status' for the status subresource. */
  resource: string;
  namespace: string;
  nonResourceURL?: string;
}

export interface Classification {
  flowSchema: string;
  priorityLevel: string;
  distinguisher: string;
  flowHash: bigint;
  /** flowSchema + NUL + distinguisher (map key for the flow's hand). */
  flowKey: string;
  /** Metric series of this flow (filled on first use). */
  metrics?: unknown;
  /**
   * @internal Set by the Apf that classified it (classify / classifyResource): that Apf, the
   * PriorityLevel and the flow's hand of queues, so a request needs no lookup by name.
   */
  apf?: unknown;
  level?: unknown;
  hand?: readonly number[];
}

export interface ApfOptions {
  loop: EventLoop;
  metrics: MetricsRegistry;
  /** Server-wide seats: max-requests-inflight + max-mutating-requests-inflight. */
  serverConcurrencyLimit: number;
  priorityLevels?: readonly PriorityLevelSpec[];
  flowSchemas?: readonly FlowSchemaSpec[];
  /** Queue-wait limit (request-timeout / 4 = 15 s). */
  queueWaitLimit?: Nanos;
  borrowing?: boolean;
  /** Other limited levels' demand as a fraction of their nominal seats (est. busy cluster). */
  backgroundDemand?: number;
}

function subjectMatches(s: Subject, user: UserInfo): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === '*' || s.name === user.name;
    case 'Group':
      return s.name === '*' || user.groups.includes(s.name);
    case 'ServiceAccount': {
      const prefix = `system:serviceaccount:${s.namespace}:`;
      if (!user.name.startsWith(prefix)) return false;
      return s.name === '*' || user.name === prefix + s.name;
    }
  }
}

function ruleMatches(rule: PolicyRule, a: RequestAttributes): boolean {
  if (!rule.subjects.some((s) => subjectMatches(s, a.user))) return false;
  if (rule.verbs !== '*' && !rule.verbs.includes(a.verb)) return false;
  if (a.nonResourceURL !== undefined) {
    return rule.nonResourceURLs?.includes(a.nonResourceURL) ?? false;
  }
  if (rule.resources === undefined) return false;
  return rule.resources === '*' || rule.resources.includes(a.resource);
}

export class Apf {
  private readonly loop: EventLoop;
  private readonly metrics: MetricsRegistry;
  private readonly levels = new Map<string, PriorityLevel>();
  private readonly levelOrder: PriorityLevel[] = [];
  private readonly serverSeats = { n: 0 };
  private readonly schemas: FlowSchemaSpec[];
  private readonly classCache = new Map<
    UserInfo,
    Map<string, Map<string, Map<string, Classification>>>
  >();
  private readonly flowMetrics = new Map<string, FlowMetrics>();
  private serverCL: number;
  private nominalCLSum = 0;
  private nextId = 1;
  private readonly borrowing: boolean;
  private backgroundDemand: number;
  private adjustTimer = -1;
  private lastAdjust: Nanos;

  constructor(o: ApfOptions) {
    this.loop = o.loop;
    this.metrics = o.metrics;
    registerApiServerMetrics(o.metrics);
    this.serverCL = Math.max(1, Math.round(o.serverConcurrencyLimit));
    this.borrowing = o.borrowing ?? true;
    this.backgroundDemand = o.backgroundDemand ?? 0;
    const waitLimit = o.queueWaitLimit ?? 15 * Second;
    for (const spec of o.priorityLevels ?? DEFAULT_PRIORITY_LEVELS) {
      const pl = new PriorityLevel(spec, o.loop, waitLimit, this.serverSeats);
      this.levels.set(spec.name, pl);
      this.levelOrder.push(pl);
    }
    this.schemas = [...(o.flowSchemas ?? DEFAULT_FLOW_SCHEMAS)].sort(
      (a, b) =>
        a.matchingPrecedence - b.matchingPrecedence ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
    this.lastAdjust = o.loop.now();
    this.computeLimits();
  }

  /** Recomputes nominal/min/max seats (config change or a new server limit). */
  private computeLimits(): void {
    let sumNcs = 0;
    for (const pl of this.levelOrder) sumNcs += pl.spec.nominalConcurrencyShares;
    this.nominalCLSum = 0;
    for (const pl of this.levelOrder) {
      const s = pl.spec;
      const nominal = nominalConcurrencyLimit(this.serverCL, s.nominalConcurrencyShares, sumNcs);
      const lendable = lendableConcurrencyLimit(nominal, s.lendablePercent);
      pl.nominalCL = nominal;
      pl.minCL = nominal - lendable;
      pl.maxCL =
        s.borrowingLimitPercent === undefined
          ? Number.MAX_SAFE_INTEGER
          : nominal + Math.ceil((nominal * s.borrowingLimitPercent) / 100);
      pl.maxSeatsPerRequest = levelMaxSeats(nominal, s.queuing?.handSize);
      this.nominalCLSum += nominal;
      const labels = { priority_level: s.name };
      this.metrics.gauge('apiserver_flowcontrol_nominal_limit_seats', labels).set(nominal);
      this.metrics.gauge('apiserver_flowcontrol_lower_limit_seats', labels).set(pl.minCL);
      // A new configuration starts every level at its nominal limit; borrowing moves it
      // at the next adjustment (every 10 s).
      this.setCL(pl, nominal);
    }
    for (const pl of this.levelOrder) {
      this.metrics
        .gauge('apiserver_flowcontrol_upper_limit_seats', { priority_level: pl.spec.name })
        .set(Math.min(pl.maxCL, this.nominalCLSum));
    }
  }

  private setCL(pl: PriorityLevel, cl: number): void {
    this.metrics
      .gauge('apiserver_flowcontrol_current_limit_seats', { priority_level: pl.spec.name })
      .set(cl);
    pl.setCurrentCL(cl);
  }

  /** Server-wide seats changed (brownout factor, preset): levels are re-divided. */
  setServerConcurrencyLimit(n: number): void {
    this.serverCL = Math.max(1, Math.round(n));
    this.computeLimits();
  }

  serverConcurrencyLimit(): number {
    return this.serverCL;
  }

  setBackgroundDemand(f: number): void {
    this.backgroundDemand = Math.max(0, f);
  }

  level(name: string): PriorityLevel | undefined {
    return this.levels.get(name);
  }

  levelNames(): string[] {
    return this.levelOrder.map((l) => l.spec.name);
  }

  /**
   * Seats in use over all levels (for ρ). The simulated background demand of other levels
   * only shapes borrowing; it is not counted here.
   */
  seatsInUse(): number {
    return this.serverSeats.n;
  }

  private hasBackground(pl: PriorityLevel): boolean {
    return (
      pl.spec.type === 'Limited' && pl.spec.name !== 'workload-low' && pl.spec.name !== 'catch-all'
    );
  }

  classify(a: RequestAttributes): Classification {
    const rk = a.nonResourceURL === undefined ? a.resource : `nonResource:${a.nonResourceURL}`;
    return this.cachedClass(a.user, a.verb, rk, a.namespace) ?? this.classifyMiss(a, rk);
  }

  /** classify() of a resource request, without building the attributes when it is cached. */
  classifyResource(
    user: UserInfo,
    verb: string,
    resource: string,
    namespace: string,
  ): Classification {
    return (
      this.cachedClass(user, verb, resource, namespace) ??
      this.classifyMiss({ user, verb, resource, namespace }, resource)
    );
  }

  // Cached by user object, then verb / resource / namespace (no string building per request).
  private cachedClass(
    user: UserInfo,
    verb: string,
    rk: string,
    namespace: string,
  ): Classification | undefined {
    return this.classCache.get(user)?.get(verb)?.get(rk)?.get(namespace);
  }

  private classifyMiss(a: RequestAttributes, rk: string): Classification {
    let byUser = this.classCache.get(a.user);
    if (!byUser) {
      byUser = new Map();
      this.classCache.set(a.user, byUser);
    }
    let byVerb = byUser.get(a.verb);
    if (!byVerb) {
      byVerb = new Map();
      byUser.set(a.verb, byVerb);
    }
    let byRes = byVerb.get(rk);
    if (!byRes) {
      byRes = new Map();
      byVerb.set(rk, byRes);
    }
    let fs: FlowSchemaSpec | undefined;
    for (const s of this.schemas) {
      if (s.rules.some((r) => ruleMatches(r, a))) {
        fs = s;
        break;
      }
    }
    if (!fs) fs = this.schemas[this.schemas.length - 1]!;
    const distinguisher =
      fs.distinguisher === 'ByUser'
        ? a.user.name
        : fs.distinguisher === 'ByNamespace'
          ? a.namespace
          : '';
    const c: Classification = {
      flowSchema: fs.name,
      priorityLevel: fs.priorityLevel,
      distinguisher,
      flowHash: hashFlowID(fs.name, distinguisher),
      flowKey: `${fs.name}\u0000${distinguisher}`,
    };
    const pl = this.levels.get(fs.priorityLevel);
    if (pl) {
      c.apf = this;
      c.level = pl;
      if (pl.queues.length > 0) c.hand = pl.handOf(c.flowKey, c.flowHash);
    }
    byRes.set(a.namespace, c);
    return c;
  }

  private fm(pl: string, fs: string): FlowMetrics {
    const k = `${pl}\u0000${fs}`;
    let m = this.flowMetrics.get(k);
    if (m) return m;
    const labels = { priority_level: pl, flow_schema: fs };
    const r = this.metrics;
    const rejected = new Map<RejectReason, { inc(): void }>();
    for (const reason of ['queue-full', 'time-out', 'concurrency-limit'] as const) {
      rejected.set(
        reason,
        r.counter('apiserver_flowcontrol_rejected_requests_total', { ...labels, reason }),
      );
    }
    m = {
      queueLengthAfterEnqueue: r.histogramSeries(
        'apiserver_flowcontrol_request_queue_length_after_enqueue',
        labels,
      ),
      inqueue: r.gauge('apiserver_flowcontrol_current_inqueue_requests', labels),
      executing: r.gauge('apiserver_flowcontrol_current_executing_requests', labels),
      executingSeats: r.gauge('apiserver_flowcontrol_current_executing_seats', labels),
      concurrencyInUse: r.gauge('apiserver_flowcontrol_request_concurrency_in_use', labels),
      waitExecuted: r.histogramSeries('apiserver_flowcontrol_request_wait_duration_seconds', {
        ...labels,
        execute: 'true',
      }),
      waitRejected: r.histogramSeries('apiserver_flowcontrol_request_wait_duration_seconds', {
        ...labels,
        execute: 'false',
      }),
      dispatched: r.counter('apiserver_flowcontrol_dispatched_requests_total', labels),
      rejected,
    };
    this.flowMetrics.set(k, m);
    return m;
  }

  /** The per-request seat cap of a classification's level (for the work estimator). */
  maxSeatsOf(c: Classification): number {
    return this.levelOf(c).maxSeatsPerRequest;
  }

  /** The classification's PriorityLevel (carried by the classifications this Apf made). */
  private levelOf(c: Classification): PriorityLevel {
    if (c.apf === this) return c.level as PriorityLevel;
    const pl = this.levels.get(c.priorityLevel);
    if (!pl) throw new Error(`unknown priority level ${c.priorityLevel}`);
    return pl;
  }

  /**
   * Admits a classified request: onDispatch when it gets its seats (possibly now), or
   * onReject with the reason and the level's current Retry-After in seconds.
   */
  start(
    c: Classification,
    work: WorkEstimate,
    onDispatch: (t: ApfTicket) => void,
    onReject: (reason: RejectReason, retryAfterSeconds: number) => void,
  ): void {
    this.admit(new CallbackRequest(c, work, this.loop.now(), onDispatch, onReject));
  }

  /**
   * start() for a request object arriving now (the server's per-request state; no
   * closures): it is dispatched now or later, or rejected.
   */
  admit(r: ApfRequest): void {
    const c = r.c;
    const pl = this.levelOf(c);
    r.pl = pl;
    r.id = this.nextId++;
    r.fm =
      (c.metrics as FlowMetrics | undefined) ??
      (c.metrics = this.fm(c.priorityLevel, c.flowSchema));
    if (c.apf === this) r.hand = c.hand;
    this.ensureAdjustTimer();
    pl.start(r);
  }

  /** The request finished executing (response written). */
  finish(t: ApfTicket): void {
    (t as ApfRequest).pl.finish(t as ApfRequest);
  }

  // --- borrowing (apf_controller.go updateBorrowingLocked) ---------------------------------

  private ensureAdjustTimer(): void {
    if (!this.borrowing || this.adjustTimer >= 0) return;
    const now = this.loop.now();
    // Idle periods since the last adjustment: demand was zero, smoothed decays.
    const missed = Math.floor((now - this.lastAdjust) / BORROWING_ADJUSTMENT_PERIOD);
    if (missed > 1) {
      const decay = Math.pow(SEAT_DEMAND_SMOOTHING_COEFFICIENT, missed - 1);
      for (const pl of this.levelOrder) {
        if (!this.hasBackground(pl) || this.backgroundDemand <= 0) pl.smoothed *= decay;
      }
      this.lastAdjust += (missed - 1) * BORROWING_ADJUSTMENT_PERIOD;
    }
    const next = this.lastAdjust + BORROWING_ADJUSTMENT_PERIOD;
    this.adjustTimer = this.loop.schedule(Math.max(next, now), () => {
      this.adjustTimer = -1;
      this.lastAdjust = this.loop.now();
      const busy = this.adjustBorrowing();
      if (busy) this.ensureAdjustTimer();
    });
  }

  /** One borrowing adjustment. Returns whether any level saw demand (keep the timer). */
  adjustBorrowing(): boolean {
    const now = this.loop.now();
    const items: { lower: number; upper: number; target: number }[] = [];
    let busy = false;
    for (const pl of this.levelOrder) {
      let obs = pl.integrator.reset(now);
      // Only real requests keep the adjustment timer going (so an idle run ends).
      if (obs.max > 0 || pl.seatDemand() > 0) busy = true;
      if (this.hasBackground(pl) && this.backgroundDemand > 0) {
        const d = this.backgroundDemand * pl.nominalCL + obs.average;
        obs = { ...obs, average: d, max: Math.max(obs.max, d) };
      }
      pl.highWatermark = obs.max;
      if (obs.duration > 0) {
        pl.avg = obs.average;
        pl.stdDev = obs.deviation;
        const envelope = obs.average + obs.deviation;
        pl.smoothed = Math.max(
          envelope,
          SEAT_DEMAND_SMOOTHING_COEFFICIENT * pl.smoothed +
            (1 - SEAT_DEMAND_SMOOTHING_COEFFICIENT) * envelope,
        );
      }
      const minCurrentCL = pl.exempt
        ? Math.max(pl.minCL, pl.highWatermark)
        : Math.max(pl.minCL, Math.min(pl.nominalCL, pl.highWatermark));
      items.push({
        lower: minCurrentCL,
        upper: pl.maxCL,
        target: Math.max(minCurrentCL, pl.smoothed),
      });
    }
    const allocs = computeConcurrencyAllocation(this.nominalCLSum, items);
    this.levelOrder.forEach((pl, i) => {
      const cl = allocs ? goRound(allocs[i]!) : pl.currentCL;
      if (!pl.exempt) this.setCL(pl, cl);
      else pl.currentCL = cl;
    });
    return busy;
  }
}

/**
 * apf_controller.go computeConcurrencyAllocation: allocations clamp(fairProp × target, lower,
 * upper) summing to requiredSum. Targets below 0.001 count as 0.001. Returns null when
 * impossible (the controller then keeps the current limits).
 */
export function computeConcurrencyAllocation(
  requiredSum: number,
  items: { lower: number; upper: number; target: number }[],
): number[] | null {
  let lowSum = 0;
  let highSum = 0;
  for (const it of items) {
    lowSum += it.lower;
    highSum += Math.min(it.upper, Number.MAX_SAFE_INTEGER);
  }
  if (lowSum > requiredSum + 1e-9 || highSum < requiredSum - 1e-9) return null;
  const alloc = (p: number): number[] =>
    items.map((it) => Math.min(it.upper, Math.max(it.lower, p * Math.max(it.target, 0.001))));
  const sum = (p: number): number => alloc(p).reduce((a, b) => a + b, 0);
  let lo = 0;
  let hi = 1;
  while (sum(hi) < requiredSum && hi < 1e12) hi *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (sum(mid) < requiredSum) lo = mid;
    else hi = mid;
  }
  return alloc(hi);
}
