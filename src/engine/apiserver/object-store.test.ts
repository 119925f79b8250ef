import { describe, expect, it } from 'vitest';
import { EventLoop } from '../loop';
import { Second } from '../time';
import { StatusError, isConflict, isNotFound, isResourceExpired } from './errors';
import { ObjectStore, type KubeObject, type WatchEvent } from './object-store';

function setup() {
  const loop = new EventLoop();
  const store = new ObjectStore({ clock: loop });
  return { loop, store };
}

function ok(r: KubeObject | StatusError): KubeObject {
  if (r instanceof StatusError) throw r;
  return r;
}

const db = (name: string, spec: Record<string, string | number | boolean> = { size: 1 }) => ({
  kind: 'Database',
  metadata: { namespace: 'default', name, labels: { app: 'db' } },
  spec,
});

describe('ObjectStore', () => {
  it('bumps one global resourceVersion on every write, across kinds, and never on reads', () => {
    const { store } = setup();
    const a = ok(store.create(db('db-1')));
    const b = ok(
      store.create({ kind: 'StatefulSet', metadata: { namespace: 'default', name: 'db-1' } }),
    );
    expect(a.metadata.resourceVersion).toBe(1);
    expect(b.metadata.resourceVersion).toBe(2);
    store.get('Database', 'default', 'db-1');
    store.list('Database');
    expect(store.resourceVersion()).toBe(2);
    const c = ok(store.update({ ...a, metadata: { ...a.metadata }, spec: { size: 2 } }));
    expect(c.metadata.resourceVersion).toBe(3);
    expect(c.metadata.generation).toBe(2);
  });

  it('answers a missing object with the real NotFound message', () => {
    const { store } = setup();
    const r = store.get('Database', 'default', 'db-1');
    expect(isNotFound(r)).toBe(true);
    expect((r as StatusError).code).toBe(404);
    expect((r as StatusError).message).toBe('databases.database.example.com "db-1" not found');
    const s = store.get('Service', 'default', 'web');
    expect((s as StatusError).message).toBe('services "web" not found');
  });

  it('refuses a duplicate create with AlreadyExists', () => {
    const { store } = setup();
    ok(store.create(db('db-1')));
    const r = store.create(db('db-1')) as StatusError;
    expect(r.code).toBe(409);
    expect(r.reason).toBe('AlreadyExists');
    expect(r.message).toBe('databases.database.example.com "db-1" already exists');
  });

  it('rejects an update with a stale resourceVersion with the real Conflict message', () => {
    const { store } = setup();
    const first = ok(store.create(db('db-1')));
    ok(store.update({ ...first, spec: { size: 2 } }));
    const r = store.update({ ...first, spec: { size: 3 } });
    expect(isConflict(r)).toBe(true);
    expect((r as StatusError).message).toBe(
      'Operation cannot be fulfilled on databases.database.example.com "db-1": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect((r as StatusError).code).toBe(409);
  });

  it('treats identical writes as no-ops: no resourceVersion bump and no watch event', () => {
    const { store } = setup();
    const o = ok(store.create(db('db-1')));
    const events: WatchEvent[] = [];
    store.watch('Database', { resourceVersion: o.metadata.resourceVersion }, (e) => events.push(e));
    const same = ok(store.update({ ...o }));
    expect(same.metadata.resourceVersion).toBe(o.metadata.resourceVersion);
    const s1 = ok(store.updateStatus({ ...o, status: { phase: 'Ready' } }));
    expect(events).toHaveLength(1);
    const s2 = ok(store.updateStatus({ ...s1, status: { phase: 'Ready' } }));
    expect(s2.metadata.resourceVersion).toBe(s1.metadata.resourceVersion);
    const p = ok(
      store.patch('Database', 'default', 'db-1', { status: { phase: 'Ready' } }, 'status'),
    );
    expect(p.metadata.resourceVersion).toBe(s1.metadata.resourceVersion);
    expect(events).toHaveLength(1);
    expect(store.resourceVersion()).toBe(s1.metadata.resourceVersion);
  });

  it('changes generation on spec changes only, not on status or labels', () => {
    const { store } = setup();
    const o = ok(store.create(db('db-1')));
    const s = ok(store.updateStatus({ ...o, status: { ready: true } }));
    expect(s.metadata.generation).toBe(1);
    const l = ok(store.patch('Database', 'default', 'db-1', { labels: { tier: 'gold' } }));
    expect(l.metadata.generation).toBe(1);
    expect(l.metadata.labels).toEqual({ app: 'db', tier: 'gold' });
    const sp = ok(store.patch('Database', 'default', 'db-1', { spec: { size: 5 } }));
    expect(sp.metadata.generation).toBe(2);
    expect(sp.status).toEqual({ ready: true });
  });

  it('status updates ignore spec and spec updates ignore status', () => {
    const { store } = setup();
    const o = ok(store.create(db('db-1')));
    const s = ok(store.updateStatus({ ...o, spec: { size: 99 }, status: { phase: 'A' } }));
    expect(s.spec).toEqual({ size: 1 });
    const u = ok(store.update({ ...s, spec: { size: 2 }, status: { phase: 'B' } }));
    expect(u.status).toEqual({ phase: 'A' });
  });

  it('returns copies: mutating a result never changes the store', () => {
    const { store } = setup();
    const o = ok(store.create(db('db-1')));
    o.spec.size = 42;
    o.metadata.labels.app = 'x';
    const g = ok(store.get('Database', 'default', 'db-1'));
    expect(g.spec.size).toBe(1);
    expect(g.metadata.labels.app).toBe('db');
  });

  it('gives the watch cache consumer the stored snapshots only when it asks (LIST snapshots, createSnapshot)', () => {
    const { store } = setup();
    const created = store.createSnapshot(db('db-1'));
    if (created instanceof StatusError) throw created;
    expect(created).toBe(store.peek('Database', 'default', 'db-1'));
    expect(ok(store.create(db('db-2')))).not.toBe(store.peek('Database', 'default', 'db-2'));
    expect(store.createSnapshot(db('db-1'))).toBeInstanceOf(StatusError);
    const shared = store.list('Database', { snapshots: true }).items;
    const copies = store.list('Database').items;
    expect(shared.map((o) => o.metadata.name)).toEqual(['db-1', 'db-2']);
    expect(copies).toEqual(shared);
    for (let i = 0; i < shared.length; i++) {
      const name = shared[i]!.metadata.name;
      expect(shared[i]).toBe(store.peek('Database', 'default', name));
      expect(copies[i]).not.toBe(shared[i]);
    }
  });

  it('never lets a caller reach stored state through any returned object', () => {
    const { store } = setup();
    const events: WatchEvent[] = [];
    store.watch('Database', { resourceVersion: 0 }, (e) => events.push(e));
    const scribble = (o: KubeObject) => {
      o.spec.size = 99;
      o.status.phase = 'scribbled';
      o.metadata.labels.app = 'scribbled';
      o.metadata.resourceVersion = 12345;
    };
    const o = ok(store.create(db('db-1')));
    scribble(o);
    const u = ok(
      store.update({ ...db('db-1', { size: 2 }), metadata: { ...db('db-1').metadata } }),
    );
    scribble(u);
    const same = ok(store.update({ ...db('db-1', { size: 2 }) })); // no-op: the stored object
    scribble(same);
    const st = ok(store.updateStatus({ ...db('db-1'), status: { phase: 'Ready' } }));
    scribble(st);
    const p = ok(store.patch('Database', 'default', 'db-1', { labels: { tier: 'gold' } }));
    scribble(p);
    const noop = ok(store.patch('Database', 'default', 'db-1', { spec: { size: 2 } }));
    scribble(noop);
    for (const item of store.list('Database').items) scribble(item);
    const g = ok(store.get('Database', 'default', 'db-1'));
    expect(g.spec).toEqual({ size: 2 });
    expect(g.status).toEqual({ phase: 'Ready' });
    expect(g.metadata.labels).toEqual({ app: 'db', tier: 'gold' });
    expect(g.metadata.resourceVersion).toBe(4);
    expect(store.peek('Database', 'default', 'db-1')!.metadata.resourceVersion).toBe(4);
    // The events carry the stored snapshots: each is what was committed, unchanged by the
    // scribbles on the results above.
    expect(
      events.map((e) => [e.type, e.resourceVersion, e.object.metadata.resourceVersion]),
    ).toEqual([
      ['ADDED', 1, 1],
      ['MODIFIED', 2, 2],
      ['MODIFIED', 3, 3],
      ['MODIFIED', 4, 4],
    ]);
    expect(events.map((e) => e.object.spec.size)).toEqual([1, 2, 2, 2]);
    expect(events[1]!.object.metadata.labels).toEqual({ app: 'db' });
    // A replay from history shows the same snapshots.
    const replay: WatchEvent[] = [];
    store.watch('Database', { resourceVersion: 1 }, (e) => replay.push(e));
    expect(replay.map((e) => [e.type, e.resourceVersion, e.object])).toEqual(
      events.slice(1).map((e) => [e.type, e.resourceVersion, e.object]),
    );
  });

  it('keeps owner references across writes that omit them and copies the ones a caller sends', () => {
    const { store } = setup();
    const owner = { kind: 'Database', name: 'db-0', uid: 'uid-0', controller: true };
    const created = ok(
      store.create({
        ...db('db-1'),
        metadata: { ...db('db-1').metadata, ownerReferences: [owner] },
      }),
    );
    const stored = () => store.peek('Database', 'default', 'db-1')!;
    // An update without owner references keeps the stored ones (and is a no-op here).
    const { ownerReferences: _omit, ...metaWithout } = created.metadata;
    ok(store.update({ ...created, metadata: metaWithout }));
    expect(stored().metadata.resourceVersion).toBe(1);
    const u = ok(store.update({ ...created, metadata: metaWithout, spec: { size: 2 } }));
    expect(u.metadata.ownerReferences).toEqual([owner]);
    // New owners from the caller are copied: changing the caller's array changes nothing.
    const mine = [{ kind: 'Database', name: 'db-9', uid: 'uid-9' }];
    const v = ok(store.update({ ...u, metadata: { ...u.metadata, ownerReferences: mine } }));
    mine[0]!.name = 'scribbled';
    expect(v.metadata.ownerReferences).toEqual([{ kind: 'Database', name: 'db-9', uid: 'uid-9' }]);
    expect(stored().metadata.ownerReferences).toEqual([
      { kind: 'Database', name: 'db-9', uid: 'uid-9' },
    ]);
    // Status and patch writes keep them.
    ok(store.updateStatus({ ...v, status: { phase: 'Ready' } }));
    ok(store.patch('Database', 'default', 'db-1', { labels: { x: 'y' } }));
    expect(stored().metadata.ownerReferences).toEqual([
      { kind: 'Database', name: 'db-9', uid: 'uid-9' },
    ]);
    expect(stored().metadata.resourceVersion).toBe(5);
  });

  it('lists in key order with namespace and label filters, counting objects scanned', () => {
    const { store } = setup();
    for (const [ns, n] of [
      ['b', 'x'],
      ['a', 'z'],
      ['a', 'y'],
    ] as const) {
      ok(store.create({ kind: 'Database', metadata: { namespace: ns, name: n, labels: { ns } } }));
    }
    const all = store.list('Database');
    expect(all.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'a/y',
      'a/z',
      'b/x',
    ]);
    expect(all.scanned).toBe(3);
    expect(all.resourceVersion).toBe(3);
    const inA = store.list('Database', { namespace: 'a' });
    expect(inA.items).toHaveLength(2);
    expect(inA.scanned).toBe(2);
    const sel = store.list('Database', { labelSelector: { ns: 'b' } });
    expect(sel.items).toHaveLength(1);
    expect(sel.scanned).toBe(3);
  });

  it('pages with limit and continue', () => {
    const { store } = setup();
    for (let i = 0; i < 5; i++) ok(store.create(db(`db-${i}`)));
    const p1 = store.list('Database', { limit: 2 });
    expect(p1.items.map((o) => o.metadata.name)).toEqual(['db-0', 'db-1']);
    expect(p1.continue).toBeDefined();
    const p2 = store.list('Database', { limit: 2, continue: p1.continue });
    expect(p2.items.map((o) => o.metadata.name)).toEqual(['db-2', 'db-3']);
    const p3 = store.list('Database', { limit: 2, continue: p2.continue });
    expect(p3.items.map((o) => o.metadata.name)).toEqual(['db-4']);
    expect(p3.continue).toBeUndefined();
  });

  it('delivers ADDED, MODIFIED and DELETED with increasing resourceVersions', () => {
    const { store } = setup();
    const events: WatchEvent[] = [];
    store.watch('Database', { resourceVersion: store.resourceVersion() }, (e) => events.push(e));
    const o = ok(store.create(db('db-1')));
    ok(store.update({ ...o, spec: { size: 2 } }));
    ok(store.delete('Database', 'default', 'db-1'));
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(events.map((e) => e.resourceVersion)).toEqual([1, 2, 3]);
    expect(store.watcherCount('Database')).toBe(1);
  });

  it('replays history after the requested resourceVersion and sends synthetic ADDED for RV 0', () => {
    const { store } = setup();
    ok(store.create(db('db-1')));
    ok(store.create(db('db-2')));
    const seen: string[] = [];
    store.watch('Database', { resourceVersion: 1 }, (e) =>
      seen.push(`${e.type}:${e.object.metadata.name}`),
    );
    expect(seen).toEqual(['ADDED:db-2']);
    const all: string[] = [];
    store.watch('Database', { resourceVersion: 0 }, (e) => all.push(e.object.metadata.name));
    expect(all).toEqual(['db-1', 'db-2']);
  });

  it('answers a watch from a resourceVersion older than the 75 s history with 410', () => {
    const { loop, store } = setup();
    ok(store.create(db('db-1')));
    ok(store.create(db('db-2')));
    loop.advance(80 * Second);
    ok(store.create(db('db-3')));
    const gone = store.watch('Database', { resourceVersion: 1 }, () => {});
    expect(isResourceExpired(gone)).toBe(true);
    expect((gone as StatusError).code).toBe(410);
    expect((gone as StatusError).message).toBe('too old resource version: 1 (2)');
    // Everything after RV 2 is still in the history.
    const seen: number[] = [];
    const w = store.watch('Database', { resourceVersion: 2 }, (e) => seen.push(e.resourceVersion));
    expect(w instanceof StatusError).toBe(false);
    expect(seen).toEqual([3]);
  });

  it('closes watches and expires history on demand (fault injection)', () => {
    const { store } = setup();
    ok(store.create(db('db-1')));
    const closed: string[] = [];
    store.watch(
      'Database',
      { resourceVersion: 1 },
      () => {},
      (why) => closed.push(why),
    );
    store.closeWatches('Database');
    expect(closed).toEqual(['disconnected']);
    expect(store.watcherCount('Database')).toBe(0);
    ok(store.create(db('db-2')));
    store.expireHistory('Database');
    const r = store.watch('Database', { resourceVersion: 1 }, () => {});
    expect(isResourceExpired(r)).toBe(true);
  });

  it('deletes with a resourceVersion precondition', () => {
    const { store } = setup();
    ok(store.create(db('db-1')));
    const r = store.delete('Database', 'default', 'db-1', { resourceVersion: 7 }) as StatusError;
    expect(r.code).toBe(409);
    expect(r.message).toBe(
      'Operation cannot be fulfilled on databases.database.example.com "db-1": the ResourceVersion in the precondition (7) does not match the ResourceVersion in record (1). The object might have been modified',
    );
    expect(isNotFound(store.delete('Database', 'default', 'nope'))).toBe(true);
  });
});
