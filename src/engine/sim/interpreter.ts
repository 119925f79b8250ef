/**
 * The reconcile interpreter: runs SimSettings.reconcile.ops for one reconcile.Request as a
 * simulated process. Every op costs what the real call costs (a cache read: CPU time; an
 * uncached read or a write: a request through the REST client, APF and the server; the
 * apiLimiter: its wait; the external call: its latency), and errors follow Go's control flow:
 *
 * - onError 'return' (default): `if err != nil { return ctrl.Result{}, err }`;
 * - 'ignoreNotFound': `return ctrl.Result{}, client.IgnoreNotFound(err)`: any error ends the
 *   reconcile, NotFound as success;
 * - 'ignore': the error is dropped and the next statement runs.
 *
 * Interpretation rules where the op list is silent (said in sim/README.md):
 * - `create` of a ref whose `get` in this reconcile found the object is skipped: the lab
 *   recognises the usual `if errors.IsNotFound(err) { r.Create(…) }` guard. Without a prior
 *   get the create is sent and an existing object answers 409 AlreadyExists.
 * - `update`/`statusUpdate` send the object as last read (its resourceVersion: a stale cache
 *   read gets 409 Conflict); without a prior read they are unconditional.
 * - 'owned' objects are named like their owner (same namespace and name).
 * - Falling off the end of the ops is `return ctrl.Result{}, nil`.
 */
import type { StatusError } from '../apiserver/errors';
import type { KubeObject } from '../apiserver/object-store';
import type { ListOptions as CacheListOptions } from '../cache/reader';
import type { CachedObject } from '../cache/indexer';
import type { ObjectRef, OnError, ReconcileOp } from '../settings';
import { Millisecond, type Nanos } from '../time';

/** What a reconcile returned (ctrl.Result plus error). */
export interface ReconcileOutcome {
  requeue: boolean;
  requeueAfter: Nanos;
  /** null: no error. */
  err: ReconcileErr | null;
  terminal: boolean;
}

export interface ReconcileErr {
  message: string;
  reason?: string;
  code?: number;
}

export type WriteVerb = 'create' | 'update' | 'patch' | 'delete' | 'statusUpdate' | 'statusPatch';

export interface WriteRequest {
  verb: WriteVerb;
  kind: string;
  namespace: string;
  name: string;
  /** The object as last read (for update: carries its resourceVersion). */
  base?: CachedObject;
  /** The reconciled (owner) object, for owned children and status content. */
  owner?: CachedObject;
  ownerKind: string;
}

/**
 * Where the env reports the result of a call: the running reconcile itself (prototype
 * methods, so a call allocates no callback). `err` null means success.
 */
export interface ReconcileSink {
  readDone(err: ReconcileErr | null, obj: CachedObject | undefined): void;
  listDone(err: ReconcileErr | null, items: readonly CachedObject[]): void;
  writeDone(err: ReconcileErr | null, obj: KubeObject | undefined): void;
  /** limiterWait and external. */
  waitDone(err: ReconcileErr | null): void;
}

/**
 * The world as the reconciler sees it (implemented by the operator in sim/operator.ts). Each
 * call reports once to its sink, synchronously or later; a reconcile has at most one call
 * outstanding.
 */
export interface ReconcileEnv {
  get(kind: string, ns: string, name: string, source: 'cache' | 'api', sink: ReconcileSink): void;
  list(kind: string, opts: CacheListOptions, source: 'cache' | 'api', sink: ReconcileSink): void;
  write(req: WriteRequest, sink: ReconcileSink): void;
  /** r.apiLimiter.Wait(ctx); err when the limiter refuses (e.g. burst 0). */
  limiterWait(sink: ReconcileSink): void;
  external(sink: ReconcileSink): void;
  /** Sleeps d of virtual time (retry backoff). */
  sleep(d: Nanos, cb: () => void): void;
  /** Random float in [0, 1) from the run's seeded stream. */
  random(): number;
  /** The reconcile returned (called exactly once). */
  reconcileDone(o: ReconcileOutcome): void;
}

export interface Request {
  namespace: string;
  name: string;
}

