/**
 * Hover documentation: for each knob id and each recognised constructor / option, what it
 * does, its real default for the chosen controller-runtime version, and where that comes
 * from (a section of /work/shared/reference, copied into ARCHITECTURE's reference list).
 */
import type { CrVersion } from '../engine/settings';

export interface KnobDoc {
  /** Knob id or Go identifier (e.g. 'maxConcurrentReconciles', 'NewTypedMaxOfRateLimiter'). */
  id: string;
  title: string;
  /** What it does, in one or two sentences. */
  summary: string;
  /** The real default for this version, as Go would write it (or "none"). */
  default: string;
  /** Where the default and semantics come from. */
  source: string;
}

const CS = 'controller-semantics.md';

function v(version: CrVersion): number {
  return Number(version.slice(3));
}

export function knobDocs(version: CrVersion): Record<string, KnobDoc> {
  const n = v(version);
  const pq = n >= 23;
  const defaultLimiter = pq
    ? 'workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](5*time.Millisecond, 1000*time.Second) (with the priority queue, the v0.23 default)'
    : 'workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]() = MaxOf(exponential 5ms…1000s, bucket 10 qps / burst 100)';
  const docs: KnobDoc[] = [
    {
      id: 'maxConcurrentReconciles',
      title: 'MaxConcurrentReconciles',
      summary:
        'Number of worker goroutines that call Reconcile in parallel. A key is never handed to two workers at once. Values ≤ 0 mean 1.',
      default: '1',
      source: `${CS} §4.1`,
    },
    {
      id: 'rateLimiter',
      title: 'RateLimiter',
      summary:
        'Decides how long a failed (or Requeue: true) item waits before it is retried: When(item) records a failure and returns the delay; Forget resets it.',
      default: defaultLimiter,
      source: `${CS} §4.1, §2`,
    },
    {
      id: 'rateLimiter.baseDelay',
      title: 'Exponential base delay',
      summary:
        'First retry waits exactly base; each further failure doubles it (base × 2^n), capped at the max delay. 5ms: 5, 10, 20 … 655.36s, then 1000s from the 19th failure.',
      default: '5*time.Millisecond',
      source: `${CS} §2`,
    },
    {
      id: 'rateLimiter.maxDelay',
      title: 'Exponential max delay / max wait',
      summary:
        'Cap on the per-item delay (for NewTypedWithMaxWaitRateLimiter: min(inner delay, maxDelay)).',
      default: '1000*time.Second',
      source: `${CS} §2`,
    },
    {
      id: 'rateLimiter.fastDelay',
      title: 'Fast delay',
      summary: 'ItemFastSlow: the delay for the first maxFastAttempts failures of an item.',
      default: 'none (no default fast/slow limiter)',
      source: `${CS} §2`,
    },
    {
      id: 'rateLimiter.slowDelay',
      title: 'Slow delay',
      summary: 'ItemFastSlow: the delay once an item has failed more than maxFastAttempts times.',
      default: 'none',
      source: `${CS} §2`,
    },
    {
      id: 'rateLimiter.maxFastAttempts',
      title: 'Max fast attempts',
      summary: 'ItemFastSlow: failures counted first, then fast while failures ≤ maxFastAttempts.',
      default: 'none',
      source: `${CS} §2`,
    },
    {
      id: 'rateLimiter.qps',
      title: 'Bucket rate (qps)',
      summary:
        'TypedBucketRateLimiter: one token bucket shared by all items; every When reserves a token, possibly in the future. rate.Inf admits everything.',
      default: pq
        ? 'not used by default in v0.23 (priority queue)'
        : 'rate.Limit(10) inside the default controller limiter',
      source: `${CS} §2, §3`,
    },
    {
      id: 'rateLimiter.burst',
      title: 'Bucket burst',
      summary:
        'Tokens the shared bucket holds (it starts full). Burst 0 with a finite rate: When returns rate.InfDuration.',
      default: pq
        ? 'not used by default in v0.23 (priority queue)'
        : '100 inside the default controller limiter',
      source: `${CS} §2, §3`,
    },
    {
      id: 'usePriorityQueue',
      title: 'UsePriorityQueue',
      summary:
        "controller-runtime's priority queue instead of client-go's workqueue: initial-list and resync events get low priority; delays merge into queued items; it does not drain on shutdown.",
      default:
        n < 20
          ? 'not available before v0.20'
          : pq
            ? 'true (since v0.23)'
            : 'false (opt-in from v0.20)',
      source: `${CS} §4.1, §1.4, §9`,
    },
    {
      id: 'recoverPanic',
      title: 'RecoverPanic',
      summary:
        'A panic in Reconcile becomes the error "panic: <value> [recovered]" and is retried with backoff.',
      default: 'true (since v0.19)',
      source: `${CS} §4.1`,
    },
    {
      id: 'reconciliationTimeout',
      title: 'ReconciliationTimeout',
      summary:
        "Wraps each Reconcile's context with this timeout; the reconciler is not killed, only its context is cancelled.",
      default: n < 22 ? 'not available before v0.22' : '0 (no timeout)',
      source: `${CS} §4.1`,
    },
    {
      id: 'cacheSyncTimeout',
      title: 'CacheSyncTimeout',
      summary:
        'Time allowed for each source to start and for its cache to sync before the controller fails.',
      default: '2*time.Minute',
      source: `${CS} §4.1`,
    },
    {
      id: 'client.qps',
      title: 'rest.Config QPS',
      summary:
        'Client-side token bucket per client and resource type: requests beyond it wait ("Waited for … due to client-side throttling"). Negative turns it off; 0 means the default.',
      default:
        n <= 20
          ? '20 (ctrl.GetConfig sets QPS 20 when 0; raw client-go: 5)'
          : '-1: client-side limiting off (ctrl.GetConfig since v0.21; raw client-go: 5)',
      source: `${CS} §6`,
    },
    {
      id: 'client.burst',
      title: 'rest.Config Burst',
      summary: 'Requests the client bucket admits at once before throttling to QPS.',
      default:
        n <= 20
          ? '30 (ctrl.GetConfig sets Burst 30 when 0; raw client-go: 10)'
          : "unset: client-go's 10 when a QPS ≥ 0 is set",
      source: `${CS} §6`,
    },
    {
      id: 'manager.syncPeriod',
      title: 'Cache SyncPeriod',
      summary:
        'How often each informer replays every cached object as an update event (a local resync, not a relist), jittered by [0.9, 1.1).',
      default: '10*time.Hour',
      source: `${CS} §7`,
    },
    {
      id: 'manager.leaderElection',
      title: 'LeaderElection',
      summary:
        'Only the replica holding the Lease runs the controllers; the others wait. Lease 15s, renew deadline 10s, retry 2s.',
      default: 'false',
      source: `${CS} §4.3`,
    },
    {
      id: 'manager.metricsBindAddress',
      title: 'Metrics BindAddress',
      summary:
        'Where /metrics is served (plain HTTP); "0" disables it. Kubebuilder v4 scaffolds pass "0" or ":8443" (HTTPS).',
      default: '":8080" (library default)',
      source: `${CS} §5.4`,
    },
    {
      id: 'replicas',
      title: 'replicas (lab)',
      summary:
        'How many copies of the operator the lab runs (the Deployment replicas). Without LeaderElection every replica reconciles.',
      default: '1',
      source: 'lab convention (src/lab-config/README.md)',
    },
    {
      id: 'apiLimiter.limit',
      title: 'apiLimiter rate',
      summary:
        'golang.org/x/time/rate token bucket guarding the external API: Wait blocks until a token is available. rate.Every(d) = 1/d; rate.Inf never waits.',
      default: 'none (your own rate.NewLimiter)',
      source: `${CS} §3`,
    },
    {
      id: 'apiLimiter.burst',
      title: 'apiLimiter burst',
      summary:
        'Tokens available at once (the bucket starts full). Burst 0: Wait fails with "rate: Wait(n=1) exceeds limiter\'s burst 0".',
      default: 'none',
      source: `${CS} §3`,
    },
    {
      id: 'reconcile.requeueAfter',
      title: 'RequeueAfter',
      summary:
        'Forget(req) then AddAfter(req, d): the object is reconciled again after d. Ignored (with a warning) when an error is returned too.',
      default: 'none',
      source: `${CS} §4.2`,
    },
    {
      id: 'reconcile.listLimit',
      title: 'List Limit',
      summary:
        'The cache honours Limit (an arbitrary subset) but not pagination: since v0.21 every cached List returns Continue "continue-not-supported".',
      default: 'none (all objects)',
      source: `${CS} §7`,
    },
    // Constructors and calls (hover on the identifier).
    {
      id: 'NewTypedItemExponentialFailureRateLimiter',
      title: 'workqueue.NewTypedItemExponentialFailureRateLimiter[T](base, max)',
      summary:
        'Per-item exponential backoff: base × 2^failures, capped at max. The first failure waits exactly base.',
      default: 'base 5ms, max 1000s in the controller defaults',
      source: `${CS} §2`,
    },
    {
      id: 'NewTypedItemFastSlowRateLimiter',
      title: 'workqueue.NewTypedItemFastSlowRateLimiter[T](fast, slow, maxFastAttempts)',
      summary: 'Per item: fast while failures ≤ maxFastAttempts, then slow.',
      default: 'none',
      source: `${CS} §2`,
    },
    {
      id: 'NewTypedMaxOfRateLimiter',
      title: 'workqueue.NewTypedMaxOfRateLimiter(limiters...)',
      summary:
        'Calls every limiter (each records a failure or takes a token) and waits for the largest delay.',
      default: 'none',
      source: `${CS} §2`,
    },
    {
      id: 'NewTypedWithMaxWaitRateLimiter',
      title: 'workqueue.NewTypedWithMaxWaitRateLimiter(limiter, maxDelay)',
      summary: 'min(inner.When(item), maxDelay). Since client-go v0.23.',
      default: 'none',
      source: `${CS} §2`,
    },
    {
      id: 'DefaultTypedControllerRateLimiter',
      title: 'workqueue.DefaultTypedControllerRateLimiter[T]()',
      summary:
        'MaxOf(ItemExponentialFailure(5ms, 1000s), Bucket(rate.Limit(10), 100)): per-item backoff plus 10 qps / burst 100 shared by all items.',
      default: pq
        ? 'the default only with UsePriorityQueue: ptr.To(false) in v0.23'
        : 'the default RateLimiter in this version',
      source: `${CS} §2, §4.1`,
    },
    {
      id: 'DefaultTypedItemBasedRateLimiter',
      title: 'workqueue.DefaultTypedItemBasedRateLimiter[T]()',
      summary: 'ItemExponentialFailure(1ms, 1000s).',
      default: 'none',
      source: `${CS} §2`,
    },
    {
      id: 'TypedBucketRateLimiter',
      title: '&workqueue.TypedBucketRateLimiter[T]{Limiter: rate.NewLimiter(r, b)}',
      summary:
        'One token bucket shared by all items; NumRequeues is always 0 and Forget does nothing.',
      default: 'none',
      source: `${CS} §2`,
    },
    {
      id: 'NewLimiter',
      title: 'rate.NewLimiter(limit, burst)',
      summary:
        'A token bucket that starts full (burst tokens) and refills at limit tokens per second; tokens may go negative for reservations.',
      default: 'none',
      source: `${CS} §3`,
    },
    {
      id: 'Every',
      title: 'rate.Every(d)',
      summary: 'The limit of one event every d: 1/d.Seconds(); d ≤ 0 gives rate.Inf.',
      default: 'none',
      source: `${CS} §3`,
    },
    {
      id: 'Inf',
      title: 'rate.Inf',
      summary: 'No limit: every Wait/Allow/Reserve succeeds at once, burst ignored.',
      default: 'none',
      source: `${CS} §3`,
    },
    {
      id: 'IndexField',
      title: 'mgr.GetFieldIndexer().IndexField(ctx, &T{}, field, extract)',
      summary: 'Adds the cache index "field:<field>" that client.MatchingFields needs.',
      default: 'no indexes',
      source: `${CS} §7`,
    },
    {
      id: 'MatchingFields',
      title: 'client.MatchingFields{…}',
      summary:
        'Exact-match field selector served from an index; without one: "Index with name field:<f> does not exist".',
      default: 'none',
      source: `${CS} §7`,
    },
    {
      id: 'InNamespace',
      title: 'client.InNamespace(ns)',
      summary: 'Restricts a List to one namespace (the index key becomes "<ns>/<value>").',
      default: 'all namespaces',
      source: `${CS} §7`,
    },
    {
      id: 'APIReader',
      title: 'mgr.GetAPIReader()',
      summary:
        'A client with no cache: every Get/List is an HTTP request, throttled by its own client-side limiter if QPS ≥ 0.',
      default: 'reads go to the cache (r.Get / r.List)',
      source: `${CS} §7`,
    },
    {
      id: 'RetryOnConflict',
      title: 'retry.RetryOnConflict(retry.DefaultRetry, fn)',
      summary: 'Re-runs fn while it returns a 409 Conflict, with retry.DefaultRetry backoff.',
      default: 'none',
      source: `${CS} §6 (409 handling)`,
    },
    {
      id: 'TerminalError',
      title: 'reconcile.TerminalError(err)',
      summary:
        'Counted as an error but neither requeued nor forgotten (the backoff count is kept).',
      default: 'none',
      source: `${CS} §4.2`,
    },
  ];
  return Object.fromEntries(docs.map((d) => [d.id, d]));
}

/**
 * The doc for a knob id, including nested limiter paths such as
 * 'rateLimiter.limiters[1].qps' or 'rateLimiter.limiter.baseDelay'.
 */
export function docForKnob(id: string, version: CrVersion): KnobDoc | undefined {
  const docs = knobDocs(version);
  if (docs[id]) return docs[id];
  const base = id.replace(/\.\d+$/, '');
  if (docs[base]) return docs[base];
  if (id.startsWith('rateLimiter.')) {
    const last = id.split('.').pop() ?? '';
    return docs[`rateLimiter.${last}`];
  }
  if (/\.limit$/.test(id)) return docs['apiLimiter.limit'];
  if (/\.burst$/.test(id)) return docs['apiLimiter.burst'];
  return undefined;
}
