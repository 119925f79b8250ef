/**
 * The simulated kube-apiserver: overload protection (APF, or max-inflight when APF is off),
 * per-verb service time, LIST cost, load inflation, and the object store behind it
 * (apiserver-and-scale.md §1, §4, §10.2, §10.6 steps 3–5).
 *
 * A request's life: arrival → classify (FlowSchema, priority level, flow) → work estimate
 * (seats) → APF queue (or 429) → execution for a lognormal service time × load inflation →
 * response. Reads are served from the store when execution starts (a snapshot); writes are
 * applied when execution ends (so concurrent writers really race and see 409s).
 */
import type { EventLoop } from '../loop';
import type { CounterSeries, HistogramSeries, MetricsRegistry } from '../metrics';
import { lognormalSigma, type Rng } from '../prng';
import type { Nanos } from '../time';
import { Second } from '../time';
import { Apf, ApfRequest, type Classification, type RejectReason, type WorkEstimate } from './apf';
import {
  DEFAULT_PRIORITY_LEVELS,
  OPERATOR_USER,
  SERVICE_TIMES,
  apiServerPreset,
  type ApiServerConfig,
  type ClusterPreset,
  type FlowSchemaSpec,
  type PriorityLevelSpec,
  type QueuingConfig,
  type ServiceTimes,
  type UserInfo,
} from './config';
import { StatusError, TOO_MANY_REQUESTS_BODY } from './errors';
import { registerApiServerMetrics } from './metrics';
import {
  ObjectStore,
  type KubeObject,
  type ListResult,
  type MergePatch,
  type NewObject,
  type ObjectUpdate,
  type Watch,
  type WatchCloseReason,
  type WatchEvent,
  type WatchOptions,
} from './object-store';
import { ONE_SEAT, listSeats, mutatingWork } from './work-estimator';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

export interface ApiRequest {
  verb: Verb;
  kind: string;
  namespace?: string;
  name?: string;
  subresource?: 'status';
  /** Body of create / update. */
  object?: NewObject | ObjectUpdate;
  patch?: MergePatch;
  /**
   * get: undefined → quorum read from etcd; any value → watch cache.
   * list: "0" → watch cache, limit ignored; undefined or "" → consistent read.
   */
  resourceVersion?: string;
  labelSelector?: Record<string, string>;
  limit?: number;
  continue?: string;
  /** delete precondition. */
  preconditionResourceVersion?: number;
  /** Defaults to the lab operator's ServiceAccount. */
  user?: UserInfo;
  /**
   * @internal The response's object or list items are the store's immutable snapshots
   * instead of copies: for the simulation's own clients (the informer's reflector, which gets
   * the same snapshots in watch events, and the operator's API calls, whose cached reads are
   * snapshots too), which never mutate them. Cost, seats and metrics are unchanged.
   */
  snapshots?: boolean;
}

/**
 * What the server answers. A completed request's response is the server's own object for the
 * request (read its fields; it does not change once handed over, and JSON.stringify gives
 * these fields only).
 */
export interface ApiResponse {
  code: number;
  object?: KubeObject;
  list?: ListResult;
  error?: StatusError;
  /** Retry-After header in seconds (429s). */
  retryAfterSeconds?: number;
  rejectReason?: RejectReason;
  flowSchema: string;
  priorityLevel: string;
  seats: number;
  arrivedAt: Nanos;
  /** When the request got its seats (undefined if rejected while waiting or at once). */
  dispatchedAt?: Nanos;
  completedAt: Nanos;
}

export interface ApiServerOptions {
  loop: EventLoop;
  rng: Rng;
  metrics: MetricsRegistry;
  store?: ObjectStore;
  /** A preset name or a full/partial configuration over the 'dev' preset. */
  config?: ClusterPreset | Partial<ApiServerConfig>;
  serviceTimes?: ServiceTimes;
  priorityLevels?: readonly PriorityLevelSpec[];
  flowSchemas?: readonly FlowSchemaSpec[];
  /** Average stored (etcd) object size per kind in bytes; default typedBytes / 3 (est., §5.3). */
  objectBytes?: Record<string, number>;
}

