/**
 * The scenario file format: parsing and validation (see
 * lessons/7.4-performance-and-scalability/scenarios/README.md for the documented format).
 *
 * Scenario files are JSON. Every duration may be written either as a Go duration string
 * ("90s", "1m30s", "250ms", "1.5h", as Go's time.ParseDuration accepts) or as a non-negative
 * integer number of nanoseconds. Unknown fields are errors (a typo must not silently change a
 * run). Every error names the JSON path of the offending field, e.g. `faults[1].to`.
 */
import type {
  ClusterPreset,
  ExternalApiProfile,
  Fault,
  KindShape,
  Scenario,
  WorkloadStep,
} from './scenario-types';
import { Hour, Microsecond, Millisecond, Minute, type Nanos, Second } from './time';

/** The scenario the lab opens with ("2,000 Databases created at once"). */
export const DEFAULT_SCENARIO_ID = 'bulk-create-2000';

export interface ScenarioError {
  /** JSON path of the field, e.g. "workload[0].count" ("" for the document itself). */
  path: string;
  message: string;
}

export type ParseScenarioResult = { scenario: Scenario } | { errors: ScenarioError[] };

export const CLUSTER_PRESETS: readonly ClusterPreset[] = ['tiny', 'dev', 'medium', 'large'];

/** Longest run a scenario may ask for (virtual time stays exact far beyond this). */
export const MAX_SCENARIO_DURATION: Nanos = 24 * Hour;
/** Largest object count in one step (the 100k bench is the design limit). */
export const MAX_OBJECTS = 200_000;

const UNITS: Record<string, number> = {
  ns: 1,
  us: Microsecond,
  µs: Microsecond, // U+00B5 micro sign
  μs: Microsecond, // U+03BC Greek mu
  ms: Millisecond,
  s: Second,
  m: Minute,
  h: Hour,
};

/**
 * Go's time.ParseDuration: a possibly signed sequence of decimal numbers, each with an
 * optional fraction and a unit suffix ("300ms", "-1.5h", "2h45m"). "0" alone is allowed.
 * Returns the duration in nanoseconds (rounded to an integer) or an error string.
 */
export function parseGoDuration(s: string): { ok: true; d: Nanos } | { ok: false; err: string } {
  const orig = s;
  const bad = { ok: false as const, err: `time: invalid duration "${orig}"` };
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, d: 0 };
  if (s === '') return bad;
  let total = 0;
  while (s !== '') {
    const m = /^(\d*)(\.(\d*))?/.exec(s);
    if (!m || (m[1] === '' && (m[3] ?? '') === '')) return bad;
    const num = Number(`${m[1] || '0'}.${m[3] ?? ''}`.replace(/\.$/, ''));
    s = s.slice(m[0].length);
    const u = /^[^\d.]+/.exec(s);
    if (!u) return { ok: false, err: `time: missing unit in duration "${orig}"` };
    const unit = UNITS[u[0]];
    if (unit === undefined) {
      return { ok: false, err: `time: unknown unit "${u[0]}" in duration "${orig}"` };
    }
    s = s.slice(u[0].length);
    total += num * unit;
  }
  if (!Number.isFinite(total) || total > Number.MAX_SAFE_INTEGER) {
    return { ok: false, err: `time: invalid duration "${orig}"` };
  }
  const d = Math.round(total);
  return { ok: true, d: neg ? -d : d };
}

type Obj = Record<string, unknown>;