interface Frame {
  ops: readonly ReconcileOp[];
  i: number;
  /** forEach: items and index. */
  items?: readonly CachedObject[];
  itemIndex?: number;
  /** retryOnConflict: attempt count and where to resume. */
  retry?: { attempt: number };
  onEnd?: (err: ReconcileErr | null) => void;
}

/** DefaultRetry of k8s.io/client-go/util/retry: 5 steps, 10 ms, factor 1.0, jitter 0.1. */
export const DEFAULT_RETRY = { steps: 5, duration: 10 * Millisecond, factor: 1.0, jitter: 0.1 };

function isNotFound(e: ReconcileErr): boolean {
  return e.reason === 'NotFound';
}
function isConflict(e: ReconcileErr): boolean {
  return e.reason === 'Conflict';
}

export function toReconcileErr(e: StatusError | ReconcileErr): ReconcileErr {
  return {
    message: e.message,
    reason: 'reason' in e ? e.reason : undefined,
    code: 'code' in e ? e.code : undefined,
  };
}

/** `ref:kind`, the key of an object read or written in a reconcile (one string per op). */
const readKeys = new WeakMap<ReconcileOp, string>();
function readKeyOf(op: ReconcileOp & { ref: ObjectRef; kind: string }): string {
  let k = readKeys.get(op);
  if (k === undefined) readKeys.set(op, (k = `${op.ref}:${op.kind}`));
  return k;
}
const ownerKeys = new Map<string, string>();
function ownerKeyOf(forKind: string): string {
  let k = ownerKeys.get(forKind);
  if (k === undefined) ownerKeys.set(forKind, (k = `request:${forKind}`));
  return k;
}

type RefOp = Extract<ReconcileOp, { ref: ObjectRef }>;
type WriteOp = Extract<ReconcileOp, { op: WriteVerb }>;
type ErrOp = Extract<ReconcileOp, { onError?: OnError }>;

const SUCCESS: Readonly<ReconcileOutcome> = {
  requeue: false,
  requeueAfter: 0,
  err: null,
  terminal: false,
};
/** A fresh `ctrl.Result{}, nil` (outcomes are handed out, so each is its own object). */
function success(): ReconcileOutcome {
  return { ...SUCCESS };
}

/**
 * Runs one reconcile: `env.reconcileDone` is called exactly once with the outcome. Returns
 * nothing: the process advances through the env's calls to the run (its ReconcileSink).
 */
export function runReconcile(
  ops: readonly ReconcileOp[],
  forKind: string,
  req: Request,
  env: ReconcileEnv,
): void {
  new ReconcileRun(ops, forKind, req, env).loop();
}

/**
 * The state of one reconcile, with its steps and the results of its calls as prototype
 * methods (one object per reconcile rather than a set of closures per call).
 */
class ReconcileRun implements ReconcileSink {
  /**
   * Objects read in this reconcile by ref+kind: a map with its first two entries in fields
   * (the usual reconcile reads its object and one child; no Map per reconcile).
   */
  private k0: string | undefined = undefined;
  private v0: CachedObject | undefined = undefined;
  private k1: string | undefined = undefined;
  private v1: CachedObject | undefined = undefined;
  private more: Map<string, CachedObject> | undefined = undefined;
  private lastList: readonly CachedObject[] = [];
  private lastErr: ReconcileErr | null = null;
  private finished = false;
  private readonly stack: Frame[];
  private steps = 0;
  /** The op whose call is outstanding. */
  private cur: ReconcileOp | undefined = undefined;
  /** `loop` as a callback (made on first use). */
  private loopCb: (() => void) | undefined = undefined;

  constructor(
    ops: readonly ReconcileOp[],
    private readonly forKind: string,
    private readonly req: Request,
    private readonly env: ReconcileEnv,
  ) {
    this.stack = [{ ops, i: 0 }];
  }

  private finish(o: ReconcileOutcome): void {
    if (this.finished) return;
    this.finished = true;
    this.env.reconcileDone(o);
  }

  private returnErr(err: ReconcileErr): void {
    this.finish({ requeue: false, requeueAfter: 0, err, terminal: false });
  }