const APISERVER_VERB: Record<Verb, string> = {
  get: 'GET',
  list: 'LIST',
  watch: 'WATCH',
  create: 'POST',
  update: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
};

function applyQueuingOverride(
  levels: readonly PriorityLevelSpec[],
  q: QueuingConfig | undefined,
): readonly PriorityLevelSpec[] {
  if (!q) return levels;
  return levels.map((l) => (l.queuing ? { ...l, queuing: { ...q } } : l));
}

/** The lognormal service-time distributions of ServiceTimes. */
type DistName =
  'getEtcd' | 'getCache' | 'create' | 'update' | 'patch' | 'delete' | 'consistentReadWait';

interface RecordSlot {
  verb: string;
  resource: string;
  total: Map<number, CounterSeries>;
  /** The series of the last code seen (almost always the next one too). */
  lastCode: number;
  lastTotal: CounterSeries | undefined;
  duration: HistogramSeries;
}

/** The last classification of a (kind, verb, subresource) slot, for one user and namespace. */
interface ClassMemo {
  user: UserInfo;
  namespace: string;
  c: Classification;
}

/** Index of a verb in the per-kind slot arrays (a switch: no keyed property lookup). */
function verbIndex(v: Verb): number {
  switch (v) {
    case 'get':
      return 0;
    case 'list':
      return 1;
    case 'watch':
      return 2;
    case 'create':
      return 3;
    case 'update':
      return 4;
    case 'patch':
      return 5;
    case 'delete':
      return 6;
  }
}
const VERBS = 7;

/** Per-kind facts the request path needs, looked up once per request. */
interface KindSlot {
  resource: string;
  statusResource: string;
  /** apiserver_request_total / _duration series per verb (verbIndex). */
  record: (RecordSlot | undefined)[];
  /**
   * The last classification per verb (verbIndex) of the resource, then (VERBS + verbIndex)
   * of its status subresource: Apf.classifyResource's answer for the same user and namespace
   * (classification depends on nothing else), without its four map lookups.
   */
  classes: (ClassMemo | undefined)[];
}

/** Mutating work estimate for the last (watchers, level cap) pair (it rarely changes). */
interface MutatingWorkCache {
  watchers: number;
  maxSeats: number;
  work: WorkEstimate;
}

/** Max-inflight mode has no FlowSchema or priority level. */
const NO_CLASSIFICATION: Classification = {
  flowSchema: '',
  priorityLevel: '',
  distinguisher: '',
  flowHash: 0n,
  flowKey: '',
};

/**
 * One request inside the server: its APF request (the same object, so APF and the server
 * share one per request), its execution timer's argument, and, once it completes, its
 * response (handed to `done` as the ApiResponse; nothing changes it after that). Rejections
 * are answered with a response of their own.
 */
