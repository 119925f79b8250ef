/**
 * The API server's object store: etcd plus the watch cache, as one deterministic structure.
 *
 * - Objects of any kind (Database, StatefulSet, Service, Secret, ConfigMap, …) with namespace,
 *   name, labels, a small spec and status record, resourceVersion and generation.
 * - resourceVersion is one global counter, like etcd's revision: every real write (create,
 *   update, patch, delete) bumps it; reads never do.
 * - Optimistic concurrency: a write carrying a resourceVersion that is not the stored one
 *   fails with 409 Conflict and the real message.
 * - No-op writes (content identical to what is stored) write nothing, bump nothing and
 *   produce no watch event (pkg/storage/etcd3/store.go GuaranteedUpdate, bytes.Equal;
 *   apiserver-and-scale.md §2.3).
 * - metadata.generation starts at 1 and increases when the spec changes (not on status or
 *   label changes), as for resources with a status subresource.
 * - Watches per kind: ADDED / MODIFIED / DELETED with the new resourceVersion, delivered
 *   synchronously at commit time (the informer adds delivery latency, §10.3). Each kind keeps
 *   a history window (75 s, DefaultEventsHistoryWindow, §4.3); a watch from a resourceVersion
 *   older than the history gets 410 Expired "too old resource version: R (OLDEST)".
 *
 * Simplifications (said here and in the README): every kind is treated as having a status
 * subresource; Update without a resourceVersion is unconditional (real custom resources
 * refuse it with 422, built-ins allow it); no finalizers, no garbage collection of owned
 * objects; continue tokens page over current state rather than a snapshot; watch bookmarks
 * are not sent.
 */
import type { Clock, Nanos } from '../time';
import { Second } from '../time';
import { kindInfo, qualifiedResource, type KindInfo } from '../cache/kinds';
import {
  StatusError,
  newAlreadyExists,
  newConflict,
  newNotFound,
  newTooOldResourceVersion,
} from './errors';

export type FieldValue = string | number | boolean;
export type Fields = Record<string, FieldValue>;

