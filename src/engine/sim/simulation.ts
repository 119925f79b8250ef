/**
 * A whole run: the API server and its store, the world (initial objects, workload), the
 * operator replicas (cache, controller, leader election), the external API, the scenario's
 * faults, and the sampler, all on one EventLoop with one seed. createSimulation is the live
 * form (SimulationApi); runScenario the batch form (RunResult). See sim/README.md.
 */
import { ApiServer } from '../apiserver/server';
import { Lease } from '../leader/election';
import { EventLoop } from '../loop';
import { HistogramSeries, MetricsRegistry, histogramQuantile } from '../metrics';
import { Rng } from '../prng';
import type {
  LogLine,
  RunEvent,
  RunResult,
  RunSummary,
  Sample,
  SimulationApi,
  TraceSpan,
} from '../run-types';
import type { Scenario } from '../scenario-types';
import type { CrVersion, SimSettings } from '../settings';
import { Hour, Millisecond, Minute, type Nanos, Second, formatDuration } from '../time';
import { ApiAdapter } from './api-adapter';
import { ExternalApi } from '../client/external-api';
import { OperatorReplica, type OperatorStats } from './operator';
import { Sampler } from './sampler';
import { TraceRecorder } from './trace';
import { World } from './world';
import { newWorkQueue } from './workqueue';

export interface SimulationOptions {
  /** Virtual time between samples (default 1 s). */
  sampleEvery?: Nanos;
}

/** Buckets of the (simulated) apiLimiter.Wait histogram, seconds. */
export const LIMITER_WAIT_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** Log lines kept for runScenario (oldest dropped beyond this). */
export const MAX_LOG_LINES = 20_000;
/** Undrained events/logs kept for a live run (oldest dropped beyond this). */
export const MAX_PENDING = 5_000;

/** Restart delay of a killed operator pod (kubelet restarts the container; est.). */
export const POD_RESTART_DELAY: Nanos = 2 * Second;

/** Most operator replicas a run starts (absurd values are capped, not a hang). */
export const MAX_REPLICAS = 100;

const LEASE_NAMESPACE = 'database-operator-system';
const LEASE_NAME = '8f2c1a7d.example.com';

/** Sensible SimSettings matching the lesson's starting code (for tests and benchmarks). */
export function defaultSettings(version: CrVersion = 'v0.23'): SimSettings {
  return {
    version,
    controller: {
      name: 'database',
      forKind: 'Database',
      owns: ['StatefulSet'],
      maxConcurrentReconciles: 2,
      rateLimiter: {
        kind: 'itemExponentialFailure',
        baseDelay: 5 * Millisecond,
        maxDelay: 1000 * Second,
      },
      reconciliationTimeout: 0,
      cacheSyncTimeout: 2 * Minute,
    },
    client: { qps: 'default', burst: 'default' },
    manager: {
      syncPeriod: 10 * Hour,
      leaderElection: true,
      replicas: 1,
      metricsBindAddress: ':8080',
    },
    indexes: [],
    reconcile: {
      mode: 'workqueue',
      ops: [
        // db := &databasev1.Database{}; if err := r.Get(ctx, req.NamespacedName, db); err != nil { return ctrl.Result{}, client.IgnoreNotFound(err) }
        { op: 'get', kind: 'Database', ref: 'request', source: 'cache', onError: 'ignoreNotFound' },
        // sts := &appsv1.StatefulSet{}; err := r.Get(ctx, req.NamespacedName, sts)
        { op: 'get', kind: 'StatefulSet', ref: 'owned', source: 'cache', onError: 'ignore' },
        // if errors.IsNotFound(err) { if err := r.Create(ctx, sts); err != nil { return ctrl.Result{}, err } }
        { op: 'create', kind: 'StatefulSet', ref: 'owned' },
        // db.Status.Phase = "Ready"; if err := r.Status().Update(ctx, db); err != nil { return ctrl.Result{}, err }
        { op: 'statusUpdate', kind: 'Database', ref: 'request' },
        { op: 'return', error: 'nil' },
      ],
    },
  };
}