class ServerCall extends ApfRequest implements ApiResponse {
  // One of these is created per request: its fields are plain stores in the constructor.
  readonly server: ApiServer;
  readonly req: ApiRequest;
  /** Called with the response and `doneArg` (handleWith), or with the response only. */
  readonly done: (res: ApiResponse, arg: unknown) => void;
  readonly doneArg: unknown;
  object: KubeObject | undefined;
  list: ListResult | undefined;
  error: StatusError | undefined;
  /** Reads are served at dispatch; writes when execution ends. */
  served: boolean;
  /** Max-inflight mode (APF off): 1 read-only, 2 mutating; 0 under APF. */
  inflight: 0 | 1 | 2;
  // The response's own fields (set by completeCall).
  code: number;
  completedAt: Nanos;
  constructor(
    server: ApiServer,
    req: ApiRequest,
    c: Classification,
    work: WorkEstimate,
    arrivedAt: Nanos,
    done: (res: ApiResponse, arg: unknown) => void,
    doneArg: unknown,
  ) {
    super(c, work, arrivedAt);
    this.server = server;
    this.req = req;
    this.done = done;
    this.doneArg = doneArg;
    this.object = undefined;
    this.list = undefined;
    this.error = undefined;
    this.served = false;
    this.inflight = 0;
    this.code = 0;
    this.completedAt = arrivedAt;
  }
  /** ApiResponse: the seats it occupied. */
  get seats(): number {
    return this.maxSeats;
  }
  /** JSON of a response: its ApiResponse fields only, not the call's internals. */
  toJSON(): ApiResponse {
    return {
      code: this.code,
      object: this.object,
      list: this.list,
      error: this.error,
      flowSchema: this.flowSchema,
      priorityLevel: this.priorityLevel,
      seats: this.maxSeats,
      arrivedAt: this.arrivedAt,
      dispatchedAt: this.dispatchedAt,
      completedAt: this.completedAt,
    };
  }
  apfDispatched(): void {
    this.server.executeCall(this);
  }
  apfRejected(reason: RejectReason, retryAfterSeconds: number): void {
    this.server.rejectCall(this, reason, retryAfterSeconds);
  }
}

export function isMutating(verb: Verb): boolean {
  return verb === 'create' || verb === 'update' || verb === 'patch' || verb === 'delete';
}

export class ApiServer {
  readonly loop: EventLoop;
  readonly store: ObjectStore;
  readonly config: ApiServerConfig;
  readonly apf: Apf;
  private readonly rng: Rng;
  private readonly metrics: MetricsRegistry;
  private readonly st: ServiceTimes;
  /** σ of each service-time distribution of `st` (computed once). */
  private readonly sigma: Record<DistName, number>;
  private readonly objectBytes: Record<string, number>;
  private seatsFactor = 1;
  private extraWriteLatency: Nanos = 0;
  private inflightReadOnly = 0;
  private inflightMutating = 0;
  private readonly kindSlots = new Map<string, KindSlot>();
  /** One-entry cache in front of kindSlots. */
  private lastKind = '';
  private lastKindSlot: KindSlot | undefined = undefined;
  private mutatingCache: MutatingWorkCache = { watchers: -1, maxSeats: -1, work: ONE_SEAT };
  /** The execution timer's callback (one for all calls: the call is the event's argument). */
  private readonly completeFn = (call: ServerCall): void => this.completeCall(call);

  constructor(o: ApiServerOptions) {
    this.loop = o.loop;
    this.rng = o.rng;
    this.metrics = o.metrics;
    registerApiServerMetrics(o.metrics);
    const base = apiServerPreset(typeof o.config === 'string' ? o.config : 'dev');
    this.config = typeof o.config === 'object' ? { ...base, ...o.config } : base;
    this.st = o.serviceTimes ?? SERVICE_TIMES;
    const st = this.st;
    const sig = (d: { median: Nanos; p99: Nanos }) => lognormalSigma(d.median, d.p99);
    this.sigma = {
      getEtcd: sig(st.getEtcd),
      getCache: sig(st.getCache),
      create: sig(st.create),
      update: sig(st.update),
      patch: sig(st.patch),
      delete: sig(st.delete),
      consistentReadWait: sig(st.consistentReadWait),
    };
    this.objectBytes = o.objectBytes ?? {};
    this.store = o.store ?? new ObjectStore({ clock: o.loop });
    this.apf = new Apf({
      loop: o.loop,
      metrics: o.metrics,
      serverConcurrencyLimit: this.serverConcurrencyLimit(),
      priorityLevels: applyQueuingOverride(
        o.priorityLevels ?? DEFAULT_PRIORITY_LEVELS,
        this.config.queuingOverride,
      ),
      flowSchemas: o.flowSchemas,
      queueWaitLimit: Math.min(this.config.requestTimeout / 4, 60 * Second),
      borrowing: this.config.borrowing,
      backgroundDemand: this.config.backgroundDemand,
    });
  }

