import { describe, expect, it } from 'vitest';
import { Controller, ReconcilePanic, type ReconcileOutcome, type Reconciler } from './controller';
import { EventLoop } from './loop';
import type { Proc } from './process';
import { limiterWait } from './process';
import { TestOp } from './testutil';
import { Limiter } from './rate';
import type { LogLine } from './run-types';
import { Millisecond, Second } from './time';
import type { CrVersion } from './settings';

type Script = (req: string, n: number) => ReconcileOutcome;

function setup(
  script: Script,
  opts: {
    version?: CrVersion;
    workers?: number;
    work?: number;
    usePriorityQueue?: boolean;
    recoverPanic?: boolean;
    timeout?: number;
    reconciler?: Reconciler<string>;
  } = {},
) {
  const loop = new EventLoop();
  const calls: { req: string; t: number; worker: number; priority: number }[] = [];
  const logs: LogLine[] = [];
  const counts = new Map<string, number>();
  const reconciler: Reconciler<string> =
    opts.reconciler ??
    function* (req, _ctx, info): Proc<ReconcileOutcome> {
      calls.push({ req, t: loop.now(), worker: info.worker, priority: info.priority });
      yield opts.work ?? 10 * Millisecond;
      const n = (counts.get(req) ?? 0) + 1;
      counts.set(req, n);
      return script(req, n);
    };
  const fatal: string[] = [];
  const c = new Controller<string>({
    loop,
    name: 'database',
    kind: 'Database',
    reconciler,
    maxConcurrentReconciles: opts.workers ?? 1,
    version: opts.version,
    usePriorityQueue: opts.usePriorityQueue,
    recoverPanic: opts.recoverPanic,
    reconciliationTimeout: opts.timeout,
    log: (l) => logs.push(l),
    onFatal: (m) => fatal.push(m),
  });
  c.start();
  return { loop, c, calls, logs, fatal, m: c.metrics };
}

const total = (m: Controller<string>['metrics'], result: string) =>
  m.value('controller_runtime_reconcile_total', { controller: 'database', result });

describe('Controller: metrics initialised at start (§4.2)', () => {
  it('sets every result label, error/terminal/panic/timeout counters to 0 and the worker gauges', () => {
    const { m } = setup(() => ({}), { workers: 4 });
    for (const r of ['success', 'error', 'requeue', 'requeue_after']) expect(total(m, r)).toBe(0);
    const c = { controller: 'database' };
    expect(m.value('controller_runtime_reconcile_errors_total', c)).toBe(0);
    expect(m.value('controller_runtime_terminal_reconcile_errors_total', c)).toBe(0);
    expect(m.value('controller_runtime_reconcile_panics_total', c)).toBe(0);
    expect(m.value('controller_runtime_reconcile_timeouts_total', c)).toBe(0);
    expect(m.value('controller_runtime_max_concurrent_reconciles', c)).toBe(4);
    expect(m.value('controller_runtime_active_workers', c)).toBe(0);
  });

  it('v0.22 has no timeouts counter (added in v0.23)', () => {
    const { m } = setup(() => ({}), { version: 'v0.22' });
    expect(m.value('controller_runtime_reconcile_timeouts_total', { controller: 'database' })).toBe(
      undefined,
    );
  });

  it('refuses a second Start with the real text', () => {
    const { c } = setup(() => ({}));
    expect(() => c.start()).toThrow(
      'controller was started more than once. This is likely to be caused by being added to a manager multiple times',
    );
  });
});