class Simulation implements SimulationApi {
  readonly loop = new EventLoop();
  readonly metrics = new MetricsRegistry();
  readonly server: ApiServer;
  readonly world: World;
  readonly adapter: ApiAdapter;
  readonly external: ExternalApi;
  readonly trace = new TraceRecorder();
  readonly replicas: OperatorReplica[] = [];
  readonly stats: OperatorStats = {
    cacheReads: 0,
    cacheLists: 0,
    cacheScanned: 0,
    batchErrorsDropped: 0,
    goroutines: 0,
    goroutinesPeak: 0,
    goroutinesLive: 0,
  };
  private readonly rng: Rng;
  private readonly limiterWait = new HistogramSeries({}, LIMITER_WAIT_BUCKETS);
  private readonly sampler: Sampler;
  private readonly sampleEvery: Nanos;
  private pendingSamples: Sample[] = [];
  readonly samples: Sample[] = [];
  private readonly events: RunEvent[] = [];
  private pendingEvents: RunEvent[] = [];
  readonly logs: LogLine[] = [];
  private logsHead = 0;
  private pendingLogs: LogLine[] = [];
  private readonly endT: Nanos;
  private readonly lease: Lease | undefined;
  private replicaSeq = 0;
  private reconcilesDone = 0;
  drainedAt: Nanos | null = null;

  constructor(
    readonly settings: SimSettings,
    readonly scenario: Scenario,
    opts: SimulationOptions,
  ) {
    this.rng = new Rng(scenario.seed);
    this.endT = scenario.duration;
    this.sampleEvery = Math.max(Millisecond, opts.sampleEvery ?? Second);
    const loop = this.loop;
    this.server = new ApiServer({
      loop,
      rng: this.rng.fork(1),
      metrics: this.metrics,
      config: scenario.cluster,
    });
    const store = this.server.store;
    this.world = new World({
      loop,
      rng: this.rng.fork(2),
      store,
      settings,
      scenario,
      event: (k, l) => this.event(k, l),
    });
    this.adapter = new ApiAdapter({
      loop,
      rng: this.rng.fork(3),
      server: this.server,
      metrics: this.metrics,
      settings,
      faults: scenario.faults,
      trace: this.trace,
      log: (line) => this.pushLog(line),
    });
    this.external = new ExternalApi(loop, this.rng.fork(4), scenario.external ?? {});
    if (settings.manager.leaderElection) {
      this.lease = new Lease(LEASE_NAMESPACE, LEASE_NAME);
      store.create({
        kind: 'Lease',
        metadata: { namespace: LEASE_NAMESPACE, name: LEASE_NAME },
        spec: {},
      });
    }
    this.world.createInitial();
    this.world.schedule();
    this.scheduleFaults();
    const warm = scenario.faults.some((f) => f.type === 'leaderFailover' && f.warmCache === true);
    const n = Math.min(MAX_REPLICAS, Math.max(1, Math.floor(settings.manager.replicas) || 1));
    for (let i = 0; i < n; i++) this.spawnReplica(warm);
    this.sampler = new Sampler(this.metrics, () => ({
      cacheReads: this.stats.cacheReads,
      externalCalls: this.external.calls,
      externalErrors: this.external.errors + this.external.rejected,
      cacheMemoryBytes: this.cacheMemory(),
      objectsTotal: store.count(settings.controller.forKind),
      objectsUnreconciled: this.world.dirty.size,
      limiterWait: this.limiterWait,
    }));
    loop.schedule(this.sampleEvery, () => this.sample());
  }

  private cacheMemory(): number {
    // The process that matters is the leader (or every running replica without election).
    let max = 0;
    for (const r of this.replicas) if (r.isAlive()) max = Math.max(max, r.memoryBytes());
    return max;
  }

