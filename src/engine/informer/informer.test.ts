import { describe, expect, it } from 'vitest';
import { ObjectStore } from '../apiserver/object-store';
import type { CachedObject } from '../cache/indexer';
import { EventLoop } from '../loop';
import { Rng } from '../prng';
import { Hour, Millisecond, Minute, Second } from '../time';
import { BACKOFF_INITIAL, Informer, type ListWatcher } from './informer';

/** A ListWatcher straight over the store (no APF), counting the LISTs it serves. */
function directLW(loop: EventLoop, store: ObjectStore) {
  const stats = { lists: 0, watches: 0 };
  const lw: ListWatcher = {
    list(kind, cb) {
      stats.lists++;
      const r = store.list(kind);
      loop.after(5 * Millisecond, () =>
        cb({ ok: true, objects: r.items, resourceVersion: r.resourceVersion }),
      );
    },
    watch(kind, rv, timeout, on) {
      stats.watches++;
      let ended = false;
      const w = store.watch(
        kind,
        { resourceVersion: rv },
        (ev) => on.event(ev.type, ev.object),
        (reason) => {
          if (reason === 'disconnected' && !ended) {
            ended = true;
            on.end('error');
          }
        },
      );
      if ('code' in w) {
        loop.after(Millisecond, () => on.end('gone'));
        return { stop() {} };
      }
      const t = loop.after(timeout, () => {
        if (ended) return;
        ended = true;
        w.stop();
        on.end('timeout');
      });
      return {
        stop() {
          ended = true;
          loop.cancel(t);
          w.stop();
        },
      };
    },
  };
  return { lw, stats };
}

function setup(n = 3, syncPeriod = 10 * Hour) {
  const loop = new EventLoop();
  const store = new ObjectStore({ clock: loop });
  for (let i = 0; i < n; i++)
    store.create({ kind: 'Database', metadata: { namespace: 'ns', name: `db-${i}` } });
  const { lw, stats } = directLW(loop, store);
  const inf = new Informer({ loop, rng: new Rng(1), kind: 'Database', lw, syncPeriod });
  const seen: { type: string; name: string; initial?: boolean; same?: boolean; t: number }[] = [];
  inf.addEventHandler({
    onAdd: (o: CachedObject, initial) =>
      seen.push({ type: 'add', name: o.metadata.name, initial, t: loop.now() }),
    onUpdate: (a, b) =>
      seen.push({ type: 'update', name: b.metadata.name, same: a === b, t: loop.now() }),
    onDelete: (o) => seen.push({ type: 'delete', name: o.metadata.name, t: loop.now() }),
  });
  return { loop, store, inf, stats, seen };
}

describe('an informer', () => {
  it('lists once, flags the initial list, then watches', () => {
    const { loop, inf, stats, seen } = setup(3);
    inf.start();
    loop.advance(Second);
    expect(inf.hasSynced()).toBe(true);
    expect(stats).toEqual({ lists: 1, watches: 1 });
    expect(seen.map((s) => s.initial)).toEqual([true, true, true]);
  });

  it('delivers watch events after a delivery latency, in order, without another LIST', () => {
    const { loop, store, inf, stats, seen } = setup(0);
    inf.start();
    loop.advance(Second);
    const t0 = loop.now();
    for (let i = 0; i < 20; i++)
      store.create({ kind: 'Database', metadata: { namespace: 'ns', name: `n-${i}` } });
    loop.advance(5 * Second);
    const adds = seen.filter((s) => s.type === 'add');
    expect(adds.map((s) => s.name)).toEqual(Array.from({ length: 20 }, (_, i) => `n-${i}`));
    expect(adds.every((s) => s.t > t0 && s.initial === false)).toBe(true);
    expect(stats.lists).toBe(1);
    expect(inf.indexer.size()).toBe(20);
  });

  it('re-opens the watch every 5–10 minutes without re-listing', () => {
    const { loop, inf, stats } = setup(2);
    inf.start();
    loop.advance(60 * Minute);
    expect(stats.lists).toBe(1);
    expect(stats.watches).toBeGreaterThanOrEqual(6);
    expect(stats.watches).toBeLessThanOrEqual(13);
  });

  it('relists after 410 Gone, with the reflector backoff, and catches up on missed changes', () => {
    const { loop, store, inf, stats, seen } = setup(2);
    inf.start();
    loop.advance(Second);
    // While disconnected, one object is deleted and one created.
    store.closeWatches('Database');
    store.delete('Database', 'ns', 'db-0');
    store.create({ kind: 'Database', metadata: { namespace: 'ns', name: 'late' } });
    store.expireHistory('Database');
    const before = loop.now();
    loop.advance(200 * Millisecond);
    expect(stats.lists).toBe(1); // backing off: nothing yet
    loop.advance(5 * Second);
    expect(stats.lists).toBe(2);
    const relistAt = seen.find((s) => s.name === 'late')!.t;
    expect(relistAt - before).toBeGreaterThanOrEqual(BACKOFF_INITIAL);
    expect(seen.some((s) => s.type === 'delete' && s.name === 'db-0')).toBe(true);
    expect([...inf.indexer.list()].map((o) => o.metadata.name).sort()).toEqual(['db-1', 'late']);
  });

  it('resyncs by replaying the cache locally: no API call, old === new', () => {
    const { loop, inf, stats, seen } = setup(3, Hour);
    inf.start();
    loop.advance(Second);
    seen.length = 0;
    loop.advance(70 * Minute); // SyncPeriod 1 h × [0.9, 1.1)
    const replays = seen.filter((s) => s.type === 'update');
    expect(replays).toHaveLength(3);
    expect(replays.every((s) => s.same)).toBe(true);
    expect(replays[0]!.t).toBeGreaterThanOrEqual(54 * Minute);
    expect(replays[0]!.t).toBeLessThan(67 * Minute);
    expect(stats.lists).toBe(1);
  });

  it('reports memory per cached object by representation', () => {
    const { loop, inf } = setup(10);
    inf.start();
    loop.advance(Second);
    expect(inf.memoryBytes()).toBe(10 * 3000);
    const loop2 = new EventLoop();
    const meta = new Informer({
      loop: loop2,
      rng: new Rng(1),
      kind: 'Database',
      lw: directLW(loop2, new ObjectStore({ clock: loop2 })).lw,
      syncPeriod: Hour,
      representation: 'metadata',
    });
    expect(meta.memoryBytes()).toBe(0);
  });
});