export interface OwnerReference {
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

export interface ObjectMeta {
  namespace: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  resourceVersion: number;
  generation: number;
  creationTimestamp: Nanos;
  ownerReferences?: OwnerReference[];
}

export interface KubeObject {
  kind: string;
  metadata: ObjectMeta;
  spec: Fields;
  status: Fields;
}

/** What a caller passes to create (server-set fields are ignored if present). */
export interface NewObject {
  kind: string;
  metadata: {
    namespace?: string;
    name: string;
    labels?: Record<string, string>;
    ownerReferences?: OwnerReference[];
  };
  spec?: Fields;
  status?: Fields;
}

/** The object a caller sends with Update / UpdateStatus. resourceVersion 0 or absent: unconditional. */
export interface ObjectUpdate {
  kind: string;
  metadata: {
    namespace?: string;
    name: string;
    labels?: Record<string, string>;
    resourceVersion?: number;
    ownerReferences?: OwnerReference[];
  };
  spec?: Fields;
  status?: Fields;
}

/** A JSON merge patch of the parts the lab models; null deletes a key. */
export interface MergePatch {
  labels?: Record<string, string | null>;
  spec?: Record<string, FieldValue | null>;
  status?: Record<string, FieldValue | null>;
  /** metadata.resourceVersion in the patch body: a precondition, as in a real merge patch. */
  resourceVersion?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: WatchEventType;
  /** The object after the change (for DELETED: the last state, with the deletion's RV). */
  object: KubeObject;
  resourceVersion: number;
}

export interface ListOptions {
  /** undefined or '': all namespaces. */
  namespace?: string;
  /** Equality-based label selector (matchLabels). */
  labelSelector?: Record<string, string>;
  /** Page size (etcd path). */
  limit?: number;
  /** Continue token from a previous page. */
  continue?: string;
  /**
   * @internal The items are the stored snapshots themselves, not copies (read-only): only
   * for the simulation's own clients (ApiRequest.snapshots), which already receive those
   * snapshots in watch events and cached reads. Every other result stays a copy.
   */
  snapshots?: boolean;
}

export interface ListResult {
  items: KubeObject[];
  /** The store's resourceVersion at the time of the list (start a watch from here). */
  resourceVersion: number;
  /** Objects the server had to look at (the cost driver, §4.2). */
  scanned: number;
  /** Continue token when more pages remain. */
  continue?: string;
}

export interface WatchOptions {
  /**
   * Start after this resourceVersion: every event with a larger RV is delivered. 0 means
   * "any": synthetic ADDED events for every current object first, then live events.
   */
  resourceVersion: number;
  /** Only events for this namespace (undefined or '': all). */
  namespace?: string;
  labelSelector?: Record<string, string>;
}

export type WatchCloseReason = 'stopped' | 'disconnected';

export interface Watch {
  readonly kind: string;
  /** RV of the last event delivered (or the start RV). */
  lastResourceVersion(): number;
  stop(): void;
}

export interface StoreOptions {
  clock: Clock;
  /** Watch-cache history window (DefaultEventsHistoryWindow = 75 s). */
  historyWindow?: Nanos;
  /** Upper bound on retained events per kind (the cacher's max capacity, 102400). */
  historyCapacity?: number;
}

class WatcherImpl implements Watch {
  active = true;
  constructor(
    readonly kind: string,
    private readonly state: KindState,
    public lastRV: number,
    readonly namespace: string,
    readonly selector: Record<string, string> | undefined,
    readonly handler: (ev: WatchEvent) => void,
    readonly onClose: ((reason: WatchCloseReason) => void) | undefined,
  ) {}
  lastResourceVersion(): number {
    return this.lastRV;
  }
  stop(): void {
    if (!this.active) return;
    this.active = false;
    this.state.removeWatcher(this);
    this.onClose?.('stopped');
  }
  deliver(ev: WatchEvent): void {
    if (!this.active) return;
    const o = ev.object;
    if (this.namespace !== '' && o.metadata.namespace !== this.namespace) return;
    if (this.selector && !matchesLabels(o.metadata.labels, this.selector)) return;
    this.lastRV = ev.resourceVersion;
    this.handler(ev);
  }
}

/**
 * One stored object: its key and current snapshot. A write replaces `obj` (a new immutable
 * snapshot) without touching the maps that index the entry.
 */
class Entry {
  constructor(
    readonly key: string,
    public obj: KubeObject,
  ) {}
}

class KindState {
  /** Per namespace, by name (lookups: no key string to build per request). */
  readonly byName = new Map<string, Map<string, Entry>>();
  /** Number of stored objects. */
  size = 0;
  /** Every entry in key order (LIST, watch from 0), rebuilt after a create or delete. */
  sorted: Entry[] | null = null;
  /** Per namespace, in key order (namespaced LIST), rebuilt after a create or delete. */
  sortedByNs = new Map<string, Entry[]>();
  /** The last namespace looked up and its by-name map. */
  lastNs = '';
  lastNsMap: Map<string, Entry> | undefined = undefined;
  /**
   * The watch-cache history as parallel arrays (event type, object, commit time) from
   * histHead on. The objects are the stored snapshots themselves (stored objects are never
   * mutated: a write stores a new object), so history holds no copies, and the event's
   * resourceVersion is the snapshot's (a DELETED snapshot carries the deletion's RV).
   */
  histTypes: WatchEventType[] = [];
  histObjs: KubeObject[] = [];
  histAt: Nanos[] = [];
  histHead = 0;
  /** Largest RV of an event dropped from the history (watches from below it get 410). */
  prunedUpTo = 0;
  /** Open watches in registration order; replaced (never mutated) when one opens or closes. */
  watchers: WatcherImpl[] = [];
  /** `databases.database.example.com` (NotFound / Conflict messages). */
  readonly qualified: string;
  readonly namespaced: boolean;
  constructor(readonly info: KindInfo) {
    this.qualified = qualifiedResource(info.kind);
    this.namespaced = info.namespaced;
  }
  addWatcher(w: WatcherImpl): void {
    this.watchers = [...this.watchers, w];
  }
  removeWatcher(w: WatcherImpl): void {
    const i = this.watchers.indexOf(w);
    if (i >= 0) this.watchers = this.watchers.filter((x) => x !== w);
  }
}

export function objectKeyOf(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}/${name}`;
}

export function matchesLabels(
  labels: Record<string, string>,
  selector: Record<string, string>,
): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

function sameFields(a: Fields, b: Fields): boolean {
  let n = 0;
  for (const k in a) {
    n++;
    if (!(k in b) || a[k] !== b[k]) return false;
  }
  for (const _k in b) n--;
  return n === 0;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  let n = 0;
  for (const k in a) {
    n++;
    if (a[k] !== b[k]) return false;
  }
  for (const _k in b) n--;
  return n === 0;
}

function sameOwners(a: OwnerReference[] | undefined, b: OwnerReference[] | undefined): boolean {
  if (a === b) return true;
  const la = a?.length ?? 0;
  const lb = b?.length ?? 0;
  if (la !== lb) return false;
  for (let i = 0; i < la; i++) {
    const x = a![i]!;
    const y = b![i]!;
    if (x.kind !== y.kind || x.name !== y.name || x.uid !== y.uid || x.controller !== y.controller)
      return false;
  }
  return true;
}

/** A deep copy (what a client gets: mutating it never touches the store). */
export function cloneObject(o: KubeObject): KubeObject {
  const m = o.metadata;
  // Explicit construction keeps one object shape (faster than spreads with optional fields).
  const meta: ObjectMeta = {
    namespace: m.namespace,
    name: m.name,
    uid: m.uid,
    labels: { ...m.labels },
    resourceVersion: m.resourceVersion,
    generation: m.generation,
    creationTimestamp: m.creationTimestamp,
  };
  if (m.ownerReferences) meta.ownerReferences = m.ownerReferences.map((r) => ({ ...r }));
  return { kind: o.kind, metadata: meta, spec: { ...o.spec }, status: { ...o.status } };
}

/** commit(): the owner references stay those of the current snapshot. */
const KEEP_OWNERS = null;

function applyMerge<T extends FieldValue>(
  base: Record<string, T>,
  patch: Record<string, T | null> | undefined,
): Record<string, T> {
  if (!patch) return base;
  const out: Record<string, T> = { ...base };
  for (const k in patch) {
    const v = patch[k];
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = v;
  }
  return out;
}

export class ObjectStore {
  private rv = 0;
  private uidSeq = 0;
  private readonly kinds = new Map<string, KindState>();
  /** One-entry cache in front of `kinds` (runs mostly touch one kind at a time). */
  private lastKind = '';
  private lastState: KindState | undefined = undefined;
  private readonly clock: Clock;
  private readonly historyWindow: Nanos;
  private readonly historyCapacity: number;

  constructor(opts: StoreOptions) {
    this.clock = opts.clock;
    this.historyWindow = opts.historyWindow ?? 75 * Second;
    this.historyCapacity = opts.historyCapacity ?? 102_400;
  }

  /** The current global resourceVersion (etcd revision). */
  resourceVersion(): number {
    return this.rv;
  }

  kindInfo(kind: string): KindInfo {
    return this.state(kind).info;
  }

  /** Number of stored objects of a kind (optionally in one namespace). */
  count(kind: string, namespace?: string): number {
    const s = this.kinds.get(kind);
    if (!s) return 0;
    if (namespace === undefined || namespace === '') return s.size;
    return s.byName.get(namespace)?.size ?? 0;
  }

  /** Number of open watches on a kind (feeds APF's mutating work estimate). */
  watcherCount(kind: string): number {
    return this.kinds.get(kind)?.watchers.length ?? 0;
  }

  /** Kinds that have ever been used. */
  kindNames(): string[] {
    return [...this.kinds.keys()];
  }

  private state(kind: string): KindState {
    if (kind === this.lastKind && this.lastState) return this.lastState;
    let s = this.kinds.get(kind);
    if (!s) {
      s = new KindState(kindInfo(kind));
      this.kinds.set(kind, s);
    }
    this.lastKind = kind;
    this.lastState = s;
    return s;
  }

  private ns(s: KindState, namespace: string | undefined): string {
    return s.namespaced ? (namespace ?? '') : '';
  }

  /** The entry of namespace/name (namespace already normalised by `ns`). */
  private lookup(s: KindState, namespace: string, name: string): Entry | undefined {
    let m: Map<string, Entry> | undefined;
    if (namespace === s.lastNs && s.lastNsMap) m = s.lastNsMap;
    else {
      m = s.byName.get(namespace);
      if (!m) return undefined;
      s.lastNs = namespace;
      s.lastNsMap = m;
    }
    return m.get(name);
  }

  get(kind: string, namespace: string, name: string): KubeObject | StatusError {
    const s = this.state(kind);
    const e = this.lookup(s, this.ns(s, namespace), name);
    if (!e) return newNotFound(s.qualified, name);
    return this.result(e.obj);
  }

  /**
   * @internal While true, get / create / update / updateStatus / patch / delete return the
   * stored snapshot itself instead of a copy (read-only). The server sets it around one
   * call for a request that asks for snapshots (`ApiRequest.snapshots`, the simulation's own
   * clients, which never mutate what they read: their cached reads are snapshots too).
   */
  snapshotResults = false;

  /** A result for the caller: a copy, or the snapshot itself while snapshotResults is set. */
  private result(o: KubeObject): KubeObject {
    return this.snapshotResults ? o : cloneObject(o);
  }

  /** Read-only access to the stored snapshot (no copy): for the server's own bookkeeping. */
  peek(kind: string, namespace: string, name: string): Readonly<KubeObject> | undefined {
    const s = this.kinds.get(kind);
    if (!s) return undefined;
    return this.lookup(s, this.ns(s, namespace), name)?.obj;
  }

  list(kind: string, opts: ListOptions = {}): ListResult {
    const s = this.state(kind);
    const namespace = s.namespaced ? (opts.namespace ?? '') : '';
    const entries = this.sortedIn(s, namespace);
    let start = 0;
    if (opts.continue) {
      const after = decodeContinue(opts.continue);
      start = lowerBound(entries, after, true);
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: KubeObject[] = [];
    let scanned = 0;
    let i = start;
    for (; i < entries.length && items.length < limit; i++) {
      const o = entries[i]!.obj;
      scanned++;
      if (opts.labelSelector && !matchesLabels(o.metadata.labels, opts.labelSelector)) continue;
      items.push(opts.snapshots === true ? o : cloneObject(o));
    }
    const result: ListResult = { items, resourceVersion: this.rv, scanned };
    if (i < entries.length && items.length >= limit) {
      result.continue = encodeContinue(entries[i - 1]!.key);
    }
    return result;
  }

  /** Entries of a namespace ('' = all) in key order (code-unit order, as Array.sort). */
  private sortedIn(s: KindState, namespace: string): Entry[] {
    if (!s.sorted) {
      const all: Entry[] = [];
      for (const m of s.byName.values()) for (const e of m.values()) all.push(e);
      all.sort(byKey);
      s.sorted = all;
      s.sortedByNs.clear();
    }
    if (namespace === '') return s.sorted;
    let in_ = s.sortedByNs.get(namespace);
    if (!in_) {
      in_ = s.sorted.filter((e) => e.obj.metadata.namespace === namespace);
      s.sortedByNs.set(namespace, in_);
    }
    return in_;
  }

  create(obj: NewObject): KubeObject | StatusError {
    const r = this.createSnapshot(obj);
    return r instanceof StatusError ? r : this.result(r);
  }

  /**
   * @internal `create` returning the stored snapshot itself (read-only, no copy): for the
   * simulation's own writes (workload and initial objects), which only read the result.
   */
  createSnapshot(obj: NewObject): Readonly<KubeObject> | StatusError {
    const s = this.state(obj.kind);
    const namespace = this.ns(s, obj.metadata.namespace);
    if (this.lookup(s, namespace, obj.metadata.name)) {
      return newAlreadyExists(s.qualified, obj.metadata.name);
    }
    const key = objectKeyOf(namespace, obj.metadata.name);
    const rv = ++this.rv;
    const stored: KubeObject = {
      kind: obj.kind,
      metadata: {
        namespace,
        name: obj.metadata.name,
        uid: `uid-${++this.uidSeq}`,
        labels: { ...(obj.metadata.labels ?? {}) },
        resourceVersion: rv,
        generation: 1,
        creationTimestamp: this.clock.now(),
        ...(obj.metadata.ownerReferences
          ? { ownerReferences: obj.metadata.ownerReferences.map((r) => ({ ...r })) }
          : {}),
      },
      spec: { ...(obj.spec ?? {}) },
      status: { ...(obj.status ?? {}) },
    };
    this.add(s, key, stored);
    this.emit(s, 'ADDED', stored);
    return stored;
  }

  /** PUT: replaces labels, owner references and spec; status is ignored (status subresource). */
  update(obj: ObjectUpdate): KubeObject | StatusError {
    return this.write(obj, false);
  }

  /** PUT …/status: replaces status only. */
  updateStatus(obj: ObjectUpdate): KubeObject | StatusError {
    return this.write(obj, true);
  }

  private write(obj: ObjectUpdate, statusOnly: boolean): KubeObject | StatusError {
    const s = this.state(obj.kind);
    const namespace = this.ns(s, obj.metadata.namespace);
    const e = this.lookup(s, namespace, obj.metadata.name);
    if (!e) return newNotFound(s.qualified, obj.metadata.name);
    const cur = e.obj;
    const want = obj.metadata.resourceVersion;
    if (want !== undefined && want !== 0 && want !== cur.metadata.resourceVersion) {
      return newConflict(s.qualified, obj.metadata.name);
    }
    if (statusOnly) {
      const status = obj.status ?? {};
      if (sameFields(cur.status, status)) return this.result(cur);
      return this.commit(s, e, cur.spec, { ...status }, cur.metadata.labels, KEEP_OWNERS, false);
    }
    const spec = obj.spec ?? {};
    const labels = obj.metadata.labels ?? {};
    const owners = obj.metadata.ownerReferences ?? cur.metadata.ownerReferences;
    const specSame = sameFields(cur.spec, spec);
    const labelsSame = sameLabels(cur.metadata.labels, labels);
    if (specSame && labelsSame && sameOwners(cur.metadata.ownerReferences, owners)) {
      return this.result(cur);
    }
    return this.commit(
      s,
      e,
      specSame ? cur.spec : { ...spec },
      cur.status,
      // Stored snapshots are never mutated, so unchanged labels and owners are shared.
      labelsSame ? cur.metadata.labels : { ...labels },
      owners === cur.metadata.ownerReferences ? KEEP_OWNERS : owners,
      !specSame,
    );
  }

  /** PATCH (merge patch) of labels/spec, or of status with subresource 'status'. */
  patch(
    kind: string,
    namespace: string,
    name: string,
    patch: MergePatch,
    subresource?: 'status',
  ): KubeObject | StatusError {
    const s = this.state(kind);
    const e = this.lookup(s, this.ns(s, namespace), name);
    const qr = s.qualified;
    if (!e) return newNotFound(qr, name);
    const cur = e.obj;
    if (
      patch.resourceVersion !== undefined &&
      patch.resourceVersion !== cur.metadata.resourceVersion
    ) {
      return newConflict(qr, name);
    }
    if (subresource === 'status') {
      const status = applyMerge(cur.status, patch.status);
      if (sameFields(cur.status, status)) return this.result(cur);
      return this.commit(s, e, cur.spec, status, cur.metadata.labels, KEEP_OWNERS, false);
    }
    const spec = applyMerge(cur.spec, patch.spec);
    const labels = applyMerge<string>(cur.metadata.labels, patch.labels);
    const specSame = sameFields(cur.spec, spec);
    if (specSame && sameLabels(cur.metadata.labels, labels)) return this.result(cur);
    return this.commit(s, e, spec, cur.status, labels, KEEP_OWNERS, !specSame);
  }

  delete(
    kind: string,
    namespace: string,
    name: string,
    precondition?: { resourceVersion?: number },
  ): KubeObject | StatusError {
    const s = this.state(kind);
    const ns = this.ns(s, namespace);
    const e = this.lookup(s, ns, name);
    const qr = s.qualified;
    if (!e) return newNotFound(qr, name);
    const cur = e.obj;
    const want = precondition?.resourceVersion;
    if (want !== undefined && want !== cur.metadata.resourceVersion) {
      return newConflict(
        qr,
        name,
        `the ResourceVersion in the precondition (${want}) does not match the ResourceVersion in record (${cur.metadata.resourceVersion}). The object might have been modified`,
      );
    }
    const rv = ++this.rv;
    s.byName.get(ns)?.delete(name);
    s.size--;
    s.sorted = null;
    const last: KubeObject = { ...cur, metadata: { ...cur.metadata, resourceVersion: rv } };
    this.emit(s, 'DELETED', last);
    return this.result(last);
  }

  /**
   * Stores the next snapshot of `e` with a new resourceVersion. spec, status and labels are
   * owned by the store from here on (copies, or the current snapshot's own). `owners`: the
   * caller's owner references (copied; undefined = none) or KEEP_OWNERS.
   */
  private commit(
    s: KindState,
    e: Entry,
    spec: Fields,
    status: Fields,
    labels: Record<string, string>,
    owners: OwnerReference[] | undefined | typeof KEEP_OWNERS,
    bumpGeneration: boolean,
  ): KubeObject {
    const rv = ++this.rv;
    const cur = e.obj;
    const m = cur.metadata;
    // Explicit construction (one object shape), as cloneObject.
    const meta: ObjectMeta = {
      namespace: m.namespace,
      name: m.name,
      uid: m.uid,
      labels,
      resourceVersion: rv,
      generation: m.generation + (bumpGeneration ? 1 : 0),
      creationTimestamp: m.creationTimestamp,
    };
    if (owners === KEEP_OWNERS) {
      if (m.ownerReferences) meta.ownerReferences = m.ownerReferences;
    } else if (owners) meta.ownerReferences = owners.map((r) => ({ ...r }));
    const next: KubeObject = { kind: cur.kind, metadata: meta, spec, status };
    e.obj = next;
    this.emit(s, 'MODIFIED', next);
    return this.result(next);
  }

  private add(s: KindState, key: string, o: KubeObject): void {
    const ns = o.metadata.namespace;
    let byName = s.byName.get(ns);
    if (!byName) {
      byName = new Map();
      s.byName.set(ns, byName);
    }
    byName.set(o.metadata.name, new Entry(key, o));
    s.size++;
    s.sorted = null;
  }

  private emit(s: KindState, type: WatchEventType, object: KubeObject): void {
    const now = this.clock.now();
    s.histTypes.push(type);
    s.histObjs.push(object);
    s.histAt.push(now);
    this.prune(s, now);
    // The array is replaced, never mutated, when watches open or close: watchers registered
    // during delivery see later events only.
    const ws = s.watchers;
    if (ws.length === 0) return;
    const ev: WatchEvent = { type, object, resourceVersion: object.metadata.resourceVersion };
    for (let i = 0; i < ws.length; i++) ws[i]!.deliver(ev);
  }

  private prune(s: KindState, now: Nanos): void {
    const h = s.histObjs;
    const at = s.histAt;
    const cutoff = now - this.historyWindow;
    while (
      s.histHead < h.length &&
      (at[s.histHead]! < cutoff || h.length - s.histHead > this.historyCapacity)
    ) {
      s.prunedUpTo = h[s.histHead]!.metadata.resourceVersion;
      s.histHead++;
    }
    if (s.histHead > 1024 && s.histHead * 2 > h.length) {
      s.histTypes = s.histTypes.slice(s.histHead);
      s.histObjs = h.slice(s.histHead);
      s.histAt = at.slice(s.histHead);
      s.histHead = 0;
    }
  }

  /**
   * Opens a watch. Returns the Watch, or a 410 StatusError when `resourceVersion` is older
   * than the kind's history (the caller must re-list). Events are delivered synchronously
   * when a write commits; replayed history (and synthetic ADDED for RV 0) is delivered before
   * watch() returns.
   */
  watch(
    kind: string,
    opts: WatchOptions,
    handler: (ev: WatchEvent) => void,
    onClose?: (reason: WatchCloseReason) => void,
  ): Watch | StatusError {
    const s = this.state(kind);
    this.prune(s, this.clock.now());
    const namespace = s.info.namespaced ? (opts.namespace ?? '') : '';
    const from = opts.resourceVersion;
    const w = new WatcherImpl(kind, s, from, namespace, opts.labelSelector, handler, onClose);
    if (from === 0) {
      w.lastRV = this.rv;
      s.addWatcher(w);
      const entries = this.sortedIn(s, '');
      for (const e of entries) {
        const o = e.obj;
        if (!w.active) break;
        if (namespace !== '' && o.metadata.namespace !== namespace) continue;
        if (opts.labelSelector && !matchesLabels(o.metadata.labels, opts.labelSelector)) continue;
        handler({ type: 'ADDED', object: o, resourceVersion: o.metadata.resourceVersion });
      }
      return w;
    }
    if (from < s.prunedUpTo) {
      const oldest =
        s.histHead < s.histObjs.length
          ? s.histObjs[s.histHead]!.metadata.resourceVersion
          : this.rv + 1;
      return newTooOldResourceVersion(from, oldest - 1);
    }
    s.addWatcher(w);
    const h = s.histObjs;
    const types = s.histTypes;
    // Replay retained events newer than `from`.
    let i = h.length;
    while (i > s.histHead && h[i - 1]!.metadata.resourceVersion > from) i--;
    const end = h.length;
    for (; i < end && w.active; i++) {
      const object = h[i]!;
      w.deliver({ type: types[i]!, object, resourceVersion: object.metadata.resourceVersion });
    }
    if (w.lastRV < from) w.lastRV = from;
    return w;
  }

  /** Fault: the server closes every watch on a kind (the informer re-watches from its last RV). */
  closeWatches(kind: string): void {
    const s = this.kinds.get(kind);
    if (!s) return;
    const ws = s.watchers;
    s.watchers = [];
    for (const w of ws) {
      w.active = false;
      w.onClose?.('disconnected');
    }
  }

  /**
   * Fault: drop the kind's watch-cache history (as after a long disconnect or a compaction),
   * so a re-watch from any earlier resourceVersion gets 410 Expired.
   */
  expireHistory(kind: string): void {
    const s = this.state(kind);
    s.prunedUpTo = this.rv;
    s.histHead = s.histObjs.length;
  }
}

function encodeContinue(lastKey: string): string {
  return `continue:${lastKey}`;
}

function decodeContinue(token: string): string {
  return token.startsWith('continue:') ? token.slice('continue:'.length) : token;
}

function byKey(a: Entry, b: Entry): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** First index whose key is > k (strict) or >= k. */
function lowerBound(entries: Entry[], k: string, strict: boolean): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = entries[mid]!.key;
    if (c < k || (strict && c === k)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