  private spawnReplica(warm: boolean): OperatorReplica {
    const i = this.replicaSeq++;
    const identity = `database-operator-controller-manager-7d9f8b6c4-${podSuffix(this.scenario.seed, i)}`;
    const r = new OperatorReplica(
      {
        loop: this.loop,
        rng: this.rng.fork(100 + i),
        metrics: this.metrics,
        settings: this.settings,
        scenario: this.scenario,
        api: this.adapter,
        lw: this.adapter,
        external: this.external,
        trace: this.trace,
        log: (level, logger, msg, kv) =>
          this.pushLog({ t: this.loop.now(), level, logger, msg, kv }),
        event: (k, l) => this.event(k, l),
        newQueue: () => newWorkQueue(this.loop, this.metrics, this.settings, this.trace),
        stats: this.stats,
        limiterWait: this.limiterWait,
        onReconciled: (key, gen, o) => {
          this.reconcilesDone++;
          if (!o.err) this.world.reconciled(key, gen);
        },
        lease: this.lease,
      },
      identity,
    );
    this.replicas.push(r);
    r.start(warm);
    return r;
  }

  private scheduleFaults(): void {
    const loop = this.loop;
    for (const f of this.scenario.faults) {
      switch (f.type) {
        case 'externalErrors':
          loop.schedule(f.from, () => {
            this.applyExternalFaults();
            this.event('brownoutStart', `external API errors ${Math.round(f.errorRate * 100)}%`);
          });
          loop.schedule(f.to, () => {
            this.applyExternalFaults();
            this.event('brownoutEnd', 'external API errors end');
          });
          break;
        case 'externalBrownout':
          loop.schedule(f.from, () => {
            this.applyExternalFaults();
            this.event(
              'brownoutStart',
              `external API brownout: latency ×${f.latencyFactor}${f.errorRate ? `, ${Math.round(f.errorRate * 100)}% errors` : ''}`,
            );
          });
          loop.schedule(f.to, () => {
            this.applyExternalFaults();
            this.event('brownoutEnd', 'external API brownout ends');
          });
          break;
        case 'apiserverBrownout':
          loop.schedule(f.from, () => {
            this.server.setSeatsFactor(f.seatsFactor);
            this.event(
              'brownoutStart',
              `API server brownout: ${Math.round(f.seatsFactor * 100)}% of seats`,
            );
          });
          loop.schedule(f.to, () => {
            this.server.setSeatsFactor(1);
            this.event('brownoutEnd', 'API server brownout ends');
          });
          break;
        case 'slowWrites':
          loop.schedule(f.from, () => {
            this.server.setExtraWriteLatency(f.extraLatency);
            this.event(
              'brownoutStart',
              `slow writes: +${formatDuration(f.extraLatency)} per write`,
            );
          });
          loop.schedule(f.to, () => {
            this.server.setExtraWriteLatency(0);
            this.event('brownoutEnd', 'slow writes end');
          });
          break;
        case 'watchDisconnect':
          loop.schedule(f.at, () => {
            const store = this.server.store;
            if (f.for) this.adapter.setUnreachable(f.kind, f.at + f.for);
            if (f.gone) {
              store.expireHistory(f.kind);
              this.adapter.markGone(f.kind, store.resourceVersion());
            }
            store.closeWatches(f.kind);
            this.event(
              'watchDisconnect',
              `${f.kind} watch disconnected${f.gone ? ' (history expired: 410 Gone on re-watch)' : ''}`,
            );
          });
          break;
        case 'leaderFailover':
          loop.schedule(f.at, () => this.failover(f.warmCache === true));
          break;
        case 'hotKey':
          loop.schedule(f.from, () => {
            this.event('hotKey', `${f.namespace ? `${f.namespace}/` : ''}${f.name} starts failing`);
            this.world.touch(this.settings.controller.forKind, f.namespace, f.name);
          });
          break;
      }
    }
  }

