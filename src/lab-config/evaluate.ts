/**
 * Go constant evaluation for the values the lab reads: untyped int/float constants,
 * time.Duration arithmetic (5*time.Millisecond, time.Minute/2), rate.Limit / rate.Every /
 * rate.Inf, conversions, strings, bools, pointers (&d, ptr.To(x)). Follows identifiers to
 * their const/var declarations through a Scope. Never executes anything.
 *
 * Go rules mirrored (spec "Constant expressions"): an untyped operand is converted to the
 * other operand's type, so `1.5*time.Nanosecond` is rejected (truncated) while
 * `1.5*time.Second` is fine (exactly 1500000000); integer division truncates; division by a
 * zero constant is a compile error; Duration is int64, so |v| ≥ 2^63 overflows.
 */
import { Hour, Microsecond, Millisecond, Minute, Nanosecond, Second } from '../engine/time';
import { calleeName, callArgs, field, kids, unparen } from './ast';
import type { SyntaxNode } from './parser';
import type { DiagnosticCode } from './types';

export type Val =
  /** An integer constant; `typed` when declared with an integer type (int, int32…). */
  | { t: 'int'; v: number; typed?: boolean }
  | { t: 'float'; v: number; typed?: boolean }
  | { t: 'duration'; v: number }
  /** rate.Limit (float64 events/s); Infinity = rate.Inf. */
  | { t: 'limit'; v: number }
  | { t: 'string'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'ptr'; to: Val }
  | { t: 'nil' };

/** A value Go (or the lab) rejects, with the node to mark. */
export class EvalFailure extends Error {
  constructor(
    readonly code: DiagnosticCode,
    message: string,
    readonly node: SyntaxNode,
  ) {
    super(message);
  }
}

export interface Scope {
  /** The expression a name is bound to (const or single-assignment var), as seen from `at`. */
  lookup(name: string, at: SyntaxNode): SyntaxNode | undefined;
}

const DURATIONS: Record<string, number> = {
  Nanosecond,
  Microsecond,
  Millisecond,
  Second,
  Minute,
  Hour,
};

/** 2^63: Duration and int64 hold values strictly below it. */
const INT64_LIMIT = 9223372036854775808;

function isNumeric(
  v: Val,
): v is Extract<Val, { v: number }> & { t: 'int' | 'float' | 'duration' | 'limit' } {
  return v.t === 'int' || v.t === 'float' || v.t === 'duration' || v.t === 'limit';
}

/** The type Go's compiler names in "cannot use x (…) as …" messages. */
export function goTypeName(v: Val): string {
  switch (v.t) {
    case 'int':
      return v.typed ? 'int' : 'untyped int constant';
    case 'float':
      return v.typed ? 'float64' : 'untyped float constant';
    case 'duration':
      return 'time.Duration';
    case 'limit':
      return 'rate.Limit';
    case 'string':
      return 'untyped string constant';
    case 'bool':
      return 'untyped bool constant';
    case 'ptr':
      return 'pointer';
    case 'nil':
      return 'nil';
  }
}

function checkDuration(v: number, node: SyntaxNode, text: string): number {
  if (Number.isNaN(v)) throw new EvalFailure('LC013', `${text} is NaN`, node);
  if (!Number.isInteger(v))
    throw new EvalFailure(
      'LC011',
      `constant ${text} truncated to integer: time.Duration is an int64 of nanoseconds`,
      node,
    );
  if (Math.abs(v) >= INT64_LIMIT)
    throw new EvalFailure('LC012', `constant ${text} overflows time.Duration`, node);
  return v;
}

export class Evaluator {
  private depth = 0;
  constructor(private readonly scope: Scope) {}

  /** undefined: not a constant the lab can follow. Throws EvalFailure on Go-rejected values. */
  evaluate(node: SyntaxNode): Val | undefined {
    if (this.depth > 40) return undefined;
    this.depth++;
    try {
      return this.evalInner(unparen(node));
    } finally {
      this.depth--;
    }
  }

