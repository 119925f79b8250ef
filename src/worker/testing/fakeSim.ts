/**
 * A small deterministic SimulationApi for unit tests of the worker protocol, pacing and the
 * run store (the product always runs the real engine, src/engine/sim). Time moves in 10 ms
 * events; a "reconcile" finishes every 100 ms; one sample per sampleEvery, whose values are
 * simple functions of time so tests can predict them.
 */
import { Millisecond, Second, type Nanos } from '../../engine/time';
import {
  SERIES_KEYS,
  type LogLine,
  type RunEvent,
  type RunSummary,
  type Sample,
  type SeriesKey,
  type SimulationApi,
  type TraceSpan,
} from '../../engine/run-types';
import type { SimSettings } from '../../engine/settings';
import type { Scenario } from '../../engine/scenario-types';

export const EVENT_STEP: Nanos = 10 * Millisecond;
export const RECONCILE_EVERY: Nanos = 100 * Millisecond;

export class FakeSim implements SimulationApi {
  private t: Nanos = 0;
  private nextSample: Nanos;
  private events: RunEvent[] = [];
  private logs: LogLine[] = [];
  reconciles = 0;
  /** Calls of advance (tests check that the host slices its work). */
  advanceCalls = 0;

  constructor(
    readonly settings: SimSettings,
    readonly scenario: Scenario,
    readonly sampleEvery: Nanos,
  ) {
    this.nextSample = sampleEvery;
  }

  now(): Nanos {
    return this.t;
  }
  end(): Nanos {
    return this.scenario.duration;
  }
  done(): boolean {
    return this.t >= this.scenario.duration;
  }

  private moveTo(target: Nanos): Sample[] {
    const out: Sample[] = [];
    target = Math.min(target, this.end());
    const before = this.t;
    while (this.nextSample <= target) {
      this.t = this.nextSample;
      out.push(this.sampleAt(this.t));
      this.nextSample += this.sampleEvery;
    }
    this.t = target;
    const r0 = Math.floor(before / RECONCILE_EVERY);
    const r1 = Math.floor(target / RECONCILE_EVERY);
    for (let r = r0 + 1; r <= r1; r++) {
      this.reconciles++;
      this.logs.push({
        t: r * RECONCILE_EVERY,
        level: r % 10 === 0 ? 'error' : 'info',
        logger: 'controller-runtime',
        msg: r % 10 === 0 ? 'Reconciler error' : 'Reconcile done',
        kv: { controller: 'database', namespace: 'default', name: `db-${r % 7}` },
      });
    }
    if (before < 5 * Second && target >= 5 * Second) {
      this.events.push({ t: 5 * Second, kind: 'bulkCreate', label: 'bulk create 2000' });
    }
    return out;
  }

  sampleAt(t: Nanos): Sample {
    const v = {} as Record<SeriesKey, number>;
    SERIES_KEYS.forEach((k, i) => (v[k] = (t / Second) * (i + 1)));
    v.max_workers = this.settings.controller.maxConcurrentReconciles;
    v.reconcile_rate_success = this.settings.controller.maxConcurrentReconciles * 3;
    return { t, v, reconcileTimeBuckets: [1, 2, 3] };
  }

  advance(d: Nanos): Sample[] {
    this.advanceCalls++;
    return this.moveTo(this.t + d);
  }
  stepEvent(): Sample[] {
    return this.moveTo(this.t + EVENT_STEP);
  }
  stepReconcile(): Sample[] {
    return this.moveTo((Math.floor(this.t / RECONCILE_EVERY) + 1) * RECONCILE_EVERY);
  }
  drainEvents(): RunEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }
  drainLogs(): LogLine[] {
    const l = this.logs;
    this.logs = [];
    return l;
  }
  traceFor(key: string, from?: Nanos, to?: Nanos): TraceSpan[] {
    const spans: TraceSpan[] = [
      { key, stage: 'enqueued', start: 0, end: 0 },
      { key, stage: 'waitingForWorker', start: 0, end: Math.min(this.t, Second) },
      { key, stage: 'reconcile', start: Second, end: Math.min(this.t, 2 * Second) },
    ];
    return spans.filter(
      (s) => (from === undefined || s.end >= from) && (to === undefined || s.start <= to),
    );
  }
  tracedKeys(): string[] {
    return this.t > 0 ? ['default/db-0', 'default/db-1'] : [];
  }
  metricsText(): string {
    return `# TYPE controller_runtime_reconcile_total counter\ncontroller_runtime_reconcile_total{controller="database",result="success"} ${this.reconciles}\n`;
  }
  summary(): RunSummary {
    const secs = this.t / Second;
    return {
      virtualSeconds: secs,
      reconciles: this.reconciles,
      reconcileErrors: Math.floor(this.reconciles / 10),
      throughputPerSecond: secs > 0 ? this.reconciles / secs : 0,
      reconcileP99Seconds: 0.25,
      queueWaitP99Seconds: 1.5,
      apiRequests: this.reconciles * 2,
      apiRequests429: 0,
      cacheReads: this.reconciles,
      drainedAtSeconds: null,
    };
  }
}

export function fakeFactory(onCreate?: (s: FakeSim) => void) {
  return (settings: SimSettings, scenario: Scenario, opts: { sampleEvery: Nanos }) => {
    const s = new FakeSim(settings, scenario, opts.sampleEvery);
    onCreate?.(s);
    return s;
  };
}

export function fakeSettings(workers = 2): SimSettings {
  return {
    version: 'v0.23',
    controller: {
      name: 'database',
      forKind: 'Database',
      owns: [],
      maxConcurrentReconciles: workers,
      rateLimiter: { kind: 'default' },
      reconciliationTimeout: 0,
      cacheSyncTimeout: 120 * Second,
    },
    client: { qps: 'default', burst: 'default' },
    manager: {
      syncPeriod: 10 * 3600 * Second,
      leaderElection: false,
      replicas: 1,
      metricsBindAddress: ':8080',
    },
    indexes: [],
    reconcile: { mode: 'workqueue', ops: [] },
  };
}

export function fakeScenario(duration: Nanos = 60 * Second): Scenario {
  return {
    id: 'bulk-create-2000',
    title: '2,000 Databases created at once',
    learningPoint: 'More workers help until the client or the API server throttles.',
    lessonSection: 'parallel-processing',
    seed: 7,
    duration,
    cluster: 'tiny',
    workload: [{ type: 'bulkCreate', at: 5 * Second, kind: 'Database', count: 2000 }],
    faults: [],
  };
}
