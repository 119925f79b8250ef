/**
 * The informer's indexer (client-go tools/cache thread_safe_store.go as controller-runtime
 * configures it): objects by "namespace/name", the built-in namespace index, and field indexes
 * named `field:<field>` registered with IndexField (controller-semantics.md §7).
 *
 * Iteration order: Go's map iteration order is random; here it is insertion order, so runs
 * stay deterministic. Anything that depends on the order (client.Limit picking "an arbitrary
 * subset") is therefore reproducible but still not meaningful.
 */

import type { KubeObject } from '../apiserver/object-store';

/**
 * An object as the informer holds it: the API server's object from the watch event. Stored
 * objects are immutable (every write makes a new one), so the cache shares them instead of
 * copying; the deep copy a real cached Get makes is charged as CPU time (reader.ts).
 */
export type CachedObject = Readonly<KubeObject>;

/** The value of a field path ("spec.environment", "metadata.name", "status.phase") as a string. */
export function fieldValue(obj: CachedObject, path: string): string | undefined {
  if (path === 'metadata.name') return obj.metadata.name;
  if (path === 'metadata.namespace') return obj.metadata.namespace;
  const dot = path.indexOf('.');
  if (dot < 0) return undefined;
  const head = path.slice(0, dot);
  const rest = path.slice(dot + 1);
  const src = head === 'spec' ? obj.spec : head === 'status' ? obj.status : undefined;
  const v = src?.[rest];
  return v === undefined || v === null ? undefined : String(v);
}

/** namespace/name of the object's controlling owner of `ownerKind`, if any (for Owns). */
export function controllerOwnerKey(obj: CachedObject, ownerKind: string): string | undefined {
  const refs = obj.metadata.ownerReferences;
  if (!refs) return undefined;
  for (const r of refs) {
    if (r.controller && r.kind === ownerKind) return objectKey(obj.metadata.namespace, r.name);
  }
  return undefined;
}

