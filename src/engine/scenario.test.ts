import { describe, expect, it } from 'vitest';
import { parseGoDuration, parseScenario } from './scenario';
import { Hour, Millisecond, Minute, Second } from './time';

const base = {
  id: 'x',
  title: 'X',
  learningPoint: 'A point worth learning.',
  lessonSection: 'rate-limiting',
  seed: 1,
  duration: '2m',
  cluster: 'tiny',
  workload: [{ type: 'bulkCreate', at: '5s', kind: 'Database', count: 10 }],
  faults: [],
};

function errorsOf(doc: unknown) {
  const r = parseScenario(doc);
  return 'errors' in r ? r.errors : [];
}

describe('parseGoDuration', () => {
  it('accepts what time.ParseDuration accepts', () => {
    expect(parseGoDuration('90s')).toEqual({ ok: true, d: 90 * Second });
    expect(parseGoDuration('1h30m')).toEqual({ ok: true, d: Hour + 30 * Minute });
    expect(parseGoDuration('1.5s')).toEqual({ ok: true, d: 1500 * Millisecond });
    expect(parseGoDuration('250ms')).toEqual({ ok: true, d: 250 * Millisecond });
    expect(parseGoDuration('10µs')).toEqual({ ok: true, d: 10_000 });
    expect(parseGoDuration('0')).toEqual({ ok: true, d: 0 });
    expect(parseGoDuration('-2s')).toEqual({ ok: true, d: -2 * Second });
    expect(parseGoDuration('.5m')).toEqual({ ok: true, d: 30 * Second });
  });
  it('rejects with the Go error text', () => {
    expect(parseGoDuration('10')).toEqual({
      ok: false,
      err: 'time: missing unit in duration "10"',
    });
    expect(parseGoDuration('3days')).toEqual({
      ok: false,
      err: 'time: unknown unit "days" in duration "3days"',
    });
    expect(parseGoDuration('')).toEqual({ ok: false, err: 'time: invalid duration ""' });
    expect(parseGoDuration('s')).toEqual({ ok: false, err: 'time: invalid duration "s"' });
  });
});

describe('parseScenario', () => {
  it('turns human durations into nanoseconds', () => {
    const r = parseScenario(base);
    expect('scenario' in r && r.scenario.duration).toBe(2 * Minute);
    expect('scenario' in r && r.scenario.workload[0]).toEqual({
      type: 'bulkCreate',
      at: 5 * Second,
      kind: 'Database',
      count: 10,
      over: undefined,
      namespaces: undefined,
    });
  });
  it('accepts integer nanoseconds and rejects fractional ones', () => {
    const ok = parseScenario({ ...base, duration: 120_000_000_000 });
    expect('scenario' in ok && ok.scenario.duration).toBe(2 * Minute);
    expect(errorsOf({ ...base, duration: 1.5 })).toEqual([
      { path: 'duration', message: 'a number must be an integer count of nanoseconds, got 1.5' },
    ]);
  });
  it('names the path of a bad field', () => {
    const errs = errorsOf({
      ...base,
      faults: [
        { type: 'leaderFailover', at: '10s' },
        { type: 'externalErrors', from: '30s', to: '20s', errorRate: 2 },
      ],
    });
    expect(errs).toContainEqual({ path: 'faults[1].to', message: 'must be after "from"' });
    expect(errs).toContainEqual({ path: 'faults[1].errorRate', message: 'must be ≤ 1, got 2' });
  });
  it('rejects unknown fields, types and presets', () => {
    const errs = errorsOf({ ...base, colour: 'red', cluster: 'huge', workload: [{ type: 'x' }] });
    expect(errs.map((e) => e.path)).toEqual(['colour', 'cluster', 'workload[0].type']);
  });
  it('rejects a non-object document and missing fields', () => {
    expect(errorsOf(null)).toEqual([{ path: '', message: 'must be an object, got null' }]);
    const errs = errorsOf({});
    expect(errs.map((e) => e.path)).toEqual(
      expect.arrayContaining(['id', 'title', 'seed', 'duration', 'cluster', 'workload', 'faults']),
    );
  });
  it('rejects events after the end of the run', () => {
    expect(errorsOf({ ...base, faults: [{ type: 'leaderFailover', at: '5m' }] })).toEqual([
      { path: 'faults[0].at', message: 'is after the end of the scenario (duration)' },
    ]);
  });
  it('reports a bad duration string with Go’s message', () => {
    expect(errorsOf({ ...base, duration: '2 minutes' })[0]?.path).toBe('duration');
  });
  it('parses kind shapes as weights', () => {
    const r = parseScenario({
      ...base,
      kinds: { Database: { fields: { 'spec.environment': { production: 1, dev: 3 } } } },
    });
    expect('scenario' in r && r.scenario.kinds).toEqual({
      Database: { fields: { 'spec.environment': { production: 1, dev: 3 } } },
    });
    expect(errorsOf({ ...base, kinds: { Database: { fields: { f: {} } } } })[0]?.path).toBe(
      'kinds.Database.fields.f',
    );
  });
});
