/**
 * Completion items as plain data (the editor maps them to Monaco). `insertText` uses Monaco's
 * snippet syntax (${1:placeholder}) when `snippet` is true.
 */
export interface CompletionItem {
  label: string;
  kind: 'constructor' | 'field' | 'listOption' | 'function' | 'value';
  insertText: string;
  snippet: boolean;
  documentation: string;
  /** Where it makes sense (the editor may filter on it). */
  context:
    'rateLimiter' | 'controllerOptions' | 'listOptions' | 'managerOptions' | 'reconcile' | 'any';
}

export const COMPLETIONS: readonly CompletionItem[] = [
  {
    label: 'workqueue.NewTypedItemExponentialFailureRateLimiter',
    kind: 'constructor',
    insertText:
      'workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](${1:5*time.Millisecond}, ${2:1000*time.Second})',
    snippet: true,
    documentation: 'Per-item exponential backoff: base × 2^failures, capped at max.',
    context: 'rateLimiter',
  },
  {
    label: 'workqueue.NewTypedItemFastSlowRateLimiter',
    kind: 'constructor',
    insertText:
      'workqueue.NewTypedItemFastSlowRateLimiter[reconcile.Request](${1:5*time.Millisecond}, ${2:10*time.Second}, ${3:3})',
    snippet: true,
    documentation: 'fast delay for the first maxFastAttempts failures, then slow.',
    context: 'rateLimiter',
  },
  {
    label: 'workqueue.NewTypedMaxOfRateLimiter',
    kind: 'constructor',
    insertText:
      'workqueue.NewTypedMaxOfRateLimiter(\n\tworkqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](${1:5*time.Millisecond}, ${2:1000*time.Second}),\n\t&workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(${3:10}), ${4:100})},\n)',
    snippet: true,
    documentation: 'The largest delay of several limiters (each one is consulted every time).',
    context: 'rateLimiter',
  },
  {
    label: 'workqueue.NewTypedWithMaxWaitRateLimiter',
    kind: 'constructor',
    insertText:
      'workqueue.NewTypedWithMaxWaitRateLimiter(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request](), ${1:10*time.Second})',
    snippet: true,
    documentation: 'Caps another limiter’s delay at maxDelay.',
    context: 'rateLimiter',
  },
  {
    label: 'workqueue.DefaultTypedControllerRateLimiter',
    kind: 'constructor',
    insertText: 'workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]()',
    snippet: false,
    documentation: 'Exponential 5ms…1000s plus a shared 10 qps / burst 100 bucket.',
    context: 'rateLimiter',
  },
  {
    label: 'workqueue.DefaultTypedItemBasedRateLimiter',
    kind: 'constructor',
    insertText: 'workqueue.DefaultTypedItemBasedRateLimiter[reconcile.Request]()',
    snippet: false,
    documentation: 'Exponential 1ms…1000s.',
    context: 'rateLimiter',
  },
  {
    label: 'workqueue.TypedBucketRateLimiter',
    kind: 'constructor',
    insertText:
      '&workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(${1:10}), ${2:100})}',
    snippet: true,
    documentation: 'One token bucket shared by all items.',
    context: 'rateLimiter',
  },
  {
    label: 'rate.NewLimiter',
    kind: 'constructor',
    insertText: 'rate.NewLimiter(rate.Limit(${1:10}), ${2:1})',
    snippet: true,
    documentation: 'Token bucket: limit events/s, burst tokens, starts full.',
    context: 'any',
  },
  {
    label: 'rate.Every',
    kind: 'function',
    insertText: 'rate.Every(${1:100*time.Millisecond})',
    snippet: true,
    documentation: 'One event every d.',
    context: 'any',
  },
  {
    label: 'rate.Inf',
    kind: 'value',
    insertText: 'rate.Inf',
    snippet: false,
    documentation: 'No limit.',
    context: 'any',
  },
  ...(
    [
      ['MaxConcurrentReconciles', '${1:2}', 'Worker goroutines (default 1).'],
      [
        'RateLimiter',
        '${1:workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]()}',
        'Retry delays for failed items.',
      ],
      [
        'UsePriorityQueue',
        'ptr.To(${1:true})',
        'controller-runtime priority queue (default true since v0.23).',
      ],
      ['RecoverPanic', 'ptr.To(${1:true})', 'Turn panics into errors (default true since v0.19).'],
      ['ReconciliationTimeout', '${1:30*time.Second}', 'Per-Reconcile context timeout (v0.22+).'],
      ['CacheSyncTimeout', '${1:2*time.Minute}', 'Time allowed for caches to sync (default 2m).'],
    ] as const
  ).map(([f, v, doc]): CompletionItem => ({
    label: f,
    kind: 'field',
    insertText: `${f}: ${v},`,
    snippet: true,
    documentation: `controller.Options.${f}: ${doc}`,
    context: 'controllerOptions',
  })),
  ...(
    [
      ['client.InNamespace', 'client.InNamespace(${1:req.Namespace})', 'List one namespace.'],
      [
        'client.MatchingFields',
        'client.MatchingFields{"${1:spec.environment}": ${2:"production"}}',
        'Indexed field selector (needs IndexField).',
      ],
      [
        'client.MatchingLabels',
        'client.MatchingLabels{"${1:app}": "${2:database}"}',
        'Label selector.',
      ],
      [
        'client.Limit',
        'client.Limit(${1:100})',
        'At most n items (the cache honours it, no pagination).',
      ],
      ['client.ListOptions', '&client.ListOptions{Limit: ${1:100}}', 'List options struct.'],
    ] as const
  ).map(([label, insertText, doc]): CompletionItem => ({
    label,
    kind: 'listOption',
    insertText,
    snippet: true,
    documentation: doc,
    context: 'listOptions',
  })),
  ...(
    [
      [
        'cache.Options',
        'Cache: cache.Options{SyncPeriod: &${1:syncPeriod}},',
        'Informer cache options (SyncPeriod default 10h).',
      ],
      ['LeaderElection', 'LeaderElection: ${1:true},', 'Only the leader runs controllers.'],
      [
        'metricsserver.Options',
        'Metrics: metricsserver.Options{BindAddress: "${1::8080}"},',
        'Metrics endpoint.',
      ],
    ] as const
  ).map(([label, insertText, doc]): CompletionItem => ({
    label,
    kind: 'field',
    insertText,
    snippet: true,
    documentation: doc,
    context: 'managerOptions',
  })),
  ...(
    [
      ['r.Get', 'r.Get(ctx, req.NamespacedName, ${1:db})', 'Cached read.'],
      [
        'r.APIReader.Get',
        'r.APIReader.Get(ctx, req.NamespacedName, ${1:db})',
        'Uncached read: one API request.',
      ],
      ['r.List', 'r.List(ctx, ${1:list}, client.InNamespace(req.Namespace))', 'Cached list.'],
      ['r.Status().Update', 'r.Status().Update(ctx, ${1:db})', 'Status subresource write.'],
      [
        'r.apiLimiter.Wait',
        'r.apiLimiter.Wait(ctx)',
        'Wait for a token of the external-API limiter.',
      ],
      [
        'retry.RetryOnConflict',
        'retry.RetryOnConflict(retry.DefaultRetry, func() error {\n\t${1:return r.Update(ctx, db)}\n})',
        'Retry a write on 409 Conflict.',
      ],
      [
        'ctrl.Result{RequeueAfter}',
        'ctrl.Result{RequeueAfter: ${1:30*time.Second}}',
        'Reconcile again after d.',
      ],
      [
        'reconcile.TerminalError',
        'reconcile.TerminalError(${1:err})',
        'An error that is not retried.',
      ],
    ] as const
  ).map(([label, insertText, doc]): CompletionItem => ({
    label,
    kind: 'function',
    insertText,
    snippet: true,
    documentation: doc,
    context: 'reconcile',
  })),
];
