/**
 * controller-runtime's CacheReader (pkg/cache/internal/cache_reader.go): Get and List served
 * from an informer's indexer, with the real rules and error texts (controller-semantics.md §7)
 * and a CPU cost model (apiserver-and-scale.md §10.3: a label selector is an O(n) scan, a
 * field index is O(matches), every returned object is deep-copied).
 */
import type { CrVersion } from '../settings';
import { Microsecond, type Nanos } from '../time';
import { qualifiedKind } from './kinds';
import { type CachedObject, fieldIndexName, type Indexer, keyToNamespacedKey } from './indexer';

export interface ListOptions {
  /** client.InNamespace: '' = all namespaces. */
  namespace?: string;
  matchingLabels?: Readonly<Record<string, string>>;
  /** client.MatchingFields: exact matches only (the only form the lab recognises). */
  matchingFields?: Readonly<Record<string, string>>;
  /** client.Limit / ListOptions.Limit (0 or absent: no limit). */
  limit?: number;
  /** ListOptions.Continue (a paging loop's second call). */
  continue?: string;
}

export type CacheReadError =
  { reason: 'NotFound'; message: string } | { reason: 'BadRequest'; message: string };

export type GetResult =
  { ok: true; obj: CachedObject; cost: Nanos } | { ok: false; err: CacheReadError; cost: Nanos };

export type ListResult =
  | { ok: true; items: CachedObject[]; continue: string; scanned: number; cost: Nanos }
  | { ok: false; err: CacheReadError; scanned: number; cost: Nanos };

/** The continue token every cached List returns since v0.21.0. */
export const CONTINUE_NOT_SUPPORTED = 'continue-not-supported';

/**
 * CPU cost model of cache reads (est., §10.3): visiting one object in a scan (map iteration
 * plus a label match) ≈ 0.1 µs; deep copy ≈ 1 µs per kB of the typed object; a Get is a map
 * lookup plus one deep copy.
 */
export const SCAN_COST_PER_OBJECT: Nanos = 100;
export const DEEP_COPY_COST_PER_KB: Nanos = Microsecond;
export const LOOKUP_COST: Nanos = 200;

/** controller-runtime minor version number of a profile ("v0.22" → 22). */
export function crMinor(v: CrVersion): number {
  return Number(v.slice(3));
}

export class CacheReader {
  constructor(
    private readonly indexer: Indexer,
    private readonly kind: string,
    private readonly version: CrVersion,
    /** Bytes of one typed object (for the deep-copy cost). */
    private readonly objectBytes: number,
  ) {}

  private copyCost(n: number): Nanos {
    return Math.round((n * this.objectBytes * DEEP_COPY_COST_PER_KB) / 1000);
  }

  /** The cached object (not copied: callers charge getCost for the copy), or undefined. */
  lookup(namespace: string, name: string): CachedObject | undefined {
    return this.indexer.get(namespace, name);
  }

  /** CPU cost of a Get: the lookup, plus one deep copy when the object was found. */
  getCost(found: boolean): Nanos {
    return found ? LOOKUP_COST + this.copyCost(1) : LOOKUP_COST;
  }

  /** apimachinery NewNotFound(GroupResource built from the Kind): `Database.database.example.com "x" not found`. */
  notFoundMessage(name: string): string {
    return `${qualifiedKind(this.kind)} "${name}" not found`;
  }

  get(namespace: string, name: string): GetResult {
    const obj = this.lookup(namespace, name);
    if (!obj) {
      return {
        ok: false,
        err: { reason: 'NotFound', message: this.notFoundMessage(name) },
        cost: this.getCost(false),
      };
    }
    return { ok: true, obj, cost: this.getCost(true) };
  }

  list(opts: ListOptions): ListResult {
    if (opts.continue) {
      return {
        ok: false,
        err: {
          reason: 'BadRequest',
          message: 'continue list option is not supported by the cache',
        },
        scanned: 0,
        cost: 0,
      };
    }
    const ns = opts.namespace ?? '';
    let objs: Iterable<CachedObject>;
    let scanned = 0;
    const fields = opts.matchingFields ? Object.entries(opts.matchingFields) : [];
    const bad = (message: string): ListResult => ({
      ok: false,
      err: { reason: 'BadRequest', message },
      scanned,
      cost: scanned * SCAN_COST_PER_OBJECT,
    });
    if (fields.length > 0) {
      const [f0, v0] = fields[0]!;
      const first = this.indexer.byIndex(fieldIndexName(f0), keyToNamespacedKey(ns, v0));
      // client-go's ByIndex error (capital "I").
      if (!first) return bad(`Index with name ${fieldIndexName(f0)} does not exist`);
      if (fields.length === 1) objs = first;
      else {
        const rest = fields.slice(1);
        for (const [f] of rest) {
          // controller-runtime's own check for later requirements (lower-case "i").
          if (!this.indexer.hasIndex(fieldIndexName(f))) {
            return bad(`index with name field:${f} does not exist`);
          }
        }
        const out: CachedObject[] = [];
        for (const o of first) {
          scanned++;
          let okAll = true;
          for (const [f, v] of rest) {
            const vals = this.indexer.indexValues(fieldIndexName(f), o)!;
            if (!vals.includes(keyToNamespacedKey(ns, v))) {
              okAll = false;
              break;
            }
          }
          if (okAll) out.push(o);
        }
        objs = out;
      }
    } else if (ns !== '') {
      objs = this.indexer.byNamespaceIndex(ns);
    } else {
      objs = this.indexer.list();
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const labels = opts.matchingLabels ? Object.entries(opts.matchingLabels) : [];
    const items: CachedObject[] = [];
    for (const o of objs) {
      if (limit > 0 && items.length >= limit) break;
      scanned++;
      let match = true;
      for (const [k, v] of labels) {
        if (o.metadata.labels[k] !== v) {
          match = false;
          break;
        }
      }
      if (match) items.push(o);
    }
    const cost = scanned * SCAN_COST_PER_OBJECT + this.copyCost(items.length);
    return {
      ok: true,
      items,
      continue: crMinor(this.version) >= 21 ? CONTINUE_NOT_SUPPORTED : '',
      scanned,
      cost,
    };
  }
}