describe.each(['v0.23', 'v0.22'] as const)('Controller result mapping on %s (§4.2)', (version) => {
  it('error ⇒ AddRateLimited (5 ms, 10 ms, …); backoff kept until a non-error result', () => {
    const { loop, c, calls, m } = setup((_r, n) => (n <= 3 ? { err: { message: 'boom' } } : {}), {
      version,
    });
    c.queue.add('ns/a');
    loop.runUntil(10 * Second);
    const ts = calls.map((x) => x.t);
    // 10 ms of work each; backoff 5, 10, 20 ms after each error.
    expect(ts).toEqual([0, 15, 35, 65].map((x) => x * Millisecond));
    expect(total(m, 'error')).toBe(3);
    expect(total(m, 'success')).toBe(1);
    expect(c.queue.numRequeues('ns/a')).toBe(0);
  });

  it('terminal error ⇒ no requeue and no Forget (backoff count kept)', () => {
    const { loop, c, calls, m } = setup(
      (_r, n) =>
        n === 1 ? { err: { message: 'x' } } : { err: { message: 'bad', terminal: true } },
      { version },
    );
    c.queue.add('ns/a');
    loop.runUntil(10 * Second);
    expect(calls.length).toBe(2);
    expect(c.queue.numRequeues('ns/a')).toBe(1);
    expect(
      m.value('controller_runtime_terminal_reconcile_errors_total', { controller: 'database' }),
    ).toBe(1);
    expect(m.value('controller_runtime_reconcile_errors_total', { controller: 'database' })).toBe(
      2,
    );
  });

  it('backoff kept by a terminal error is forgotten on the key’s next success', () => {
    const { loop, c, calls } = setup(
      (_r, n) =>
        n === 1
          ? { err: { message: 'x' } }
          : n === 2
            ? { err: { message: 'bad', terminal: true } }
            : {},
      { version },
    );
    c.queue.add('ns/a');
    loop.runUntil(Second);
    expect(calls.length).toBe(2);
    expect(c.queue.numRequeues('ns/a')).toBe(1);
    // A new event for the key: a new queue entry; its success forgets the old failure.
    c.queue.add('ns/a');
    loop.runUntil(2 * Second);
    expect(calls.length).toBe(3);
    expect(c.queue.numRequeues('ns/a')).toBe(0);
  });

  it('every error after a Forget starts the backoff again at 5 ms', () => {
    const { loop, c, calls } = setup(
      (_r, n) =>
        n === 1 || n === 3
          ? { err: { message: 'e' } }
          : n === 2
            ? { result: { requeueAfter: 100 * Millisecond } }
            : {},
      { version },
    );
    c.queue.add('ns/a');
    loop.runUntil(10 * Second);
    // 10 ms of work each: error (5 ms), RequeueAfter 100 ms (Forget), error (5 ms again), success.
    expect(calls.map((x) => x.t)).toEqual([0, 15, 125, 140].map((x) => x * Millisecond));
    expect(c.queue.numRequeues('ns/a')).toBe(0);
  });

  it('RequeueAfter ⇒ Forget + AddAfter; Requeue ⇒ AddRateLimited without Forget', () => {
    const { loop, c, calls, m } = setup(
      (_r, n) =>
        n === 1
          ? { err: { message: 'e' } }
          : n === 2
            ? { result: { requeueAfter: Second, requeue: true } }
            : n === 3
              ? { result: { requeue: true } }
              : {},
      { version },
    );
    c.queue.add('ns/a');
    loop.runUntil(10 * Second);
    expect(calls.map((x) => x.t)).toEqual([
      0,
      15 * Millisecond,
      1025 * Millisecond,
      1040 * Millisecond,
    ]);
    expect(total(m, 'requeue_after')).toBe(1);
    expect(total(m, 'requeue')).toBe(1);
  });

  it('error + RequeueAfter ⇒ warning log and the error path', () => {
    const { loop, c, calls, logs } = setup(
      (_r, n) =>
        n === 1 ? { result: { requeueAfter: 5 * Second }, err: { message: 'oops' } } : {},
      { version },
    );
    c.queue.add('ns/a');
    loop.runUntil(10 * Second);
    expect(calls.map((x) => x.t)).toEqual([0, 15 * Millisecond]);
    const warn = logs.find((l) => l.msg.startsWith('Warning: Reconciler returned both'));
    expect(warn).toBeDefined();
    const err = logs.find((l) => l.msg === 'Reconciler error')!;
    expect(err.level).toBe('error');
    expect(err.kv).toMatchObject({
      controller: 'database',
      namespace: 'ns',
      name: 'a',
      error: 'oops',
    });
  });
});

describe('Controller workers', () => {
  it('runs at most MaxConcurrentReconciles at once and accounts active workers', () => {
    const { loop, c, m } = setup(() => ({}), { workers: 3, work: Second });
    for (let i = 0; i < 7; i++) c.queue.add(`ns/o${i}`);
    loop.runUntil(500 * Millisecond);
    expect(c.activeWorkers()).toBe(3);
    expect(m.value('controller_runtime_active_workers', { controller: 'database' })).toBe(3);
    loop.runUntil(3500 * Millisecond);
    expect(c.reconcileCount()).toBe(7);
    expect(c.activeWorkers()).toBe(0);
    expect(
      m.histogram('controller_runtime_reconcile_time_seconds', { controller: 'database' })!.count,
    ).toBe(7);
  });

  it('never hands one key to two workers; a re-add during processing runs once more after', () => {
    const { loop, c, calls } = setup(() => ({}), { workers: 4, work: 100 * Millisecond });
    c.queue.add('ns/a');
    loop.runUntil(10 * Millisecond);
    c.queue.add('ns/a');
    c.queue.add('ns/a');
    loop.runUntil(Second);
    expect(calls.map((x) => x.t)).toEqual([0, 100 * Millisecond]);
  });

  it('a reconcile waiting on an Op resumes with its result, synchronous or later; extra results ignored', () => {
    const got: unknown[] = [];
    const ref: { loop?: EventLoop } = {};
    const { loop, c } = setup(() => ({}), {
      workers: 2,
      reconciler: function* (req): Proc<ReconcileOutcome> {
        const l = ref.loop!;
        got.push([req, yield* new TestOp(l, 'now')]);
        got.push([req, yield* new TestOp(l, 'later', l.now() + 5 * Millisecond), l.now()]);
        return {};
      },
    });
    ref.loop = loop;
    c.queue.add('ns/a');
    c.queue.add('ns/b');
    loop.runUntil(Second);
    expect(got).toEqual([
      ['ns/a', 'now'],
      ['ns/b', 'now'],
      ['ns/a', 'later', 5 * Millisecond],
      ['ns/b', 'later', 5 * Millisecond],
    ]);
    expect(c.reconcileCount()).toBe(2);
  });

  it('stop(): workers exit after their reconcile', () => {
    const { loop, c } = setup(() => ({}), { workers: 2, work: Second });
    c.queue.add('ns/a');
    loop.runUntil(Millisecond);
    c.stop();
    loop.runUntil(2 * Second);
    expect(c.liveWorkers()).toBe(0);
    expect(c.reconcileCount()).toBe(1);
  });
});

