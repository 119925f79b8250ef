import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrVersion, ReconcileOp } from '../engine/settings';
import { Hour, Millisecond, Minute, Second } from '../engine/time';
import { compileLabText } from './compile';
import { initGoParserForNode } from './parser-node';
import { LAB_GO } from './test-helpers';
import {
  DIAGNOSTIC_CATALOGUE,
  type CompileResult,
  type DiagnosticCode,
  type SourceRange,
} from './types';

beforeAll(() => initGoParserForNode());

const seen = new Set<string>();
function compile(text: string, version: CrVersion = 'v0.23'): CompileResult {
  const r = compileLabText(text, { version });
  for (const d of r.diagnostics) seen.add(d.code);
  return r;
}
const slice = (text: string, r: SourceRange): string => text.slice(r.startOffset, r.endOffset);
const codes = (r: CompileResult): string[] => r.diagnostics.map((d) => d.code);
const only = (r: CompileResult, code: DiagnosticCode) =>
  r.diagnostics.filter((d) => d.code === code);

/** A minimal lab file: controller options, a Reconcile body and extra top-level code. */
function lab({
  options = 'MaxConcurrentReconciles: 2,',
  body = 'return ctrl.Result{}, nil',
  extra = '',
} = {}): string {
  return `package controllers

func (r *DatabaseReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&databasev1.Database{}).
		Owns(&appsv1.StatefulSet{}).
		WithOptions(controller.Options{
			${options}
		}).
		Complete(r)
}

func (r *DatabaseReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	db := &databasev1.Database{}
	${body}
}
${extra}
`;
}

