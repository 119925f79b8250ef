/**
 * The world outside the operator: the objects a scenario starts with and the workload that
 * changes them (users and other controllers writing to the API server). Workload writes go
 * straight into the store (their own API traffic is not modelled: at the lab's churn rates it
 * is a handful of requests per second in another flow). Also tracks the real backlog: objects
 * of the For() kind changed since their last successful reconcile.
 */
import type { ObjectStore, KubeObject } from '../apiserver/object-store';
import type { EventLoop } from '../loop';
import type { Rng } from '../prng';
import type { RunEvent } from '../run-types';
import type { KindShape, Scenario, WorkloadStep } from '../scenario-types';
import type { SimSettings } from '../settings';
import { Minute, type Nanos, formatDuration } from '../time';
import { objectKey } from '../cache/indexer';
import { desiredChildSpec } from './operator';

/** Name prefix of generated objects: db-0, db-1, … for Databases. */
export function namePrefix(kind: string): string {
  return kind === 'Database' ? 'db' : kind.toLowerCase();
}

function pickWeighted(rng: Rng, entries: readonly [string, number][]): string {
  let total = 0;
  for (const [, w] of entries) total += w;
  let x = rng.float64() * total;
  for (const [v, w] of entries) {
    x -= w;
    if (x < 0) return v;
  }
  return entries[entries.length - 1]![0];
}

/**
 * Live objects of one kind with O(1) random pick and removal. The key → index map is built
 * on the first removal only (a run without deletes never pays for 100,000 map entries); keys
 * are unique by construction (every create takes a new sequence number), so adds need no
 * duplicate check before then.
 */
class LiveSet {
  private keys: string[] = [];
  private idx: Map<string, number> | undefined = undefined;
  add(k: string): void {
    const idx = this.idx;
    if (idx !== undefined) {
      if (idx.has(k)) return;
      idx.set(k, this.keys.length);
    }
    this.keys.push(k);
  }
  private index(): Map<string, number> {
    if (this.idx !== undefined) return this.idx;
    const idx = new Map<string, number>();
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) idx.set(keys[i]!, i);
    return (this.idx = idx);
  }
  remove(k: string): void {
    const idx = this.index();
    const i = idx.get(k);
    if (i === undefined) return;
    const last = this.keys.pop()!;
    idx.delete(k);
    if (last !== k) {
      this.keys[i] = last;
      idx.set(last, i);
    }
  }
  size(): number {
    return this.keys.length;
  }
  pick(rng: Rng): string | undefined {
    if (this.keys.length === 0) return undefined;
    return this.keys[rng.intn(this.keys.length)];
  }
  all(): string[] {
    return this.keys.slice();
  }
}

export interface WorldDeps {
  loop: EventLoop;
  rng: Rng;
  store: ObjectStore;
  settings: SimSettings;
  scenario: Scenario;
  event: (kind: RunEvent['kind'], label: string) => void;
}

export class World {
  private readonly live = new Map<string, LiveSet>();
  private readonly seq = new Map<string, number>();
  private readonly nsCount = new Map<string, number>();
  /** For-kind keys changed since their last successful reconcile → the generation to reach. */
  readonly dirty = new Map<string, number>();
  /** Time of the last workload step's start (for drainedAt). */
  lastStepAt: Nanos = 0;

  constructor(private readonly d: WorldDeps) {}

  private liveOf(kind: string): LiveSet {
    let s = this.live.get(kind);
    if (!s) this.live.set(kind, (s = new LiveSet()));
    return s;
  }

  private shape(kind: string): KindShape | undefined {
    return this.d.scenario.kinds?.[kind];
  }

  /** Weighted label and field choices of a kind's shape, as entry lists (made once per kind). */
  private readonly shapeEntries = new Map<
    string,
    { labels: [string, [string, number][]][]; fields: [string, [string, number][]][] }
  >();
  /** `team-<i>` namespace names (one string per namespace, shared by its objects). */
  private readonly nsNames: string[] = [];

  private shapeOf(kind: string) {
    let e = this.shapeEntries.get(kind);
    if (!e) {
      const shape = this.shape(kind);
      const entries = (w: Record<string, Record<string, number>> | undefined) =>
        Object.entries(w ?? {}).map(
          ([k, v]) => [k, Object.entries(v)] as [string, [string, number][]],
        );
      e = { labels: entries(shape?.labels), fields: entries(shape?.fields) };
      this.shapeEntries.set(kind, e);
    }
    return e;
  }

