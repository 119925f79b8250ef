/**
 * The kinds the lab knows: group, plural resource and how much memory one cached object takes
 * in the operator (apiserver-and-scale.md §5.3 and §10.3: typed Pod ≈ 10 kB, ConfigMap ≈
 * 1.5 × data + 1 kB, metadata-only ≈ 0.5 kB; the Database custom resource is an estimate for a
 * small spec and status, marked est.).
 */
export interface KindInfo {
  kind: string;
  /** API group ("" for the core group). */
  group: string;
  /** Lower-case plural resource name, as in URLs and server messages. */
  resource: string;
  namespaced: boolean;
  /** Estimated bytes of one typed object in the informer cache. */
  typedBytes: number;
}

const KINDS: Record<string, KindInfo> = {
  // est.: a small CR (spec + status + managedFields) ≈ 1 kB in etcd, ×3 in memory (§5.3).
  Database: {
    kind: 'Database',
    group: 'database.example.com',
    resource: 'databases',
    namespaced: true,
    typedBytes: 3_000,
  },
  StatefulSet: {
    kind: 'StatefulSet',
    group: 'apps',
    resource: 'statefulsets',
    namespaced: true,
    typedBytes: 8_000,
  },
  Deployment: {
    kind: 'Deployment',
    group: 'apps',
    resource: 'deployments',
    namespaced: true,
    typedBytes: 8_000,
  },
  Service: {
    kind: 'Service',
    group: '',
    resource: 'services',
    namespaced: true,
    typedBytes: 3_000,
  },
  ConfigMap: {
    kind: 'ConfigMap',
    group: '',
    resource: 'configmaps',
    namespaced: true,
    typedBytes: 2_500,
  },
  Secret: { kind: 'Secret', group: '', resource: 'secrets', namespaced: true, typedBytes: 2_500 },
  Pod: { kind: 'Pod', group: '', resource: 'pods', namespaced: true, typedBytes: 10_000 },
  Lease: {
    kind: 'Lease',
    group: 'coordination.k8s.io',
    resource: 'leases',
    namespaced: true,
    typedBytes: 600,
  },
  Namespace: {
    kind: 'Namespace',
    group: '',
    resource: 'namespaces',
    namespaced: false,
    typedBytes: 1_000,
  },
};

/** Info for a kind; unknown kinds get a guessed plural and a custom-resource group. */
export function kindInfo(kind: string): KindInfo {
  const k = KINDS[kind];
  if (k) return k;
  const lower = kind.toLowerCase();
  const plural = lower.endsWith('s')
    ? `${lower}es`
    : lower.endsWith('y')
      ? `${lower.slice(0, -1)}ies`
      : `${lower}s`;
  return { kind, group: 'example.com', resource: plural, namespaced: true, typedBytes: 3_000 };
}

/** Representation of cached objects (controller-runtime: typed, unstructured, metadata-only). */
export type CacheRepresentation = 'typed' | 'unstructured' | 'metadata';

/**
 * Bytes per cached object: typed as estimated; unstructured (map[string]interface{}) ≈ 2×
 * typed (est.: Go maps of interface values); metadata-only (PartialObjectMetadata) ≈ 0.5 kB.
 */
export function bytesPerObject(
  kind: string,
  rep: CacheRepresentation,
  typedOverride?: number,
): number {
  const typed = typedOverride ?? kindInfo(kind).typedBytes;
  if (rep === 'metadata') return 500;
  if (rep === 'unstructured') return typed * 2;
  return typed;
}

/**
 * apimachinery's qualified kind as the cache's NotFound uses it: `Pod` for the core group,
 * `Deployment.apps` for a named group.
 */
export function qualifiedKind(kind: string): string {
  const k = kindInfo(kind);
  return k.group === '' ? k.kind : `${k.kind}.${k.group}`;
}

/** The resource as the API server's NotFound names it: `pods`, `databases.database.example.com`. */
export function qualifiedResource(kind: string): string {
  const k = kindInfo(kind);
  return k.group === '' ? k.resource : `${k.resource}.${k.group}`;
}