  /** Server-wide seats: (max-inflight + max-mutating-inflight) × brownout factor. */
  serverConcurrencyLimit(): number {
    const c = this.config;
    return Math.max(
      1,
      Math.round((c.maxRequestsInflight + c.maxMutatingRequestsInflight) * this.seatsFactor),
    );
  }

  /** apiserverBrownout: scales every seat budget by `f` (1 = normal). */
  setSeatsFactor(f: number): void {
    this.seatsFactor = Math.max(0, f);
    this.apf.setServerConcurrencyLimit(this.serverConcurrencyLimit());
  }

  /** slowWrites fault: added to every mutating request's service time. */
  setExtraWriteLatency(d: Nanos): void {
    this.extraWriteLatency = Math.max(0, d);
  }

  /** ρ: seats in use (all priority levels) over the server's seats. */
  utilisation(): number {
    if (!this.config.enablePriorityAndFairness) {
      const cap = this.serverConcurrencyLimit();
      return Math.min(1, (this.inflightReadOnly + this.inflightMutating) / cap);
    }
    return Math.min(1, this.apf.seatsInUse() / this.apf.serverConcurrencyLimit());
  }

  /** Load inflation × 1/(1−ρ), capped (§10.2). */
  inflation(): number {
    const rho = this.utilisation();
    const cap = this.config.inflationCap;
    if (rho >= 1 - 1 / cap) return cap;
    return 1 / (1 - rho);
  }

  avgObjectBytes(kind: string): number {
    return this.objectBytes[kind] ?? Math.round(this.store.kindInfo(kind).typedBytes / 3);
  }

  watchers(kind: string): number {
    return this.store.watcherCount(kind) + (this.config.extraWatchers[kind] ?? 0);
  }

  private kindSlot(kind: string): KindSlot {
    if (kind === this.lastKind && this.lastKindSlot !== undefined) return this.lastKindSlot;
    let k = this.kindSlots.get(kind);
    if (!k) {
      const resource = this.store.kindInfo(kind).resource;
      k = {
        resource,
        statusResource: `${resource}/status`,
        record: new Array<RecordSlot | undefined>(VERBS).fill(undefined),
        classes: new Array<ClassMemo | undefined>(2 * VERBS).fill(undefined),
      };
      this.kindSlots.set(kind, k);
    }
    this.lastKind = kind;
    this.lastKindSlot = k;
    return k;
  }

  /** The request's APF classification (memoised per kind, verb and subresource). */
  private classify(req: ApiRequest, user: UserInfo): Classification {
    const namespace = req.namespace ?? '';
    const sub = req.subresource;
    if (sub !== undefined && sub !== 'status') {
      return this.apf.classifyResource(user, req.verb, this.resourceOf(req), namespace);
    }
    const k = this.kindSlot(req.kind);
    const i = verbIndex(req.verb) + (sub === undefined ? 0 : VERBS);
    const m = k.classes[i];
    if (m !== undefined && m.user === user && m.namespace === namespace) return m.c;
    const c = this.apf.classifyResource(
      user,
      req.verb,
      sub === undefined ? k.resource : k.statusResource,
      namespace,
    );
    k.classes[i] = { user, namespace, c };
    return c;
  }

  private resourceOf(req: { kind: string; subresource?: string }): string {
    const k = this.kindSlot(req.kind);
    if (!req.subresource) return k.resource;
    return req.subresource === 'status' ? k.statusResource : `${k.resource}/${req.subresource}`;
  }

