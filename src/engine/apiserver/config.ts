/**
 * API Priority and Fairness configuration: the default PriorityLevelConfigurations and
 * FlowSchemas of current Kubernetes (apiserver-and-scale.md §1.3, §1.4, source
 * k8s.io/apiserver pkg/apis/flowcontrol/bootstrap/default.go), the server-wide limits
 * (§1.1, §10.1) and the lab's cluster presets.
 */
import type { Nanos } from '../time';
import { Millisecond, Second } from '../time';

export interface QueuingConfig {
  queues: number;
  handSize: number;
  queueLengthLimit: number;
}

export interface PriorityLevelSpec {
  name: string;
  type: 'Exempt' | 'Limited';
  nominalConcurrencyShares: number;
  lendablePercent: number;
  /** undefined: unlimited borrowing (the default configuration sets none). */
  borrowingLimitPercent?: number;
  /** undefined on a Limited level: limitResponse type Reject (no queues). */
  queuing?: QueuingConfig;
}

/** §1.3, current code. ΣNCS = 245. */
export const DEFAULT_PRIORITY_LEVELS: readonly PriorityLevelSpec[] = [
  { name: 'exempt', type: 'Exempt', nominalConcurrencyShares: 0, lendablePercent: 0 },
  { name: 'catch-all', type: 'Limited', nominalConcurrencyShares: 5, lendablePercent: 0 },
  {
    name: 'system',
    type: 'Limited',
    nominalConcurrencyShares: 30,
    lendablePercent: 33,
    queuing: { queues: 64, handSize: 6, queueLengthLimit: 50 },
  },
  {
    name: 'node-high',
    type: 'Limited',
    nominalConcurrencyShares: 40,
    lendablePercent: 25,
    queuing: { queues: 64, handSize: 6, queueLengthLimit: 50 },
  },
  {
    name: 'leader-election',
    type: 'Limited',
    nominalConcurrencyShares: 10,
    lendablePercent: 0,
    queuing: { queues: 16, handSize: 4, queueLengthLimit: 50 },
  },
  {
    name: 'workload-high',
    type: 'Limited',
    nominalConcurrencyShares: 40,
    lendablePercent: 50,
    queuing: { queues: 128, handSize: 6, queueLengthLimit: 50 },
  },
  {
    name: 'workload-low',
    type: 'Limited',
    nominalConcurrencyShares: 100,
    lendablePercent: 90,
    queuing: { queues: 128, handSize: 6, queueLengthLimit: 50 },
  },
  {
    name: 'global-default',
    type: 'Limited',
    nominalConcurrencyShares: 20,
    lendablePercent: 50,
    queuing: { queues: 128, handSize: 6, queueLengthLimit: 50 },
  },
];

export type Subject =
  | { kind: 'User'; name: string }
  | { kind: 'Group'; name: string }
  /** name '*' matches every service account of the namespace. */
  | { kind: 'ServiceAccount'; namespace: string; name: string };

export interface PolicyRule {
  subjects: Subject[];
  /** Kubernetes verbs (get, list, watch, create, update, patch, delete) or '*'. */
  verbs: readonly string[] | '*';
  /** Resource rules: plural resources ('nodes/status' for a subresource) or '*'. */
  resources?: readonly string[] | '*';
  /** Non-resource URL rules (probes). */
  nonResourceURLs?: readonly string[];
}

export interface FlowSchemaSpec {
  name: string;
  matchingPrecedence: number;
  priorityLevel: string;
  distinguisher?: 'ByUser' | 'ByNamespace';
  rules: PolicyRule[];
}

const everyone: Subject[] = [
  { kind: 'Group', name: 'system:authenticated' },
  { kind: 'Group', name: 'system:unauthenticated' },
];

/**
 * §1.4. `workload-leader-election` and the endpoints/configmaps rules of
 * `system-leader-election` were removed in v1.34.0, so they are absent here.
 */
