import { afterEach, describe, expect, it, vi } from 'vitest';
import { Second } from '../engine/time';
import { SERIES_KEYS, type Sample, type SeriesKey } from '../engine/run-types';
import {
  LogRing,
  MAX_HOLD_MS,
  MAX_POINTS,
  appendSamples,
  comparable,
  createRunStore,
  decimate,
  emptyRunData,
  indexAt,
  isStale,
  mergeSamples,
} from './runStore';
import { InProcessRunner } from '../worker/inProcessRunner';
import { fakeFactory, fakeScenario, fakeSettings } from '../worker/testing/fakeSim';
import type { RunnerEvent } from '../worker/runner';

function sample(i: number, x: number, buckets: number[] = [1]): Sample {
  const v = {} as Record<SeriesKey, number>;
  for (const k of SERIES_KEYS) v[k] = x;
  return { t: (i + 1) * Second, v, reconcileTimeBuckets: buckets };
}

describe('columns and decimation', () => {
  it('appends samples as columns', () => {
    const d = appendSamples(emptyRunData(), [sample(0, 1), sample(1, 2)], []);
    expect(d.t).toEqual([Second, 2 * Second]);
    expect(d.v.workqueue_depth).toEqual([1, 2]);
    expect(d.buckets).toEqual([[1], [1]]);
  });

  it('halves the columns at the cap, keeping totals of rates and bucket counts', () => {
    const n = MAX_POINTS + 10;
    const ss = Array.from({ length: n }, (_, i) => sample(i, i % 2 === 0 ? 0 : 4, [1, 0, 2]));
    const pending: Sample[] = [];
    const d = appendSamples(emptyRunData(), ss, pending);
    expect(d.t.length).toBeLessThan(MAX_POINTS);
    expect(d.stride).toBe(2);
    // Every sample accounted for: columns × stride + pending.
    expect(d.t.length * 2 + pending.length).toBe(n);
    // Rates averaged (mean of 0 and 4), gauges keep the peak.
    expect(d.v.reconcile_rate_success[0]).toBe(2);
    expect(d.v.workqueue_depth[0]).toBe(4);
    // Bucket counts are summed.
    expect(d.buckets[0]).toEqual([2, 0, 4]);
    // Time stays increasing.
    for (let i = 1; i < d.t.length; i++) expect(d.t[i]!).toBeGreaterThan(d.t[i - 1]!);
  });

  it('decimate keeps an odd last column', () => {
    const d = appendSamples(
      emptyRunData(),
      [0, 1, 2].map((i) => sample(i, i)),
      [],
    );
    const h = decimate(d);
    expect(h.t).toEqual([2 * Second, 3 * Second]);
    expect(h.v.workqueue_depth).toEqual([1, 2]);
  });

  it('merging ignores intervals without observations (NaN)', () => {
    const m = mergeSamples([sample(0, NaN), sample(1, 3)]);
    expect(m.v.reconcile_time_p99).toBe(3);
    expect(m.v.reconcile_rate_success).toBe(3);
    expect(m.t).toBe(2 * Second);
  });

  it('finds the column at a time', () => {
    const d = appendSamples(
      emptyRunData(),
      [0, 1, 2].map((i) => sample(i, i)),
      [],
    );
    expect(indexAt(d, 0)).toBe(-1);
    expect(indexAt(d, 1.5 * Second)).toBe(0);
    expect(indexAt(d, 3 * Second)).toBe(2);
    expect(indexAt(d, 99 * Second)).toBe(2);
  });
});

describe('LogRing', () => {
  it('keeps the newest lines, oldest first, and counts all', () => {
    const r = new LogRing(3);
    const line = (t: number) => ({ t, level: 'info' as const, logger: 'x', msg: 'm', kv: {} });
    r.push([1, 2, 3, 4, 5].map(line));
    expect(r.toArray().map((l) => l.t)).toEqual([3, 4, 5]);
    expect(r.total).toBe(5);
    r.clear();
    expect(r.size()).toBe(0);
  });
});

