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

export type ReadResult = { ok: true; obj: CachedObject } | { ok: false; err: ReconcileErr };
export type ListReadResult =
  { ok: true; items: readonly CachedObject[] } | { ok: false; err: ReconcileErr };
export type WriteResult = { ok: true; obj?: KubeObject } | { ok: false; err: ReconcileErr };

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

/** The world as the reconciler sees it (implemented by the operator in sim/operator.ts). */
export interface ReconcileEnv {
  now(): Nanos;
  get(
    kind: string,
    ns: string,
    name: string,
    source: 'cache' | 'api',
    key: string,
    cb: (r: ReadResult) => void,
  ): void;
  list(
    kind: string,
    opts: CacheListOptions,
    source: 'cache' | 'api',
    key: string,
    cb: (r: ListReadResult) => void,
  ): void;
  write(req: WriteRequest, key: string, cb: (r: WriteResult) => void): void;
  /** r.apiLimiter.Wait(ctx); err when the limiter refuses (e.g. burst 0). */
  limiterWait(key: string, cb: (err: ReconcileErr | null) => void): void;
  external(key: string, cb: (err: ReconcileErr | null) => void): void;
  /** Sleeps d of virtual time (retry backoff). */
  sleep(d: Nanos, cb: () => void): void;
  /** Random float in [0, 1) from the run's seeded stream. */
  random(): number;
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

/**
 * Runs one reconcile. `done` is called exactly once with the outcome. Returns nothing: the
 * process advances through callbacks scheduled by the env.
 */
export function runReconcile(
  ops: readonly ReconcileOp[],
  forKind: string,
  req: Request,
  env: ReconcileEnv,
  done: (o: ReconcileOutcome) => void,
): void {
  new ReconcileRun(ops, forKind, req, env, done).loop();
}

/**
 * The state of one reconcile, with its steps as prototype methods (one object per reconcile
 * rather than a set of closures per reconcile).
 */
class ReconcileRun {
  private readonly key: string;
  /** Objects read in this reconcile by ref+kind. */
  private readonly read = new Map<string, CachedObject>();
  private lastList: readonly CachedObject[] = [];
  private lastErr: ReconcileErr | null = null;
  private finished = false;
  private readonly stack: Frame[];
  private steps = 0;
  /** `step` and `loop` as callbacks (made once per reconcile). */
  private readonly next: () => void;
  private readonly loopCb: () => void;

  constructor(
    ops: readonly ReconcileOp[],
    private readonly forKind: string,
    private readonly req: Request,
    private readonly env: ReconcileEnv,
    private readonly done: (o: ReconcileOutcome) => void,
  ) {
    this.key = `${req.namespace}/${req.name}`;
    this.stack = [{ ops, i: 0 }];
    this.next = () => this.step();
    this.loopCb = () => this.loop();
  }

  private finish(o: ReconcileOutcome): void {
    if (this.finished) return;
    this.finished = true;
    this.done(o);
  }

  private returnErr(err: ReconcileErr): void {
    this.finish({ requeue: false, requeueAfter: 0, err, terminal: false });
  }

  private refTarget(
    ref: ObjectRef,
    kind: string,
  ): { ns: string; name: string; base?: CachedObject } {
    if (ref === 'item') {
      const f = [...this.stack].reverse().find((fr) => fr.items !== undefined);
      const it = f?.items?.[(f.itemIndex ?? 1) - 1];
      if (it)
        return {
          ns: it.metadata.namespace,
          name: it.metadata.name,
          base: this.read.get(`item:${kind}`) ?? it,
        };
    }
    return { ns: this.req.namespace, name: this.req.name, base: this.read.get(`${ref}:${kind}`) };
  }

