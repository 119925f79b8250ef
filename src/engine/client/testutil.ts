/**
 * Shared setup for the API server / REST client tests: a loop, a registry, a server with a
 * preset, and helpers to seed objects and drive writers.
 */
import { EventLoop } from '../loop';
import { MetricsRegistry } from '../metrics';
import { Rng } from '../prng';
import { apiServerPreset, type ApiServerConfig, type ClusterPreset } from '../apiserver/config';
import { ApiServer } from '../apiserver/server';
import { StatusError } from '../apiserver/errors';
import { RestClient, type RestClientOptions } from './rest-client';

export interface Harness {
  loop: EventLoop;
  metrics: MetricsRegistry;
  server: ApiServer;
  client: RestClient;
}

export function harness(
  preset: ClusterPreset,
  client: Partial<Omit<RestClientOptions, 'loop' | 'rng' | 'server' | 'metrics'>> = {},
  seed = 1,
  config: Partial<ApiServerConfig> = {},
): Harness {
  const loop = new EventLoop();
  const metrics = new MetricsRegistry();
  const rng = new Rng(seed);
  const server = new ApiServer({
    loop,
    rng: rng.fork(1),
    metrics,
    config: Object.keys(config).length ? { ...apiServerPreset(preset), ...config } : preset,
  });
  const c = new RestClient({
    loop,
    rng: rng.fork(2),
    server,
    metrics,
    qps: -1,
    burst: 0,
    ...client,
  });
  return { loop, metrics, server, client: c };
}

/** Creates `n` Databases directly in the store (they exist before the run). */
export function seedDatabases(server: ApiServer, n: number, namespace = 'default'): string[] {
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `db-${i}`;
    const r = server.store.create({
      kind: 'Database',
      metadata: { namespace, name, labels: { app: 'db' } },
      spec: { size: 1 },
    });
    if (r instanceof StatusError) throw r;
    names.push(name);
  }
  return names;
}