  private mutatingWorkFor(watchers: number, maxSeats: number): WorkEstimate {
    const m = this.mutatingCache;
    if (m.watchers !== watchers || m.maxSeats !== maxSeats) {
      // The estimate is only read (by APF), so one object serves every request with it.
      this.mutatingCache = { watchers, maxSeats, work: mutatingWork(watchers, maxSeats) };
    }
    return this.mutatingCache.work;
  }

  private listFromCache(req: ApiRequest): boolean {
    if (req.resourceVersion === '0') return true;
    return this.config.consistentListFromCache;
  }

  private workEstimate(req: ApiRequest, c: Classification): WorkEstimate {
    const maxSeats = this.apf.maxSeatsOf(c);
    if (req.verb === 'list') {
      return {
        initialSeats: listSeats({
          numStored: this.store.count(req.kind),
          limit: req.resourceVersion === '0' ? undefined : req.limit,
          hasSelector: !!req.labelSelector && Object.keys(req.labelSelector).length > 0,
          fromCache: this.listFromCache(req),
          avgObjectBytes: this.avgObjectBytes(req.kind),
          estimator: this.config.listWorkEstimator,
          levelMaxSeats: maxSeats,
        }),
        finalSeats: 0,
        additionalLatency: 0,
      };
    }
    if (isMutating(req.verb)) return this.mutatingWorkFor(this.watchers(req.kind), maxSeats);
    return ONE_SEAT;
  }

  /**
   * Handles one request; `done` is called exactly once, with the response, at the virtual
   * time the server finishes (or rejects) it. `user` is who sends it when `req.user` is
   * unset (the REST client's user, passed instead of a copy of the request); without either
   * it is the operator's ServiceAccount.
   */
  handle(req: ApiRequest, done: (res: ApiResponse) => void, user?: UserInfo): void {
    this.handleWith(req, done, undefined, user);
  }

  /**
   * handle() with a callback that also gets `arg` (one long-lived callback for many requests,
   * each with its own argument: no closure per request).
   */
  handleWith<A>(
    req: ApiRequest,
    done: (res: ApiResponse, arg: A) => void,
    arg: A,
    user?: UserInfo,
  ): void {
    const arrivedAt = this.loop.now();
    const cb = done as (res: ApiResponse, arg: unknown) => void;
    if (!this.config.enablePriorityAndFairness) {
      this.handleMaxInflight(req, arrivedAt, cb, arg);
      return;
    }
    const c = this.classify(req, req.user ?? user ?? OPERATOR_USER);
    const work = this.workEstimate(req, c);
    this.apf.admit(new ServerCall(this, req, c, work, arrivedAt, cb, arg));
  }

  /** @internal APF rejected the call: 429 with the level's Retry-After. */
  rejectCall(call: ServerCall, reason: RejectReason, retryAfter: number): void {
    const c = call.c;
    const res: ApiResponse = {
      code: 429,
      error: new StatusError(429, 'TooManyRequests', TOO_MANY_REQUESTS_BODY, retryAfter),
      retryAfterSeconds: retryAfter,
      rejectReason: reason,
      flowSchema: c.flowSchema,
      priorityLevel: c.priorityLevel,
      seats: call.maxSeats,
      arrivedAt: call.arrivedAt,
      completedAt: this.loop.now(),
    };
    this.record(call.req, res);
    call.done(res, call.doneArg);
  }

  /** @internal APF dispatched the call: reads are served now, then the service time runs. */
  executeCall(call: ServerCall): void {
    const req = call.req;
    call.dispatchedAt = this.loop.now();
    const inflation = this.inflation();
    let service: Nanos;
    const st = this.st;
    switch (req.verb) {
      case 'get': {
        const store = this.store;
        store.snapshotResults = req.snapshots === true;
        let r: KubeObject | StatusError;
        try {
          r = store.get(req.kind, req.namespace ?? '', req.name ?? '');
        } finally {
          store.snapshotResults = false;
        }
        if (r instanceof StatusError) call.error = r;
        else call.object = r;
        call.served = true;
        service =
          req.resourceVersion !== undefined
            ? this.rng.lognormalWithSigma(st.getCache.median, this.sigma.getCache)
            : this.rng.lognormalWithSigma(st.getEtcd.median, this.sigma.getEtcd);
        break;
      }
      case 'update':
        service =
          this.rng.lognormalWithSigma(st.update.median, this.sigma.update) + this.extraWriteLatency;
        break;
      default:
        service = this.serviceTime(req, call);
    }
    service = Math.max(1, Math.round(service * inflation));
    this.loop.scheduleWith(this.loop.now() + service, this.completeFn, call);
  }