export const DEFAULT_FLOW_SCHEMAS: readonly FlowSchemaSpec[] = [
  {
    name: 'exempt',
    matchingPrecedence: 1,
    priorityLevel: 'exempt',
    rules: [{ subjects: [{ kind: 'Group', name: 'system:masters' }], verbs: '*', resources: '*' }],
  },
  {
    name: 'probes',
    matchingPrecedence: 2,
    priorityLevel: 'exempt',
    rules: [
      { subjects: everyone, verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] },
    ],
  },
  {
    name: 'system-leader-election',
    matchingPrecedence: 100,
    priorityLevel: 'leader-election',
    distinguisher: 'ByUser',
    rules: [
      {
        subjects: [
          { kind: 'User', name: 'system:kube-controller-manager' },
          { kind: 'User', name: 'system:kube-scheduler' },
          { kind: 'ServiceAccount', namespace: 'kube-system', name: '*' },
        ],
        verbs: ['get', 'create', 'update'],
        resources: ['leases'],
      },
    ],
  },
  {
    name: 'system-node-high',
    matchingPrecedence: 400,
    priorityLevel: 'node-high',
    distinguisher: 'ByUser',
    rules: [
      {
        subjects: [{ kind: 'Group', name: 'system:nodes' }],
        verbs: '*',
        resources: ['nodes', 'nodes/status', 'leases'],
      },
    ],
  },
  {
    name: 'system-nodes',
    matchingPrecedence: 500,
    priorityLevel: 'system',
    distinguisher: 'ByUser',
    rules: [{ subjects: [{ kind: 'Group', name: 'system:nodes' }], verbs: '*', resources: '*' }],
  },
  {
    name: 'kube-controller-manager',
    matchingPrecedence: 800,
    priorityLevel: 'workload-high',
    distinguisher: 'ByNamespace',
    rules: [
      {
        subjects: [{ kind: 'User', name: 'system:kube-controller-manager' }],
        verbs: '*',
        resources: '*',
      },
    ],
  },
  {
    name: 'kube-scheduler',
    matchingPrecedence: 800,
    priorityLevel: 'workload-high',
    distinguisher: 'ByNamespace',
    rules: [
      { subjects: [{ kind: 'User', name: 'system:kube-scheduler' }], verbs: '*', resources: '*' },
    ],
  },
  {
    name: 'kube-system-service-accounts',
    matchingPrecedence: 900,
    priorityLevel: 'workload-high',
    distinguisher: 'ByNamespace',
    rules: [
      {
        subjects: [{ kind: 'ServiceAccount', namespace: 'kube-system', name: '*' }],
        verbs: '*',
        resources: '*',
      },
    ],
  },
  {
    name: 'service-accounts',
    matchingPrecedence: 9000,
    priorityLevel: 'workload-low',
    distinguisher: 'ByUser',
    rules: [
      { subjects: [{ kind: 'Group', name: 'system:serviceaccounts' }], verbs: '*', resources: '*' },
    ],
  },
  {
    name: 'global-default',
    matchingPrecedence: 9900,
    priorityLevel: 'global-default',
    distinguisher: 'ByUser',
    rules: [{ subjects: everyone, verbs: '*', resources: '*' }],
  },
  {
    name: 'catch-all',
    matchingPrecedence: 10000,
    priorityLevel: 'catch-all',
    distinguisher: 'ByUser',
    rules: [{ subjects: everyone, verbs: '*', resources: '*' }],
  },
];

/** The user an operator's requests carry: its ServiceAccount (in-cluster config). */
export interface UserInfo {
  name: string;
  groups: string[];
}

export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    name: `system:serviceaccount:${namespace}:${name}`,
    groups: [
      'system:serviceaccounts',
      `system:serviceaccounts:${namespace}`,
      'system:authenticated',
    ],
  };
}

/** The lab's operator identity (kubebuilder's default controller-manager SA). */
export const OPERATOR_USER: UserInfo = serviceAccountUser(
  'database-operator-system',
  'database-operator-controller-manager',
);

export type ListWorkEstimator = 'objectCount' | 'size';

export interface ApiServerConfig {
  /** --max-requests-inflight (400). */
  maxRequestsInflight: number;
  /** --max-mutating-requests-inflight (200). */
  maxMutatingRequestsInflight: number;
  /** APF on (default since 1.20, GA 1.29): the two limits are summed into one pool. */
  enablePriorityAndFairness: boolean;
  /** --request-timeout (60 s); the APF queue-wait limit is a quarter of it (15 s). */
  requestTimeout: Nanos;
  /** Seat borrowing between priority levels, re-evaluated every 10 s. */
  borrowing: boolean;
  /**
   * "Busy cluster" knob (est.): the seat demand of every other limited priority level, as a
   * fraction of its nominal seats. 0 = only the operator uses the API server.
   */
  backgroundDemand: number;
  /** LIST work estimator: by object count (≤ 1.33) or by size (default since 1.34). */
  listWorkEstimator: ListWorkEstimator;
  /** Consistent LIST served from the watch cache (KEP-2340: on since 1.31). */
  consistentListFromCache: boolean;
  /** Load inflation × 1/(1−ρ) is capped here (§10.2: "e.g. ×20"). */
  inflationCap: number;
  /** In-cluster network round trip, uniform in [min, max] (est. 0.5–1 ms, §10.6). */
  networkRttMin: Nanos;
  networkRttMax: Nanos;
  /** Watchers of each kind besides the simulated informers (other controllers, est.). */
  extraWatchers: Record<string, number>;
  /** Replaces queues / handSize / queueLengthLimit of every queuing level (tiny preset). */
  queuingOverride?: QueuingConfig;
}

