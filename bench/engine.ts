/**
 * Engine benchmarks (issue 3):
 * - floor_ns_per_event: a bare binary-heap event loop written inline (parallel arrays, no
 *   cancellation) holding 2,000 pending timers (as many as the engine scenario has objects),
 *   each event rescheduling itself like a sleeping process does;
 * - engine_ns_per_event: the engine on a queue + rate limiter + workers micro-scenario
 *   (controller, priority queue, default rate limiter, metrics, processes);
 * - engine_floor_ratio: their ratio (target ≤ 3);
 * - reconciles_1m_wall_s: wall time of 1,000,000 reconciles through 10 workers with the
 *   default rate limiter (target < 2 s); reconciles_1m_cpu_s is the same run's user CPU time
 *   (steadier than wall time on a shared machine).
 */
import { performance } from 'node:perf_hooks';
import {
  Controller,
  EventLoop,
  Millisecond,
  Rng,
  Second,
  type Proc,
  type ReconcileOutcome,
} from '../src/engine';
import { ENGINE_FLOOR_TIMERS, floorNsPerEvent } from './floor';

/** A controller micro-scenario; returns [events run, reconciles, wall ms]. */
function controllerScenario(opts: {
  keys: number;
  reconciles: number;
  errorRate: number;
  requeueAfter: boolean;
}): { events: number; reconciles: number; ms: number } {
  const loop = new EventLoop();
  const rng = new Rng(42);
  const durations = Float64Array.from({ length: 4096 }, () => 1 + rng.intn(5 * Millisecond));
  const coin = Float64Array.from({ length: 4096 }, () => rng.float64());
  let k = 0;
  let done = 0;
  const c = new Controller<string>({
    loop,
    name: 'database',
    maxConcurrentReconciles: 10,
    reconciler: function* (): Proc<ReconcileOutcome> {
      yield durations[k & 4095]!;
      const r = coin[k++ & 4095]!;
      if (r < opts.errorRate) return { err: { message: 'external API: 503' } };
      return opts.requeueAfter ? { result: { requeueAfter: Second } } : {};
    },
    observer: {
      onReconcileEnd: () => {
        if (++done === opts.reconciles) c.stop();
      },
    },
  });
  c.start();
  for (let i = 0; i < opts.keys; i++) c.queue.add(`default/db-${i}`);
  const t0 = performance.now();
  while (done < opts.reconciles && loop.step());
  const ms = performance.now() - t0;
  return { events: loop.eventsRun(), reconciles: done, ms };
}

export async function run(): Promise<Record<string, number>> {
  // Warm up both paths so the JIT has settled.
  floorNsPerEvent(300_000, ENGINE_FLOOR_TIMERS);
  controllerScenario({ keys: 2000, reconciles: 50_000, errorRate: 0.1, requeueAfter: true });

  const floor = Math.min(
    floorNsPerEvent(2_000_000, ENGINE_FLOOR_TIMERS).wall,
    floorNsPerEvent(2_000_000, ENGINE_FLOOR_TIMERS).wall,
  );
  const runs = [0, 1].map(() =>
    controllerScenario({ keys: 2000, reconciles: 300_000, errorRate: 0.1, requeueAfter: true }),
  );
  const engine = Math.min(...runs.map((r) => (r.ms * 1e6) / r.events));

  // 10,000 objects, each reconciled ~100 times (RequeueAfter 1 s; 5% errors go through the
  // default rate limiter of the latest profile).
  const cpu0 = process.cpuUsage().user;
  const big = controllerScenario({
    keys: 10_000,
    reconciles: 1_000_000,
    errorRate: 0.05,
    requeueAfter: true,
  });
  const cpuMs = (process.cpuUsage().user - cpu0) / 1000;
  return {
    floor_ns_per_event: round(floor),
    engine_ns_per_event: round(engine),
    engine_floor_ratio: round(engine / floor),
    reconciles_1m_wall_s: round(big.ms / 1000),
    reconciles_1m_cpu_s: round(cpuMs / 1000),
    reconciles_1m_events: big.events,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
