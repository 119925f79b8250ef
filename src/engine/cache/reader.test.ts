import { describe, expect, it } from 'vitest';
import { ObjectStore } from '../apiserver/object-store';
import { EventLoop } from '../loop';
import { fieldExtractor, fieldIndexName, Indexer } from './indexer';
import { CacheReader, CONTINUE_NOT_SUPPORTED } from './reader';

function fill(n: number, prodEvery = 10): Indexer {
  const store = new ObjectStore({ clock: new EventLoop() });
  const ix = new Indexer();
  for (let i = 0; i < n; i++) {
    const env = i % prodEvery === 0 ? 'production' : 'dev';
    const o = store.create({
      kind: 'Database',
      metadata: { namespace: `team-${i % 2}`, name: `db-${i}`, labels: { environment: env } },
      spec: { environment: env },
    });
    if (!('code' in o)) ix.upsert(o);
  }
  return ix;
}

describe('the cached client reader', () => {
  it('answers a missing index with client-go’s error text', () => {
    const r = new CacheReader(fill(10), 'Database', 'v0.23', 3000).list({
      matchingFields: { 'spec.environment': 'production' },
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.err.message).toBe('Index with name field:spec.environment does not exist');
  });

  it('answers a missing second index with controller-runtime’s lower-case text', () => {
    const ix = fill(10);
    ix.addIndexer(fieldIndexName('spec.environment'), fieldExtractor('spec.environment'));
    const r = new CacheReader(ix, 'Database', 'v0.23', 3000).list({
      matchingFields: { 'spec.environment': 'production', 'spec.size': 'large' },
    });
    expect(!r.ok && r.err.message).toBe('index with name field:spec.size does not exist');
  });

  it('with an index scans only the matches; a label selector scans everything', () => {
    const ix = fill(1000, 10);
    ix.addIndexer(fieldIndexName('spec.environment'), fieldExtractor('spec.environment'));
    const reader = new CacheReader(ix, 'Database', 'v0.23', 3000);
    const byIndex = reader.list({ matchingFields: { 'spec.environment': 'production' } });
    const byLabel = reader.list({ matchingLabels: { environment: 'production' } });
    expect(byIndex.ok && byIndex.items.length).toBe(100);
    expect(byLabel.ok && byLabel.items.length).toBe(100);
    expect(byIndex.scanned).toBe(100);
    expect(byLabel.scanned).toBe(1000);
    expect(byIndex.cost).toBeLessThan(byLabel.cost);
    // Namespaced index lookups use <ns>/<value>.
    const ns = reader.list({
      namespace: 'team-0',
      matchingFields: { 'spec.environment': 'production' },
    });
    expect(ns.ok && ns.items.every((o) => o.metadata.namespace === 'team-0')).toBe(true);
    expect(ns.ok && ns.items.length).toBe(100); // every 10th object is in team-0
  });

  it('honours Limit without pagination: continue-not-supported since v0.21, empty before', () => {
    const ix = fill(50);
    const latest = new CacheReader(ix, 'Database', 'v0.23', 3000).list({ limit: 10 });
    expect(latest.ok && latest.items.length).toBe(10);
    expect(latest.ok && latest.continue).toBe(CONTINUE_NOT_SUPPORTED);
    const old = new CacheReader(ix, 'Database', 'v0.19', 3000).list({ limit: 10 });
    expect(old.ok && old.continue).toBe('');
    const page2 = new CacheReader(ix, 'Database', 'v0.23', 3000).list({
      limit: 10,
      continue: CONTINUE_NOT_SUPPORTED,
    });
    expect(!page2.ok && page2.err.message).toBe(
      'continue list option is not supported by the cache',
    );
  });

  it('applies Limit to matching objects, after the label filter', () => {
    const r = new CacheReader(fill(100, 10), 'Database', 'v0.23', 3000).list({
      matchingLabels: { environment: 'production' },
      limit: 3,
    });
    expect(r.ok && r.items.map((o) => o.metadata.labels['environment'])).toEqual([
      'production',
      'production',
      'production',
    ]);
  });

  it('names a cache miss by Kind, unlike the API server', () => {
    const r = new CacheReader(fill(1), 'Database', 'v0.23', 3000).get('team-0', 'nope');
    expect(!r.ok && r.err.message).toBe('Database.database.example.com "nope" not found');
    const server = new ObjectStore({ clock: new EventLoop() }).get('Database', 'team-0', 'nope');
    expect('message' in server && server.message).toBe(
      'databases.database.example.com "nope" not found',
    );
    const pod = new CacheReader(new Indexer(), 'Pod', 'v0.23', 3000).get('ns', 'foo');
    expect(!pod.ok && pod.err.message).toBe('Pod "foo" not found');
  });

  it('rejects the same index twice', () => {
    const ix = fill(1);
    ix.addIndexer('field:spec.environment', fieldExtractor('spec.environment'));
    expect(() =>
      ix.addIndexer('field:spec.environment', fieldExtractor('spec.environment')),
    ).toThrow(/indexer conflict/);
  });
});