  private evalInner(n: SyntaxNode): Val | undefined {
    switch (n.type) {
      case 'int_literal': {
        const v = parseGoInt(n.text);
        return v === undefined ? undefined : { t: 'int', v };
      }
      case 'float_literal': {
        const v = Number(n.text.replace(/_/g, ''));
        return Number.isNaN(v) ? undefined : { t: 'float', v };
      }
      case 'interpreted_string_literal':
        return { t: 'string', v: unquote(n.text) };
      case 'raw_string_literal':
        return { t: 'string', v: n.text.slice(1, -1) };
      case 'true':
        return { t: 'bool', v: true };
      case 'false':
        return { t: 'bool', v: false };
      case 'nil':
        return { t: 'nil' };
      case 'identifier': {
        if (n.text === 'iota') return undefined;
        const bound = this.scope.lookup(n.text, n);
        return bound ? this.evaluate(bound) : undefined;
      }
      case 'selector_expression': {
        const op = field(n, 'operand');
        const f = field(n, 'field');
        if (!op || !f) return undefined;
        if (op.text === 'time' && f.text in DURATIONS)
          return { t: 'duration', v: DURATIONS[f.text]! };
        if (op.text === 'time' && Object.keys(DURATIONS).some((u) => editDistance(u, f.text) <= 2))
          throw new EvalFailure('LC015', `undefined: time.${f.text}`, n);
        if (op.text === 'rate' && f.text === 'Inf') return { t: 'limit', v: Infinity };
        if (op.text === 'metricsserver' && f.text === 'DefaultBindAddress')
          return { t: 'string', v: ':8080' };
        return undefined;
      }
      case 'unary_expression': {
        const opText = field(n, 'operator')?.text;
        const operand = field(n, 'operand');
        if (!operand) return undefined;
        const v = this.evaluate(operand);
        if (!v) return undefined;
        if (opText === '&') return { t: 'ptr', to: v };
        if (opText === '+' && isNumeric(v)) return v;
        if (opText === '-' && isNumeric(v)) return { ...v, v: -v.v || 0 } as Val;
        if (opText === '!' && v.t === 'bool') return { t: 'bool', v: !v.v };
        return undefined;
      }
      case 'binary_expression':
        return this.binary(n);
      case 'call_expression':
        return this.call(n);
      default:
        return undefined;
    }
  }

  private binary(n: SyntaxNode): Val | undefined {
    const l = field(n, 'left');
    const r = field(n, 'right');
    const op = field(n, 'operator')?.text;
    if (!l || !r || !op) return undefined;
    const a = this.evaluate(l);
    const b = this.evaluate(r);
    if (!a || !b) return undefined;
    if (a.t === 'string' && b.t === 'string' && op === '+') return { t: 'string', v: a.v + b.v };
    if (a.t === 'bool' && b.t === 'bool' && (op === '&&' || op === '||'))
      return { t: 'bool', v: op === '&&' ? a.v && b.v : a.v || b.v };
    if (!isNumeric(a) || !isNumeric(b)) return undefined;
    // Result type: typed beats untyped; two different typed operands are a Go error.
    const typedA =
      a.t === 'duration' || a.t === 'limit' || (a.t !== 'int' && a.t !== 'float') || !!a.typed;
    const typedB =
      b.t === 'duration' || b.t === 'limit' || (b.t !== 'int' && b.t !== 'float') || !!b.typed;
    let t: Val['t'];
    if (typedA && typedB && goTypeName(a) !== goTypeName(b)) {
      throw new EvalFailure(
        'LC014',
        `invalid operation: ${n.text} (mismatched types ${goTypeName(a)} and ${goTypeName(b)})`,
        n,
      );
    }
    if (typedA) t = a.t;
    else if (typedB) t = b.t;
    else t = a.t === 'float' || b.t === 'float' ? 'float' : 'int';
    const integer = t === 'int' || t === 'duration';
    // Converting an untyped operand to an integer type must be exact.
    for (const [side, v] of [
      [l, a],
      [r, b],
    ] as const) {
      if (integer && !Number.isInteger(v.v) && Number.isFinite(v.v))
        throw new EvalFailure(
          'LC011',
          `${side.text} (${goTypeName(v)} ${v.v}) truncated to ${t === 'duration' ? 'time.Duration' : 'int'}`,
          side,
        );
    }
    let v: number;
    switch (op) {
      case '+':
        v = a.v + b.v;
        break;
      case '-':
        v = a.v - b.v;
        break;
      case '*':
        v = a.v * b.v;
        break;
      case '/':
        if (b.v === 0) throw new EvalFailure('LC010', 'invalid operation: division by zero', r);
        v = integer ? Math.trunc(a.v / b.v) : a.v / b.v;
        break;
      case '%':
        if (!integer) return undefined;
        if (b.v === 0) throw new EvalFailure('LC010', 'invalid operation: division by zero', r);
        v = a.v % b.v;
        break;
      default:
        return undefined;
    }
    if (integer && Math.abs(v) >= INT64_LIMIT)
      throw new EvalFailure(
        'LC012',
        `constant ${n.text} overflows ${t === 'duration' ? 'time.Duration' : 'int64'}`,
        n,
      );
    const typed =
      (typedA && (a.t === 'int' || a.t === 'float') && a.typed) ||
      (typedB && (b.t === 'int' || b.t === 'float') && b.typed);
    if (t === 'int' || t === 'float')
      return typed ? { t, v: v || 0, typed: true } : { t, v: v || 0 };
    return { t, v: v || 0 } as Val;
  }