  /** The external API's fault state: every external fault window active now, combined. */
  private applyExternalFaults(): void {
    const now = this.loop.now();
    let latencyFactor = 1;
    let errorRate = 0;
    for (const f of this.scenario.faults) {
      if (f.type === 'externalBrownout' && now >= f.from && now < f.to) {
        latencyFactor *= f.latencyFactor;
        errorRate = Math.max(errorRate, f.errorRate ?? 0);
      } else if (f.type === 'externalErrors' && now >= f.from && now < f.to) {
        errorRate = Math.max(errorRate, f.errorRate);
      }
    }
    this.external.setFault({ latencyFactor, errorRate });
  }

  private failover(warm: boolean): void {
    const victim =
      this.replicas.find((r) => r.isAlive() && r.isLeader()) ??
      this.replicas.find((r) => r.isAlive());
    if (!victim) return;
    victim.kill();
    this.event('leaderFailover', `${victim.identity} killed (lease not released)`);
    this.pushLog({
      t: this.loop.now(),
      level: 'info',
      logger: 'kubelet',
      msg: 'Killing container with id containerd://manager: pod deleted',
      kv: { pod: victim.identity },
    });
    // The Deployment replaces the pod; it joins as a standby (or leader once the lease expires).
    this.loop.after(POD_RESTART_DELAY, () => this.spawnReplica(warm));
  }

  private event(kind: RunEvent['kind'], label: string): void {
    const e: RunEvent = { t: this.loop.now(), kind, label };
    this.events.push(e);
    this.pendingEvents.push(e);
    // Amortised: trim to MAX_PENDING once twice that many wait undrained.
    if (this.pendingEvents.length > 2 * MAX_PENDING)
      this.pendingEvents = this.pendingEvents.slice(-MAX_PENDING);
  }

  private pushLog(line: LogLine): void {
    this.logs.push(line);
    if (this.logs.length - this.logsHead > MAX_LOG_LINES) this.logsHead++;
    if (this.logsHead > 4096) {
      this.logs.splice(0, this.logsHead);
      this.logsHead = 0;
    }
    this.pendingLogs.push(line);
    if (this.pendingLogs.length > 2 * MAX_PENDING)
      this.pendingLogs = this.pendingLogs.slice(-MAX_PENDING);
  }

  private sample(): void {
    const t = this.loop.now();
    const s = this.sampler.take(t);
    this.samples.push(s);
    this.pendingSamples.push(s);
    if (this.drainedAt === null && t >= this.world.lastStepAt && this.world.dirty.size === 0)
      this.drainedAt = t;
    if (t + this.sampleEvery <= this.endT)
      this.loop.schedule(t + this.sampleEvery, () => this.sample());
  }

  private takeSamples(): Sample[] {
    const s = this.pendingSamples;
    this.pendingSamples = [];
    return s;
  }

  // ---- SimulationApi ----

  now(): Nanos {
    return this.loop.now();
  }

  end(): Nanos {
    return this.endT;
  }

  done(): boolean {
    return this.loop.now() >= this.endT;
  }

  advance(d: Nanos): Sample[] {
    const target = Math.min(this.endT, this.loop.now() + Math.max(0, d));
    this.loop.runUntil(target);
    return this.takeSamples();
  }

  stepEvent(): Sample[] {
    const next = this.loop.peekTime();
    if (next === undefined || next > this.endT) this.loop.runUntil(this.endT);
    else this.loop.step();
    return this.takeSamples();
  }

  stepReconcile(): Sample[] {
    const before = this.reconcilesDone;
    while (this.reconcilesDone === before) {
      const next = this.loop.peekTime();
      if (next === undefined || next > this.endT) {
        this.loop.runUntil(this.endT);
        break;
      }
      this.loop.step();
    }
    return this.takeSamples();
  }

