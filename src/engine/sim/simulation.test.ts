import { describe, expect, it } from 'vitest';
import { SERIES_KEYS } from '../run-types';
import { RECONCILE_TIME_BUCKETS } from '../metrics';
import { Second } from '../time';
import { createSimulation, defaultSettings, runScenario } from './simulation';
import { loadScenario } from './testing';

describe('the default lesson scenario', () => {
  const scenario = { ...loadScenario('bulk-create-2000'), duration: 40 * Second };

  it('runs, samples every series each second and reconciles the burst', () => {
    const r = runScenario(defaultSettings(), scenario);
    expect(r.samples).toHaveLength(40);
    for (const s of r.samples) {
      for (const k of SERIES_KEYS) expect(typeof s.v[k]).toBe('number');
      expect(s.reconcileTimeBuckets).toHaveLength(RECONCILE_TIME_BUCKETS.length + 1);
    }
    expect(r.summary.reconciles).toBeGreaterThan(500);
    expect(r.events.map((e) => e.kind)).toContain('bulkCreate');
    expect(r.metricsText).toContain(
      'controller_runtime_reconcile_total{controller="database",result="success"}',
    );
    expect(r.logs.some((l) => l.msg === 'Starting workers')).toBe(true);
    expect(r.trace.length).toBeGreaterThan(0);
  });

  it('gives identical samples for the same seed', () => {
    const a = runScenario(defaultSettings(), scenario);
    const b = runScenario(defaultSettings(), scenario);
    expect(JSON.stringify(a.samples)).toBe(JSON.stringify(b.samples));
    expect(a.summary).toEqual(b.summary);
  });

  it('advances live in steps with the same samples as a batch run', () => {
    const batch = runScenario(defaultSettings(), scenario, { until: 20 * Second });
    const live = createSimulation(defaultSettings(), scenario);
    const got = [];
    while (live.now() < 20 * Second) got.push(...live.advance(Second / 2));
    expect(JSON.stringify(got)).toBe(JSON.stringify(batch.samples));
    expect(live.drainEvents().length).toBeGreaterThan(0);
    expect(live.tracedKeys().length).toBeGreaterThan(0);
  });
});