class Ctx {
  errors: ScenarioError[] = [];
  err(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  obj(v: unknown, path: string): Obj | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.err(path, `must be an object, got ${describe(v)}`);
      return undefined;
    }
    return v as Obj;
  }

  /** Reports fields not in `allowed` (typos must not be silently ignored). */
  known(o: Obj, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) {
        this.err(join(path, k), `unknown field "${k}" (allowed: ${allowed.join(', ')})`);
      }
    }
  }

  str(o: Obj, k: string, path: string, opt: { optional?: boolean; pattern?: RegExp } = {}) {
    const v = o[k];
    const p = join(path, k);
    if (v === undefined) {
      if (!opt.optional) this.err(p, 'is required');
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      this.err(p, `must be a non-empty string, got ${describe(v)}`);
      return undefined;
    }
    if (opt.pattern && !opt.pattern.test(v)) {
      this.err(p, `"${v}" does not match ${String(opt.pattern)}`);
      return undefined;
    }
    return v;
  }

  num(
    o: Obj,
    k: string,
    path: string,
    opt: { optional?: boolean; min?: number; max?: number; int?: boolean; allowInf?: boolean } = {},
  ): number | undefined {
    let v = o[k];
    const p = join(path, k);
    if (v === undefined) {
      if (!opt.optional) this.err(p, 'is required');
      return undefined;
    }
    if (opt.allowInf && (v === 'Infinity' || v === 'Inf')) v = Infinity;
    if (typeof v !== 'number' || Number.isNaN(v) || (!opt.allowInf && !Number.isFinite(v))) {
      this.err(p, `must be a number, got ${describe(v)}`);
      return undefined;
    }
    if (opt.int && Number.isFinite(v) && !Number.isInteger(v)) {
      this.err(p, `must be an integer, got ${v}`);
      return undefined;
    }
    if (opt.min !== undefined && v < opt.min) {
      this.err(p, `must be ≥ ${opt.min}, got ${v}`);
      return undefined;
    }
    if (opt.max !== undefined && v > opt.max) {
      this.err(p, `must be ≤ ${opt.max}, got ${v}`);
      return undefined;
    }
    return v;
  }

  bool(o: Obj, k: string, path: string): boolean | undefined {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      this.err(join(path, k), `must be true or false, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  /** A duration: Go string ("90s") or integer nanoseconds. */
  dur(o: Obj, k: string, path: string, opt: { optional?: boolean; positive?: boolean } = {}) {
    const v = o[k];
    const p = join(path, k);
    if (v === undefined) {
      if (!opt.optional) this.err(p, 'is required (a Go duration such as "90s", or nanoseconds)');
      return undefined;
    }
    let d: number;
    if (typeof v === 'string') {
      const r = parseGoDuration(v.trim());
      if (!r.ok) {
        this.err(p, r.err);
        return undefined;
      }
      d = r.d;
    } else if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) {
        this.err(p, `a number must be an integer count of nanoseconds, got ${v}`);
        return undefined;
      }
      d = v;
    } else {
      this.err(p, `must be a Go duration string such as "90s" or nanoseconds, got ${describe(v)}`);
      return undefined;
    }
    if (d < 0 || (opt.positive && d === 0)) {
      this.err(p, `must be ${opt.positive ? '> 0' : '≥ 0'}, got ${String(v)}`);
      return undefined;
    }
    if (d > MAX_SCENARIO_DURATION) {
      this.err(p, `must be at most 24h, got ${String(v)}`);
      return undefined;
    }
    return d;
  }

  arr(o: Obj, k: string, path: string, optional = false): unknown[] | undefined {
    const v = o[k];
    if (v === undefined) {
      if (!optional) this.err(join(path, k), 'is required (an array)');
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.err(join(path, k), `must be an array, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }
}

