/**
 * Scenario: the world a run happens in (workload, cluster, faults, seed, duration). Stored as
 * JSON data in lessons/<id>/scenarios/*.json and validated by parseScenario (scenario.ts).
 * The learner's code decides SimSettings; the scenario decides everything else.
 */
import type { Nanos } from './time';

export type ClusterPreset = 'dev' | 'medium' | 'large' | 'tiny';

export type WorkloadStep =
  /** Create `count` objects of `kind` at `at`, spread evenly over `over` (0 = all at once). */
  | {
      type: 'bulkCreate';
      at: Nanos;
      kind: string;
      count: number;
      over?: Nanos;
      namespaces?: number;
    }
  /** Steady churn: `perMinute` updates/creates/deletes per virtual minute between from and to. */
  | {
      type: 'churn';
      from: Nanos;
      to?: Nanos;
      kind: string;
      perMinute: number;
      mix?: { create: number; update: number; delete: number };
    }
  /** Every object of `kind` updated once, spread over `over`, starting `at`. */
  | { type: 'updateStorm'; at: Nanos; kind: string; over: Nanos; fraction?: number }
  | { type: 'bulkDelete'; at: Nanos; kind: string; count: number; over?: Nanos };

export type Fault =
  | { type: 'externalErrors'; from: Nanos; to: Nanos; errorRate: number }
  | { type: 'externalBrownout'; from: Nanos; to: Nanos; latencyFactor: number; errorRate?: number }
  | { type: 'apiserverBrownout'; from: Nanos; to: Nanos; seatsFactor: number }
  /**
   * The informer's WATCH of `kind` breaks at `at`. gone: the watcher fell out of the watch-cache
   * history, so re-opening fails with 410 Gone and the reflector must re-LIST. `for`
   * (optional): how long the API server stays unreachable for this watch (reconnects fail
   * with the reflector's 0.8 s → 30 s backoff meanwhile).
   */
  | { type: 'watchDisconnect'; at: Nanos; kind: string; gone?: boolean; for?: Nanos }
  /**
   * The leader replica dies at `at` (no lease release). warmCache: the standby already has
   * synced caches (controller-runtime EnableWarmup); otherwise it syncs after winning.
   */
  | { type: 'leaderFailover'; at: Nanos; warmCache?: boolean }
  | { type: 'hotKey'; from: Nanos; to?: Nanos; name: string; namespace?: string }
  | { type: 'slowWrites'; from: Nanos; to: Nanos; extraLatency: Nanos };

export interface ExternalApiProfile {
  /** Median and p99 latency of a call. */
  median: Nanos;
  p99: Nanos;
  /** Baseline error rate in [0, 1]. */
  errorRate: number;
  /** The service's own limit: above this many requests/s it answers 429. Infinity: none. */
  serverLimitRps: number;
}

/** How the objects of one kind look (for selectors, indexes and cache memory). */
export interface KindShape {
  /** Field values by path, as weights: { "spec.environment": { "production": 1, "dev": 9 } }. */
  fields?: Record<string, Record<string, number>>;
  /** Label values by key, as weights (used by MatchingLabels). */
  labels?: Record<string, Record<string, number>>;
  /** Bytes one cached object takes in the operator's memory (typed). Default per kind. */
  cachedBytes?: number;
}

export interface Scenario {
  id: string;
  title: string;
  /** One line: what this scenario teaches. */
  learningPoint: string;
  /** Lesson section anchor it illustrates, e.g. "rate-limiting". */
  lessonSection: string;
  seed: number;
  duration: Nanos;
  cluster: ClusterPreset;
  /** Objects that exist before the operator starts (seen by the initial LIST). */
  initialObjects?: { kind: string; count: number; namespaces?: number }[];
  workload: WorkloadStep[];
  faults: Fault[];
  external?: Partial<ExternalApiProfile>;
  /** Optional (additive): one line suggesting what to change in the code to see the point. */
  try?: string;
  /** Optional (additive): shape of the objects of each kind (field/label values, size). */
  kinds?: Record<string, KindShape>;
}
