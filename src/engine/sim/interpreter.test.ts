import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../apiserver/object-store';
import { EventLoop } from '../loop';
import type { ReconcileOp } from '../settings';
import { Millisecond } from '../time';
import {
  type ReconcileEnv,
  type ReconcileErr,
  type ReconcileOutcome,
  type WriteRequest,
  runReconcile,
} from './interpreter';

const obj = (name: string, rv = 1): KubeObject => ({
  kind: 'Database',
  metadata: {
    namespace: 'ns',
    name,
    uid: `u-${name}`,
    labels: {},
    resourceVersion: rv,
    generation: 1,
    creationTimestamp: 0,
  },
  spec: {},
  status: {},
});

/** A scripted world: `found` objects exist; writes fail with the queued errors, in order. */
function fakeEnv(o: {
  found?: string[];
  writeErrors?: (ReconcileErr | null)[];
  list?: KubeObject[];
}) {
  const loop = new EventLoop();
  const calls: string[] = [];
  const writeErrors = [...(o.writeErrors ?? [])];
  let out: ReconcileOutcome | undefined;
  const env: ReconcileEnv = {
    random: () => 0.5,
    sleep: (d, cb) => loop.after(d, cb),
    get: (kind, _ns, name, source, sink) => {
      calls.push(`get ${kind} ${name} ${source}`);
      loop.after(Millisecond, () =>
        (o.found ?? []).includes(`${kind}/${name}`)
          ? sink.readDone(null, obj(name))
          : sink.readDone(
              { message: `${kind} "${name}" not found`, reason: 'NotFound', code: 404 },
              undefined,
            ),
      );
    },
    list: (kind, _o, _s, sink) => {
      calls.push(`list ${kind}`);
      loop.after(Millisecond, () => sink.listDone(null, o.list ?? []));
    },
    write: (req: WriteRequest, sink) => {
      calls.push(`${req.verb} ${req.kind} ${req.name}`);
      const e = writeErrors.shift() ?? null;
      loop.after(Millisecond, () =>
        e ? sink.writeDone(e, undefined) : sink.writeDone(null, obj(req.name, 2)),
      );
    },
    limiterWait: (sink) => {
      calls.push('wait');
      sink.waitDone(null);
    },
    external: (sink) => {
      calls.push('external');
      loop.after(Millisecond, () => sink.waitDone(null));
    },
    reconcileDone: (r) => {
      if (out !== undefined) throw new Error('reconcileDone called twice');
      out = r;
    },
  };
  const run = (ops: ReconcileOp[]): ReconcileOutcome => {
    out = undefined;
    runReconcile(ops, 'Database', { namespace: 'ns', name: 'db-1' }, env);
    loop.advance(10_000 * Millisecond);
    return out!;
  };
  return { run, calls };
}

const conflict: ReconcileErr = {
  message: 'Operation cannot be fulfilled…',
  reason: 'Conflict',
  code: 409,
};

describe('the reconcile interpreter', () => {
  it('IgnoreNotFound ends a reconcile of a deleted object as success', () => {
    const { run, calls } = fakeEnv({});
    const r = run([
      { op: 'get', kind: 'Database', ref: 'request', source: 'cache', onError: 'ignoreNotFound' },
      { op: 'statusUpdate', kind: 'Database', ref: 'request' },
    ]);
    expect(r.err).toBeNull();
    expect(calls).toEqual(['get Database db-1 cache']);
  });

  it('skips the create when the get found the child (the IsNotFound guard)', () => {
    const ops: ReconcileOp[] = [
      { op: 'get', kind: 'StatefulSet', ref: 'owned', source: 'cache', onError: 'ignore' },
      { op: 'create', kind: 'StatefulSet', ref: 'owned' },
    ];
    expect(fakeEnv({ found: ['StatefulSet/db-1'] }).run(ops).err).toBeNull();
    const missing = fakeEnv({});
    missing.run(ops);
    expect(missing.calls).toEqual(['get StatefulSet db-1 cache', 'create StatefulSet db-1']);
  });

  it('remembers every object read in the reconcile, however many kinds (the IsNotFound guard per kind)', () => {
    const kinds = ['StatefulSet', 'ConfigMap', 'Service', 'Secret', 'PodDisruptionBudget'];
    const ops: ReconcileOp[] = [
      ...kinds.map((kind): ReconcileOp => ({
        op: 'get',
        kind,
        ref: 'owned',
        source: 'cache',
        onError: 'ignore',
      })),
      ...kinds.map((kind): ReconcileOp => ({ op: 'create', kind, ref: 'owned' })),
    ];
    const env = fakeEnv({
      found: ['ConfigMap/db-1', 'Secret/db-1', 'PodDisruptionBudget/db-1'],
    });
    env.run(ops);
    expect(env.calls.filter((c) => c.startsWith('create'))).toEqual([
      'create StatefulSet db-1',
      'create Service db-1',
    ]);
  });

  it('returns the first error by default and stops there', () => {
    const { run, calls } = fakeEnv({ found: ['Database/db-1'], writeErrors: [conflict] });
    const r = run([
      { op: 'get', kind: 'Database', ref: 'request', source: 'cache' },
      { op: 'statusUpdate', kind: 'Database', ref: 'request' },
      { op: 'external' },
    ]);
    expect(r.err?.reason).toBe('Conflict');
    expect(calls).not.toContain('external');
  });

  it('retryOnConflict reruns its body on Conflict, up to 5 attempts', () => {
    const ok = fakeEnv({ found: ['Database/db-1'], writeErrors: [conflict, conflict] });
    const body: ReconcileOp[] = [
      { op: 'get', kind: 'Database', ref: 'request', source: 'cache' },
      { op: 'update', kind: 'Database', ref: 'request' },
    ];
    expect(ok.run([{ op: 'retryOnConflict', body }]).err).toBeNull();
    expect(ok.calls.filter((c) => c.startsWith('update'))).toHaveLength(3);
    const ko = fakeEnv({ found: ['Database/db-1'], writeErrors: Array(9).fill(conflict) });
    expect(ko.run([{ op: 'retryOnConflict', body }]).err?.reason).toBe('Conflict');
    expect(ko.calls.filter((c) => c.startsWith('update'))).toHaveLength(5);
  });

  it('loops over the last List’s items', () => {
    const { run, calls } = fakeEnv({ list: [obj('a'), obj('b'), obj('c')] });
    run([
      { op: 'list', kind: 'Database', source: 'cache' },
      { op: 'forEach', body: [{ op: 'patch', kind: 'Database', ref: 'item' }] },
    ]);
    expect(calls).toEqual([
      'list Database',
      'patch Database a',
      'patch Database b',
      'patch Database c',
    ]);
  });

  it('maps return statements to results, TerminalError included', () => {
    expect(
      fakeEnv({}).run([{ op: 'return', requeueAfter: 30_000 * Millisecond, error: 'nil' }]),
    ).toEqual({
      requeue: false,
      requeueAfter: 30_000 * Millisecond,
      err: null,
      terminal: false,
    });
    const t = fakeEnv({ writeErrors: [conflict] }).run([
      { op: 'update', kind: 'Database', ref: 'request', onError: 'ignore' },
      { op: 'return', error: 'terminal' },
    ]);
    expect(t.terminal).toBe(true);
    expect(t.err?.reason).toBe('Conflict');
  });
});
