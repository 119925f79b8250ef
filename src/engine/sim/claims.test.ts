/**
 * The lesson's claims, measured on its scenarios (numbers in sim/README.md).
 */
import { describe, expect, it } from 'vitest';
import type { ReconcileOp, SimSettings } from '../settings';
import { Second } from '../time';
import { createSimulationForTest, defaultSettings } from './simulation';
import { loadScenario } from './testing';

function run(settings: SimSettings, id: string, seconds: number) {
  const sc = { ...loadScenario(id), duration: seconds * Second };
  const sim = createSimulationForTest(settings, sc);
  sim.advance(sc.duration);
  return sim;
}

const listProduction = (extra: Partial<Extract<ReconcileOp, { op: 'list' }>>): ReconcileOp => ({
  op: 'list',
  kind: 'Database',
  source: 'cache',
  ...extra,
});

describe('lesson claims, measured', () => {
  it('caching cuts API GETs by more than 95% (cached-vs-uncached-reads)', () => {
    const cached = defaultSettings();
    const uncached = defaultSettings();
    uncached.reconcile.ops = uncached.reconcile.ops.map((o) =>
      o.op === 'get' ? { ...o, source: 'api' as const } : o,
    );
    const a = run(cached, 'cached-vs-uncached-reads', 30);
    const b = run(uncached, 'cached-vs-uncached-reads', 30);
    const gets = (s: typeof a) => s.metrics.sum('apiserver_request_total', { verb: 'GET' });
    expect(a.summary().reconciles).toBeGreaterThan(500);
    expect(b.summary().reconciles).toBeGreaterThan(500);
    // Cached GETs left: only leader election's Lease reads.
    expect(gets(a)).toBeLessThan(0.05 * gets(b));
    expect(a.stats.cacheReads).toBeGreaterThan(2 * 500);
  }, 240_000);

  it('makes zero API calls for cached reads once the cache has synced', () => {
    const s = defaultSettings();
    s.manager.leaderElection = false;
    s.reconcile.ops = s.reconcile.ops.filter((o) => o.op === 'get');
    const sim = run(s, 'cached-vs-uncached-reads', 20);
    expect(sim.summary().reconciles).toBeGreaterThan(300);
    expect(sim.metrics.sum('apiserver_request_total', { verb: 'GET' })).toBe(0);
    // The only reads: one LIST per informer (Database, StatefulSet).
    expect(sim.metrics.sum('apiserver_request_total', { verb: 'LIST' })).toBe(2);
  }, 240_000);

  it('the first cached Get of a new kind starts an informer (one LIST) and waits for its sync', () => {
    const s = defaultSettings();
    s.manager.leaderElection = false;
    s.reconcile.ops.splice(1, 0, {
      op: 'get',
      kind: 'ConfigMap',
      ref: 'owned',
      source: 'cache',
      onError: 'ignore',
    });
    const sim = run(s, 'cached-vs-uncached-reads', 10);
    expect(
      sim.metrics.sum('apiserver_request_total', { verb: 'LIST', resource: 'configmaps' }),
    ).toBe(1);
    expect(sim.metrics.sum('apiserver_request_total', { verb: 'GET' })).toBe(0);
    expect(
      sim.allEvents().some((e) => e.kind === 'cacheSynced' && e.label.startsWith('ConfigMap')),
    ).toBe(true);
  }, 240_000);

  it('an index makes a filtered List cost proportional to the matches (index-vs-no-index)', () => {
    const indexed = defaultSettings();
    indexed.indexes = [{ kind: 'Database', field: 'spec.environment' }];
    indexed.reconcile.ops.splice(
      1,
      0,
      listProduction({ matchingFields: { 'spec.environment': 'production' } }),
    );
    const labels = defaultSettings();
    labels.reconcile.ops.splice(
      1,
      0,
      listProduction({ matchingLabels: { environment: 'production' } }),
    );
    const a = run(indexed, 'index-vs-no-index', 8);
    const b = run(labels, 'index-vs-no-index', 8);
    const perList = (s: typeof a) => s.stats.cacheScanned / s.stats.cacheLists;
    // 20,000 Databases, 1% production: the index visits the ~200 matches, the label scan all.
    expect(perList(a)).toBeGreaterThan(120);
    expect(perList(a)).toBeLessThan(300);
    expect(perList(b)).toBe(20_000);
  }, 240_000);

  it('MatchingFields without an index fails every reconcile with the real error', () => {
    const s = defaultSettings();
    s.reconcile.ops.splice(
      1,
      0,
      listProduction({ matchingFields: { 'spec.environment': 'production' } }),
    );
    const sim = run(s, 'index-vs-no-index', 1);
    const err = sim.allLogs().find((l) => l.msg === 'Reconciler error');
    expect(err?.kv['error']).toBe('Index with name field:spec.environment does not exist');
    expect(sim.summary().reconcileErrors).toBe(sim.summary().reconciles);
  }, 240_000);

  it('MaxConcurrentReconciles raises throughput until the APF seats (or client QPS) bind', () => {
    const tput = (version: 'v0.23' | 'v0.20', mcr: number) => {
      const s = defaultSettings(version);
      s.controller.maxConcurrentReconciles = mcr;
      const sim = run(s, 'bulk-create-2000', 26);
      const win = sim.samples.filter((x) => x.t > 6 * Second);
      return {
        tput: win.reduce((a, x) => a + x.v.reconcile_rate_success, 0) / win.length,
        r429: sim.summary().apiRequests429,
      };
    };
    const latest = [1, 2, 10, 25, 50].map((m) => tput('v0.23', m));
    // Linear at first…
    expect(latest[1]!.tput / latest[0]!.tput).toBeGreaterThan(1.8);
    expect(latest[2]!.tput / latest[1]!.tput).toBeGreaterThan(3.5);
    // …then flat: the tiny control plane's workload-low seats are the limit, and 429s appear.
    expect(latest[4]!.tput / latest[3]!.tput).toBeLessThan(1.1);
    expect(latest[3]!.tput / latest[2]!.tput).toBeLessThan(1.1);
    expect(latest[2]!.r429).toBe(0);
    expect(latest[4]!.r429).toBeGreaterThan(0);
    // controller-runtime v0.20's client (QPS 20 per kind) binds at ~20 reconciles/s at once.
    const legacy = [2, 10].map((m) => tput('v0.20', m));
    expect(legacy[1]!.tput).toBeLessThan(21);
    expect(legacy[1]!.tput / legacy[0]!.tput).toBeLessThan(1.1);
  }, 240_000);

  it('ReconcileBatch makes as many API calls as one-by-one; ReconcileParallel skips dedup and backoff', () => {
    const mode = (m: SimSettings['reconcile']['mode']) => {
      const s = defaultSettings();
      s.reconcile.mode = m;
      return run(s, 'batch-update-storm', 40);
    };
    const one = mode('workqueue');
    const batch = mode('batch');
    const par = mode('parallel');
    const writes = (s: typeof one) => s.metrics.sum('apiserver_request_total', { verb: 'PUT' });
    expect(Math.abs(writes(batch) - writes(one)) / writes(one)).toBeLessThan(0.1);
    expect(batch.summary().reconciles).toBeLessThan(one.summary().reconciles / 10);
    // One goroutine per event: more reconciles than the deduplicating queue, all at once.
    expect(par.stats.goroutines).toBeGreaterThan(one.summary().reconciles);
    expect(par.stats.goroutinesPeak).toBeGreaterThan(500);
    // No backoff: nothing is retried, errors are dropped; the burst draws 429s from APF.
    expect(par.metrics.sum('workqueue_retries_total')).toBe(0);
    expect(par.summary().apiRequests429).toBeGreaterThan(one.summary().apiRequests429);
  }, 240_000);
});