  private nsName(i: number): string {
    return (this.nsNames[i] ??= `team-${i}`);
  }

  private newObject(
    kind: string,
    namespaces: number | undefined,
  ): {
    namespace: string;
    name: string;
    labels: Record<string, string>;
    spec: Record<string, string | number>;
  } {
    const n = this.seq.get(kind) ?? 0;
    this.seq.set(kind, n + 1);
    const ns = namespaces ?? this.nsCount.get(kind) ?? 1;
    if (namespaces !== undefined)
      this.nsCount.set(kind, Math.max(namespaces, this.nsCount.get(kind) ?? 0));
    const shape = this.shapeOf(kind);
    const labels: Record<string, string> = {};
    const spec: Record<string, string | number> = { replicas: 1, revision: 0 };
    for (const [k, w] of shape.labels) labels[k] = pickWeighted(this.d.rng, w);
    for (const [f, w] of shape.fields) {
      const v = pickWeighted(this.d.rng, w);
      if (f.startsWith('spec.')) spec[f.slice(5)] = v;
    }
    return { namespace: this.nsName(n % ns), name: `${namePrefix(kind)}-${n}`, labels, spec };
  }

  /** Objects that exist before the operator starts, already reconciled (children, status). */
  createInitial(): void {
    const s = this.d.settings;
    for (const io of this.d.scenario.initialObjects ?? []) {
      if (io.namespaces !== undefined) this.nsCount.set(io.kind, io.namespaces);
      for (let i = 0; i < io.count; i++) {
        const o = this.newObject(io.kind, io.namespaces);
        // Already reconciled: the status the reconcile would write, and its children.
        const created = this.d.store.createSnapshot({
          kind: io.kind,
          metadata: { namespace: o.namespace, name: o.name, labels: o.labels },
          spec: o.spec,
          status: io.kind === s.controller.forKind ? { observedGeneration: 1, phase: 'Ready' } : {},
        });
        if ('code' in created) continue;
        this.liveOf(io.kind).add(objectKey(o.namespace, o.name));
        if (io.kind !== s.controller.forKind) continue;
        for (const child of s.controller.owns) {
          this.d.store.createSnapshot({
            kind: child,
            metadata: {
              namespace: o.namespace,
              name: o.name,
              labels: { app: o.name },
              ownerReferences: [
                { kind: io.kind, name: o.name, uid: created.metadata.uid, controller: true },
              ],
            },
            spec: desiredChildSpec(created),
          });
        }
      }
    }
  }

  /** Schedules every workload step. */
  schedule(): void {
    for (const step of this.d.scenario.workload) this.scheduleStep(step);
  }

  private spread(at: Nanos, over: Nanos | undefined, count: number, fn: (i: number) => void): void {
    const loop = this.d.loop;
    if (!over || over <= 0 || count <= 1) {
      loop.schedule(at, () => {
        for (let i = 0; i < count; i++) fn(i);
      });
      return;
    }
    // Batches every 100 ms keep the event count small for big steps.
    const tick = Math.max(Math.floor(over / count), Math.min(100 * 1_000_000, over));
    const ticks = Math.max(1, Math.floor(over / tick));
    let done = 0;
    for (let k = 0; k < ticks; k++) {
      const upto = Math.round(((k + 1) * count) / ticks);
      const from = done;
      done = upto;
      loop.schedule(at + k * tick, () => {
        for (let i = from; i < upto; i++) fn(i);
      });
    }
  }