  private readGet(k: string): CachedObject | undefined {
    if (k === this.k0) return this.v0;
    if (k === this.k1) return this.v1;
    return this.more?.get(k);
  }

  private readHas(k: string): boolean {
    return k === this.k0 || k === this.k1 || (this.more?.has(k) ?? false);
  }

  private readSet(k: string, v: CachedObject): void {
    if (k === this.k0) this.v0 = v;
    else if (k === this.k1) this.v1 = v;
    else if (this.more?.has(k)) this.more.set(k, v);
    else if (this.k0 === undefined) {
      this.k0 = k;
      this.v0 = v;
    } else if (this.k1 === undefined) {
      this.k1 = k;
      this.v1 = v;
    } else (this.more ??= new Map()).set(k, v);
  }

  private readDelete(k: string): void {
    if (k === this.k0) {
      this.k0 = undefined;
      this.v0 = undefined;
    } else if (k === this.k1) {
      this.k1 = undefined;
      this.v1 = undefined;
    } else this.more?.delete(k);
  }

  /** The current forEach item, if an op refers to 'item' inside a forEach. */
  private currentItem(): CachedObject | undefined {
    const stack = this.stack;
    for (let j = stack.length - 1; j >= 0; j--) {
      const fr = stack[j]!;
      if (fr.items !== undefined) return fr.items[(fr.itemIndex ?? 1) - 1];
    }
    return undefined;
  }

  /** The object last read for an op's ref (the item itself for a forEach item not read yet). */
  private baseOf(op: RefOp): CachedObject | undefined {
    if (op.ref === 'item') {
      const it = this.currentItem();
      if (it) return this.readGet(`item:${op.kind}`) ?? it;
    }
    return this.readGet(readKeyOf(op));
  }

  private targetNs(op: RefOp): string {
    if (op.ref === 'item') {
      const it = this.currentItem();
      if (it) return it.metadata.namespace;
    }
    return this.req.namespace;
  }

  private targetName(op: RefOp): string {
    if (op.ref === 'item') {
      const it = this.currentItem();
      if (it) return it.metadata.name;
    }
    return this.req.name;
  }

  // ---- ReconcileSink: results of the outstanding call of `cur` ----

  readDone(err: ReconcileErr | null, obj: CachedObject | undefined): void {
    const op = this.cur as Extract<ReconcileOp, { op: 'get' }>;
    if (err) {
      this.readDelete(readKeyOf(op));
      return this.onErr(err, op.onError);
    }
    this.readSet(readKeyOf(op), obj!);
    this.step();
  }

  listDone(err: ReconcileErr | null, items: readonly CachedObject[]): void {
    const op = this.cur as Extract<ReconcileOp, { op: 'list' }>;
    if (err) return this.onErr(err, op.onError);
    this.lastList = items;
    this.step();
  }

  writeDone(err: ReconcileErr | null, obj: KubeObject | undefined): void {
    const op = this.cur as WriteOp;
    if (err) return this.onErr(err, op.onError);
    if (obj && op.op !== 'delete') this.readSet(readKeyOf(op), obj);
    if (op.op === 'delete') this.readDelete(readKeyOf(op));
    this.step();
  }

  waitDone(err: ReconcileErr | null): void {
    if (err) return this.onErr(err, (this.cur as ErrOp).onError);
    this.step();
  }

  /** Handles an op's error by its onError, then continues after the op. */
  private onErr(err: ReconcileErr, mode: OnError | undefined): void {
    this.lastErr = err;
    const m = mode ?? 'return';
    if (m === 'ignore') return this.step();
    // Inside retryOnConflict the closure returns the error to RetryOnConflict.
    const rf = this.innermostRetry();
    if (rf !== undefined) return this.unwindTo(rf, err);
    if (m === 'ignoreNotFound' && isNotFound(err)) return this.finish(success());
    this.returnErr(err);
  }

  private innermostRetry(): number | undefined {
    const stack = this.stack;
    for (let j = stack.length - 1; j >= 0; j--) if (stack[j]!.retry) return j;
    return undefined;
  }