describe('staleness and A/B', () => {
  const inputs = {
    text: 'a',
    version: 'v0.23' as const,
    scenarioId: 's',
    seed: 1,
    settingsJson: '{}',
  };
  it('results are stale when code, version, scenario or seed changed', () => {
    const now = { text: 'a', version: 'v0.23' as const, scenarioId: 's', seed: 1 };
    expect(isStale(inputs, now)).toBe(false);
    expect(isStale(inputs, { ...now, text: 'b' })).toBe(true);
    expect(isStale(inputs, { ...now, version: 'v0.19' })).toBe(true);
    expect(isStale(inputs, { ...now, seed: 2 })).toBe(true);
    expect(isStale(null, now)).toBe(false);
  });
  it('overlays A only on the same scenario and seed', () => {
    const a = { data: emptyRunData(), events: [], summary: null, inputs, end: 0 };
    expect(comparable(a, { ...inputs, text: 'other code' })).toBe(true);
    expect(comparable(a, { ...inputs, seed: 2 })).toBe(false);
    expect(comparable(null, inputs)).toBe(false);
  });
});

describe('run store with the in-process runner', () => {
  function setup() {
    let runner: InProcessRunner | null = null;
    const store = createRunStore(() => (runner = new InProcessRunner(fakeFactory())));
    const run = (workers = 2, extra = {}) =>
      store.getState().run({
        settings: fakeSettings(workers),
        scenario: fakeScenario(30 * Second),
        text: `workers ${workers}`,
        ...extra,
      });
    return { store, run, tick: (ms: number) => runner!.tick(ms), runner: () => runner! };
  }

  it('runs to the end as fast as possible and keeps samples, events, logs and summary', () => {
    const { store, run, tick } = setup();
    run();
    expect(store.getState().status).toBe('running');
    tick(16);
    const s = store.getState();
    expect(s.status).toBe('done');
    expect(s.data.t).toHaveLength(30);
    expect(s.events.map((e) => e.kind)).toEqual(['bulkCreate']);
    expect(s.logs.size()).toBe(300);
    expect(s.summary?.reconciles).toBe(300);
    expect(s.tracedKeys).toEqual(['default/db-0', 'default/db-1']);
    expect(s.inputs?.seed).toBe(7);
  });

  it('a new run replaces the old data; the seed override is used', () => {
    const { store, run, tick } = setup();
    run(2);
    tick(16);
    store.getState().setSeed(99);
    run(10);
    tick(16);
    const s = store.getState();
    expect(s.data.t).toHaveLength(30);
    expect(s.data.v.reconcile_rate_success[0]).toBe(30);
    expect(s.inputs?.seed).toBe(99);
  });

  it('pins A and keeps it unchanged by the next run', () => {
    const { store, run, tick } = setup();
    run(2);
    tick(16);
    store.getState().pinA();
    run(10);
    tick(16);
    const s = store.getState();
    expect(s.pinnedA?.data.v.reconcile_rate_success[0]).toBe(6);
    expect(s.data.v.reconcile_rate_success[0]).toBe(30);
    expect(comparable(s.pinnedA, s.inputs)).toBe(true);
  });

  it('steps from a paused start, and seeks deterministically', () => {
    const { store, run, tick } = setup();
    run(2, { paused: true });
    store.getState().step('second');
    expect(store.getState().now).toBe(Second);
    expect(store.getState().status).toBe('paused');
    store.getState().resume();
    store.getState().setSpeed('max');
    tick(16);
    const full = store.getState().data.v.workqueue_depth.slice();
    store.getState().seek(10 * Second);
    tick(16);
    const s = store.getState();
    expect(s.status).toBe('paused');
    expect(s.now).toBe(10 * Second);
    expect(s.cursor).toBe(10 * Second);
    expect(s.data.v.workqueue_depth).toEqual(full.slice(0, 10));
  });

  it('reset clears the results', () => {
    const { store, run, tick } = setup();
    run();
    tick(16);
    store.getState().reset();
    tick(16);
    const s = store.getState();
    expect(s.status).toBe('idle');
    expect(s.data.t).toHaveLength(0);
    expect(s.summary).toBeNull();
    expect(s.inputs).toBeNull();
  });

  it('a crash keeps the last results and tells the learner', () => {
    const { store, run, tick, runner } = setup();
    run();
    tick(16);
    // Simulate the worker runner's crash notice.
    (runner() as unknown as { emit(e: RunnerEvent): void }).emit({
      type: 'crashed',
      reason: 'hung',
      message: 'the simulation worker stopped responding (no heartbeat for 5 s)',
    });
    const s = store.getState();
    expect(s.status).toBe('crashed');
    expect(s.crash).toMatch(
      /stopped responding.*restarted; your code and the last results are kept/,
    );
    expect(s.data.t).toHaveLength(30);
  });

  it('ignores frames of an older run', () => {
    const { store, run, tick, runner } = setup();
    run();
    tick(16);
    const before = store.getState();
    (runner() as unknown as { emit(e: RunnerEvent): void }).emit({
      v: 1,
      type: 'frame',
      runId: before.runId - 1,
      status: 'running',
      now: 0,
      end: 0,
      samples: [],
      events: [],
      logs: [],
      replace: true,
    });
    const after = store.getState();
    expect(after.status).toBe('done');
    expect(after.data.t).toHaveLength(30);
    expect(after.frames).toBe(before.frames);
  });
});

