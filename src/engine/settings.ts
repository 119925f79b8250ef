/**
 * SimSettings: everything the learner's Go code decides, as data. Produced by src/lab-config
 * (compileLabText) from the editor text, consumed by the engine through src/worker. This file
 * is the contract between those folders: change it with care and keep it JSON-like (numbers,
 * strings, booleans, arrays, plain objects; Infinity is allowed for rate.Inf because
 * structured clone keeps it).
 */
import type { Nanos } from './time';

/** controller-runtime versions whose defaults differ (controller-semantics.md §9). */
export type CrVersion = 'v0.19' | 'v0.20' | 'v0.22' | 'v0.23';
export const CR_VERSIONS: readonly CrVersion[] = ['v0.19', 'v0.20', 'v0.22', 'v0.23'];
/** "latest" in the UI. */
export const LATEST_CR_VERSION: CrVersion = 'v0.23';

/** A workqueue rate limiter as the learner wrote it (client-go util/workqueue). */
export type RateLimiterSpec =
  /** No RateLimiter option: the version's default (see profiles). */
  | { kind: 'default' }
  /** workqueue.DefaultTypedControllerRateLimiter[…]() written explicitly. */
  | { kind: 'defaultController' }
  /** workqueue.DefaultTypedItemBasedRateLimiter[…]() */
  | { kind: 'defaultItemBased' }
  | { kind: 'itemExponentialFailure'; baseDelay: Nanos; maxDelay: Nanos }
  | { kind: 'itemFastSlow'; fastDelay: Nanos; slowDelay: Nanos; maxFastAttempts: number }
  /** &workqueue.TypedBucketRateLimiter[…]{Limiter: rate.NewLimiter(rate.Limit(qps), burst)} */
  | { kind: 'bucket'; qps: number; burst: number }
  | { kind: 'maxOf'; limiters: RateLimiterSpec[] }
  | { kind: 'withMaxWait'; limiter: RateLimiterSpec; maxDelay: Nanos };

/** Where an op came from in the editor text (1-based lines), so traces can point at code. */
export interface OpSource {
  line: number;
}

/** What happens when a call in Reconcile returns an error. */
export type OnError =
  /** `if err != nil { return ctrl.Result{}, err }` (the common form). */
  | 'return'
  /** `client.IgnoreNotFound(err)`: NotFound is not an error, anything else returns. */
  | 'ignoreNotFound'
  /** The error is dropped (or only logged). */
  | 'ignore';

/** Which object a call addresses. */
export type ObjectRef =
  /** The object named by the reconcile.Request. */
  | 'request'
  /** An object owned by the request's object (e.g. its StatefulSet), same namespace and name. */
  | 'owned'
  /** The current item of the innermost `for … range list.Items` loop. */
  | 'item';

/** One recognised statement of the Reconcile body, in program order. */
export type ReconcileOp = (
  | { op: 'get'; kind: string; ref: ObjectRef; source: 'cache' | 'api' }
  | {
      op: 'list';
      kind: string;
      source: 'cache' | 'api';
      /** client.InNamespace(req.Namespace) → 'request'; a literal namespace; or all namespaces. */
      namespace?: 'request' | string;
      matchingLabels?: Record<string, string>;
      matchingFields?: Record<string, string>;
      /** &client.ListOptions{Limit: n} / client.Limit(n) */
      limit?: number;
    }
  | { op: 'create' | 'update' | 'patch' | 'delete'; kind: string; ref: ObjectRef }
  /** r.Status().Update(ctx, obj) / r.Status().Patch(...) */
  | { op: 'statusUpdate' | 'statusPatch'; kind: string; ref: ObjectRef }
  /** r.apiLimiter.Wait(ctx) */
  | { op: 'limiterWait' }
  /** The external API call the limiter guards (e.g. r.externalAPI.Call(ctx, …)). */
  | { op: 'external' }
  /** for _, item := range list.Items { … } over the most recent List's result. */
  | { op: 'forEach'; body: ReconcileOp[] }
  /** retry.RetryOnConflict(retry.DefaultRetry, func() error { … }) */
  | { op: 'retryOnConflict'; body: ReconcileOp[] }
  /**
   * return ctrl.Result{…}, err. `error`: 'nil' | 'err' (the last error, or nil if none) |
   * 'terminal' (reconcile.TerminalError(err)).
   */
  | { op: 'return'; requeue?: boolean; requeueAfter?: Nanos; error: 'nil' | 'err' | 'terminal' }
) & { onError?: OnError; src?: OpSource };

export interface SimSettings {
  version: CrVersion;
  controller: {
    /** Builder default: lower-case Kind of For(). */
    name: string;
    forKind: string;
    owns: string[];
    maxConcurrentReconciles: number;
    rateLimiter: RateLimiterSpec;
    /** undefined: the version's default. */
    usePriorityQueue?: boolean;
    /** undefined: the version's default. */
    recoverPanic?: boolean;
    /** 0: no timeout (the default). */
    reconciliationTimeout: Nanos;
    cacheSyncTimeout: Nanos;
  };
  /** rest.Config QPS/Burst. 'default' = the version profile's value. QPS < 0 turns the limiter off. */
  client: { qps: number | 'default'; burst: number | 'default' };
  manager: {
    /** cache.Options.SyncPeriod; default 10 h. */
    syncPeriod: Nanos;
    leaderElection: boolean;
    replicas: number;
    metricsBindAddress: string;
  };
  /** mgr.GetFieldIndexer().IndexField(ctx, &T{}, field, …) */
  indexes: { kind: string; field: string }[];
  /** The reconciler's apiLimiter: rate.NewLimiter(limit, burst); absent if none. */
  apiLimiter?: { limit: number; burst: number };
  reconcile: {
    /**
     * 'workqueue': the normal controller. 'batch': the lesson's ReconcileBatch loop (one
     * reconcile handles many requests in sequence). 'parallel': the lesson's ReconcileParallel
     * (one goroutine per request, outside the workqueue).
     */
    mode: 'workqueue' | 'batch' | 'parallel';
    ops: ReconcileOp[];
  };
}