  /** The closure of retryOnConflict at depth j returned err. */
  private unwindTo(j: number, err: ReconcileErr | null): void {
    const f = this.stack[j]!;
    this.stack.length = j + 1;
    f.onEnd?.(err);
  }

  private step(): void {
    if (this.finished) return;
    // Guard against deep synchronous recursion: yield to the loop every so often.
    if (++this.steps % 64 === 0) {
      return this.env.sleep(0, (this.loopCb ??= () => this.loop()));
    }
    this.loop();
  }

  /** Enters a retryOnConflict block (its own method: the closure captures only its frame). */
  private retryOnConflict(op: Extract<ReconcileOp, { op: 'retryOnConflict' }>): void {
    const stack = this.stack;
    const env = this.env;
    const frame: Frame = { ops: op.body, i: 0, retry: { attempt: 1 } };
    const depth = stack.length;
    frame.onEnd = (err) => {
      // RetryOnConflict: retry the closure only on Conflict, up to DefaultRetry.steps.
      if (err && isConflict(err) && frame.retry!.attempt < DEFAULT_RETRY.steps) {
        const d = Math.round(DEFAULT_RETRY.duration * (1 + env.random() * DEFAULT_RETRY.jitter));
        frame.retry!.attempt++;
        env.sleep(d, () => {
          stack.length = depth;
          frame.i = 0;
          stack.push(frame);
          this.step();
        });
        return;
      }
      stack.length = depth;
      if (err) return this.onErr(err, op.onError);
      this.step();
    };
    stack.push(frame);
    this.step();
  }

  loop(): void {
    if (this.finished) return;
    const stack = this.stack;
    const env = this.env;
    const f = stack[stack.length - 1];
    if (!f) return this.finish(success());
    if (f.i >= f.ops.length) {
      // End of a block.
      if (f.items !== undefined && (f.itemIndex ?? 0) < f.items.length) {
        f.itemIndex = (f.itemIndex ?? 0) + 1;
        f.i = 0;
        this.readDelete(`item:${this.forKind}`);
        return this.step();
      }
      if (stack.length === 1) return this.finish(success());
      if (f.retry) return this.unwindTo(stack.length - 1, null);
      stack.pop();
      return this.step();
    }
    const op = f.ops[f.i++]!;
    this.cur = op;
    switch (op.op) {
      case 'get':
        env.get(op.kind, this.targetNs(op), this.targetName(op), op.source, this);
        return;
      case 'list': {
        const req = this.req;
        const namespace = op.namespace === 'request' ? req.namespace : (op.namespace ?? '');
        env.list(
          op.kind,
          {
            namespace,
            matchingLabels: op.matchingLabels,
            matchingFields: op.matchingFields,
            limit: op.limit,
          },
          op.source,
          this,
        );
        return;
      }
      case 'create':
      case 'update':
      case 'patch':
      case 'delete':
      case 'statusUpdate':
      case 'statusPatch': {
        if (op.op === 'create' && this.readHas(readKeyOf(op))) return this.step();
        const forKind = this.forKind;
        env.write(
          {
            verb: op.op,
            kind: op.kind,
            namespace: this.targetNs(op),
            name: this.targetName(op),
            base: this.baseOf(op),
            owner: this.readGet(ownerKeyOf(forKind)),
            ownerKind: forKind,
          },
          this,
        );
        return;
      }
      case 'limiterWait':
        env.limiterWait(this);
        return;
      case 'external':
        env.external(this);
        return;
      case 'forEach': {
        const items = this.lastList;
        if (items.length === 0 || op.body.length === 0) return this.step();
        stack.push({ ops: op.body, i: 0, items, itemIndex: 1 });
        return this.step();
      }
      case 'retryOnConflict':
        return this.retryOnConflict(op);
      case 'return': {
        if (op.error === 'terminal') {
          return this.finish({
            requeue: false,
            requeueAfter: 0,
            err: this.lastErr ?? { message: 'terminal error' },
            terminal: true,
          });
        }
        const err = op.error === 'err' ? this.lastErr : null;
        return this.finish({
          requeue: op.requeue ?? false,
          requeueAfter: op.requeueAfter ?? 0,
          err,
          terminal: false,
        });
      }
    }
  }
}