  private scheduleStep(step: WorkloadStep): void {
    const { loop, store } = this.d;
    const forKind = this.d.settings.controller.forKind;
    switch (step.type) {
      case 'bulkCreate': {
        this.lastStepAt = Math.max(this.lastStepAt, step.at + (step.over ?? 0));
        loop.schedule(step.at, () =>
          this.d.event(
            'bulkCreate',
            `${step.count.toLocaleString('en-US')} ${step.kind}s created${step.over ? ` over ${formatDuration(step.over)}` : ' at once'}`,
          ),
        );
        this.spread(step.at, step.over, step.count, () => this.create(step.kind, step.namespaces));
        return;
      }
      case 'bulkDelete': {
        this.lastStepAt = Math.max(this.lastStepAt, step.at + (step.over ?? 0));
        loop.schedule(step.at, () =>
          this.d.event('bulkDelete', `${step.count} ${step.kind}s deleted`),
        );
        this.spread(step.at, step.over, step.count, () => this.deleteRandom(step.kind));
        return;
      }
      case 'updateStorm': {
        this.lastStepAt = Math.max(this.lastStepAt, step.at + step.over);
        loop.schedule(step.at, () => {
          const keys = this.liveOf(step.kind).all();
          const n = Math.round(keys.length * (step.fraction ?? 1));
          this.d.event(
            'updateStorm',
            `${n} ${step.kind}s updated over ${formatDuration(step.over)}`,
          );
          this.spread(loop.now(), step.over, n, (i) => this.update(step.kind, keys[i]!));
        });
        return;
      }
      case 'churn': {
        this.lastStepAt = Math.max(this.lastStepAt, step.to ?? step.from);
        const rate = step.perMinute / Minute; // events per ns
        if (!(rate > 0)) return;
        const mix = step.mix ?? { create: 1, update: 8, delete: 1 };
        const total = mix.create + mix.update + mix.delete;
        loop.schedule(step.from, () =>
          this.d.event('churnStart', `churn: ${step.perMinute}/min ${step.kind} changes`),
        );
        const next = (): void => {
          const gap = Math.max(1, Math.round(-Math.log(1 - this.d.rng.float64()) / rate));
          const t = loop.now() + gap;
          if (step.to !== undefined && t >= step.to) return;
          loop.schedule(t, () => {
            const x = this.d.rng.float64() * total;
            if (x < mix.create) this.create(step.kind, undefined);
            else if (x < mix.create + mix.update) {
              const k = this.liveOf(step.kind).pick(this.d.rng);
              if (k) this.update(step.kind, k);
            } else this.deleteRandom(step.kind);
            next();
          });
        };
        loop.schedule(step.from, next);
        void store;
        void forKind;
        return;
      }
    }
  }

  create(kind: string, namespaces: number | undefined): void {
    const o = this.newObject(kind, namespaces);
    const r = this.d.store.createSnapshot({
      kind,
      metadata: { namespace: o.namespace, name: o.name, labels: o.labels },
      spec: o.spec,
    });
    if ('code' in r) return;
    const key = objectKey(o.namespace, o.name);
    this.liveOf(kind).add(key);
    if (kind === this.d.settings.controller.forKind) this.dirty.set(key, r.metadata.generation);
  }

  /** A spec change (generation + 1). */
  update(kind: string, key: string): void {
    const [ns, name] = split(key);
    const cur = this.d.store.peek(kind, ns, name);
    if (!cur) return;
    const rev = Number(cur.spec['revision'] ?? 0) + 1;
    const r = this.d.store.patch(kind, ns, name, { spec: { revision: rev } });
    if ('code' in r) return;
    if (kind === this.d.settings.controller.forKind) this.dirty.set(key, r.metadata.generation);
  }

  deleteRandom(kind: string): void {
    const key = this.liveOf(kind).pick(this.d.rng);
    if (!key) return;
    this.delete(kind, key);
  }

  delete(kind: string, key: string): void {
    const [ns, name] = split(key);
    this.d.store.delete(kind, ns, name);
    this.liveOf(kind).remove(key);
    this.dirty.delete(key);
    // The garbage collector deletes owned children (foreground details not modelled).
    if (kind === this.d.settings.controller.forKind) {
      for (const child of this.d.settings.controller.owns) {
        if (this.d.store.peek(child, ns, name)) this.d.store.delete(child, ns, name);
      }
    }
  }

  /** A successful reconcile that read `generation` of key. */
  reconciled(key: string, generation: number | undefined): void {
    const want = this.dirty.get(key);
    if (want === undefined) return;
    if (generation !== undefined && generation >= want) this.dirty.delete(key);
    if (generation === undefined) {
      // The reconcile did not read the object (or it is gone): compare with the store.
      const [ns, name] = split(key);
      const cur: Readonly<KubeObject> | undefined = this.d.store.peek(
        this.d.settings.controller.forKind,
        ns,
        name,
      );
      if (!cur) this.dirty.delete(key);
    }
  }

  /** Touches an object (a user edit), e.g. the hot key going bad. */
  touch(kind: string, namespace: string | undefined, name: string): void {
    for (const k of this.liveOf(kind).all()) {
      const [ns, n] = split(k);
      if (n === name && (namespace === undefined || ns === namespace)) this.update(kind, k);
    }
  }

  count(kind: string): number {
    return this.liveOf(kind).size();
  }
}

function split(key: string): [string, string] {
  const i = key.indexOf('/');
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)];
}
