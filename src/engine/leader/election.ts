/**
 * Leader election with a coordination.k8s.io Lease (client-go tools/leaderelection as
 * controller-runtime configures it; controller-semantics.md §4.3, apiserver-and-scale.md §8):
 * LeaseDuration 15 s, RenewDeadline 10 s, RetryPeriod 2 s, JitterFactor 1.2.
 *
 * - Every candidate runs tryAcquireOrRenew: GET the Lease; if it is free, expired, or its own,
 *   UPDATE it (acquire or renew). A standby polls every RetryPeriod × (1 + 1.2 × U[0,1)).
 * - A record counts as expired when the candidate's *observed* time of its last change plus
 *   LeaseDuration has passed (client-go compares with its own observation, not the record).
 * - The leader renews every RetryPeriod; if it cannot renew within RenewDeadline it loses the
 *   lease ("leader election lost") and controller-runtime exits.
 * - A replica that dies releases nothing (LeaderElectionReleaseOnCancel is false by default).
 *
 * The Lease record lives here; each Get/Update is also sent through `api` so that its traffic
 * is counted and throttled like any other request (workload-low for third-party operators).
 */
import type { EventLoop } from '../loop';
import type { Rng } from '../prng';
import { type Nanos, Second } from '../time';

export const LEASE_DURATION: Nanos = 15 * Second;
export const RENEW_DEADLINE: Nanos = 10 * Second;
export const RETRY_PERIOD: Nanos = 2 * Second;
export const JITTER_FACTOR = 1.2;

export interface LeaseRecord {
  holderIdentity: string;
  renewTime: Nanos;
  acquireTime: Nanos;
  leaseTransitions: number;
}

/** The API calls a candidate makes: calls back with success (false: the request failed). */
export type LeaseApi = (verb: 'GET' | 'PUT', done: (ok: boolean) => void) => void;

export interface LeaderLog {
  (level: 'info' | 'error', msg: string, kv: Record<string, string | number>): void;
}

export class Lease {
  record: LeaseRecord | undefined;
  constructor(
    readonly namespace: string,
    readonly name: string,
  ) {}
  get desc(): string {
    return `${this.namespace}/${this.name}`;
  }
}

export interface ElectorOptions {
  loop: EventLoop;
  rng: Rng;
  lease: Lease;
  identity: string;
  api: LeaseApi;
  log: LeaderLog;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

export class LeaderElector {
  private alive = true;
  private leading = false;
  private observedRecord: LeaseRecord | undefined;
  private observedTime: Nanos = 0;
  private timer: number | undefined;
  private lastRenew: Nanos = 0;
  private announced = false;

  constructor(private readonly o: ElectorOptions) {}

  isLeader(): boolean {
    return this.leading && this.alive;
  }

  isAlive(): boolean {
    return this.alive;
  }

  get identity(): string {
    return this.o.identity;
  }

  start(): void {
    if (!this.announced) {
      this.announced = true;
      this.o.log('info', `attempting to acquire leader lease ${this.o.lease.desc}...`, {});
    }
    this.tryAcquireOrRenew();
  }

  /** The process dies: no release, no more requests. */
  kill(): void {
    this.alive = false;
    if (this.timer !== undefined) this.o.loop.cancel(this.timer);
    this.timer = undefined;
  }

  private schedule(d: Nanos): void {
    if (!this.alive) return;
    this.timer = this.o.loop.after(d, () => this.tryAcquireOrRenew());
  }

  private jittered(): Nanos {
    return RETRY_PERIOD + Math.floor(this.o.rng.float64() * JITTER_FACTOR * RETRY_PERIOD);
  }

  private tryAcquireOrRenew(): void {
    if (!this.alive) return;
    const { loop, lease } = this.o;
    this.o.api('GET', (okGet) => {
      if (!this.alive) return;
      const now = loop.now();
      if (!okGet) return this.failed(now);
      const rec = lease.record;
      if (rec && !sameRecord(rec, this.observedRecord)) {
        this.observedRecord = { ...rec };
        this.observedTime = now;
      }
      const mine = rec?.holderIdentity === this.o.identity;
      const expired = !rec || rec.holderIdentity === '' || this.observedTime + LEASE_DURATION < now;
      if (!mine && !expired) {
        // Someone else holds a valid lease.
        this.schedule(this.jittered());
        return;
      }
      this.o.api('PUT', (okPut) => {
        if (!this.alive) return;
        const t = loop.now();
        if (!okPut) return this.failed(t);
        // The optimistic update succeeds only if the record is still the one we read.
        const cur = lease.record;
        if (cur && rec && !sameRecord(cur, rec)) return this.failed(t);
        if (!rec && cur) return this.failed(t);
        const next: LeaseRecord = mine
          ? { ...rec!, renewTime: t }
          : {
              holderIdentity: this.o.identity,
              renewTime: t,
              acquireTime: t,
              leaseTransitions: rec ? rec.leaseTransitions + 1 : 0,
            };
        lease.record = next;
        this.observedRecord = { ...next };
        this.observedTime = t;
        this.lastRenew = t;
        if (!this.leading) {
          this.leading = true;
          this.o.log('info', `successfully acquired lease ${lease.desc}`, {});
          this.o.onStartedLeading();
        }
        // The leader renews every RetryPeriod (wait.Until, no jitter).
        this.schedule(RETRY_PERIOD);
      });
    });
  }

  private failed(now: Nanos): void {
    if (this.leading && now - this.lastRenew > RENEW_DEADLINE) {
      this.leading = false;
      this.o.log(
        'info',
        `failed to renew lease ${this.o.lease.desc}: timed out waiting for the condition`,
        {},
      );
      this.o.log('error', 'leader election lost', {});
      this.o.onStoppedLeading();
      this.kill();
      return;
    }
    this.schedule(this.leading ? RETRY_PERIOD : this.jittered());
  }
}

function sameRecord(a: LeaseRecord, b: LeaseRecord | undefined): boolean {
  return (
    b !== undefined &&
    a.holderIdentity === b.holderIdentity &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}