  /** @internal The call's service time is over: writes are applied, the response sent. */
  completeCall(call: ServerCall): void {
    const req = call.req;
    if (!call.served) this.applyWriteTo(call);
    const error = call.error;
    // The call is the response from here on (object, list, error, times, seats, flow schema
    // and priority level are its own).
    call.code = error ? error.code : req.verb === 'create' ? 201 : 200;
    call.completedAt = this.loop.now();
    if (call.inflight === 0) this.apf.finish(call);
    this.record(req, call);
    if (call.inflight === 2) this.inflightMutating--;
    else if (call.inflight === 1) this.inflightReadOnly--;
    call.done(call, call.doneArg);
  }

  /** Service time of the verbs other than get/update; a list is served here (at dispatch). */
  private serviceTime(req: ApiRequest, call: ServerCall): Nanos {
    const st = this.st;
    switch (req.verb) {
      case 'list': {
        const fromCache = this.listFromCache(req);
        const list = this.store.list(req.kind, {
          namespace: req.namespace,
          labelSelector: req.labelSelector,
          limit: req.resourceVersion === '0' ? undefined : req.limit,
          continue: req.continue,
          snapshots: req.snapshots === true,
        });
        call.list = list;
        call.served = true;
        const bytesPerObj = this.avgObjectBytes(req.kind);
        let service: Nanos;
        if (fromCache) {
          service =
            st.listBase +
            st.listCachePerObject * list.scanned +
            (st.listPerMB * list.items.length * bytesPerObj) / 1e6;
          if (req.resourceVersion !== '0') {
            service += this.rng.lognormalWithSigma(
              st.consistentReadWait.median,
              this.sigma.consistentReadWait,
            );
          }
        } else {
          service =
            st.listBase +
            st.listEtcdPerObject * list.scanned +
            (st.listPerMB * list.scanned * bytesPerObj) / 1e6;
        }
        return service;
      }
      case 'watch':
        call.served = true;
        return st.watchInit;
      case 'create':
        return (
          this.rng.lognormalWithSigma(st.create.median, this.sigma.create) + this.extraWriteLatency
        );
      case 'patch':
        return (
          this.rng.lognormalWithSigma(st.patch.median, this.sigma.patch) + this.extraWriteLatency
        );
      case 'delete':
        return (
          this.rng.lognormalWithSigma(st.delete.median, this.sigma.delete) + this.extraWriteLatency
        );
      default:
        // get and update are handled by executeCall.
        throw new Error(`unexpected verb ${req.verb}`);
    }
  }

  private applyWriteTo(call: ServerCall): void {
    const out = this.applyWrite(call.req);
    call.object = out.object;
    call.list = out.list;
    call.error = out.error;
  }