  drainEvents(): RunEvent[] {
    const e = this.pendingEvents;
    this.pendingEvents = [];
    return e;
  }

  drainLogs(): LogLine[] {
    const l = this.pendingLogs;
    this.pendingLogs = [];
    return l;
  }

  traceFor(key: string, from?: Nanos, to?: Nanos): TraceSpan[] {
    return this.trace.spansFor(key, from, to);
  }

  tracedKeys(): string[] {
    return this.trace.keys();
  }

  metricsText(): string {
    return this.metrics.toPrometheusText();
  }

  allEvents(): RunEvent[] {
    return this.events.slice();
  }

  allLogs(): LogLine[] {
    return this.logs.slice(this.logsHead);
  }

  summary(): RunSummary {
    const m = this.metrics;
    const sum = (name: string, match: Record<string, string> = {}): number => m.sum(name, match);
    const reconciles = sum('controller_runtime_reconcile_total');
    const virtualSeconds = this.loop.now() / Second;
    return {
      virtualSeconds,
      reconciles,
      reconcileErrors: sum('controller_runtime_reconcile_errors_total'),
      throughputPerSecond: virtualSeconds > 0 ? reconciles / virtualSeconds : 0,
      reconcileP99Seconds: quantileOf(m, 'controller_runtime_reconcile_time_seconds', 0.99),
      queueWaitP99Seconds: quantileOf(m, 'workqueue_queue_duration_seconds', 0.99),
      apiRequests: sum('apiserver_request_total'),
      apiRequests429: sum('apiserver_request_total', { code: '429' }),
      cacheReads: this.stats.cacheReads,
      drainedAtSeconds: this.drainedAt === null ? null : this.drainedAt / Second,
    };
  }
}

function quantileOf(m: MetricsRegistry, name: string, q: number): number {
  let counts: Float64Array | undefined;
  let bounds: readonly number[] = [];
  for (const s of m.seriesOf(name)) {
    if (!(s instanceof HistogramSeries)) continue;
    if (!counts) {
      counts = new Float64Array(s.counts.length);
      bounds = s.upperBounds;
    }
    for (let i = 0; i < s.counts.length && i < counts.length; i++) counts[i]! += s.counts[i]!;
  }
  return counts ? histogramQuantile(q, bounds, counts) : NaN;
}

function podSuffix(seed: number, i: number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let x = (Math.imul(seed ^ 0x5bd1e995, 0x01000193) + Math.imul(i + 1, 0x9e3779b1)) >>> 0;
  let s = '';
  for (let k = 0; k < 5; k++) {
    s += alphabet[x % alphabet.length];
    x = Math.floor(x / alphabet.length) ^ Math.imul(x, 0x2545f491);
    x >>>= 0;
  }
  return s;
}

/** Creates a live simulation of `settings` in `scenario`. */
export function createSimulation(
  settings: SimSettings,
  scenario: Scenario,
  opts: SimulationOptions = {},
): SimulationApi {
  return new Simulation(settings, scenario, opts);
}

/** Runs a scenario to `until` (default: its end) and returns everything the run produced. */
export function runScenario(
  settings: SimSettings,
  scenario: Scenario,
  opts: { until?: Nanos; sampleEvery?: Nanos } = {},
): RunResult {
  const sim = new Simulation(settings, scenario, { sampleEvery: opts.sampleEvery });
  sim.advance(Math.min(opts.until ?? scenario.duration, scenario.duration));
  return {
    samples: sim.samples.slice(),
    events: sim.allEvents(),
    logs: sim.allLogs(),
    metricsText: sim.metricsText(),
    trace: sim.trace.all(),
    summary: sim.summary(),
  };
}

/** For tests and benchmarks: the simulation object with its internals. */
export function createSimulationForTest(
  settings: SimSettings,
  scenario: Scenario,
  opts: SimulationOptions = {},
) {
  return new Simulation(settings, scenario, opts);
}
