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
  const key = `${req.namespace}/${req.name}`;
  /** Objects read in this reconcile by ref+kind. */
  const read = new Map<string, CachedObject>();
  /** Refs whose get found the object (for the create guard). */
  let lastList: readonly CachedObject[] = [];
  let lastErr: ReconcileErr | null = null;
  let finished = false;
  const stack: Frame[] = [{ ops, i: 0 }];
  let steps = 0;

  const finish = (o: ReconcileOutcome): void => {
    if (finished) return;
    finished = true;
    done(o);
  };
  const returnErr = (err: ReconcileErr): void =>
    finish({ requeue: false, requeueAfter: 0, err, terminal: false });

  const refTarget = (
    ref: ObjectRef,
    kind: string,
  ): { ns: string; name: string; base?: CachedObject } => {
    if (ref === 'item') {
      const f = [...stack].reverse().find((fr) => fr.items !== undefined);
      const it = f?.items?.[(f.itemIndex ?? 1) - 1];
      if (it)
        return {
          ns: it.metadata.namespace,
          name: it.metadata.name,
          base: read.get(`item:${kind}`) ?? it,
        };
    }
    return { ns: req.namespace, name: req.name, base: read.get(`${ref}:${kind}`) };
  };

  /** Handles an op's error by its onError; `next` continues after the op. */
  const onErr = (err: ReconcileErr, mode: OnError | undefined, next: () => void): void => {
    lastErr = err;
    const m = mode ?? 'return';
    if (m === 'ignore') return next();
    // Inside retryOnConflict the closure returns the error to RetryOnConflict.
    const rf = innermostRetry();
    if (rf !== undefined) return unwindTo(rf, err);
    if (m === 'ignoreNotFound' && isNotFound(err)) {
      return finish({ requeue: false, requeueAfter: 0, err: null, terminal: false });
    }
    returnErr(err);
  };

  const innermostRetry = (): number | undefined => {
    for (let j = stack.length - 1; j >= 0; j--) if (stack[j]!.retry) return j;
    return undefined;
  };

  /** The closure of retryOnConflict at depth j returned err. */
  const unwindTo = (j: number, err: ReconcileErr | null): void => {
    const f = stack[j]!;
    stack.length = j + 1;
    f.onEnd?.(err);
  };

  const step = (): void => {
    if (finished) return;
    // Guard against deep synchronous recursion: yield to the loop every so often.
    if (++steps % 64 === 0) return env.sleep(0, loop);
    loop();
  };

  const loop = (): void => {
    if (finished) return;
    const f = stack[stack.length - 1];
    if (!f) return finish({ requeue: false, requeueAfter: 0, err: null, terminal: false });
    if (f.i >= f.ops.length) {
      // End of a block.
      if (f.items !== undefined && (f.itemIndex ?? 0) < f.items.length) {
        f.itemIndex = (f.itemIndex ?? 0) + 1;
        f.i = 0;
        read.delete(`item:${forKind}`);
        return step();
      }
      if (stack.length === 1)
        return finish({ requeue: false, requeueAfter: 0, err: null, terminal: false });
      if (f.retry) return unwindTo(stack.length - 1, null);
      stack.pop();
      return step();
    }
    const op = f.ops[f.i++]!;
    const next = step;
    switch (op.op) {
      case 'get': {
        const t = refTarget(op.ref, op.kind);
        env.get(op.kind, t.ns, t.name, op.source, key, (r) => {
          if (!r.ok) {
            read.delete(`${op.ref}:${op.kind}`);
            return onErr(r.err, op.onError, next);
          }
          read.set(`${op.ref}:${op.kind}`, r.obj);
          next();
        });
        return;
      }
      case 'list': {
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
            if (!r.ok) return onErr(r.err, op.onError, next);
            lastList = r.items;
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
        const t = refTarget(op.ref, op.kind);
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
            if (!r.ok) return onErr(r.err, op.onError, next);
            if (r.obj && op.op !== 'delete') read.set(`${op.ref}:${op.kind}`, r.obj);
            if (op.op === 'delete') read.delete(`${op.ref}:${op.kind}`);
            next();
          },
        );
        return;
      }
      case 'limiterWait':
        env.limiterWait(key, (err) => (err ? onErr(err, op.onError, next) : next()));
        return;
      case 'external':
        env.external(key, (err) => (err ? onErr(err, op.onError, next) : next()));
        return;
      case 'forEach': {
        const items = lastList;
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
              step();
            });
            return;
          }
          stack.length = depth;
          if (err) return onErr(err, op.onError, next);
          next();
        };
        stack.push(frame);
        return next();
      }
      case 'return': {
        if (op.error === 'terminal') {
          return finish({
            requeue: false,
            requeueAfter: 0,
            err: lastErr ?? { message: 'terminal error' },
            terminal: true,
          });
        }
        const err = op.error === 'err' ? lastErr : null;
        return finish({
          requeue: op.requeue ?? false,
          requeueAfter: op.requeueAfter ?? 0,
          err,
          terminal: false,
        });
      }
    }
  };

  loop();
}