  private handleMaxInflight(
    req: ApiRequest,
    arrivedAt: Nanos,
    done: (r: ApiResponse, arg: unknown) => void,
    doneArg: unknown,
  ): void {
    const mutating = isMutating(req.verb);
    const f = this.seatsFactor;
    const cap = Math.round(
      (mutating ? this.config.maxMutatingRequestsInflight : this.config.maxRequestsInflight) * f,
    );
    const inflight = mutating ? this.inflightMutating : this.inflightReadOnly;
    if (cap > 0 && inflight >= cap) {
      const res: ApiResponse = {
        code: 429,
        error: new StatusError(429, 'TooManyRequests', TOO_MANY_REQUESTS_BODY, 1),
        retryAfterSeconds: 1,
        flowSchema: '',
        priorityLevel: '',
        seats: 1,
        arrivedAt,
        completedAt: arrivedAt,
      };
      this.record(req, res);
      done(res, doneArg);
      return;
    }
    if (mutating) this.inflightMutating++;
    else this.inflightReadOnly++;
    const call = new ServerCall(this, req, NO_CLASSIFICATION, ONE_SEAT, arrivedAt, done, doneArg);
    call.inflight = mutating ? 2 : 1;
    this.executeCall(call);
  }

  private applyWrite(req: ApiRequest): {
    object?: KubeObject;
    list?: ListResult;
    error?: StatusError;
  } {
    const store = this.store;
    store.snapshotResults = req.snapshots === true;
    try {
      return this.applyWriteOf(req);
    } finally {
      store.snapshotResults = false;
    }
  }

  private applyWriteOf(req: ApiRequest): {
    object?: KubeObject;
    list?: ListResult;
    error?: StatusError;
  } {
    const ns = req.namespace ?? '';
    let r: KubeObject | StatusError;
    switch (req.verb) {
      case 'create':
        r = this.store.create(req.object as NewObject);
        break;
      case 'update':
        r =
          req.subresource === 'status'
            ? this.store.updateStatus(req.object as ObjectUpdate)
            : this.store.update(req.object as ObjectUpdate);
        break;
      case 'patch':
        r = this.store.patch(req.kind, ns, req.name ?? '', req.patch ?? {}, req.subresource);
        break;
      case 'delete':
        r = this.store.delete(
          req.kind,
          ns,
          req.name ?? '',
          req.preconditionResourceVersion !== undefined
            ? { resourceVersion: req.preconditionResourceVersion }
            : undefined,
        );
        break;
      default:
        return {};
    }
    return r instanceof StatusError ? { error: r } : { object: r };
  }

  private record(req: ApiRequest, res: ApiResponse): void {
    const k = this.kindSlot(req.kind);
    const vi = verbIndex(req.verb);
    let slot = k.record[vi];
    if (!slot) {
      const verb = APISERVER_VERB[req.verb];
      const resource = k.resource;
      slot = {
        verb,
        resource,
        total: new Map(),
        lastCode: -1,
        lastTotal: undefined,
        duration: this.metrics.histogramSeries('apiserver_request_duration_seconds', {
          verb,
          resource,
        }),
      };
      k.record[vi] = slot;
    }
    let c: CounterSeries | undefined;
    if (slot.lastCode === res.code) c = slot.lastTotal!;
    else {
      c = slot.total.get(res.code);
      if (!c) {
        c = this.metrics.counter('apiserver_request_total', {
          code: String(res.code),
          verb: slot.verb,
          resource: slot.resource,
        });
        slot.total.set(res.code, c);
      }
      slot.lastCode = res.code;
      slot.lastTotal = c;
    }
    c.inc();
    slot.duration.observe((res.completedAt - res.arrivedAt) / Second);
  }

  /**
   * WATCH through the server: the initialisation holds one seat in APF for `watchInit`, then
   * the store watch is opened. `done` receives the Watch, or a StatusError (410 Expired, or
   * 429 if APF rejected the request).
   */
  watch(
    kind: string,
    opts: WatchOptions,
    handler: (ev: WatchEvent) => void,
    onClose: ((reason: WatchCloseReason) => void) | undefined,
    done: (w: Watch | StatusError) => void,
    user?: UserInfo,
  ): void {
    const req: ApiRequest = { verb: 'watch', kind, namespace: opts.namespace, user };
    this.handle(req, (res) => {
      if (res.code === 429) {
        done(res.error!);
        return;
      }
      done(this.store.watch(kind, opts, handler, onClose));
    });
  }
}