describe('the starting code (lab.go)', () => {
  it('compiles with zero errors and warnings into the expected settings', () => {
    const r = compile(LAB_GO);
    expect(r.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    const line = (needle: string): number =>
      LAB_GO.slice(0, LAB_GO.indexOf(needle)).split('\n').length;
    expect(r.settings).toEqual({
      version: 'v0.23',
      controller: {
        name: 'database',
        forKind: 'Database',
        owns: ['StatefulSet'],
        maxConcurrentReconciles: 2,
        rateLimiter: {
          kind: 'itemExponentialFailure',
          baseDelay: 5 * Millisecond,
          maxDelay: 1000 * Second,
        },
        reconciliationTimeout: 0,
        cacheSyncTimeout: 2 * Minute,
      },
      client: { qps: 20, burst: 30 },
      manager: {
        syncPeriod: 10 * Hour,
        leaderElection: false,
        replicas: 1,
        metricsBindAddress: ':8080',
      },
      indexes: [{ kind: 'Database', field: 'spec.environment' }],
      apiLimiter: { limit: 10, burst: 1 },
      reconcile: {
        mode: 'workqueue',
        ops: [
          {
            op: 'get',
            kind: 'Database',
            ref: 'request',
            source: 'cache',
            onError: 'ignoreNotFound',
            src: { line: line('r.Get(ctx, req.NamespacedName, db)') },
          },
          {
            op: 'get',
            kind: 'StatefulSet',
            ref: 'owned',
            source: 'cache',
            onError: 'ignore',
            src: { line: line('r.Get(ctx, req.NamespacedName, sts)') },
          },
          {
            op: 'create',
            kind: 'StatefulSet',
            ref: 'owned',
            onError: 'return',
            src: { line: line('r.Create(ctx, sts)') },
          },
          {
            op: 'list',
            kind: 'Database',
            source: 'cache',
            namespace: 'request',
            matchingFields: { 'spec.environment': 'db.Spec.Environment' },
            onError: 'return',
            src: { line: line('r.List(ctx, peers') },
          },
          { op: 'limiterWait', onError: 'return', src: { line: line('r.apiLimiter.Wait(ctx)') } },
          {
            op: 'external',
            onError: 'return',
            src: { line: line('r.externalAPI.EnsureDatabase') },
          },
          {
            op: 'statusUpdate',
            kind: 'Database',
            ref: 'request',
            onError: 'return',
            src: { line: line('r.Status().Update') },
          },
          {
            op: 'return',
            requeueAfter: 5 * Minute,
            error: 'nil',
            src: { line: line('return ctrl.Result{RequeueAfter') },
          },
        ],
      },
    });
  });

  it('exposes the main knobs with ranges on their literals', () => {
    const r = compile(LAB_GO);
    const k = Object.fromEntries(r.knobs.map((x) => [x.id, slice(LAB_GO, x.range)]));
    expect(k).toMatchObject({
      maxConcurrentReconciles: '2',
      'rateLimiter.baseDelay': '5*time.Millisecond',
      'rateLimiter.maxDelay': '1000*time.Second',
      'client.qps': '20',
      'client.burst': '30',
      'apiLimiter.limit': 'rate.Limit(10)',
      'apiLimiter.burst': '1',
      replicas: '1',
      'manager.syncPeriod': '10 * time.Hour',
      'reconcile.requeueAfter': '5 * time.Minute',
    });
  });

  it('keeps the same settings on every version except the version field', () => {
    for (const v of ['v0.19', 'v0.20', 'v0.22'] as const) {
      const r = compile(LAB_GO, v);
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(r.settings?.version).toBe(v);
      expect(r.settings?.controller.maxConcurrentReconciles).toBe(2);
    }
  });
});

describe('SetupWithManager', () => {
  it('reads For, Owns and Named', () => {
    const t = lab().replace(
      'Owns(&appsv1.StatefulSet{}).',
      'Owns(&appsv1.StatefulSet{}).\n\t\tOwns(&corev1.Service{}).\n\t\tNamed("db-controller").',
    );
    const s = compile(t).settings!;
    expect(s.controller).toMatchObject({
      forKind: 'Database',
      owns: ['StatefulSet', 'Service'],
      name: 'db-controller',
    });
  });

  it('follows a named constant to its literal for the knob', () => {
    const t = lab({ options: 'MaxConcurrentReconciles: workers,', extra: 'const workers = 8' });
    const r = compile(t);
    expect(r.settings?.controller.maxConcurrentReconciles).toBe(8);
    const k = r.knobs.find((x) => x.id === 'maxConcurrentReconciles')!;
    expect(slice(t, k.range)).toBe('8');
    expect(k.range.startOffset).toBe(t.indexOf('const workers = 8') + 'const workers = '.length);
  });

  it('reads a controller.Options variable passed to WithOptions', () => {
    const t = lab()
      .replace(/WithOptions\(controller\.Options\{[\s\S]*?\}\)/, 'WithOptions(opts)')
      .replace(
        'return ctrl.NewControllerManagedBy',
        'opts := controller.Options{MaxConcurrentReconciles: 7}\n\treturn ctrl.NewControllerManagedBy',
      );
    expect(compile(t).settings?.controller.maxConcurrentReconciles).toBe(7);
  });

  it('defaults when options are absent', () => {
    const s = compile(lab({ options: '' })).settings!;
    expect(s.controller).toMatchObject({
      maxConcurrentReconciles: 1,
      rateLimiter: { kind: 'default' },
      reconciliationTimeout: 0,
      cacheSyncTimeout: 2 * Minute,
    });
    expect(s.controller.usePriorityQueue).toBeUndefined();
    expect(s.controller.recoverPanic).toBeUndefined();
    expect(s.client).toEqual({ qps: 'default', burst: 'default' });
  });

  it('reads UsePriorityQueue, RecoverPanic, ReconciliationTimeout, CacheSyncTimeout', () => {
    const t = lab({
      options:
        'UsePriorityQueue: ptr.To(false),\n\t\t\tRecoverPanic: ptr.To(false),\n\t\t\tReconciliationTimeout: 30*time.Second,\n\t\t\tCacheSyncTimeout: time.Minute/2,',
    });
    const r = compile(t);
    expect(r.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(r.settings!.controller).toMatchObject({
      usePriorityQueue: false,
      recoverPanic: false,
      reconciliationTimeout: 30 * Second,
      cacheSyncTimeout: 30 * Second,
    });
    expect(slice(t, r.knobs.find((k) => k.id === 'usePriorityQueue')!.range)).toBe('false');
  });

  it('CacheSyncTimeout 0 means the 2-minute default', () => {
    expect(
      compile(lab({ options: 'CacheSyncTimeout: 0,' })).settings!.controller.cacheSyncTimeout,
    ).toBe(2 * Minute);
  });

  it('notes unsimulated options and builder calls as info, never errors', () => {
    const t = lab({ options: 'SkipNameValidation: ptr.To(true),' }).replace(
      'Complete(r)',
      'WithEventFilter(pred).\n\t\tComplete(r)',
    );
    const r = compile(t);
    expect(r.settings).toBeDefined();
    const infos = only(r, 'LC045').map((d) => d.message);
    expect(infos).toContain('not simulated: controller.Options field SkipNameValidation');
    expect(infos.some((m) => m.startsWith('not simulated: builder .WithEventFilter'))).toBe(true);
    expect(only(r, 'LC045').every((d) => d.severity === 'info')).toBe(true);
  });
});

describe('rate limiters', () => {
  const rl = (expr: string, extra = '') =>
    compile(lab({ options: `RateLimiter: ${expr},`, extra }));

  it('typed exponential', () => {
    const r = rl(
      'workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](5*time.Millisecond, 1000*time.Second)',
    );
    expect(r.settings!.controller.rateLimiter).toEqual({
      kind: 'itemExponentialFailure',
      baseDelay: 5 * Millisecond,
      maxDelay: 1000 * Second,
    });
  });

  it('untyped (deprecated) names are recognised with a warning', () => {
    const r = rl('workqueue.NewItemExponentialFailureRateLimiter(time.Second, time.Minute)');
    expect(r.settings!.controller.rateLimiter).toEqual({
      kind: 'itemExponentialFailure',
      baseDelay: Second,
      maxDelay: Minute,
    });
    expect(codes(r)).toContain('LC048');
  });

  it('fast/slow', () => {
    const r = rl(
      'workqueue.NewTypedItemFastSlowRateLimiter[reconcile.Request](10*time.Millisecond, 5*time.Second, 3)',
    );
    expect(r.settings!.controller.rateLimiter).toEqual({
      kind: 'itemFastSlow',
      fastDelay: 10 * Millisecond,
      slowDelay: 5 * Second,
      maxFastAttempts: 3,
    });
    expect(r.knobs.map((k) => k.id)).toEqual(
      expect.arrayContaining([
        'rateLimiter.fastDelay',
        'rateLimiter.slowDelay',
        'rateLimiter.maxFastAttempts',
      ]),
    );
  });

  it('bucket literal with rate.NewLimiter(rate.Limit(10), 100)', () => {
    const t = lab({
      options:
        'RateLimiter: &workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(10), 100)},',
    });
    const r = compile(t);
    expect(r.settings!.controller.rateLimiter).toEqual({ kind: 'bucket', qps: 10, burst: 100 });
    expect(slice(t, r.knobs.find((k) => k.id === 'rateLimiter.qps')!.range)).toBe('rate.Limit(10)');
  });

  it('max-of with nested knob ids', () => {
    const t = lab({
      options: `RateLimiter: workqueue.NewTypedMaxOfRateLimiter(
				workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](5*time.Millisecond, 1000*time.Second),
				&workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(50), 300)},
			),`,
    });
    const r = compile(t);
    expect(r.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(r.settings!.controller.rateLimiter).toEqual({
      kind: 'maxOf',
      limiters: [
        { kind: 'itemExponentialFailure', baseDelay: 5 * Millisecond, maxDelay: 1000 * Second },
        { kind: 'bucket', qps: 50, burst: 300 },
      ],
    });
    const k = r.knobs.find((x) => x.id === 'rateLimiter.limiters[1].burst')!;
    expect(slice(t, k.range)).toBe('300');
  });

  it('with-max-wait around the default controller limiter', () => {
    const r = rl(
      'workqueue.NewTypedWithMaxWaitRateLimiter(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request](), 10*time.Second)',
    );
    expect(r.settings!.controller.rateLimiter).toEqual({
      kind: 'withMaxWait',
      limiter: { kind: 'defaultController' },
      maxDelay: 10 * Second,
    });
  });

  it('default controller and item-based limiters', () => {
    expect(
      rl('workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]()').settings!.controller
        .rateLimiter,
    ).toEqual({ kind: 'defaultController' });
    expect(
      rl('workqueue.DefaultTypedItemBasedRateLimiter[reconcile.Request]()').settings!.controller
        .rateLimiter,
    ).toEqual({ kind: 'defaultItemBased' });
    expect(rl('workqueue.DefaultControllerRateLimiter()').settings!.controller.rateLimiter).toEqual(
      { kind: 'defaultController' },
    );
  });

  it('a limiter held in a variable', () => {
    const t = lab({ options: 'RateLimiter: limiter,' }).replace(
      'return ctrl.NewControllerManagedBy',
      'limiter := workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](time.Second, time.Hour)\n\treturn ctrl.NewControllerManagedBy',
    );
    expect(compile(t).settings!.controller.rateLimiter).toEqual({
      kind: 'itemExponentialFailure',
      baseDelay: Second,
      maxDelay: Hour,
    });
  });
});

describe('Go constants and durations', () => {
  const base = (expr: string, extra = '') =>
    compile(
      lab({
        options: `RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](${expr}, time.Hour),`,
        extra,
      }),
    );
  it.each([
    ['5*time.Millisecond', 5 * Millisecond],
    ['time.Minute/2', 30 * Second],
    ['time.Duration(1.5 * float64(time.Second))', 1500 * Millisecond],
    ['time.Duration(3)*time.Second', 3 * Second],
    ['2*time.Second + 500*time.Millisecond', 2500 * Millisecond],
    ['(time.Second)', Second],
    ['1000', 1000],
    ['0x10*time.Microsecond', 16_000],
    ['1_000*time.Microsecond', Millisecond],
    ['baseDelay', 250 * Millisecond],
    ['baseDelay*2', 500 * Millisecond],
  ])('%s', (expr, want) => {
    const r = base(expr, 'const baseDelay = 250 * time.Millisecond');
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.settings!.controller.rateLimiter).toMatchObject({ baseDelay: want });
  });

  it('rate.Every and rate.Inf for the apiLimiter', () => {
    const every = compile(
      lab({
        extra:
          'var x = &DatabaseReconciler{apiLimiter: rate.NewLimiter(rate.Every(100*time.Millisecond), 2)}',
      }),
    );
    expect(every.settings!.apiLimiter).toEqual({ limit: 10, burst: 2 });
    const inf = compile(
      lab({ extra: 'var x = &DatabaseReconciler{apiLimiter: rate.NewLimiter(rate.Inf, 0)}' }),
    );
    expect(inf.settings!.apiLimiter).toEqual({ limit: Infinity, burst: 0 });
    expect(codes(inf)).not.toContain('LC023'); // Inf ignores burst (§3)
  });

  it('an apiLimiter assigned to r.apiLimiter', () => {
    const r = compile(
      lab({
        extra: 'func setup(r *DatabaseReconciler) {\n\tr.apiLimiter = rate.NewLimiter(5, 3)\n}',
      }),
    );
    expect(r.settings!.apiLimiter).toEqual({ limit: 5, burst: 3 });
  });
});

describe('rest.Config and manager options', () => {
  it('cfg.QPS / cfg.Burst assignments, last one wins', () => {
    const t = lab({
      extra:
        'func main() {\n\tcfg := ctrl.GetConfigOrDie()\n\tcfg.QPS = 20\n\tcfg.Burst = 30\n\tcfg.QPS = 50.5\n}',
    });
    const r = compile(t);
    expect(r.settings!.client).toEqual({ qps: 50.5, burst: 30 });
    expect(slice(t, r.knobs.find((k) => k.id === 'client.qps')!.range)).toBe('50.5');
  });

  it('a rest.Config composite literal', () => {
    expect(
      compile(lab({ extra: 'var cfg = &rest.Config{Host: "x", QPS: 5, Burst: 10}' })).settings!
        .client,
    ).toEqual({ qps: 5, burst: 10 });
  });

  it('QPS 0 and Burst 0 mean the default; negative QPS is kept (limiter off)', () => {
    expect(
      compile(lab({ extra: 'func main() {\n\tcfg.QPS = 0\n\tcfg.Burst = 0\n}' })).settings!.client,
    ).toEqual({ qps: 'default', burst: 'default' });
    const neg = compile(lab({ extra: 'func main() {\n\tcfg.QPS = -1\n}' }));
    expect(neg.settings!.client.qps).toBe(-1);
    expect(codes(neg)).toContain('LC025');
  });

  it('ctrl.Options: SyncPeriod (&var and ptr.To), LeaderElection, metrics BindAddress', () => {
    const t = lab({
      extra: `func main() {
	syncPeriod := 30 * time.Minute
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Cache:          cache.Options{SyncPeriod: &syncPeriod},
		LeaderElection: true,
		Metrics:        metricsserver.Options{BindAddress: "0"},
	})
}`,
    });
    const r = compile(t);
    expect(r.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(r.settings!.manager).toEqual({
      syncPeriod: 30 * Minute,
      leaderElection: true,
      replicas: 1,
      metricsBindAddress: '0',
    });
    expect(slice(t, r.knobs.find((k) => k.id === 'manager.syncPeriod')!.range)).toBe(
      '30 * time.Minute',
    );
    const t2 = lab({
      extra: 'var o = ctrl.Options{Cache: cache.Options{SyncPeriod: ptr.To(2 * time.Hour)}}',
    });
    expect(compile(t2).settings!.manager.syncPeriod).toBe(2 * Hour);
  });

  it('replicas: `const replicas = N`', () => {
    const r = compile(
      lab({ extra: 'const replicas = 3\nvar o = ctrl.Options{LeaderElection: true}' }),
    );
    expect(r.settings!.manager.replicas).toBe(3);
    expect(codes(r)).not.toContain('LC027');
  });
});

describe('indexes', () => {
  it('IndexField(ctx, &T{}, "field", fn)', () => {
    const r = compile(
      lab({
        extra:
          'func setup() error {\n\treturn mgr.GetFieldIndexer().IndexField(ctx, &databasev1.Database{}, "spec.environment", idx)\n}',
      }),
    );
    expect(r.settings!.indexes).toEqual([{ kind: 'Database', field: 'spec.environment' }]);
  });
});

describe('the Reconcile program', () => {
  const ops = (body: string, extra = ''): ReconcileOp[] => {
    const r = compile(lab({ body, extra }));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return r.settings!.reconcile.ops.map((o) => strip(o));
  };
  const strip = (o: ReconcileOp): ReconcileOp => {
    const { src: _src, ...rest } = o as ReconcileOp & { src?: unknown };
    if (rest.op === 'forEach' || rest.op === 'retryOnConflict')
      return { ...rest, body: rest.body.map(strip) } as ReconcileOp;
    return rest as ReconcileOp;
  };

  it('r.Get from the cache, r.APIReader.Get from the API server', () => {
    expect(
      ops(`if err := r.Get(ctx, req.NamespacedName, db); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	sts := &appsv1.StatefulSet{}
	if err := r.APIReader.Get(ctx, req.NamespacedName, sts); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil`),
    ).toEqual([
      { op: 'get', kind: 'Database', ref: 'request', source: 'cache', onError: 'ignoreNotFound' },
      { op: 'get', kind: 'StatefulSet', ref: 'owned', source: 'api', onError: 'return' },
      { op: 'return', error: 'nil' },
    ]);
  });

  it('r.List with InNamespace, MatchingLabels, ListOptions{Limit} and client.Limit', () => {
    expect(
      ops(`list := &appsv1.StatefulSetList{}
	err := r.List(ctx, list, client.InNamespace("prod"), client.MatchingLabels{"app": "db"}, &client.ListOptions{Limit: 100})
	if err != nil {
		return ctrl.Result{}, err
	}
	r.List(ctx, list, client.Limit(50))
	return ctrl.Result{}, nil`),
    ).toEqual([
      {
        op: 'list',
        kind: 'StatefulSet',
        source: 'cache',
        namespace: 'prod',
        matchingLabels: { app: 'db' },
        limit: 100,
        onError: 'return',
      },
      { op: 'list', kind: 'StatefulSet', source: 'cache', limit: 50, onError: 'ignore' },
      { op: 'return', error: 'nil' },
    ]);
  });

  it('writes, status writes and the limiter', () => {
    expect(
      ops(`sts := &appsv1.StatefulSet{}
	if err := r.Create(ctx, sts); err != nil {
		return ctrl.Result{}, err
	}
	_ = r.Update(ctx, db)
	r.Patch(ctx, sts, client.MergeFrom(sts))
	r.Delete(ctx, sts)
	if err := r.apiLimiter.Wait(ctx); err != nil {
		return ctrl.Result{}, err
	}
	if err := r.callExternalAPI(ctx, db); err != nil {
		return ctrl.Result{}, err
	}
	if err := r.Status().Patch(ctx, db, client.MergeFrom(db)); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil`),
    ).toEqual([
      { op: 'create', kind: 'StatefulSet', ref: 'owned', onError: 'return' },
      { op: 'update', kind: 'Database', ref: 'request', onError: 'ignore' },
      { op: 'patch', kind: 'StatefulSet', ref: 'owned', onError: 'ignore' },
      { op: 'delete', kind: 'StatefulSet', ref: 'owned', onError: 'ignore' },
      { op: 'limiterWait', onError: 'return' },
      { op: 'external', onError: 'return' },
      { op: 'statusPatch', kind: 'Database', ref: 'request', onError: 'return' },
      { op: 'return', error: 'nil' },
    ]);
  });

  it('for … range list.Items loops and retry.RetryOnConflict', () => {
    expect(
      ops(`list := &databasev1.DatabaseList{}
	if err := r.List(ctx, list); err != nil {
		return ctrl.Result{}, err
	}
	for _, item := range list.Items {
		if err := r.Update(ctx, &item); err != nil {
			return ctrl.Result{}, err
		}
	}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := r.Get(ctx, req.NamespacedName, db); err != nil {
			return err
		}
		return r.Update(ctx, db)
	})
	if err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil`),
    ).toEqual([
      { op: 'list', kind: 'Database', source: 'cache', onError: 'return' },
      { op: 'forEach', body: [{ op: 'update', kind: 'Database', ref: 'item', onError: 'return' }] },
      {
        op: 'retryOnConflict',
        onError: 'return',
        body: [
          { op: 'get', kind: 'Database', ref: 'request', source: 'cache', onError: 'return' },
          { op: 'update', kind: 'Database', ref: 'request', onError: 'return' },
        ],
      },
      { op: 'return', error: 'nil' },
    ]);
  });

  it('index loops over list.Items[i] also address the item', () => {
    const o = ops(`list := &databasev1.DatabaseList{}
	r.List(ctx, list)
	for i := range list.Items {
		r.Delete(ctx, &list.Items[i])
	}
	return ctrl.Result{}, nil`);
    expect(o[1]).toEqual({
      op: 'forEach',
      body: [{ op: 'delete', kind: 'Database', ref: 'item', onError: 'ignore' }],
    });
  });

  it('returns: RequeueAfter, Requeue, err, TerminalError', () => {
    expect(ops('return ctrl.Result{RequeueAfter: 30*time.Second}, nil')).toEqual([
      { op: 'return', requeueAfter: 30 * Second, error: 'nil' },
    ]);
    expect(ops('return ctrl.Result{Requeue: true}, nil')).toEqual([
      { op: 'return', requeue: true, error: 'nil' },
    ]);
    expect(ops('err := doThing()\n\treturn ctrl.Result{RequeueAfter: time.Minute}, err')).toEqual([
      { op: 'return', requeueAfter: Minute, error: 'err' },
    ]);
    expect(ops('return ctrl.Result{}, reconcile.TerminalError(fmt.Errorf("bad spec"))')).toEqual([
      { op: 'return', error: 'terminal' },
    ]);
  });

  it('IgnoreNotFound in the condition, and IsNotFound inside the branch', () => {
    expect(
      ops(`if err := r.Get(ctx, req.NamespacedName, db); client.IgnoreNotFound(err) != nil {
		return ctrl.Result{}, err
	}
	sts := &appsv1.StatefulSet{}
	if err := r.Get(ctx, req.NamespacedName, sts); err != nil {
		if apierrors.IsNotFound(err) {
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil`),
    ).toEqual([
      { op: 'get', kind: 'Database', ref: 'request', source: 'cache', onError: 'ignoreNotFound' },
      { op: 'get', kind: 'StatefulSet', ref: 'owned', source: 'cache', onError: 'ignoreNotFound' },
      { op: 'return', error: 'nil' },
    ]);
  });

  it('the create-if-missing guard: get (errors ignored) then create', () => {
    const want = [
      { op: 'get', kind: 'StatefulSet', ref: 'owned', source: 'cache', onError: 'ignore' },
      { op: 'create', kind: 'StatefulSet', ref: 'owned', onError: 'return' },
      { op: 'return', error: 'nil' },
    ];
    expect(
      ops(`sts := &appsv1.StatefulSet{}
	if err := r.Get(ctx, req.NamespacedName, sts); apierrors.IsNotFound(err) {
		if err := r.Create(ctx, sts); err != nil {
			return ctrl.Result{}, err
		}
	} else if err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil`),
    ).toEqual(want);
    expect(
      ops(`sts := &appsv1.StatefulSet{}
	err := r.Get(ctx, req.NamespacedName, sts)
	if errors.IsNotFound(err) {
		if err := r.Create(ctx, sts); err != nil {
			return ctrl.Result{}, err
		}
	}
	return ctrl.Result{}, nil`),
    ).toEqual(want);
    expect(
      ops(`sts := &appsv1.StatefulSet{}
	if err := r.Get(ctx, req.NamespacedName, sts); err != nil {
		if apierrors.IsNotFound(err) {
			if err := r.Create(ctx, sts); err != nil {
				return ctrl.Result{}, err
			}
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil`),
    ).toEqual(want);
  });

  it('helper methods are inlined', () => {
    expect(
      ops(
        'return r.reconcileDatabase(ctx, db)',
        `func (r *DatabaseReconciler) reconcileDatabase(ctx context.Context, db *databasev1.Database) (ctrl.Result, error) {
	if err := r.Status().Update(ctx, db); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: time.Minute}, nil
}`,
      ),
    ).toEqual([
      { op: 'statusUpdate', kind: 'Database', ref: 'request', onError: 'return' },
      { op: 'return', requeueAfter: Minute, error: 'nil' },
    ]);
  });

  it('the lesson’s ReconcileParallel selects parallel mode with Reconcile’s ops', () => {
    const r = compile(
      lab({
        body: 'r.Get(ctx, req.NamespacedName, db)\n\treturn ctrl.Result{}, nil',
        extra: `func (r *DatabaseReconciler) ReconcileParallel(ctx context.Context, requests []ctrl.Request) error {
	var wg sync.WaitGroup
	for _, req := range requests {
		wg.Add(1)
		go func(request ctrl.Request) {
			defer wg.Done()
			_, _ = r.Reconcile(ctx, request)
		}(req)
	}
	wg.Wait()
	return nil
}`,
      }),
    );
    expect(r.settings!.reconcile.mode).toBe('parallel');
    expect(r.settings!.reconcile.ops.map((o) => o.op)).toEqual(['get', 'return']);
  });

  it('the lesson’s ReconcileBatch selects batch mode with a per-request program', () => {
    const r = compile(
      lab({
        body: 'if err := r.Get(ctx, req.NamespacedName, db); err != nil {\n\t\treturn ctrl.Result{}, err\n\t}\n\tr.Status().Update(ctx, db)\n\treturn ctrl.Result{}, nil',
        extra: `func (r *DatabaseReconciler) ReconcileBatch(ctx context.Context, requests []ctrl.Request) (ctrl.Result, error) {
	updates := []*databasev1.Database{}
	for _, req := range requests {
		db := &databasev1.Database{}
		if err := r.Get(ctx, req.NamespacedName, db); err != nil {
			if errors.IsNotFound(err) {
				continue
			}
			return ctrl.Result{}, err
		}
		updates = append(updates, db)
	}
	for _, db := range updates {
		r.reconcileDatabase(ctx, db)
	}
	return ctrl.Result{}, nil
}`,
      }),
    );
    expect(r.settings!.reconcile.mode).toBe('batch');
    expect(r.settings!.reconcile.ops.map((o) => `${o.op}:${o.onError ?? ''}`)).toEqual([
      'get:ignoreNotFound',
      'get:return',
      'statusUpdate:ignore',
      'return:',
    ]);
  });

  it('code the lab does not simulate is info, and the settings still compile', () => {
    const r = compile(
      lab({
        body: 'time.Sleep(time.Second)\n\tgo r.Update(ctx, db)\n\tr.Recorder.Event(db, "Normal", "x", "y")\n\treturn ctrl.Result{}, nil',
      }),
    );
    expect(r.settings).toBeDefined();
    expect(only(r, 'LC045').length).toBeGreaterThanOrEqual(3);
  });
});

describe('diagnostics', () => {
  it('LC001 syntax error: exact range on the unexpected token', () => {
    const t = lab({ options: 'MaxConcurrentReconciles: ,' });
    const r = compile(t);
    expect(r.settings).toBeUndefined();
    const d = only(r, 'LC001')[0]!;
    expect(d.severity).toBe('error');
    // tree-sitter-go's ERROR node is the dangling ':' right before the missing value.
    expect(slice(t, d.range)).toBe(':');
    const lines = t.split('\n');
    const line = lines.findIndex((l) => l.includes('MaxConcurrentReconciles: ,')) + 1;
    const col = lines[line - 1]!.indexOf(':') + 1;
    expect(d.range).toMatchObject({
      startLineNumber: line,
      endLineNumber: line,
      startColumn: col,
      endColumn: col + 1,
    });
  });

  it('LC001 with a missing comma in a composite literal hints at it', () => {
    const t = lab({ options: 'MaxConcurrentReconciles: 2\n\t\t\tCacheSyncTimeout: time.Minute,' });
    const d = only(compile(t), 'LC001')[0]!;
    expect(d.message).toBe(
      'syntax error: unexpected newline in composite literal; possibly missing comma or }',
    );
    expect(slice(t, d.range)).toBe('2');
  });

  it('LC002 missing token', () => {
    const t = lab({ body: 'r.Get(ctx, req.NamespacedName, db\n\treturn ctrl.Result{}, nil' });
    const r = compile(t);
    expect(r.settings).toBeUndefined();
    expect(r.diagnostics.some((d) => d.code === 'LC002' || d.code === 'LC001')).toBe(true);
    const m = only(r, 'LC002')[0];
    if (m) expect(m.range.endOffset).toBeGreaterThan(m.range.startOffset);
  });

  it("LC002 reports tree-sitter's MISSING node as a visible one-character range", () => {
    const t = 'package x\nfunc f() {\n\tr.Get(ctx, req.NamespacedName, db\n\tr.List(ctx, l)\n}\n';
    const d = only(compile(t), 'LC002')[0]!;
    expect(d.message).toBe("syntax error: missing ')'");
    expect(d.range.endOffset - d.range.startOffset).toBe(1);
  });

  const valueCases: [string, DiagnosticCode, string, string][] = [
    ['division by zero', 'LC010', 'CacheSyncTimeout: time.Minute/0,', '0'],
    ['misspelt unit', 'LC015', 'CacheSyncTimeout: 5*time.Milisecond,', 'time.Milisecond'],
    ['Duration truncated', 'LC011', 'CacheSyncTimeout: 1.5*time.Nanosecond,', '1.5'],
    [
      'untyped float times a Duration (Go converts 1.5 to Duration)',
      'LC011',
      'CacheSyncTimeout: 1.5*time.Second,',
      '1.5',
    ],
    ['int truncated', 'LC011', 'MaxConcurrentReconciles: 2.5,', '2.5'],
    ['Duration overflow', 'LC012', 'CacheSyncTimeout: 10000000*time.Hour,', '10000000*time.Hour'],
    ['string for an int', 'LC014', 'MaxConcurrentReconciles: "2",', '"2"'],
    [
      'mismatched types',
      'LC014',
      'CacheSyncTimeout: time.Second * rate.Limit(2),',
      'time.Second * rate.Limit(2)',
    ],
    ['too many workers', 'LC020', 'MaxConcurrentReconciles: 20000,', '20000'],
    [
      'field added in v0.22',
      'LC047',
      'ReconciliationTimeout: time.Second,',
      'ReconciliationTimeout',
    ],
    [
      'cannot infer T',
      'LC049',
      'RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter(time.Millisecond, time.Second),',
      'workqueue.NewTypedItemExponentialFailureRateLimiter',
    ],
  ];
  it.each(valueCases)('%s → %s at the value', (_name, code, options, marked) => {
    const t = lab({ options });
    const r = compile(t, code === 'LC047' ? 'v0.20' : 'v0.23');
    const d = only(r, code)[0];
    expect(d, JSON.stringify(r.diagnostics)).toBeDefined();
    expect(d!.severity).toBe('error');
    expect(slice(t, d!.range)).toBe(marked);
    expect(r.settings).toBeUndefined();
  });

  it('LC013 NaN', () => {
    const t = lab({ extra: 'func main() {\n\tcfg.QPS = float32(math.NaN())\n}' });
    const d = only(compile(t), 'LC013')[0]!;
    expect(slice(t, d.range)).toBe('float32(math.NaN())');
  });

  const warningCases: [string, DiagnosticCode, string, string][] = [
    ['zero workers', 'LC021', 'MaxConcurrentReconciles: 0,', '0'],
    [
      'negative base delay',
      'LC022',
      'RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](-time.Second, time.Minute),',
      '-time.Second',
    ],
    [
      'bucket with burst 0',
      'LC023',
      'RateLimiter: &workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(10), 0)},',
      'rate.NewLimiter(rate.Limit(10), 0)',
    ],
    [
      'zero rate',
      'LC024',
      'RateLimiter: &workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(0, 10)},',
      '0',
    ],
    ['unknown limiter', 'LC041', 'RateLimiter: myLimiter(),', 'myLimiter()'],
    ['not constant', 'LC040', 'MaxConcurrentReconciles: runtime.NumCPU(),', 'runtime.NumCPU()'],
    [
      'untyped limiter',
      'LC048',
      'RateLimiter: workqueue.DefaultControllerRateLimiter(),',
      'workqueue.DefaultControllerRateLimiter',
    ],
    ['*bool written as bool', 'LC050', 'RecoverPanic: true,', 'true'],
    ['negative timeout', 'LC051', 'ReconciliationTimeout: -time.Second,', '-time.Second'],
  ];
  it.each(warningCases)(
    '%s → warning %s, settings still produced',
    (_name, code, options, marked) => {
      const t = lab({ options });
      const r = compile(t);
      const d = only(r, code)[0];
      expect(d, JSON.stringify(r.diagnostics)).toBeDefined();
      expect(d!.severity).toBe('warning');
      expect(slice(t, d!.range)).toBe(marked);
      expect(r.settings).toBeDefined();
    },
  );

  it('LC025 client Burst negative with QPS set', () => {
    const t = lab({ extra: 'func main() {\n\tcfg.QPS = 10\n\tcfg.Burst = -1\n}' });
    const d = only(compile(t), 'LC025')[0]!;
    expect(d.message).toContain("rate: Wait(n=1) exceeds limiter's burst -1");
    expect(slice(t, d.range)).toBe('-1');
  });

  it('LC026 replicas out of range and LC027 replicas without leader election', () => {
    const t0 = lab({ extra: 'const replicas = 0' });
    const r0 = compile(t0);
    expect(slice(t0, only(r0, 'LC026')[0]!.range)).toBe('0');
    expect(r0.settings).toBeUndefined();
    const t3 = lab({ extra: 'const replicas = 3' });
    const r3 = compile(t3);
    expect(slice(t3, only(r3, 'LC027')[0]!.range)).toBe('3');
    expect(r3.settings!.manager.replicas).toBe(3);
  });

  it('LC030 MatchingFields without an index, with the real client-go text, on the key', () => {
    const t = lab({
      body: 'list := &databasev1.DatabaseList{}\n\tr.List(ctx, list, client.MatchingFields{"spec.tier": "gold"})\n\treturn ctrl.Result{}, nil',
    });
    const r = compile(t);
    const d = only(r, 'LC030')[0]!;
    expect(d.message).toBe('Index with name field:spec.tier does not exist');
    expect(d.severity).toBe('error');
    expect(slice(t, d.range)).toBe('"spec.tier"');
    // An index on another kind does not count.
    const t2 = t.replace(
      '\n}\n',
      '\n}\nfunc s() { mgr.GetFieldIndexer().IndexField(ctx, &corev1.Pod{}, "spec.tier", f) }\n',
    );
    expect(codes(compile(t2))).toContain('LC030');
    const t3 = t.replace(
      '\n}\n',
      '\n}\nfunc s() { mgr.GetFieldIndexer().IndexField(ctx, &databasev1.Database{}, "spec.tier", f) }\n',
    );
    expect(codes(compile(t3))).not.toContain('LC030');
  });

  it('LC031 leader-election durations with client-go messages', () => {
    const le = (lease: string, renew: string, retry: string) =>
      compile(
        lab({
          extra: `func main() {
	lease, renew, retry := ${lease}, ${renew}, ${retry}
	_ = ctrl.Options{LeaderElection: true, LeaseDuration: &lease, RenewDeadline: &renew, RetryPeriod: &retry}
}`,
        }),
      );
    expect(only(le('10*time.Second', '10*time.Second', '2*time.Second'), 'LC031')[0]!.message).toBe(
      'leaseDuration must be greater than renewDeadline',
    );
    expect(only(le('15*time.Second', '2*time.Second', '2*time.Second'), 'LC031')[0]!.message).toBe(
      'renewDeadline must be greater than retryPeriod*JitterFactor',
    );
    const ok = le('30*time.Second', '20*time.Second', '5*time.Second');
    expect(codes(ok)).not.toContain('LC031');
    expect(ok.settings).toBeDefined();
  });

  it('LC032 the same index twice', () => {
    const t = lab({
      extra:
        'func s() {\n\tmgr.GetFieldIndexer().IndexField(ctx, &databasev1.Database{}, "spec.environment", f)\n\tmgr.GetFieldIndexer().IndexField(ctx, &databasev1.Database{}, "spec.environment", f)\n}',
    });
    const d = only(compile(t), 'LC032')[0]!;
    expect(d.message).toBe('indexer conflict: map[field:spec.environment:{}]');
    expect(d.range.startOffset).toBe(t.lastIndexOf('"spec.environment"'));
  });

  it('LC042 no controller, LC043 no Reconcile', () => {
    const r = compile('package controllers\n\nconst replicas = 1\n');
    expect(codes(r)).toEqual(expect.arrayContaining(['LC042', 'LC043']));
    expect(r.settings).toMatchObject({
      controller: { forKind: 'Database', maxConcurrentReconciles: 1 },
      reconcile: { ops: [] },
    });
  });

  it('LC052 Wait on a limiter that is never created', () => {
    const t = lab({
      body: 'if err := r.apiLimiter.Wait(ctx); err != nil {\n\t\treturn ctrl.Result{}, err\n\t}\n\treturn ctrl.Result{}, nil',
    });
    const r = compile(t);
    const d = only(r, 'LC052')[0]!;
    expect(slice(t, d.range)).toBe('r.apiLimiter.Wait(ctx)');
    expect(r.settings!.apiLimiter).toBeUndefined();
    expect(codes(compile(LAB_GO))).not.toContain('LC052');
  });

  it('LC044 unknown kind', () => {
    const t = lab({ body: 'r.Update(ctx, obj)\n\treturn ctrl.Result{}, nil' });
    const d = only(compile(t), 'LC044')[0]!;
    expect(slice(t, d.range)).toBe('obj');
  });

  it('LC047 MetricsBindAddress no longer exists', () => {
    const t = lab({ extra: 'var o = ctrl.Options{MetricsBindAddress: ":8080"}' });
    expect(slice(t, only(compile(t), 'LC047')[0]!.range)).toBe('MetricsBindAddress');
  });

  it('UsePriorityQueue is unknown on v0.19', () => {
    expect(codes(compile(lab({ options: 'UsePriorityQueue: ptr.To(true),' }), 'v0.19'))).toContain(
      'LC047',
    );
    expect(
      codes(compile(lab({ options: 'UsePriorityQueue: ptr.To(true),' }), 'v0.20')),
    ).not.toContain('LC047');
  });

  it('ranges use UTF-16 columns (Monaco) after non-ASCII text', () => {
    const t = lab({ options: '// é😀 workers\n\t\t\tMaxConcurrentReconciles: 2.5, // é' });
    const d = only(compile(t), 'LC011')[0]!;
    expect(slice(t, d.range)).toBe('2.5');
    const line = t.split('\n')[d.range.startLineNumber - 1]!;
    expect(line.slice(d.range.startColumn - 1, d.range.endColumn - 1)).toBe('2.5');
  });

  it('diagnostics are sorted by position', () => {
    const r = compile(lab({ options: 'MaxConcurrentReconciles: 0,\n\t\t\tRecoverPanic: true,' }));
    const offs = r.diagnostics.map((d) => d.range.startOffset);
    expect([...offs].sort((a, b) => a - b)).toEqual(offs);
  });
});

afterAll(() => {
  // Every catalogue code is produced by at least one test above.
  expect([...Object.keys(DIAGNOSTIC_CATALOGUE)].filter((c) => !seen.has(c))).toEqual([]);
});

describe('Go syntax that tree-sitter-go accepts but gc rejects', () => {
  it('a missing trailing comma before a closing bracket on the next line', () => {
    const t = LAB_GO.replace('1000*time.Second,   // Max delay', '1000*time.Second   // Max delay');
    expect(t).not.toBe(LAB_GO);
    const r = compile(t);
    const d = only(r, 'LC001')[0]!;
    expect(d.message).toBe(
      'syntax error: unexpected newline in argument list; possibly missing comma or )',
    );
    expect(d.range.endOffset).toBe(t.indexOf('1000*time.Second') + '1000*time.Second'.length);
    expect(r.settings).toBeUndefined();
    const lit = compile(lab({ options: 'MaxConcurrentReconciles: 2' }));
    expect(only(lit, 'LC001')[0]!.message).toBe(
      'syntax error: unexpected newline in composite literal; possibly missing comma or }',
    );
  });
});

describe('after a syntax error', () => {
  it('only the syntax error is reported for that declaration', () => {
    const t = LAB_GO.replace('MaxConcurrentReconciles: 2,', 'MaxConcurrentReconciles: 2');
    const r = compile(t);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LC001']);
  });

  it('a missing closing brace at the end is marked on the last character', () => {
    const t = LAB_GO.replace(/\}\n$/, '\n');
    const d = only(compile(t), 'LC002')[0]!;
    expect(d.message).toBe("syntax error: missing '}'");
    expect(d.range.endOffset - d.range.startOffset).toBe(1);
  });
});

describe('line endings', () => {
  it('CRLF text gives the same settings (op lines included) and Monaco-consistent ranges', () => {
    const crlf = LAB_GO.replace(/\n/g, '\r\n');
    const a = compileLabText(LAB_GO, { version: 'v0.23' });
    const b = compileLabText(crlf, { version: 'v0.23' });
    expect(b.settings).toEqual(a.settings);
    for (const [i, k] of b.knobs.entries()) {
      expect(k.range.startLineNumber).toBe(a.knobs[i]!.range.startLineNumber);
      expect(k.range.startColumn).toBe(a.knobs[i]!.range.startColumn);
    }
  });
});