  private call(n: SyntaxNode): Val | undefined {
    const c = calleeName(n);
    if (!c) return undefined;
    const args = callArgs(n);
    const arg0 = args[0];
    const one = (): Val | undefined =>
      args.length === 1 && arg0 ? this.evaluate(arg0) : undefined;
    const key = c.operand ? `${c.operand}.${c.name}` : c.name;
    switch (key) {
      case 'time.Duration': {
        const v = one();
        if (!v || !isNumeric(v) || !arg0) return undefined;
        return {
          t: 'duration',
          v: checkDuration(v.v, arg0, arg0.text),
        };
      }
      case 'rate.Limit': {
        const v = one();
        if (!v || !isNumeric(v)) return undefined;
        return { t: 'limit', v: v.v };
      }
      case 'rate.Every': {
        const v = one();
        if (!v || !isNumeric(v) || !arg0) return undefined;
        const d = v.t === 'duration' ? v.v : checkDuration(v.v, arg0, arg0.text);
        // x/time: Every(d) = 1 / d.Seconds(); d <= 0 gives Inf.
        return { t: 'limit', v: d <= 0 ? Infinity : 1 / (d / Second) };
      }
      case 'float64':
      case 'float32': {
        const v = one();
        if (!v || !isNumeric(v)) return undefined;
        return { t: 'float', v: v.v, typed: true };
      }
      case 'int':
      case 'int32':
      case 'int64': {
        const v = one();
        if (!v || !isNumeric(v) || !arg0) return undefined;
        if (!Number.isInteger(v.v))
          throw new EvalFailure(
            'LC011',
            `cannot convert ${arg0.text} (${goTypeName(v)} ${v.v}) to type ${key} (truncated)`,
            arg0,
          );
        return { t: 'int', v: v.v, typed: true };
      }
      case 'math.NaN':
        return { t: 'float', v: NaN, typed: true };
      case 'math.Inf': {
        const v = one();
        if (!v || !isNumeric(v)) return undefined;
        return { t: 'float', v: v.v >= 0 ? Infinity : -Infinity, typed: true };
      }
      case 'ptr.To':
      case 'pointer.Bool':
      case 'pointer.BoolPtr':
      case 'pointer.Duration':
      case 'pointer.Int':
      case 'utilptr.To': {
        const v = one();
        return v ? { t: 'ptr', to: v } : undefined;
      }
      default:
        return undefined;
    }
  }
}

/** Levenshtein distance (small strings only). */
function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

export function parseGoInt(text: string): number | undefined {
  const s = text.replace(/_/g, '');
  let v: number;
  if (/^0[0-7]+$/.test(s)) v = parseInt(s, 8);
  else if (/^0[oO][0-7]+$/.test(s)) v = parseInt(s.slice(2), 8);
  else v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

function unquote(lit: string): string {
  try {
    const v: unknown = JSON.parse(lit);
    return typeof v === 'string' ? v : lit.slice(1, -1);
  } catch {
    return lit.slice(1, -1);
  }
}

/** The number inside a numeric value (ints, floats, durations, limits). */
export function numberOf(v: Val | undefined): number | undefined {
  return v && isNumeric(v) ? v.v : undefined;
}

/** Strips pointers (&d, ptr.To(d)). */
export function deref(v: Val | undefined): Val | undefined {
  let x = v;
  while (x && x.t === 'ptr') x = x.to;
  return x;
}

export { kids };