  /** Handles an op's error by its onError, then continues after the op (`next`). */
  private onErr(err: ReconcileErr, mode: OnError | undefined): void {
    this.lastErr = err;
    const m = mode ?? 'return';
    if (m === 'ignore') return this.step();
    // Inside retryOnConflict the closure returns the error to RetryOnConflict.
    const rf = this.innermostRetry();
    if (rf !== undefined) return this.unwindTo(rf, err);
    if (m === 'ignoreNotFound' && isNotFound(err)) {
      return this.finish({ requeue: false, requeueAfter: 0, err: null, terminal: false });
    }
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
    if (++this.steps % 64 === 0) return this.env.sleep(0, this.loopCb);
    this.loop();
  }

  loop(): void {
    if (this.finished) return;
    const stack = this.stack;
    const read = this.read;
    const forKind = this.forKind;
    const env = this.env;
    const key = this.key;
    const f = stack[stack.length - 1];
    if (!f) return this.finish({ requeue: false, requeueAfter: 0, err: null, terminal: false });
    if (f.i >= f.ops.length) {
      // End of a block.
      if (f.items !== undefined && (f.itemIndex ?? 0) < f.items.length) {
        f.itemIndex = (f.itemIndex ?? 0) + 1;
        f.i = 0;
        read.delete(`item:${forKind}`);
        return this.step();
      }
      if (stack.length === 1)
        return this.finish({ requeue: false, requeueAfter: 0, err: null, terminal: false });
      if (f.retry) return this.unwindTo(stack.length - 1, null);
      stack.pop();
      return this.step();
    }
    const op = f.ops[f.i++]!;
    const next = this.next;
    switch (op.op) {
      case 'get': {
        const t = this.refTarget(op.ref, op.kind);
        env.get(op.kind, t.ns, t.name, op.source, key, (r) => {
          if (!r.ok) {
            read.delete(`${op.ref}:${op.kind}`);
            return this.onErr(r.err, op.onError);
          }
          read.set(`${op.ref}:${op.kind}`, r.obj);
          next();
        });
        return;
      }
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
          key,
          (r) => {
            if (!r.ok) return this.onErr(r.err, op.onError);
            this.lastList = r.items;
            next();
          },
        );
        return;
      }
      case 'create':
      case 'update':
      case 'patch':
      case 'delete':
      case 'statusUpdate':
      case 'statusPatch': {
        const t = this.refTarget(op.ref, op.kind);
        if (op.op === 'create' && read.has(`${op.ref}:${op.kind}`)) return next();
        const owner = read.get(`request:${forKind}`);
        env.write(
          {
            verb: op.op,
            kind: op.kind,
            namespace: t.ns,
            name: t.name,
            base: t.base,
            owner,
            ownerKind: forKind,
          },
          key,
          (r) => {
            if (!r.ok) return this.onErr(r.err, op.onError);
            if (r.obj && op.op !== 'delete') read.set(`${op.ref}:${op.kind}`, r.obj);
            if (op.op === 'delete') read.delete(`${op.ref}:${op.kind}`);
            next();
          },
        );
        return;
      }
      case 'limiterWait':
        env.limiterWait(key, (err) => (err ? this.onErr(err, op.onError) : next()));
        return;
      case 'external':
        env.external(key, (err) => (err ? this.onErr(err, op.onError) : next()));
        return;
      case 'forEach': {
        const items = this.lastList;
        if (items.length === 0 || op.body.length === 0) return next();
        stack.push({ ops: op.body, i: 0, items, itemIndex: 1 });
        return next();
      }
      case 'retryOnConflict': {
        const frame: Frame = { ops: op.body, i: 0, retry: { attempt: 1 } };
        const depth = stack.length;
        frame.onEnd = (err) => {
          // RetryOnConflict: retry the closure only on Conflict, up to DefaultRetry.steps.
          if (err && isConflict(err) && frame.retry!.attempt < DEFAULT_RETRY.steps) {
            const d = Math.round(
              DEFAULT_RETRY.duration * (1 + env.random() * DEFAULT_RETRY.jitter),
            );
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
          next();
        };
        stack.push(frame);
        return next();
      }
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
