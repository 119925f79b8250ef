/**
 * Knob editing: rewrite the literal behind a knob (one edit, for one undo step), or insert a
 * knob that is absent from the text. Values are written the way Go programmers write them:
 * durations as `5*time.Millisecond`, rate limits as `rate.Limit(10)` / `rate.Every(…)` /
 * `rate.Inf`, bools as `true`, pointer fields through `ptr.To(…)` kept as they were.
 */
import type { CrVersion, RateLimiterSpec } from '../engine/settings';
import { Hour, Microsecond, Millisecond, Minute, Second } from '../engine/time';
import { compileWithInsertions } from './compile';
import type { Knob, SourceRange } from './types';
import { LineIndex } from './source';

export interface KnobEdit {
  text: string;
  edit: { range: SourceRange; newText: string };
}

const UNITS: [string, number][] = [
  ['time.Hour', Hour],
  ['time.Minute', Minute],
  ['time.Second', Second],
  ['time.Millisecond', Millisecond],
  ['time.Microsecond', Microsecond],
  ['time.Nanosecond', 1],
];

/**
 * Formats Nanos as a Go duration expression: `5*time.Millisecond`, `time.Second`, `0`.
 * `preferUnit` (e.g. 'time.Second') is kept when the value is a whole number of it, so a
 * slider moving `1000*time.Second` gives `2000*time.Second`, not `33*time.Minute + …`.
 */
export function formatGoDuration(ns: number, preferUnit?: string): string {
  if (!Number.isFinite(ns)) throw new RangeError(`not a duration: ${ns}`);
  const v = Math.trunc(ns);
  if (v === 0) return '0';
  const abs = Math.abs(v);
  const sign = v < 0 ? '-' : '';
  const preferred = UNITS.find(([u]) => u === preferUnit);
  const pick =
    preferred && abs % preferred[1] === 0 ? preferred : UNITS.find(([, n]) => abs % n === 0)!;
  const [unit, size] = pick;
  const k = abs / size;
  return k === 1 ? `${sign}${unit}` : `${sign}${k}*${unit}`;
}

/** A Go float literal: `10`, `0.5`, `1e-05` style is fine for Go too. */
export function formatGoFloat(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  return Number.isInteger(x) ? String(x) : String(x);
}

function unitOf(expr: string): string | undefined {
  const m = /(time\.(?:Hour|Minute|Second|Millisecond|Microsecond|Nanosecond))\s*$/.exec(
    expr.trim(),
  );
  return m?.[1];
}

