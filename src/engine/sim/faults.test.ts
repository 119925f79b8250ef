import { describe, expect, it } from 'vitest';
import { LEASE_DURATION, RETRY_PERIOD } from '../leader/election';
import { Second } from '../time';
import { createSimulationForTest, defaultSettings } from './simulation';
import { loadScenario } from './testing';

describe('scenario faults', () => {
  it('leader failover: a standby leads only after the dead leader’s lease expires', () => {
    const sc = { ...loadScenario('leader-failover'), duration: 100 * Second };
    const s = defaultSettings();
    s.manager.replicas = 2;
    const sim = createSimulationForTest(s, sc);
    sim.advance(sc.duration);
    const ev = sim.allEvents();
    const killed = ev.find((e) => e.kind === 'leaderFailover')!;
    const elected = ev.filter((e) => e.kind === 'leaderElected' && e.t > killed.t);
    expect(elected).toHaveLength(1);
    const gap = elected[0]!.t - killed.t;
    expect(gap).toBeGreaterThanOrEqual(LEASE_DURATION - RETRY_PERIOD);
    expect(gap).toBeLessThanOrEqual(LEASE_DURATION + 2 * 2.2 * RETRY_PERIOD + Second);
    // Nothing is reconciled between the kill and the new leader's start.
    const idle = sim.samples.filter((x) => x.t > killed.t + Second && x.t < elected[0]!.t);
    expect(idle.length).toBeGreaterThan(10);
    expect(idle.every((x) => x.v.reconcile_rate_success === 0)).toBe(true);
  }, 120_000);

  it('more replicas add no reconcile throughput (they are standbys)', () => {
    const sc = { ...loadScenario('leader-failover'), duration: 50 * Second, faults: [] };
    const run = (replicas: number) => {
      const s = defaultSettings();
      s.manager.replicas = replicas;
      const sim = createSimulationForTest(s, sc);
      sim.advance(sc.duration);
      return sim.summary();
    };
    const one = run(1);
    const three = run(3);
    expect(Math.abs(three.reconciles - one.reconciles) / one.reconciles).toBeLessThan(0.05);
    // …but they do add Lease traffic (each standby polls every 2–4.4 s).
    expect(three.apiRequests).toBeGreaterThan(one.apiRequests);
  }, 120_000);

  it('watch disconnect with 410 Gone: the informer re-LISTs, once', () => {
    const sc = { ...loadScenario('watch-disconnect-relist'), duration: 100 * Second };
    const sim = createSimulationForTest(defaultSettings(), sc);
    sim.advance(sc.duration);
    const at = sim.allEvents().find((e) => e.kind === 'watchDisconnect')!.t;
    const relist = sim.allEvents().filter((e) => e.kind === 'relist');
    expect(relist).toHaveLength(1);
    expect(relist[0]!.t).toBeGreaterThan(at);
    // Two LISTs of Databases (initial + relist), one of StatefulSets.
    expect(
      sim.metrics.sum('apiserver_request_total', { verb: 'LIST', resource: 'databases' }),
    ).toBe(2);
    expect(
      sim.metrics.sum('apiserver_request_total', { verb: 'LIST', resource: 'statefulsets' }),
    ).toBe(1);
    expect(sim.allLogs().some((l) => l.msg.includes('too old resource version'))).toBe(true);
  }, 120_000);

  it('a hot failing key backs off exponentially while the others flow', () => {
    const sc = loadScenario('hot-failing-key');
    const sim = createSimulationForTest(defaultSettings(), sc);
    sim.advance(sc.duration);
    const errors = sim.allLogs().filter((l) => l.msg === 'Reconciler error');
    expect(errors.length).toBeGreaterThan(10);
    expect(errors.every((l) => l.kv['name'] === 'db-7')).toBe(true);
    expect(String(errors[0]!.kv['error'])).toContain('admission webhook');
    // 5 ms × 2^n: the gaps between failures grow.
    const t = errors.map((l) => l.t);
    const gaps = t.slice(1).map((x, i) => x - t[i]!);
    expect(gaps.at(-1)!).toBeGreaterThan(30 * gaps[2]!);
    expect(sim.summary().reconciles - errors.length).toBeGreaterThan(300);
  }, 120_000);
});
