import { describe, expect, it } from 'vitest';
import { Millisecond, Second } from '../../engine/time';
import { SERIES_KEYS, type Sample, type SeriesKey } from '../../engine/run-types';
import { appendSamples, emptyRunData } from '../../store/runStore';
import { goDuration, goSnippet, toCsv } from './exports';
import { fakeSettings } from '../../worker/testing/fakeSim';

function sample(t: number, x: number): Sample {
  const v = {} as Record<SeriesKey, number>;
  for (const k of SERIES_KEYS) v[k] = x;
  return { t, v, reconcileTimeBuckets: [] };
}

describe('CSV export', () => {
  it('has one column per series and one row per sample, t in seconds', () => {
    const d = appendSamples(emptyRunData(), [sample(Second, 1.5), sample(2 * Second, NaN)], []);
    const lines = toCsv(d).trimEnd().split('\n');
    expect(lines[0]).toBe(['t_seconds', ...SERIES_KEYS].join(','));
    expect(lines[1]).toBe(['1', ...SERIES_KEYS.map(() => '1.5')].join(','));
    // NaN (no observation in the interval) is an empty cell.
    expect(lines[2]).toBe(['2', ...SERIES_KEYS.map(() => '')].join(','));
    expect(lines).toHaveLength(3);
  });
});

describe('Go snippet', () => {
  it('writes durations as Go does', () => {
    expect(goDuration(5 * Millisecond)).toBe('5 * time.Millisecond');
    expect(goDuration(1000 * Second)).toBe('1000 * time.Second');
    expect(goDuration(Second)).toBe('time.Second');
    expect(goDuration(0)).toBe('0');
    expect(goDuration(1500)).toBe('1500 * time.Nanosecond');
  });

  it('carries the knobs of the run', () => {
    const s = fakeSettings(10);
    s.client = { qps: 50, burst: 100 };
    s.controller.owns = ['StatefulSet'];
    s.controller.rateLimiter = {
      kind: 'maxOf',
      limiters: [
        { kind: 'itemExponentialFailure', baseDelay: 5 * Millisecond, maxDelay: 1000 * Second },
        { kind: 'bucket', qps: 10, burst: 100 },
      ],
    };
    s.indexes = [{ kind: 'Database', field: 'spec.environment' }];
    s.apiLimiter = { limit: 10, burst: 1 };
    const go = goSnippet(s);
    expect(go).toContain('MaxConcurrentReconciles: 10,');
    expect(go).toContain('cfg.QPS = 50');
    expect(go).toContain('cfg.Burst = 100');
    expect(go).toContain('Owns(&appsv1.StatefulSet{})');
    expect(go).toContain(
      'workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](5 * time.Millisecond, 1000 * time.Second)',
    );
    expect(go).toContain(
      '&workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(10), 100)}',
    );
    expect(go).toContain('IndexField(ctx, &v1.Database{}, "spec.environment"');
    expect(go).toContain('apiLimiter: rate.NewLimiter(rate.Limit(10), 1),');
  });

  it('says which knobs were left at the version defaults', () => {
    const go = goSnippet(fakeSettings(2));
    expect(go).toContain('// cfg.QPS: left at the default for this version');
    expect(go).toContain("// RateLimiter: the version's default");
    expect(go).toContain('controller-runtime v0.23');
  });
});