/** The replacement text for a knob's range, keeping the original style where possible. */
export function formatKnobValue(
  knob: Knob,
  original: string,
  value: number | boolean | string,
): string {
  switch (knob.kind) {
    case 'bool':
      if (typeof value !== 'boolean') throw new TypeError(`${knob.id} needs a boolean`);
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(String(value));
    case 'int': {
      if (typeof value !== 'number' || !Number.isInteger(value))
        throw new TypeError(`${knob.id} needs an integer`);
      return String(value);
    }
    case 'duration': {
      if (typeof value !== 'number')
        throw new TypeError(`${knob.id} needs a duration in nanoseconds`);
      return formatGoDuration(value, unitOf(original));
    }
    case 'float': {
      if (typeof value !== 'number' || Number.isNaN(value))
        throw new TypeError(`${knob.id} needs a number`);
      const o = original.trim();
      const isRate = /^rate\.(Limit|Every|Inf)\b/.test(o);
      if (value === Infinity) {
        if (isRate || /limit$/i.test(knob.id) || /qps$/i.test(knob.id)) return 'rate.Inf';
        throw new RangeError(`${knob.id} cannot be infinite`);
      }
      if (/^rate\.Every\(/.test(o) && value > 0) {
        const ns = Second / value;
        if (Number.isInteger(ns))
          return `rate.Every(${formatGoDuration(ns, unitOf(o.slice(11, -1)))})`;
      }
      if (isRate) return `rate.Limit(${formatGoFloat(value)})`;
      return formatGoFloat(value);
    }
  }
}

/** Rewrites exactly the knob's literal. `knob` must come from compiling this same `text`. */
export function editKnob(text: string, knob: Knob, newValue: number | boolean | string): KnobEdit {
  const { startOffset, endOffset } = knob.range;
  const original = text.slice(startOffset, endOffset);
  const newText = formatKnobValue(knob, original, newValue);
  return {
    text: text.slice(0, startOffset) + newText + text.slice(endOffset),
    edit: { range: knob.range, newText },
  };
}

/** Knob ids that `setKnobValue` can insert when they are missing from the text. */
export const INSERTABLE_KNOBS = [
  'maxConcurrentReconciles',
  'usePriorityQueue',
  'recoverPanic',
  'reconciliationTimeout',
  'cacheSyncTimeout',
  'client.qps',
  'client.burst',
  'replicas',
] as const;

const OPTION_FIELDS: Record<string, { field: string; kind: Knob['kind']; pointer?: boolean }> = {
  maxConcurrentReconciles: { field: 'MaxConcurrentReconciles', kind: 'int' },
  usePriorityQueue: { field: 'UsePriorityQueue', kind: 'bool', pointer: true },
  recoverPanic: { field: 'RecoverPanic', kind: 'bool', pointer: true },
  reconciliationTimeout: { field: 'ReconciliationTimeout', kind: 'duration' },
  cacheSyncTimeout: { field: 'CacheSyncTimeout', kind: 'duration' },
};

function valueText(kind: Knob['kind'], value: number | boolean | string): string {
  const fake: Knob = {
    id: 'x',
    label: '',
    kind,
    value,
    range: {
      startLineNumber: 1,
      startColumn: 1,
      endLineNumber: 1,
      endColumn: 1,
      startOffset: 0,
      endOffset: 0,
    },
  };
  return formatKnobValue(fake, '', value);
}

function insertAt(text: string, offset: number, newText: string): KnobEdit {
  const range = new LineIndex(text).range(offset, offset);
  return { text: text.slice(0, offset) + newText + text.slice(offset), edit: { range, newText } };
}

/** Inserts `Field: value,` before the closing brace of a composite literal. */
function insertField(
  text: string,
  lit: { close: number; indent: string; lastFieldEnd: number | undefined },
  line: string,
): KnobEdit {
  if (lit.lastFieldEnd !== undefined) {
    // After the last field: make sure it ends with a comma, then a new line.
    const after = text.slice(lit.lastFieldEnd, lit.close);
    const hasComma = /^\s*,/.test(after);
    const commaEnd = hasComma ? lit.lastFieldEnd + after.indexOf(',') + 1 : lit.lastFieldEnd;
    const insertion = `${hasComma ? '' : ','}\n${lit.indent}${line},`;
    return insertAt(text, commaEnd, insertion);
  }
  const closeIndent = lit.indent.replace(/\t$/, '');
  return insertAt(text, lit.close, `\n${lit.indent}${line},\n${closeIndent}`);
}

/**
 * Sets a knob: edits it if it is in the text, otherwise inserts it where Go would have it
 * (README "Knobs"): controller.Options fields into the WithOptions literal; client QPS/Burst as
 * `cfg.QPS = …` after `cfg := ctrl.GetConfigOrDie()` (or into a rest.Config literal);
 * `const replicas = …` after the imports. Returns undefined when there is nowhere to put it
 * (e.g. no controller.Options literal) or the id is unknown.
 */
export function setKnobValue(
  text: string,
  id: string,
  value: number | boolean | string,
  opts: { version: CrVersion },
): KnobEdit | undefined {
  const { result, insertions } = compileWithInsertions(text, opts);
  const knob = result.knobs.find((k) => k.id === id);
  if (knob) return editKnob(text, knob, value);
  const opt = OPTION_FIELDS[id];
  if (opt) {
    if (!insertions.controllerOptions) return undefined;
    const v = valueText(opt.kind, value);
    return insertField(
      text,
      insertions.controllerOptions,
      `${opt.field}: ${opt.pointer ? `ptr.To(${v})` : v}`,
    );
  }
  if (id === 'client.qps' || id === 'client.burst') {
    const name = id === 'client.qps' ? 'QPS' : 'Burst';
    const v = valueText(id === 'client.qps' ? 'float' : 'int', value);
    if (insertions.restConfigStatement) {
      const s = insertions.restConfigStatement;
      return insertAt(text, s.end, `\n${s.indent}${s.variable}.${name} = ${v}`);
    }
    if (insertions.restConfigLiteral)
      return insertField(text, insertions.restConfigLiteral, `${name}: ${v}`);
    return undefined;
  }
  if (id === 'replicas') {
    const at = insertions.afterImports;
    if (at === undefined) return undefined;
    return insertAt(
      text,
      at,
      `\n\n// replicas is how many copies of this operator the lab runs.\nconst replicas = ${valueText('int', value)}`,
    );
  }
  return undefined;
}

/**
 * Go source for a rate limiter spec, typed for reconcile.Request (what the knob form writes
 * when the learner picks another limiter kind). `{kind: 'default'}` has no Go form.
 */
export function rateLimiterToGo(spec: RateLimiterSpec, indent = ''): string {
  const T = '[reconcile.Request]';
  const inner = indent + '\t';
  switch (spec.kind) {
    case 'default':
      throw new RangeError('the default rate limiter is written by omitting RateLimiter');
    case 'defaultController':
      return `workqueue.DefaultTypedControllerRateLimiter${T}()`;
    case 'defaultItemBased':
      return `workqueue.DefaultTypedItemBasedRateLimiter${T}()`;
    case 'itemExponentialFailure':
      return `workqueue.NewTypedItemExponentialFailureRateLimiter${T}(${formatGoDuration(spec.baseDelay)}, ${formatGoDuration(spec.maxDelay)})`;
    case 'itemFastSlow':
      return `workqueue.NewTypedItemFastSlowRateLimiter${T}(${formatGoDuration(spec.fastDelay)}, ${formatGoDuration(spec.slowDelay)}, ${spec.maxFastAttempts})`;
    case 'bucket':
      return `&workqueue.TypedBucketRateLimiter${T}{Limiter: rate.NewLimiter(${spec.qps === Infinity ? 'rate.Inf' : `rate.Limit(${formatGoFloat(spec.qps)})`}, ${spec.burst})}`;
    case 'maxOf':
      return `workqueue.NewTypedMaxOfRateLimiter(\n${spec.limiters.map((l) => `${inner}${rateLimiterToGo(l, inner)},\n`).join('')}${indent})`;
    case 'withMaxWait':
      return `workqueue.NewTypedWithMaxWaitRateLimiter(${rateLimiterToGo(spec.limiter, indent)}, ${formatGoDuration(spec.maxDelay)})`;
  }
}

/**
 * Replaces the `RateLimiter:` value of controller.Options with `spec` (one edit), inserts the
 * field when it is absent, or removes the field for `{kind: 'default'}`. undefined when there
 * is no controller.Options literal.
 */
export function setRateLimiter(
  text: string,
  spec: RateLimiterSpec,
  opts: { version: CrVersion },
): KnobEdit | undefined {
  const { insertions } = compileWithInsertions(text, opts);
  const rl = insertions.rateLimiterValue;
  if (spec.kind === 'default') {
    if (!rl) return undefined;
    // Remove the whole `RateLimiter: …,` line(s).
    const lineStart = text.lastIndexOf('\n', rl.start) + 1;
    let end = rl.end;
    const after = /^\s*,?[ \t]*(\/\/[^\n]*)?\n?/.exec(text.slice(end));
    end += after ? after[0].length : 0;
    const range = new LineIndex(text).range(lineStart, end);
    return { text: text.slice(0, lineStart) + text.slice(end), edit: { range, newText: '' } };
  }
  if (rl) {
    const newText = rateLimiterToGo(spec, rl.indent);
    const range = new LineIndex(text).range(rl.start, rl.end);
    return {
      text: text.slice(0, rl.start) + newText + text.slice(rl.end),
      edit: { range, newText },
    };
  }
  if (!insertions.controllerOptions) return undefined;
  return insertField(
    text,
    insertions.controllerOptions,
    `RateLimiter: ${rateLimiterToGo(spec, insertions.controllerOptions.indent)}`,
  );
}