function join(path: string, k: string): string {
  return path === '' ? k : `${path}.${k}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `"${v}"`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

const KIND = /^[A-Z][A-Za-z0-9]*$/;
const ID = /^[a-z0-9][a-z0-9-]*$/;
/** A Kubernetes object name (DNS-1123 subdomain, simplified). */
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function parseWorkload(c: Ctx, v: unknown, p: string): WorkloadStep | undefined {
  const o = c.obj(v, p);
  if (!o) return undefined;
  const type = o['type'];
  switch (type) {
    case 'bulkCreate': {
      c.known(o, p, ['type', 'at', 'kind', 'count', 'over', 'namespaces']);
      const at = c.dur(o, 'at', p);
      const kind = c.str(o, 'kind', p, { pattern: KIND });
      const count = c.num(o, 'count', p, { int: true, min: 1, max: MAX_OBJECTS });
      const over = c.dur(o, 'over', p, { optional: true });
      const namespaces = c.num(o, 'namespaces', p, { optional: true, int: true, min: 1 });
      if (at === undefined || kind === undefined || count === undefined) return undefined;
      return { type, at, kind, count, over, namespaces };
    }
    case 'churn': {
      c.known(o, p, ['type', 'from', 'to', 'kind', 'perMinute', 'mix']);
      const from = c.dur(o, 'from', p);
      const to = c.dur(o, 'to', p, { optional: true });
      const kind = c.str(o, 'kind', p, { pattern: KIND });
      const perMinute = c.num(o, 'perMinute', p, { min: 0, max: 10_000_000 });
      let mix: { create: number; update: number; delete: number } | undefined;
      if (o['mix'] !== undefined) {
        const mp = join(p, 'mix');
        const m = c.obj(o['mix'], mp);
        if (m) {
          c.known(m, mp, ['create', 'update', 'delete']);
          const cr = c.num(m, 'create', mp, { min: 0 });
          const up = c.num(m, 'update', mp, { min: 0 });
          const de = c.num(m, 'delete', mp, { min: 0 });
          if (cr !== undefined && up !== undefined && de !== undefined) {
            if (cr + up + de <= 0) c.err(mp, 'weights must not all be zero');
            else mix = { create: cr, update: up, delete: de };
          }
        }
      }
      if (from !== undefined && to !== undefined && to <= from) {
        c.err(join(p, 'to'), 'must be after "from"');
      }
      if (from === undefined || kind === undefined || perMinute === undefined) return undefined;
      return { type, from, to, kind, perMinute, mix };
    }
    case 'updateStorm': {
      c.known(o, p, ['type', 'at', 'kind', 'over', 'fraction']);
      const at = c.dur(o, 'at', p);
      const kind = c.str(o, 'kind', p, { pattern: KIND });
      const over = c.dur(o, 'over', p);
      const fraction = c.num(o, 'fraction', p, { optional: true, min: 0, max: 1 });
      if (at === undefined || kind === undefined || over === undefined) return undefined;
      return { type, at, kind, over, fraction };
    }
    case 'bulkDelete': {
      c.known(o, p, ['type', 'at', 'kind', 'count', 'over']);
      const at = c.dur(o, 'at', p);
      const kind = c.str(o, 'kind', p, { pattern: KIND });
      const count = c.num(o, 'count', p, { int: true, min: 1, max: MAX_OBJECTS });
      const over = c.dur(o, 'over', p, { optional: true });
      if (at === undefined || kind === undefined || count === undefined) return undefined;
      return { type, at, kind, count, over };
    }
    default:
      c.err(
        join(p, 'type'),
        `unknown workload type ${describe(type)} (expected bulkCreate, churn, updateStorm or bulkDelete)`,
      );
      return undefined;
  }
}

function window(c: Ctx, o: Obj, p: string): { from?: Nanos; to?: Nanos } {
  const from = c.dur(o, 'from', p);
  const to = c.dur(o, 'to', p);
  if (from !== undefined && to !== undefined && to <= from) {
    c.err(join(p, 'to'), 'must be after "from"');
  }
  return { from, to };
}

function parseFault(c: Ctx, v: unknown, p: string): Fault | undefined {
  const o = c.obj(v, p);
  if (!o) return undefined;
  const type = o['type'];
  switch (type) {
    case 'externalErrors': {
      c.known(o, p, ['type', 'from', 'to', 'errorRate']);
      const { from, to } = window(c, o, p);
      const errorRate = c.num(o, 'errorRate', p, { min: 0, max: 1 });
      if (from === undefined || to === undefined || errorRate === undefined) return undefined;
      return { type, from, to, errorRate };
    }
    case 'externalBrownout': {
      c.known(o, p, ['type', 'from', 'to', 'latencyFactor', 'errorRate']);
      const { from, to } = window(c, o, p);
      const latencyFactor = c.num(o, 'latencyFactor', p, { min: 1, max: 1000 });
      const errorRate = c.num(o, 'errorRate', p, { optional: true, min: 0, max: 1 });
      if (from === undefined || to === undefined || latencyFactor === undefined) return undefined;
      return { type, from, to, latencyFactor, errorRate };
    }
    case 'apiserverBrownout': {
      c.known(o, p, ['type', 'from', 'to', 'seatsFactor']);
      const { from, to } = window(c, o, p);
      const seatsFactor = c.num(o, 'seatsFactor', p, { min: 0.001, max: 1 });
      if (from === undefined || to === undefined || seatsFactor === undefined) return undefined;
      return { type, from, to, seatsFactor };
    }
    case 'watchDisconnect': {
      c.known(o, p, ['type', 'at', 'kind', 'gone', 'for']);
      const at = c.dur(o, 'at', p);
      const kind = c.str(o, 'kind', p, { pattern: KIND });
      const gone = c.bool(o, 'gone', p);
      const forD = c.dur(o, 'for', p, { optional: true });
      if (at === undefined || kind === undefined) return undefined;
      return { type, at, kind, gone, for: forD };
    }
    case 'leaderFailover': {
      c.known(o, p, ['type', 'at', 'warmCache']);
      const at = c.dur(o, 'at', p);
      const warmCache = c.bool(o, 'warmCache', p);
      if (at === undefined) return undefined;
      return { type, at, warmCache };
    }
    case 'hotKey': {
      c.known(o, p, ['type', 'from', 'to', 'name', 'namespace']);
      const from = c.dur(o, 'from', p);
      const to = c.dur(o, 'to', p, { optional: true });
      const name = c.str(o, 'name', p, { pattern: NAME });
      const namespace = c.str(o, 'namespace', p, { optional: true, pattern: NAME });
      if (from !== undefined && to !== undefined && to <= from) {
        c.err(join(p, 'to'), 'must be after "from"');
      }
      if (from === undefined || name === undefined) return undefined;
      return { type, from, to, name, namespace };
    }
    case 'slowWrites': {
      c.known(o, p, ['type', 'from', 'to', 'extraLatency']);
      const { from, to } = window(c, o, p);
      const extraLatency = c.dur(o, 'extraLatency', p, { positive: true });
      if (from === undefined || to === undefined || extraLatency === undefined) return undefined;
      return { type, from, to, extraLatency };
    }
    default:
      c.err(
        join(p, 'type'),
        `unknown fault type ${describe(type)} (expected externalErrors, externalBrownout, apiserverBrownout, watchDisconnect, leaderFailover, hotKey or slowWrites)`,
      );
      return undefined;
  }
}

function parseWeights(c: Ctx, v: unknown, p: string): Record<string, number> | undefined {
  const o = c.obj(v, p);
  if (!o) return undefined;
  const out: Record<string, number> = {};
  let total = 0;
  for (const k of Object.keys(o)) {
    const w = c.num(o, k, p, { min: 0 });
    if (w !== undefined) {
      out[k] = w;
      total += w;
    }
  }
  if (Object.keys(o).length === 0 || total <= 0) {
    c.err(p, 'needs at least one value with a positive weight');
    return undefined;
  }
  return out;
}

function parseKindShape(c: Ctx, v: unknown, p: string): KindShape | undefined {
  const o = c.obj(v, p);
  if (!o) return undefined;
  c.known(o, p, ['fields', 'labels', 'cachedBytes']);
  const shape: KindShape = {};
  for (const key of ['fields', 'labels'] as const) {
    if (o[key] === undefined) continue;
    const kp = join(p, key);
    const m = c.obj(o[key], kp);
    if (!m) continue;
    const out: Record<string, Record<string, number>> = {};
    for (const f of Object.keys(m)) {
      const w = parseWeights(c, m[f], join(kp, f));
      if (w) out[f] = w;
    }
    shape[key] = out;
  }
  const bytes = c.num(o, 'cachedBytes', p, { optional: true, int: true, min: 1, max: 100_000_000 });
  if (bytes !== undefined) shape.cachedBytes = bytes;
  return shape;
}

/**
 * Parses and validates a scenario document. Returns the typed Scenario (all durations in
 * nanoseconds) or every error found, each with the path of its field.
 */
export function parseScenario(json: unknown): ParseScenarioResult {
  const c = new Ctx();
  const o = c.obj(json, '');
  if (!o) return { errors: c.errors };
  c.known(o, '', [
    '$schema',
    'id',
    'title',
    'learningPoint',
    'lessonSection',
    'try',
    'seed',
    'duration',
    'cluster',
    'initialObjects',
    'kinds',
    'workload',
    'faults',
    'external',
  ]);
  const id = c.str(o, 'id', '', { pattern: ID });
  const title = c.str(o, 'title', '');
  const learningPoint = c.str(o, 'learningPoint', '');
  if (learningPoint && learningPoint.includes('\n')) {
    c.err('learningPoint', 'must be one line');
  }
  const lessonSection = c.str(o, 'lessonSection', '', { pattern: ID });
  const tryText = c.str(o, 'try', '', { optional: true });
  const seed = c.num(o, 'seed', '', { int: true, min: 0, max: 0xffffffff });
  const duration = c.dur(o, 'duration', '', { positive: true });
  let cluster: ClusterPreset | undefined;
  const cl = o['cluster'];
  if (cl === undefined) c.err('cluster', 'is required');
  else if (typeof cl !== 'string' || !CLUSTER_PRESETS.includes(cl as ClusterPreset)) {
    c.err('cluster', `must be one of ${CLUSTER_PRESETS.join(', ')}, got ${describe(cl)}`);
  } else cluster = cl as ClusterPreset;

  let initialObjects: Scenario['initialObjects'];
  const io = c.arr(o, 'initialObjects', '', true);
  if (io) {
    initialObjects = [];
    io.forEach((v, i) => {
      const p = `initialObjects[${i}]`;
      const e = c.obj(v, p);
      if (!e) return;
      c.known(e, p, ['kind', 'count', 'namespaces']);
      const kind = c.str(e, 'kind', p, { pattern: KIND });
      const count = c.num(e, 'count', p, { int: true, min: 0, max: MAX_OBJECTS });
      const namespaces = c.num(e, 'namespaces', p, { optional: true, int: true, min: 1 });
      if (kind !== undefined && count !== undefined) {
        initialObjects!.push({ kind, count, namespaces });
      }
    });
  }

  let kinds: Scenario['kinds'];
  if (o['kinds'] !== undefined) {
    const k = c.obj(o['kinds'], 'kinds');
    if (k) {
      kinds = {};
      for (const name of Object.keys(k)) {
        if (!KIND.test(name)) c.err(join('kinds', name), `"${name}" is not a Kind name`);
        const s = parseKindShape(c, k[name], join('kinds', name));
        if (s) kinds[name] = s;
      }
    }
  }

  const workload: WorkloadStep[] = [];
  const wl = c.arr(o, 'workload', '');
  wl?.forEach((v, i) => {
    const w = parseWorkload(c, v, `workload[${i}]`);
    if (w) workload.push(w);
  });
  const faults: Fault[] = [];
  const fl = c.arr(o, 'faults', '');
  fl?.forEach((v, i) => {
    const f = parseFault(c, v, `faults[${i}]`);
    if (f) faults.push(f);
  });

  let external: Partial<ExternalApiProfile> | undefined;
  if (o['external'] !== undefined) {
    const e = c.obj(o['external'], 'external');
    if (e) {
      c.known(e, 'external', ['median', 'p99', 'errorRate', 'serverLimitRps']);
      external = {};
      const median = c.dur(e, 'median', 'external', { optional: true, positive: true });
      const p99 = c.dur(e, 'p99', 'external', { optional: true, positive: true });
      const errorRate = c.num(e, 'errorRate', 'external', { optional: true, min: 0, max: 1 });
      const lim = c.num(e, 'serverLimitRps', 'external', {
        optional: true,
        min: 0,
        allowInf: true,
      });
      if (median !== undefined) external.median = median;
      if (p99 !== undefined) external.p99 = p99;
      if (median !== undefined && p99 !== undefined && p99 < median) {
        c.err('external.p99', 'must be ≥ external.median');
      }
      if (errorRate !== undefined) external.errorRate = errorRate;
      if (lim !== undefined) external.serverLimitRps = lim;
    }
  }

  // Cross-field checks: every time must lie inside the run.
  if (duration !== undefined) {
    const late = (t: Nanos | undefined, path: string): void => {
      if (t !== undefined && t > duration)
        c.err(path, 'is after the end of the scenario (duration)');
    };
    workload.forEach((w, i) => {
      if (w.type === 'churn') late(w.from, `workload[${i}].from`);
      else late(w.at, `workload[${i}].at`);
    });
    faults.forEach((f, i) => {
      if ('at' in f) late(f.at, `faults[${i}].at`);
      else late(f.from, `faults[${i}].from`);
    });
  }

  if (
    c.errors.length > 0 ||
    id === undefined ||
    title === undefined ||
    learningPoint === undefined ||
    lessonSection === undefined ||
    seed === undefined ||
    duration === undefined ||
    cluster === undefined
  ) {
    return { errors: c.errors };
  }
  const scenario: Scenario = {
    id,
    title,
    learningPoint,
    lessonSection,
    seed,
    duration,
    cluster,
    workload,
    faults,
  };
  if (tryText !== undefined) scenario.try = tryText;
  if (initialObjects) scenario.initialObjects = initialObjects;
  if (kinds) scenario.kinds = kinds;
  if (external) scenario.external = external;
  return { scenario };
}

/** Formats parse errors one per line: "faults[1].to: must be after "from"". */
export function formatScenarioErrors(errors: readonly ScenarioError[]): string {
  return errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('\n');
}