describe('RecoverPanic (§4.1)', () => {
  const panicky = (loop: EventLoop): Reconciler<string> =>
    function* (_req, _ctx, _info) {
      yield Millisecond;
      if (loop.now() < 100 * Millisecond) throw new ReconcilePanic('nil map');
      return {};
    };

  it('recovered: becomes the error "panic: <v> [recovered]", rate-limited requeue, panics counter', () => {
    const logs: LogLine[] = [];
    const loop = new EventLoop();
    const c = new Controller<string>({
      loop,
      name: 'database',
      reconciler: panicky(loop),
      log: (l) => logs.push(l),
    });
    c.start();
    c.queue.add('ns/a');
    loop.runUntil(Second);
    expect(
      c.metrics.value('controller_runtime_reconcile_panics_total', { controller: 'database' }),
    ).toBeGreaterThan(0);
    expect(logs.find((l) => l.msg === 'Reconciler error')!.kv.error).toBe(
      'panic: nil map [recovered]',
    );
    expect(
      c.metrics.value('controller_runtime_reconcile_total', {
        controller: 'database',
        result: 'success',
      }),
    ).toBe(1);
  });

  it('not recovered: logs "Observed a panic in reconciler" and the controller dies', () => {
    const logs: LogLine[] = [];
    const fatal: string[] = [];
    const loop = new EventLoop();
    const c = new Controller<string>({
      loop,
      name: 'database',
      reconciler: panicky(loop),
      recoverPanic: false,
      log: (l) => logs.push(l),
      onFatal: (m) => fatal.push(m),
    });
    c.start();
    c.queue.add('ns/a');
    loop.runUntil(Second);
    expect(logs.some((l) => l.msg === 'Observed a panic in reconciler: nil map')).toBe(true);
    expect(fatal).toEqual(['panic: nil map']);
    expect(c.hasCrashed()).toBe(true);
    expect(c.liveWorkers()).toBe(0);
  });
});

describe('ReconciliationTimeout (§4.1)', () => {
  it('cancels the context only; the reconciler finishes and its result is handled; timeouts counted', () => {
    const loop = new EventLoop();
    const lim = new Limiter(1, 1);
    lim.allowN(0, 1);
    const seen: (string | null)[] = [];
    const c = new Controller<string>({
      loop,
      name: 'database',
      reconciliationTimeout: 100 * Millisecond,
      reconciler: function* (_req, ctx) {
        const err = yield* limiterWait(loop, lim, 1, ctx);
        seen.push(err);
        yield 200 * Millisecond;
        return { err: err ? { message: err } : null };
      },
    });
    c.start();
    c.queue.add('ns/a');
    loop.runUntil(150 * Millisecond);
    // The wait needs 1 s but the deadline is in 100 ms: x/time fails at once.
    expect(seen).toEqual(['rate: Wait(n=1) would exceed context deadline']);
    loop.runUntil(250 * Millisecond);
    expect(
      c.metrics.value('controller_runtime_reconcile_timeouts_total', { controller: 'database' }),
    ).toBe(1);
    expect(
      c.metrics.value('controller_runtime_reconcile_errors_total', { controller: 'database' }),
    ).toBe(1);
  });
});

