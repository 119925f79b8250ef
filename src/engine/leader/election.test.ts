import { describe, expect, it } from 'vitest';
import { EventLoop } from '../loop';
import { Rng } from '../prng';
import { Millisecond, Second } from '../time';
import { LEASE_DURATION, LeaderElector, Lease, RETRY_PERIOD } from './election';

function cluster(seed: number, n: number) {
  const loop = new EventLoop();
  const rng = new Rng(seed);
  const lease = new Lease('ns', 'lock');
  const calls = { GET: 0, PUT: 0 };
  const events: { id: string; what: string; t: number }[] = [];
  const electors = Array.from({ length: n }, (_, i) => {
    const id = `pod-${i}`;
    return new LeaderElector({
      loop,
      rng: rng.fork(i),
      lease,
      identity: id,
      // 2–6 ms per API call.
      api: (verb, done) => {
        calls[verb]++;
        loop.after(2 * Millisecond + rng.intn(4 * Millisecond), () => done(true));
      },
      log: () => {},
      onStartedLeading: () => events.push({ id, what: 'lead', t: loop.now() }),
      onStoppedLeading: () => events.push({ id, what: 'stop', t: loop.now() }),
    });
  });
  return { loop, lease, electors, events, calls };
}

describe('leader election', () => {
  it('elects exactly one leader among replicas', () => {
    const { loop, electors, events } = cluster(1, 3);
    for (const e of electors) e.start();
    loop.advance(60 * Second);
    expect(electors.filter((e) => e.isLeader())).toHaveLength(1);
    expect(events.filter((e) => e.what === 'lead')).toHaveLength(1);
  });

  it('fails over only after the lease expires (within the lease bounds)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { loop, electors, events } = cluster(seed, 2);
      for (const e of electors) e.start();
      loop.advance(30 * Second);
      const leader = electors.find((e) => e.isLeader())!;
      const killedAt = loop.now();
      leader.kill();
      loop.advance(60 * Second);
      const next = events.filter((e) => e.what === 'lead' && e.t > killedAt);
      expect(next).toHaveLength(1);
      const gap = next[0]!.t - killedAt;
      // Last renewal ≤ RetryPeriod before the kill; the standby must see the lease unchanged
      // for LeaseDuration and polls every RetryPeriod × [1, 2.2).
      expect(gap).toBeGreaterThanOrEqual(LEASE_DURATION - RETRY_PERIOD - 10 * Millisecond);
      expect(gap).toBeLessThanOrEqual(LEASE_DURATION + 2 * 2.2 * RETRY_PERIOD + 50 * Millisecond);
    }
  });

  it('renews about every RetryPeriod while leading', () => {
    const { loop, electors, calls } = cluster(3, 1);
    electors[0]!.start();
    loop.advance(100 * Second);
    expect(calls.PUT).toBeGreaterThanOrEqual(45);
    expect(calls.PUT).toBeLessThanOrEqual(51);
  });
});