describe('frame batching', () => {
  afterEach(() => vi.useRealTimers());

  it('commits streaming frames together, and a status change at once', () => {
    vi.useFakeTimers();
    let runner: InProcessRunner | null = null;
    const store = createRunStore(() => (runner = new InProcessRunner(fakeFactory())), {
      batchMs: 100,
    });
    let updates = 0;
    store.subscribe(() => updates++);
    store.getState().setSpeed(10);
    store.getState().run({
      settings: fakeSettings(),
      scenario: fakeScenario(600 * Second),
      text: 't',
    });
    updates = 0;
    // 1 s of wall time at 10×: about 30 frames from the worker host…
    runner!.tick(1000, 4);
    vi.advanceTimersByTime(1000);
    const frames = store.getState().frames;
    expect(frames).toBeGreaterThan(20);
    // …but at most one store update per 100 ms batch (plus the start).
    expect(updates).toBeLessThanOrEqual(12);
    expect(store.getState().data.t.length).toBeGreaterThanOrEqual(9);
    // Pausing is a status change: committed without waiting for the batch.
    store.getState().pause();
    expect(store.getState().status).toBe('paused');
  });

  it('commits on a steady cadence: the batch period counts from the previous commit', () => {
    vi.useFakeTimers();
    let runner: InProcessRunner | null = null;
    const store = createRunStore(() => (runner = new InProcessRunner(fakeFactory())), {
      batchMs: 100,
      nowMs: () => Date.now(),
    });
    store.getState().setSpeed(10);
    store.getState().run({
      settings: fakeSettings(),
      scenario: fakeScenario(600 * Second),
      text: 't',
    });
    vi.advanceTimersByTime(0);
    const v0 = store.getState().dataVersion;
    // Frames arrive every ~33 ms; timers and frames interleave as in the browser.
    for (let i = 0; i < 60; i++) {
      runner!.tick(33, 33);
      vi.advanceTimersByTime(33);
    }
    // 1.98 s at one commit per 100 ms: 19 or 20 commits (waiting 100 ms after the first frame
    // of each batch would give one per 132 ms: 15).
    const commits = store.getState().dataVersion - v0;
    expect(commits).toBeGreaterThanOrEqual(19);
    expect(commits).toBeLessThanOrEqual(20);
  });

  it('holds a due streaming commit while holdCommit says so, never longer than MAX_HOLD_MS', () => {
    vi.useFakeTimers();
    let runner: InProcessRunner | null = null;
    let hold = false;
    const store = createRunStore(() => (runner = new InProcessRunner(fakeFactory())), {
      batchMs: 100,
      nowMs: () => Date.now(),
      holdCommit: () => hold,
    });
    store.getState().setSpeed(10);
    store.getState().run({
      settings: fakeSettings(),
      scenario: fakeScenario(600 * Second),
      text: 't',
    });
    vi.advanceTimersByTime(0);
    for (let i = 0; i < 4; i++) {
      runner!.tick(33, 33);
      vi.advanceTimersByTime(33);
    }
    const v0 = store.getState().dataVersion;
    // A chart is being drawn: frames keep arriving, nothing is committed…
    hold = true;
    for (let i = 0; i < 6; i++) {
      runner!.tick(33, 33);
      vi.advanceTimersByTime(33);
    }
    expect(store.getState().dataVersion).toBe(v0);
    // …until it is done: the held frames are committed together at once.
    hold = false;
    vi.advanceTimersByTime(5);
    expect(store.getState().dataVersion).toBe(v0 + 1);
    // A hold that never ends still lets a commit through after MAX_HOLD_MS.
    hold = true;
    const v1 = store.getState().dataVersion;
    for (let i = 0; i < Math.ceil(MAX_HOLD_MS / 33) + 2; i++) {
      runner!.tick(33, 33);
      vi.advanceTimersByTime(33);
    }
    expect(store.getState().dataVersion).toBe(v1 + 1);
    // A status change is never held.
    store.getState().pause();
    expect(store.getState().status).toBe('paused');
  });
});