describe('Priority queue in the controller', () => {
  it('keeps the request priority on requeue; initial-list events get LowPriority', () => {
    const { loop, c, calls } = setup(
      (r, n) => (r === 'ns/low' && n === 1 ? { err: { message: 'e' } } : {}),
      {
        work: 10 * Millisecond,
      },
    );
    c.enqueueEvent('ns/low', { initialList: true });
    c.enqueueEvent('ns/x', { initialList: true });
    loop.runUntil(Second);
    expect(calls.map((x) => [x.req, x.priority])).toEqual([
      ['ns/low', -100],
      ['ns/x', -100],
      ['ns/low', -100],
    ]);
  });

  it('v0.22 defaults to the client-go queue and the default controller rate limiter', () => {
    const { c } = setup(() => ({}), { version: 'v0.22' });
    expect(c.queueKind).toBe('rateLimiting');
    const { c: c2 } = setup(() => ({}), { version: 'v0.23' });
    expect(c2.queueKind).toBe('priority');
  });
});

describe('Controller trace hooks', () => {
  it('reports enqueue, wait (backoff/bucket), get, reconcile start/end and requeue ops in order', () => {
    const loop = new EventLoop();
    const ev: string[] = [];
    let n = 0;
    const c = new Controller<string>({
      loop,
      name: 'database',
      version: 'v0.22',
      reconciler: function* () {
        yield 10 * Millisecond;
        return ++n === 1 ? { err: { message: 'e' } } : {};
      },
      observer: {
        onReconcileStart: (k, i, t) => ev.push(`${t} start ${k} #${i.reconcileID}`),
        onReconcileEnd: (k, e) => ev.push(`${e.end} end ${k} ${e.result}`),
        onRequeue: (k, op, d, cause) => ev.push(`${loop.now()} ${op} ${k} ${d} ${cause}`),
      },
    });
    c.queue.setObserver({
      onAdd: (k, o) => ev.push(`${loop.now()} add ${k} ${o}`),
      onWait: (k, at) => ev.push(`${loop.now()} wait ${k} until ${at}`),
      onGet: (k) => ev.push(`${loop.now()} get ${k}`),
      onDone: (k) => ev.push(`${loop.now()} done ${k}`),
    });
    c.start();
    c.queue.add('ns/a');
    loop.runUntil(Millisecond);
    c.queue.add('ns/a');
    loop.runUntil(Second);
    const ms = Millisecond;
    expect(ev).toEqual([
      '0 add ns/a queued',
      '0 get ns/a',
      '0 start ns/a #1',
      `${ms} add ns/a dirty`,
      `${10 * ms} wait ns/a until ${15 * ms}`,
      `${10 * ms} addRateLimited ns/a ${5 * ms} backoff`,
      `${10 * ms} end ns/a error`,
      `${10 * ms} done ns/a`,
      `${10 * ms} get ns/a`,
      `${10 * ms} start ns/a #2`,
      // client-go: the delayed entry fires while the key is processing ⇒ one more processing.
      `${15 * ms} add ns/a dirty`,
      `${20 * ms} forget ns/a 0 undefined`,
      `${20 * ms} end ns/a success`,
      `${20 * ms} done ns/a`,
      `${20 * ms} get ns/a`,
      `${20 * ms} start ns/a #3`,
      `${30 * ms} forget ns/a 0 undefined`,
      `${30 * ms} end ns/a success`,
      `${30 * ms} done ns/a`,
    ]);
  });

  it('keeps workqueue_unfinished_work_seconds current while a long reconcile runs', () => {
    const loop = new EventLoop();
    const c = new Controller<string>({
      loop,
      name: 'database',
      reconciler: function* () {
        yield 3 * Second;
        return {};
      },
    });
    c.start();
    c.queue.add('ns/slow');
    loop.runUntil(2 * Second);
    const L = { name: 'database', controller: 'database' };
    expect(c.metrics.value('workqueue_unfinished_work_seconds', L)).toBe(2);
    expect(c.metrics.value('workqueue_longest_running_processor_seconds', L)).toBe(2);
    loop.runUntil(4 * Second);
    expect(c.metrics.value('workqueue_unfinished_work_seconds', L)).toBe(0);
  });
});

describe('Controller shutdown by queue kind (§1.4 contrasts)', () => {
  const run = (version: 'v0.22' | 'v0.23') => {
    const loop = new EventLoop();
    const done: string[] = [];
    const c = new Controller<string>({
      loop,
      name: 'database',
      version,
      reconciler: function* (req) {
        yield 10 * Millisecond;
        done.push(req);
        return {};
      },
    });
    c.start();
    for (const k of ['ns/a', 'ns/b', 'ns/c']) c.queue.add(k);
    loop.runUntil(Millisecond);
    c.stop();
    loop.runUntil(Second);
    return { done, live: c.liveWorkers() };
  };

  it('client-go queue (v0.22): workers drain the queued items after ShutDown', () => {
    expect(run('v0.22')).toEqual({ done: ['ns/a', 'ns/b', 'ns/c'], live: 0 });
  });

  it('priority queue (v0.23): no drain, workers stop after the reconcile in flight', () => {
    expect(run('v0.23')).toEqual({ done: ['ns/a'], live: 0 });
  });
});