export type ClusterPreset = 'dev' | 'medium' | 'large' | 'tiny';

const BASE: ApiServerConfig = {
  maxRequestsInflight: 400,
  maxMutatingRequestsInflight: 200,
  enablePriorityAndFairness: true,
  requestTimeout: 60 * Second,
  borrowing: true,
  backgroundDemand: 0,
  listWorkEstimator: 'size',
  consistentListFromCache: true,
  inflationCap: 20,
  networkRttMin: 500_000,
  networkRttMax: Millisecond,
  extraWatchers: {},
};

/**
 * Presets. dev/medium/large keep the default 400 + 200 flags (600 seats); what grows with the
 * cluster is the other priority levels' seat demand, which limits how much the operator's
 * level can borrow (est., no source gives numbers).
 *
 * "tiny" is the teaching control plane of §10.1 (est.): 60 seats in all (40 + 20), and the
 * queues scaled down with the seats (16 queues, hand size 2, queue length limit 5: at most 10
 * waiting requests per flow instead of 300), on a control plane whose other priority levels
 * are busy at their nominal share (so workload-low borrows little beyond its 25 nominal
 * seats). Without the smaller queues a single operator could never overflow APF: one flow may
 * queue 6 × 50 = 300 requests, more than any worker pool keeps in flight.
 */
export function apiServerPreset(preset: ClusterPreset): ApiServerConfig {
  switch (preset) {
    case 'dev':
      return { ...BASE, extraWatchers: {} };
    case 'medium':
      return { ...BASE, backgroundDemand: 0.3, extraWatchers: {} };
    case 'large':
      return { ...BASE, backgroundDemand: 0.6, extraWatchers: {} };
    case 'tiny':
      return {
        ...BASE,
        maxRequestsInflight: 40,
        maxMutatingRequestsInflight: 20,
        backgroundDemand: 1,
        queuingOverride: { queues: 16, handSize: 2, queueLengthLimit: 5 },
        extraWatchers: {},
      };
  }
}

/** Per-verb service time (execution only), lognormal from median and p99 (§10.2). */
export interface ServiceTimes {
  getEtcd: { median: Nanos; p99: Nanos };
  getCache: { median: Nanos; p99: Nanos };
  create: { median: Nanos; p99: Nanos };
  update: { median: Nanos; p99: Nanos };
  patch: { median: Nanos; p99: Nanos };
  delete: { median: Nanos; p99: Nanos };
  /** Freshness wait before a consistent LIST from cache (est. a few ms; ≤ 110 ms p99.9). */
  consistentReadWait: { median: Nanos; p99: Nanos };
  listBase: Nanos;
  listCachePerObject: Nanos;
  listEtcdPerObject: Nanos;
  /** Per MB (1e6 bytes) returned (cache) or read (etcd). */
  listPerMB: Nanos;
  watchInit: Nanos;
}

export const SERVICE_TIMES: ServiceTimes = {
  getEtcd: { median: 3 * Millisecond, p99: 30 * Millisecond },
  getCache: { median: 1 * Millisecond, p99: 10 * Millisecond },
  create: { median: 15 * Millisecond, p99: 120 * Millisecond },
  update: { median: 10 * Millisecond, p99: 200 * Millisecond },
  patch: { median: 5 * Millisecond, p99: 50 * Millisecond },
  delete: { median: 10 * Millisecond, p99: 150 * Millisecond },
  consistentReadWait: { median: 3 * Millisecond, p99: 60 * Millisecond },
  listBase: 5 * Millisecond,
  listCachePerObject: 1_700,
  listEtcdPerObject: 30_000,
  listPerMB: 5 * Millisecond,
  watchInit: 1 * Millisecond,
};