export function objectKey(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}/${name}`;
}

/** controller-runtime's KeyToNamespacedKey: the lookup key of a field index. */
export function keyToNamespacedKey(namespace: string, value: string): string {
  return namespace === '' ? `__all_namespaces/${value}` : `${namespace}/${value}`;
}

export function fieldIndexName(field: string): string {
  return `field:${field}`;
}

export type IndexFunc = (obj: CachedObject) => string[];

/** The default extractor for IndexField(obj, field, …): the object's value of that field. */
export function fieldExtractor(field: string): IndexFunc {
  return (obj) => {
    const v = fieldValue(obj, field);
    return v === undefined ? [] : [v];
  };
}

export class IndexerError extends Error {}

export class Indexer {
  /** namespace → name → object (also the built-in namespace index). */
  private byNamespace = new Map<string, Map<string, CachedObject>>();
  private count = 0;
  /** index name → indexed value → objects */
  private indices = new Map<string, Map<string, Set<CachedObject>>>();
  private indexers = new Map<string, IndexFunc>();

  /** The namespace map used last (lists, replays and a reconcile's reads go namespace by namespace). */
  private lastNs: string | undefined = undefined;
  private lastNsMap: Map<string, CachedObject> | undefined = undefined;

  size(): number {
    return this.count;
  }

  /** The objects of a namespace, by name (undefined if there are none yet). */
  private nsMap(namespace: string): Map<string, CachedObject> | undefined {
    if (namespace === this.lastNs) return this.lastNsMap;
    const m = this.byNamespace.get(namespace);
    if (m !== undefined) {
      this.lastNs = namespace;
      this.lastNsMap = m;
    }
    return m;
  }

  /** GetByKey(namespace/name), without building the key string. */
  get(namespace: string, name: string): CachedObject | undefined {
    return this.nsMap(namespace)?.get(name);
  }

  /** All objects (indexer.List()). */
  *list(): IterableIterator<CachedObject> {
    for (const m of this.byNamespace.values()) yield* m.values();
  }

  /** ByIndex(cache.NamespaceIndex, ns). */
  byNamespaceIndex(namespace: string): Iterable<CachedObject> {
    return this.byNamespace.get(namespace)?.values() ?? [];
  }

  hasIndex(name: string): boolean {
    return this.indexers.has(name);
  }

  /**
   * client-go ByIndex: the objects whose index `name` contains `value`, or undefined when the
   * index does not exist (client-go's error: `Index with name <name> does not exist`, built
   * by the caller; no exception, so a hot error path stays cheap).
   */
  byIndex(name: string, value: string): Iterable<CachedObject> | undefined {
    const idx = this.indices.get(name);
    if (!idx) return undefined;
    return idx.get(value) ?? [];
  }

  /** Index values of obj under index `name` (used to filter by a second field requirement). */
  indexValues(name: string, obj: CachedObject): string[] | undefined {
    const f = this.indexers.get(name);
    if (!f) return undefined;
    return this.expand(obj, f);
  }

  /**
   * AddIndexers: controller-runtime's IndexField registers `field:<field>`; the same name twice
   * is a conflict. Objects already stored are indexed on the spot (client-go ≥ v0.30).
   */
  addIndexer(name: string, fn: IndexFunc): void {
    if (this.indexers.has(name)) throw new IndexerError(`indexer conflict: map[${name}:{}]`);
    this.indexers.set(name, fn);
    const idx = new Map<string, Set<CachedObject>>();
    this.indices.set(name, idx);
    for (const obj of this.list()) this.indexInto(idx, obj, this.expand(obj, fn));
  }

  /** controller-runtime stores each value under both `<ns>/<v>` and `__all_namespaces/<v>`. */
  private expand(obj: CachedObject, fn: IndexFunc): string[] {
    const vals = fn(obj);
    const out: string[] = [];
    for (const v of vals) {
      out.push(keyToNamespacedKey('', v));
      if (obj.metadata.namespace !== '') out.push(keyToNamespacedKey(obj.metadata.namespace, v));
    }
    return out;
  }

  private indexInto(
    idx: Map<string, Set<CachedObject>>,
    obj: CachedObject,
    values: string[],
  ): void {
    for (const v of values) {
      let s = idx.get(v);
      if (!s) idx.set(v, (s = new Set()));
      s.add(obj);
    }
  }

  private unindex(old: CachedObject): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name)!;
      for (const v of this.expand(old, fn)) {
        const s = idx.get(v);
        if (s) {
          s.delete(old);
          if (s.size === 0) idx.delete(v);
        }
      }
    }
  }

  /** Add or Update. */
  upsert(obj: CachedObject): CachedObject | undefined {
    const nsName = obj.metadata.namespace;
    let ns = this.nsMap(nsName);
    if (!ns) this.byNamespace.set(nsName, (ns = new Map()));
    const old = ns.get(obj.metadata.name);
    if (old) {
      if (this.indexers.size > 0) this.unindex(old);
    } else this.count++;
    ns.set(obj.metadata.name, obj);
    if (this.indexers.size > 0) {
      for (const [name, fn] of this.indexers) {
        this.indexInto(this.indices.get(name)!, obj, this.expand(obj, fn));
      }
    }
    return old;
  }

  delete(namespace: string, name: string): CachedObject | undefined {
    const ns = this.nsMap(namespace);
    const old = ns?.get(name);
    if (!old) return undefined;
    if (this.indexers.size > 0) this.unindex(old);
    ns!.delete(name);
    this.count--;
    return old;
  }

  /** Replace (after a LIST): the store becomes exactly `objs`. */
  replace(objs: Iterable<CachedObject>): void {
    this.byNamespace.clear();
    this.lastNs = undefined;
    this.lastNsMap = undefined;
    this.count = 0;
    for (const idx of this.indices.values()) idx.clear();
    for (const o of objs) this.upsert(o);
  }
}
