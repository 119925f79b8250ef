/**
 * compileLabText: Go text → SimSettings + diagnostics + knobs. Parses with tree-sitter-go,
 * then recognises the constructs listed in README.md. Never executes the text.
 */
import type { CrVersion, RateLimiterSpec, ReconcileOp, SimSettings } from '../engine/settings';
import { Hour, Minute, type Nanos } from '../engine/time';
import {
  withAstMemo,
  callArgs,
  callee,
  calleeName,
  compositeOf,
  field,
  hasTypeArgs,
  keyedElements,
  kids,
  typeName,
  unparen,
} from './ast';
import { deref, EvalFailure, Evaluator, goTypeName, type Val } from './evaluate';
import { parseGo, type SyntaxNode } from './parser';
import { LineIndex, nodeRange } from './source';
import { SymbolTable } from './symbols';
import { NodeIndex } from './node-index';
import { buildProgram } from './program';
import type {
  CompileOptions,
  CompileResult,
  Diagnostic,
  DiagnosticCode,
  Knob,
  KnobKind,
  SourceRange,
} from './types';
import { DIAGNOSTIC_CATALOGUE } from './types';

/** Lab cap on workers (MaxConcurrentReconciles). */
export const MAX_WORKERS = 10_000;
/** Lab cap on replicas. */
export const MAX_REPLICAS = 10;
/** At most this many syntax errors are reported (the rest add noise). */
const MAX_SYNTAX_DIAGNOSTICS = 20;

const VERSION_ORDER: Record<CrVersion, number> = {
  'v0.19': 19,
  'v0.20': 20,
  'v0.22': 22,
  'v0.23': 23,
};

/** Syntax nodes where missing knobs can be inserted (valid only during compilation). */
interface Anchors {
  controllerOptions?: SyntaxNode;
  restConfigLiteral?: SyntaxNode;
  /** A statement after which `cfg.QPS = …` lines can go, and the config variable's name. */
  restConfigStatement?: { node: SyntaxNode; variable: string };
  /** The last import declaration / package clause (for `const replicas = …`). */
  afterImports?: SyntaxNode;
  /** The value expression of `RateLimiter:` in controller.Options. */
  rateLimiterValue?: SyntaxNode;
}

/** Insertion points for knobs absent from the text, as offsets (see knobs.ts setKnobValue). */
export interface InsertionPoints {
  /** Offset of the closing `}` of the controller.Options literal, and its fields' indent. */
  controllerOptions?: { close: number; indent: string; lastFieldEnd: number | undefined };
  /** Offset of the closing `}` of a rest.Config literal. */
  restConfigLiteral?: { close: number; indent: string; lastFieldEnd: number | undefined };
  /** End of the statement after which `cfg.QPS = …` can go, its indent and the variable. */
  restConfigStatement?: { end: number; indent: string; variable: string };
  /** End of the last import declaration (or the package clause). */
  afterImports?: number;
  /** Offsets of the `RateLimiter:` value expression, and the indent of its line. */
  rateLimiterValue?: { start: number; end: number; indent: string };
}

export class CompileContext {
  readonly lines: LineIndex;
  readonly diagnostics: Diagnostic[] = [];
  readonly knobs: Knob[] = [];
  readonly symbols: SymbolTable;
  readonly index: NodeIndex;
  readonly ev: Evaluator;
  readonly anchors: Anchors = {};
  /** Names of reconciler fields holding a rate.Limiter (e.g. apiLimiter). */
  readonly limiterFields = new Set<string>();
  indexes: { kind: string; field: string }[] = [];
  /** Whether some rate.NewLimiter(…) is assigned to a reconciler limiter field. */
  hasApiLimiter = false;
  forKind = 'Database';

  constructor(
    readonly text: string,
    readonly version: CrVersion,
    readonly root: SyntaxNode,
  ) {
    this.lines = new LineIndex(text);
    this.index = new NodeIndex(root);
    this.symbols = new SymbolTable(this.index);
    this.ev = new Evaluator(this.symbols);
  }

  atLeast(v: CrVersion): boolean {
    return VERSION_ORDER[this.version] >= VERSION_ORDER[v];
  }

  range(node: { startIndex: number; endIndex: number }): SourceRange {
    return nodeRange(this.lines, node);
  }

  diag(
    code: DiagnosticCode,
    message: string,
    at: { startIndex: number; endIndex: number } | SourceRange,
  ): void {
    const range = 'startOffset' in at ? at : this.range(at);
    this.diagnostics.push({ code, severity: DIAGNOSTIC_CATALOGUE[code].severity, message, range });
  }

  notSimulated(what: string, node: { startIndex: number; endIndex: number }): void {
    this.diag('LC045', `not simulated: ${what}`, node);
  }

  /** Evaluates; reports Go-rejected values; undefined if not constant (reported as LC040). */
  evaluate(node: SyntaxNode, what: string, reportUnknown = true): Val | undefined {
    try {
      const v = this.ev.evaluate(node);
      if (!v && reportUnknown)
        this.diag(
          'LC040',
          `${what}: ${clip(node.text)} is not a constant the lab can evaluate; using the default`,
          node,
        );
      return v;
    } catch (e) {
      if (e instanceof EvalFailure) {
        this.diag(e.code, e.message, e.node);
        return undefined;
      }
      throw e;
    }
  }

  /**
   * The expression that holds a knob's value: follows named constants / variables, `&d` and
   * ptr.To(x) to the literal the learner would edit.
   */
  literalNode(node: SyntaxNode): SyntaxNode {
    let n = unparen(node);
    for (let i = 0; i < 10; i++) {
      if (n.type === 'identifier') {
        const b = this.symbols.lookup(n.text, n);
        if (!b) break;
        n = unparen(b);
      } else if (n.type === 'unary_expression' && field(n, 'operator')?.text === '&') {
        const op = field(n, 'operand');
        if (!op || compositeOf(n)) break;
        n = unparen(op);
      } else if (n.type === 'call_expression') {
        const c = calleeName(n);
        const a = callArgs(n);
        if (c && /^(ptr|pointer|utilptr)$/.test(c.operand) && a.length === 1 && a[0])
          n = unparen(a[0]);
        else break;
      } else break;
    }
    return n;
  }

  addKnob(
    id: string,
    label: string,
    kind: KnobKind,
    value: number | boolean | string,
    node: SyntaxNode,
  ): void {
    if (this.knobs.some((k) => k.id === id)) return;
    this.knobs.push({ id, label, kind, value, range: this.range(this.literalNode(node)) });
  }

  // ---- typed value readers (report problems, return undefined when unusable) ----

  readInt(node: SyntaxNode, what: string): number | undefined {
    const v = deref(this.evaluate(node, what));
    if (!v) return undefined;
    if (v.t !== 'int' && v.t !== 'float') {
      this.diag(
        'LC014',
        `cannot use ${clip(node.text)} (${goTypeName(v)}) as int value in ${what}`,
        node,
      );
      return undefined;
    }
    if (Number.isNaN(v.v)) {
      this.diag('LC013', `${what} is NaN`, node);
      return undefined;
    }
    if (!Number.isInteger(v.v)) {
      this.diag(
        'LC011',
        `cannot use ${clip(node.text)} (untyped float constant) as int value in ${what} (truncated)`,
        node,
      );
      return undefined;
    }
    return v.v;
  }

  readFloat(node: SyntaxNode, what: string): number | undefined {
    const v = deref(this.evaluate(node, what));
    if (!v) return undefined;
    if (v.t !== 'int' && v.t !== 'float' && v.t !== 'limit') {
      this.diag(
        'LC014',
        `cannot use ${clip(node.text)} (${goTypeName(v)}) as float value in ${what}`,
        node,
      );
      return undefined;
    }
    if (Number.isNaN(v.v)) {
      this.diag('LC013', `${what} is NaN`, node);
      return undefined;
    }
    return v.v;
  }

  readDuration(node: SyntaxNode, what: string): Nanos | undefined {
    const v = deref(this.evaluate(node, what));
    if (!v) return undefined;
    if (v.t === 'duration') return v.v;
    if ((v.t === 'int' || v.t === 'float') && !v.typed) {
      if (Number.isNaN(v.v)) {
        this.diag('LC013', `${what} is NaN`, node);
        return undefined;
      }
      if (!Number.isInteger(v.v)) {
        this.diag(
          'LC011',
          `cannot use ${clip(node.text)} (untyped float constant) as time.Duration value in ${what} (truncated)`,
          node,
        );
        return undefined;
      }
      return v.v; // an untyped constant is a Duration in nanoseconds
    }
    this.diag(
      'LC014',
      `cannot use ${clip(node.text)} (${goTypeName(v)}) as time.Duration value in ${what}`,
      node,
    );
    return undefined;
  }

  readBool(node: SyntaxNode, what: string, pointer: boolean): boolean | undefined {
    const raw = this.evaluate(node, what);
    if (!raw) return undefined;
    const v = deref(raw);
    if (!v || v.t !== 'bool') {
      this.diag(
        'LC014',
        `cannot use ${clip(node.text)} as ${pointer ? '*bool' : 'bool'} value in ${what}`,
        node,
      );
      return undefined;
    }
    if (pointer && raw.t !== 'ptr')
      this.diag(
        'LC050',
        `${what} is a *bool: write ptr.To(${v.v}) (k8s.io/utils/ptr); the lab reads it as ${v.v}`,
        node,
      );
    if (!pointer && raw.t === 'ptr')
      this.diag('LC014', `cannot use ${clip(node.text)} (pointer) as bool value in ${what}`, node);
    return v.v;
  }

  readString(node: SyntaxNode, what: string): string | undefined {
    const v = deref(this.evaluate(node, what));
    if (!v) return undefined;
    if (v.t !== 'string') {
      this.diag(
        'LC014',
        `cannot use ${clip(node.text)} (${goTypeName(v)}) as string value in ${what}`,
        node,
      );
      return undefined;
    }
    return v.v;
  }
}

export function clip(s: string, n = 60): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

// ---------------------------------------------------------------------------------------
// Syntax errors

function collectSyntaxErrors(ctx: CompileContext): void {
  let count = 0;
  const visit = (n: SyntaxNode): void => {
    if (count >= MAX_SYNTAX_DIAGNOSTICS) return;
    if (n.isMissing) {
      count++;
      // Zero-width: mark the character before (or after) so the marker is visible.
      const at = n.startIndex;
      const start = at > 0 ? prevNonSpace(ctx.text, at) : 0;
      const end = Math.min(ctx.text.length, start + 1);
      const what = n.type;
      ctx.diag(
        'LC002',
        `syntax error: missing ${/^[a-z_]+$/.test(what) ? what.replace(/_/g, ' ') : `'${what}'`}`,
        ctx.lines.range(start, end),
      );
      return;
    }
    if (n.isError) {
      count++;
      const first = firstLeaf(n);
      const tok = first ? first.text : n.text.slice(0, 20);
      // Underline the error node up to the end of its first line.
      const nl = ctx.text.indexOf('\n', n.startIndex);
      let end = Math.min(n.endIndex, nl === -1 ? n.endIndex : nl);
      while (end > n.startIndex + 1 && /\s/.test(ctx.text[end - 1] ?? '')) end--;
      end = Math.max(end, n.startIndex + 1);
      let msg = `syntax error: unexpected ${tok === '' ? 'end of input' : `'${clip(tok, 30)}'`}`;
      const container = enclosingList(n);
      const firstLineEnd = n.text.indexOf('\n');
      if (container && firstLineEnd >= 0 && n.text.slice(0, firstLineEnd).trim() !== '')
        // gc's wording for a line break where a comma was needed.
        msg =
          container === 'literal_value'
            ? 'syntax error: unexpected newline in composite literal; possibly missing comma or }'
            : 'syntax error: unexpected newline in argument list; possibly missing comma or )';
      ctx.diag('LC001', msg, ctx.lines.range(n.startIndex, Math.min(end, ctx.text.length)));
      return;
    }
    if (!n.hasError) return;
    for (const c of n.children) if (c) visit(c);
  };
  if (ctx.root.hasError) visit(ctx.root);
  if (count < MAX_SYNTAX_DIAGNOSTICS) missingTrailingCommas(ctx, MAX_SYNTAX_DIAGNOSTICS - count);
}

/**
 * Go (unlike tree-sitter-go) requires a comma after the last element of a composite literal or
 * argument list when the closing bracket is on a later line.
 */
function missingTrailingCommas(ctx: CompileContext, budget: number): void {
  let left = budget;
  for (const list of ctx.index.of('literal_value', 'argument_list')) {
    if (left <= 0) return;
    if (list.hasError) continue;
    const children = list.children.filter((c): c is SyntaxNode => !!c && c.type !== 'comment');
    const close = children[children.length - 1];
    const last = children[children.length - 2];
    if (!close || !last || children.length < 3) continue;
    if (last.type === ',' || close.isMissing) continue;
    if (!ctx.text.slice(last.endIndex, close.startIndex).includes('\n')) continue;
    left--;
    const inLiteral = list.type === 'literal_value';
    // gc reports the newline after the last element.
    ctx.diag(
      'LC001',
      inLiteral
        ? 'syntax error: unexpected newline in composite literal; possibly missing comma or }'
        : 'syntax error: unexpected newline in argument list; possibly missing comma or )',
      ctx.lines.range(Math.max(last.startIndex, last.endIndex - 1), last.endIndex),
    );
  }
}

/** Top-level declarations that contain a syntax error (other findings there are noise). */
function brokenDeclarations(ctx: CompileContext): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const syntax = ctx.diagnostics.filter((d) => d.code === 'LC001' || d.code === 'LC002');
  if (syntax.length === 0) return out;
  for (const c of kids(ctx.root)) {
    if (syntax.some((d) => d.range.startOffset >= c.startIndex && d.range.startOffset < c.endIndex))
      out.push({ start: c.startIndex, end: c.endIndex });
  }
  return out;
}

function prevNonSpace(text: string, at: number): number {
  let i = at - 1;
  while (i > 0 && /\s/.test(text[i] ?? '')) i--;
  return Math.max(0, i);
}

function firstLeaf(n: SyntaxNode): SyntaxNode | null {
  let c: SyntaxNode | null = n;
  while (c && c.childCount > 0) c = c.child(0);
  return c;
}

function enclosingList(n: SyntaxNode): 'literal_value' | 'argument_list' | undefined {
  let p = n.parent;
  for (let i = 0; p && i < 4; i++, p = p.parent) {
    if (p.type === 'literal_value' || p.type === 'argument_list') return p.type;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Controller builder and controller.Options

interface ControllerFacts {
  name?: string;
  forKind?: string;
  owns: string[];
  maxConcurrentReconciles: number;
  rateLimiter: RateLimiterSpec;
  usePriorityQueue?: boolean;
  recoverPanic?: boolean;
  reconciliationTimeout: Nanos;
  cacheSyncTimeout: Nanos;
}

function kindOfObjectArg(node: SyntaxNode | undefined): string | undefined {
  if (!node) return undefined;
  const lit = compositeOf(node);
  return lit ? typeName(field(lit, 'type'))?.name : undefined;
}

function findControllerChains(ctx: CompileContext): SyntaxNode[] {
  return ctx.index.of('call_expression').filter((c) => {
    const n = calleeName(c);
    return !!n && (n.name === 'NewControllerManagedBy' || n.name === 'ControllerManagedBy');
  });
}

function recogniseController(ctx: CompileContext): ControllerFacts {
  const facts: ControllerFacts = {
    owns: [],
    maxConcurrentReconciles: 1,
    rateLimiter: { kind: 'default' },
    reconciliationTimeout: 0,
    cacheSyncTimeout: 2 * Minute,
  };
  const chains = findControllerChains(ctx);
  const first = chains[0];
  if (!first) {
    ctx.diag(
      'LC042',
      'no ctrl.NewControllerManagedBy(mgr).For(&T{}) found: the lab simulates For(&Database{}) with default options',
      ctx.lines.range(0, Math.min(ctx.text.length, 1)),
    );
    return facts;
  }
  for (const extra of chains.slice(1))
    ctx.notSimulated('a second controller (the lab runs the first one)', extra);
  // Walk up: call → selector → call …
  let cur: SyntaxNode = first;
  for (;;) {
    const sel = cur.parent;
    if (!sel || sel.type !== 'selector_expression' || field(sel, 'operand')?.id !== cur.id) break;
    const call = sel.parent;
    if (!call || call.type !== 'call_expression') break;
    const method = field(sel, 'field')?.text ?? '';
    const args = callArgs(call);
    switch (method) {
      case 'For': {
        const k = kindOfObjectArg(args[0]);
        if (k) facts.forKind = k;
        else if (args[0]) ctx.diag('LC044', `For(${clip(args[0].text)}): expected &T{}`, args[0]);
        for (const a of args.slice(1)) ctx.notSimulated(`For option ${clip(a.text)}`, a);
        break;
      }
      case 'Owns': {
        const k = kindOfObjectArg(args[0]);
        if (k) facts.owns.push(k);
        else if (args[0]) ctx.diag('LC044', `Owns(${clip(args[0].text)}): expected &T{}`, args[0]);
        for (const a of args.slice(1)) ctx.notSimulated(`Owns option ${clip(a.text)}`, a);
        break;
      }
      case 'Named': {
        if (args[0]) {
          const s = ctx.readString(args[0], 'Named');
          if (s !== undefined) facts.name = s;
        }
        break;
      }
      case 'WithOptions': {
        if (args[0]) readControllerOptions(ctx, args[0], facts);
        break;
      }
      case 'Complete':
      case 'Build':
        break;
      default:
        ctx.notSimulated(`builder .${method}(…)`, call);
    }
    cur = call;
  }
  return facts;
}

const CONTROLLER_OPTION_SINCE: Record<string, CrVersion> = {
  UsePriorityQueue: 'v0.20',
  ReconciliationTimeout: 'v0.22',
  EnableWarmup: 'v0.22',
};

function readControllerOptions(ctx: CompileContext, arg: SyntaxNode, facts: ControllerFacts): void {
  let lit = compositeOf(arg);
  if (!lit && unparen(arg).type === 'identifier') {
    const b = ctx.symbols.lookup(unparen(arg).text, arg);
    lit = b ? compositeOf(b) : null;
  }
  const tn = lit ? typeName(field(lit, 'type')) : null;
  if (!lit || !tn || (tn.name !== 'Options' && tn.name !== 'TypedOptions')) {
    ctx.diag(
      'LC040',
      `WithOptions(${clip(arg.text)}): expected controller.Options{…}; using defaults`,
      arg,
    );
    return;
  }
  ctx.anchors.controllerOptions = lit;
  for (const { key, keyNode, value } of keyedElements(lit)) {
    const since = CONTROLLER_OPTION_SINCE[key];
    if (since && !ctx.atLeast(since)) {
      ctx.diag(
        'LC047',
        `unknown field ${key} in struct literal of type controller.Options (added in controller-runtime ${since}.0; chosen version ${ctx.version})`,
        keyNode,
      );
      continue;
    }
    switch (key) {
      case 'MaxConcurrentReconciles': {
        const v = ctx.readInt(value, 'MaxConcurrentReconciles');
        if (v === undefined) break;
        ctx.addKnob(
          'maxConcurrentReconciles',
          'MaxConcurrentReconciles (workers)',
          'int',
          v,
          value,
        );
        if (v > MAX_WORKERS) {
          ctx.diag(
            'LC020',
            `MaxConcurrentReconciles: ${v} is above the lab's cap of 10,000 workers`,
            value,
          );
        } else if (v <= 0) {
          // controller-runtime NewTypedUnmanaged: MaxConcurrentReconciles <= 0 → 1 (not quoted in
          // controller-semantics.md §4.1, which gives the default 1; from the controller source).
          ctx.diag(
            'LC021',
            `MaxConcurrentReconciles: ${v} ≤ 0: controller-runtime uses the default, 1 worker`,
            value,
          );
          facts.maxConcurrentReconciles = 1;
        } else facts.maxConcurrentReconciles = v;
        break;
      }
      case 'RateLimiter': {
        ctx.anchors.rateLimiterValue = value;
        const spec = readRateLimiter(ctx, value, 'rateLimiter', true);
        if (spec) facts.rateLimiter = spec;
        break;
      }
      case 'UsePriorityQueue':
      case 'RecoverPanic': {
        // Both are *bool options of controller.Options.
        const id = key === 'UsePriorityQueue' ? 'usePriorityQueue' : 'recoverPanic';
        const b = ctx.readBool(value, key, true);
        if (b !== undefined) {
          facts[id] = b;
          ctx.addKnob(id, key, 'bool', b, value);
        }
        break;
      }
      case 'ReconciliationTimeout': {
        const d = ctx.readDuration(value, 'ReconciliationTimeout');
        if (d === undefined) break;
        ctx.addKnob('reconciliationTimeout', 'ReconciliationTimeout', 'duration', d, value);
        if (d < 0)
          ctx.diag(
            'LC051',
            `ReconciliationTimeout ${value.text} is negative: no timeout is applied`,
            value,
          );
        facts.reconciliationTimeout = Math.max(0, d);
        break;
      }
      case 'CacheSyncTimeout': {
        const d = ctx.readDuration(value, 'CacheSyncTimeout');
        if (d === undefined) break;
        ctx.addKnob('cacheSyncTimeout', 'CacheSyncTimeout', 'duration', d, value);
        if (d < 0)
          ctx.diag(
            'LC051',
            `CacheSyncTimeout ${value.text} is negative: caches time out at once`,
            value,
          );
        // controller-runtime: CacheSyncTimeout == 0 → 2 minutes (§4.1).
        facts.cacheSyncTimeout = d === 0 ? 2 * Minute : d;
        break;
      }
      default:
        ctx.notSimulated(`controller.Options field ${key}`, keyNode);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Rate limiters (controller-semantics.md §2)

const TYPED_CONSTRUCTORS: Record<string, string> = {
  NewItemExponentialFailureRateLimiter: 'NewTypedItemExponentialFailureRateLimiter',
  NewItemFastSlowRateLimiter: 'NewTypedItemFastSlowRateLimiter',
  NewMaxOfRateLimiter: 'NewTypedMaxOfRateLimiter',
  NewWithMaxWaitRateLimiter: 'NewTypedWithMaxWaitRateLimiter',
  DefaultControllerRateLimiter: 'DefaultTypedControllerRateLimiter',
  DefaultItemBasedRateLimiter: 'DefaultTypedItemBasedRateLimiter',
  BucketRateLimiter: 'TypedBucketRateLimiter',
};

function readRateLimiter(
  ctx: CompileContext,
  node: SyntaxNode,
  path: string,
  top: boolean,
): RateLimiterSpec | undefined {
  let n = unparen(node);
  for (let i = 0; i < 10 && n.type === 'identifier'; i++) {
    const b = ctx.symbols.lookup(n.text, n);
    if (!b) break;
    n = unparen(b);
  }
  const lit = compositeOf(n);
  if (lit) {
    const tn = typeName(field(lit, 'type'));
    if (tn && (tn.name === 'TypedBucketRateLimiter' || tn.name === 'BucketRateLimiter')) {
      if (tn.name === 'BucketRateLimiter' && top) untypedWarning(ctx, tn.name, lit);
      const lim = keyedElements(lit).find((e) => e.key === 'Limiter');
      if (!lim) {
        // The zero rate.Limiter has limit 0 and burst 0: it rejects everything (§3).
        ctx.diag(
          'LC023',
          `${tn.name} without Limiter: the zero rate.Limiter (limit 0, burst 0) never admits`,
          lit,
        );
        return { kind: 'bucket', qps: 0, burst: 0 };
      }
      const r = readNewLimiter(ctx, lim.value, path, 'rate limiter bucket', 'qps');
      if (!r) return undefined;
      if (r.burst <= 0 && r.limit !== Infinity)
        ctx.diag(
          'LC023',
          `bucket burst ${r.burst}: Reserve is never OK, so When returns rate.InfDuration (items wait about 292 years)`,
          lim.value,
        );
      return { kind: 'bucket', qps: r.limit, burst: r.burst };
    }
    ctx.diag(
      'LC041',
      `RateLimiter ${clip(n.text)} is not a rate limiter the lab knows; using the version's default`,
      n,
    );
    return undefined;
  }
  if (n.type !== 'call_expression') {
    ctx.diag(
      'LC041',
      `RateLimiter ${clip(n.text)} is not a rate limiter the lab knows; using the version's default`,
      n,
    );
    return undefined;
  }
  const c = calleeName(n);
  const name = c?.name ?? '';
  const typedName = TYPED_CONSTRUCTORS[name] ?? name;
  const untyped = typedName !== name;
  if (untyped && top) untypedWarning(ctx, name, callee(n) ?? n);
  const args = callArgs(n);
  const needsTypeArg = (): void => {
    if (!untyped && top && !hasTypeArgs(n))
      ctx.diag(
        'LC049',
        `in call to workqueue.${name}, cannot infer T: write workqueue.${name}[reconcile.Request](…)`,
        callee(n) ?? n,
      );
  };
  const arity = (k: number): boolean => {
    if (args.length === k) return true;
    ctx.diag(
      'LC014',
      `${args.length < k ? 'not enough' : 'too many'} arguments in call to workqueue.${name} (want ${k})`,
      field(n, 'arguments') ?? n,
    );
    return false;
  };
  switch (typedName) {
    case 'NewTypedItemExponentialFailureRateLimiter': {
      needsTypeArg();
      if (!arity(2) || !args[0] || !args[1]) return undefined;
      const base = ctx.readDuration(args[0], 'baseDelay');
      const max = ctx.readDuration(args[1], 'maxDelay');
      if (base === undefined || max === undefined) return undefined;
      ctx.addKnob(`${path}.baseDelay`, 'Exponential backoff base delay', 'duration', base, args[0]);
      ctx.addKnob(`${path}.maxDelay`, 'Exponential backoff max delay', 'duration', max, args[1]);
      checkDelays(ctx, base, max, args[0], args[1]);
      return { kind: 'itemExponentialFailure', baseDelay: base, maxDelay: max };
    }
    case 'NewTypedItemFastSlowRateLimiter': {
      needsTypeArg();
      if (!arity(3) || !args[0] || !args[1] || !args[2]) return undefined;
      const fast = ctx.readDuration(args[0], 'fastDelay');
      const slow = ctx.readDuration(args[1], 'slowDelay');
      const attempts = ctx.readInt(args[2], 'maxFastAttempts');
      if (fast === undefined || slow === undefined || attempts === undefined) return undefined;
      ctx.addKnob(`${path}.fastDelay`, 'Fast delay', 'duration', fast, args[0]);
      ctx.addKnob(`${path}.slowDelay`, 'Slow delay', 'duration', slow, args[1]);
      ctx.addKnob(`${path}.maxFastAttempts`, 'Max fast attempts', 'int', attempts, args[2]);
      if (fast < 0)
        ctx.diag(
          'LC022',
          `fastDelay ${args[0].text} is negative: items are re-added at once`,
          args[0],
        );
      if (slow < 0)
        ctx.diag(
          'LC022',
          `slowDelay ${args[1].text} is negative: items are re-added at once`,
          args[1],
        );
      return { kind: 'itemFastSlow', fastDelay: fast, slowDelay: slow, maxFastAttempts: attempts };
    }
    case 'NewTypedMaxOfRateLimiter': {
      if (args.length === 0) {
        ctx.diag('LC041', `workqueue.${name}() with no limiters: When always returns 0`, n);
      }
      const limiters: RateLimiterSpec[] = [];
      args.forEach((a, i) => {
        const s = readRateLimiter(ctx, a, `${path}.limiters[${i}]`, false);
        if (s) limiters.push(s);
      });
      if (limiters.length !== args.length) return undefined;
      return { kind: 'maxOf', limiters };
    }
    case 'NewTypedWithMaxWaitRateLimiter': {
      if (!arity(2) || !args[0] || !args[1]) return undefined;
      const inner = readRateLimiter(ctx, args[0], `${path}.limiter`, false);
      const max = ctx.readDuration(args[1], 'maxDelay');
      if (!inner || max === undefined) return undefined;
      ctx.addKnob(`${path}.maxDelay`, 'Max wait', 'duration', max, args[1]);
      if (max < 0)
        ctx.diag(
          'LC022',
          `maxDelay ${args[1].text} is negative: items are re-added at once`,
          args[1],
        );
      return { kind: 'withMaxWait', limiter: inner, maxDelay: max };
    }
    case 'DefaultTypedControllerRateLimiter':
      needsTypeArg();
      if (!arity(0)) return undefined;
      return { kind: 'defaultController' };
    case 'DefaultTypedItemBasedRateLimiter':
      needsTypeArg();
      if (!arity(0)) return undefined;
      return { kind: 'defaultItemBased' };
    default:
      ctx.diag(
        'LC041',
        `RateLimiter ${clip(n.text)} is not a rate limiter the lab knows; using the version's default`,
        n,
      );
      return undefined;
  }
}

function untypedWarning(ctx: CompileContext, name: string, node: SyntaxNode): void {
  const typed = TYPED_CONSTRUCTORS[name] ?? name;
  ctx.diag(
    'LC048',
    `workqueue.${name} is the deprecated untyped form; controller-runtime v0.19+ needs workqueue.${typed}[reconcile.Request] (the lab simulates it the same way)`,
    node,
  );
}

function checkDelays(
  ctx: CompileContext,
  base: Nanos,
  max: Nanos,
  baseNode: SyntaxNode,
  maxNode: SyntaxNode,
): void {
  if (base < 0)
    ctx.diag(
      'LC022',
      `baseDelay ${baseNode.text} is negative: failed items are re-added at once`,
      baseNode,
    );
  else if (base === 0)
    ctx.diag(
      'LC022',
      'baseDelay 0: every retry is immediate (0 × 2^n = 0): a hot retry loop',
      baseNode,
    );
  if (max < base)
    ctx.diag(
      'LC022',
      `maxDelay ${maxNode.text} is below baseDelay: every delay is capped to maxDelay`,
      maxNode,
    );
}

/** rate.NewLimiter(limit, burst) → { limit (events/s, Infinity for rate.Inf), burst }. */
function readNewLimiter(
  ctx: CompileContext,
  node: SyntaxNode,
  path: string,
  what: string,
  limitKnob: string,
): { limit: number; burst: number } | undefined {
  const n = unparen(node);
  const c = n.type === 'call_expression' ? calleeName(n) : null;
  if (!c || c.name !== 'NewLimiter') {
    ctx.diag('LC040', `${what}: expected rate.NewLimiter(limit, burst), got ${clip(n.text)}`, n);
    return undefined;
  }
  const args = callArgs(n);
  if (args.length !== 2 || !args[0] || !args[1]) {
    ctx.diag(
      'LC014',
      `rate.NewLimiter takes 2 arguments (limit, burst)`,
      field(n, 'arguments') ?? n,
    );
    return undefined;
  }
  const limit = ctx.readFloat(args[0], `${what} limit`);
  const burst = ctx.readInt(args[1], `${what} burst`);
  if (limit === undefined || burst === undefined) return undefined;
  ctx.addKnob(`${path}.${limitKnob}`, `${what} rate (events/s)`, 'float', limit, args[0]);
  ctx.addKnob(`${path}.burst`, `${what} burst`, 'int', burst, args[1]);
  if (limit <= 0)
    ctx.diag(
      'LC024',
      `rate.Limit ${clip(args[0].text)} ≤ 0: the bucket starts with ${burst} tokens and never refills`,
      args[0],
    );
  return { limit, burst };
}

// ---------------------------------------------------------------------------------------
// rest.Config, manager options, replicas, indexes, apiLimiter

interface ClientFacts {
  qps: number | 'default';
  burst: number | 'default';
  qpsNode?: SyntaxNode;
  burstNode?: SyntaxNode;
}

function recogniseRestConfig(ctx: CompileContext): ClientFacts {
  const facts: ClientFacts = { qps: 'default', burst: 'default' };
  // cfg := ctrl.GetConfigOrDie() etc. — where to insert QPS/Burst lines.
  for (const d of ctx.index.of('short_var_declaration', 'assignment_statement')) {
    const right = kids(field(d, 'right'));
    const left = kids(field(d, 'left'));
    const r0 = right[0];
    const l0 = left[0];
    if (!r0 || !l0 || r0.type !== 'call_expression') continue;
    const c = calleeName(r0);
    if (
      c &&
      /^(GetConfigOrDie|GetConfig|InClusterConfig|GetConfigWithContext|BuildConfigFromFlags)$/.test(
        c.name,
      )
    )
      ctx.anchors.restConfigStatement ??= { node: d, variable: l0.text };
  }
  const setQps = (value: SyntaxNode): void => {
    const v = ctx.readFloat(value, 'rest.Config QPS');
    if (v === undefined) return;
    facts.qpsNode = value;
    facts.qps = v === 0 ? 'default' : v;
    ctx.knobs.splice(0, ctx.knobs.length, ...ctx.knobs.filter((k) => k.id !== 'client.qps'));
    ctx.addKnob('client.qps', 'Client QPS (rest.Config)', 'float', v, value);
  };
  const setBurst = (value: SyntaxNode): void => {
    const v = ctx.readInt(value, 'rest.Config Burst');
    if (v === undefined) return;
    facts.burstNode = value;
    facts.burst = v === 0 ? 'default' : v;
    ctx.knobs.splice(0, ctx.knobs.length, ...ctx.knobs.filter((k) => k.id !== 'client.burst'));
    ctx.addKnob('client.burst', 'Client Burst (rest.Config)', 'int', v, value);
  };
  // Source order: the last assignment wins, as at run time.
  const nodes = ctx.index.of('assignment_statement', 'composite_literal');
  for (const n of nodes) {
    if (!n) continue;
    if (n.type === 'assignment_statement') {
      if (field(n, 'operator')?.text !== '=') continue;
      const left = kids(field(n, 'left'));
      const right = kids(field(n, 'right'));
      left.forEach((l, i) => {
        const r = right[i];
        if (!r || l.type !== 'selector_expression' || right.length !== left.length) return;
        const f = field(l, 'field')?.text;
        if (f === 'QPS') {
          setQps(r);
          ctx.anchors.restConfigStatement = {
            node: n,
            variable: field(l, 'operand')?.text ?? 'cfg',
          };
        } else if (f === 'Burst') {
          setBurst(r);
          ctx.anchors.restConfigStatement = {
            node: n,
            variable: field(l, 'operand')?.text ?? 'cfg',
          };
        }
      });
    } else {
      const tn = typeName(field(n, 'type'));
      if (!tn || tn.name !== 'Config' || (tn.pkg !== 'rest' && tn.pkg !== '')) continue;
      ctx.anchors.restConfigLiteral = n;
      for (const e of keyedElements(n)) {
        if (e.key === 'QPS') setQps(e.value);
        else if (e.key === 'Burst') setBurst(e.value);
      }
    }
  }
  if (
    typeof facts.qps === 'number' &&
    facts.qps > 0 &&
    typeof facts.burst === 'number' &&
    facts.burst < 0 &&
    facts.burstNode
  )
    ctx.diag(
      'LC025',
      `Burst ${facts.burst} with QPS ${facts.qps}: the client's token bucket never admits (client rate limiter Wait returned an error: rate: Wait(n=1) exceeds limiter's burst ${facts.burst})`,
      facts.burstNode,
    );
  if (typeof facts.qps === 'number' && facts.qps < 0 && facts.qpsNode)
    ctx.diag(
      'LC025',
      `QPS ${facts.qps} < 0 turns client-side rate limiting off (as controller-runtime v0.21+ does by default)`,
      facts.qpsNode,
    );
  return facts;
}

interface ManagerFacts {
  syncPeriod: Nanos;
  leaderElection: boolean;
  metricsBindAddress: string;
}

function recogniseManagerOptions(ctx: CompileContext): ManagerFacts {
  const facts: ManagerFacts = {
    syncPeriod: 10 * Hour,
    leaderElection: false,
    metricsBindAddress: ':8080',
  };
  for (const lit of ctx.index.of('composite_literal')) {
    const tn = typeName(field(lit, 'type'));
    if (!tn || tn.name !== 'Options' || !['ctrl', 'manager'].includes(tn.pkg)) continue;
    const le: Record<string, { d: Nanos; node: SyntaxNode }> = {};
    for (const { key, keyNode, value } of keyedElements(lit)) {
      switch (key) {
        case 'Cache': {
          const c = compositeOf(value);
          if (!c) {
            ctx.diag('LC040', `Cache: expected cache.Options{…}`, value);
            break;
          }
          for (const e of keyedElements(c)) {
            if (e.key === 'SyncPeriod') {
              const raw = ctx.evaluate(e.value, 'SyncPeriod');
              if (raw && raw.t !== 'ptr')
                ctx.diag(
                  'LC050',
                  'SyncPeriod is a *time.Duration: write &syncPeriod or ptr.To(…)',
                  e.value,
                );
              const d = raw ? ctx.readDuration(e.value, 'SyncPeriod') : undefined;
              if (d === undefined) continue;
              ctx.addKnob(
                'manager.syncPeriod',
                'Cache SyncPeriod (resync)',
                'duration',
                d,
                e.value,
              );
              if (d <= 0)
                ctx.diag(
                  'LC051',
                  `SyncPeriod ${clip(e.value.text)} is not positive: the lab keeps the default 10h`,
                  e.value,
                );
              else facts.syncPeriod = d;
            } else ctx.notSimulated(`cache.Options field ${e.key}`, e.keyNode);
          }
          break;
        }
        case 'LeaderElection': {
          const b = ctx.readBool(value, 'LeaderElection', false);
          if (b !== undefined) {
            facts.leaderElection = b;
            ctx.addKnob('manager.leaderElection', 'LeaderElection', 'bool', b, value);
          }
          break;
        }
        case 'Metrics': {
          const m = compositeOf(value);
          if (!m) break;
          for (const e of keyedElements(m)) {
            if (e.key === 'BindAddress') {
              const s = ctx.readString(e.value, 'Metrics.BindAddress');
              if (s !== undefined) {
                facts.metricsBindAddress = s;
                ctx.addKnob(
                  'manager.metricsBindAddress',
                  'Metrics BindAddress',
                  'string',
                  s,
                  e.value,
                );
              }
            } else ctx.notSimulated(`metricsserver.Options field ${e.key}`, e.keyNode);
          }
          break;
        }
        case 'MetricsBindAddress':
          ctx.diag(
            'LC047',
            'unknown field MetricsBindAddress in struct literal of type manager.Options (moved to Metrics: metricsserver.Options{BindAddress: …} in controller-runtime v0.16)',
            keyNode,
          );
          break;
        case 'LeaseDuration':
        case 'RenewDeadline':
        case 'RetryPeriod': {
          const raw = ctx.evaluate(value, key);
          if (raw && raw.t !== 'ptr')
            ctx.diag('LC050', `${key} is a *time.Duration: write &d or ptr.To(…)`, value);
          const d = raw ? ctx.readDuration(value, key) : undefined;
          if (d !== undefined) le[key] = { d, node: value };
          break;
        }
        case 'LeaderElectionID':
        case 'LeaderElectionNamespace':
        case 'Scheme':
        case 'HealthProbeBindAddress':
        case 'WebhookServer':
        case 'LeaderElectionReleaseOnCancel':
          break;
        default:
          ctx.notSimulated(`manager option ${key}`, keyNode);
      }
    }
    checkLeaderElection(ctx, le, lit);
  }
  return facts;
}

/** client-go tools/leaderelection NewLeaderElector checks (controller-semantics.md §4.3). */
function checkLeaderElection(
  ctx: CompileContext,
  le: Record<string, { d: Nanos; node: SyntaxNode }>,
  lit: SyntaxNode,
): void {
  if (!le.LeaseDuration && !le.RenewDeadline && !le.RetryPeriod) return;
  const lease = le.LeaseDuration?.d ?? 15_000_000_000;
  const renew = le.RenewDeadline?.d ?? 10_000_000_000;
  const retry = le.RetryPeriod?.d ?? 2_000_000_000;
  const at = (k: string): SyntaxNode => le[k]?.node ?? lit;
  const jitter = 1.2;
  if (lease <= renew)
    ctx.diag(
      'LC031',
      'leaseDuration must be greater than renewDeadline',
      at(le.LeaseDuration ? 'LeaseDuration' : 'RenewDeadline'),
    );
  else if (renew <= Math.trunc(jitter * retry))
    ctx.diag(
      'LC031',
      'renewDeadline must be greater than retryPeriod*JitterFactor',
      at(le.RenewDeadline ? 'RenewDeadline' : 'RetryPeriod'),
    );
  else if (lease < 1)
    ctx.diag('LC031', 'leaseDuration must be greater than zero', at('LeaseDuration'));
  else if (renew < 1)
    ctx.diag('LC031', 'renewDeadline must be greater than zero', at('RenewDeadline'));
  else if (retry < 1) ctx.diag('LC031', 'retryPeriod must be greater than zero', at('RetryPeriod'));
  else
    ctx.notSimulated(
      'custom LeaseDuration/RenewDeadline/RetryPeriod (the lab uses 15s / 10s / 2s)',
      at(le.LeaseDuration ? 'LeaseDuration' : le.RenewDeadline ? 'RenewDeadline' : 'RetryPeriod'),
    );
}

function recogniseReplicas(ctx: CompileContext): number {
  let replicas = 1;
  for (const spec of ctx.index.of('const_spec')) {
    const names = spec.childrenForFieldName('name');
    const values = kids(field(spec, 'value'));
    names.forEach((nm, i) => {
      if (nm.text !== 'replicas') return;
      const v = values[i];
      if (!v) return;
      const n = ctx.readInt(v, 'replicas');
      if (n === undefined) return;
      ctx.addKnob('replicas', 'Operator replicas', 'int', n, v);
      if (n < 1 || n > MAX_REPLICAS)
        ctx.diag('LC026', `replicas = ${n}: the lab runs 1 to ${MAX_REPLICAS} replicas`, v);
      else replicas = n;
    });
  }
  return replicas;
}

function recogniseIndexes(ctx: CompileContext): void {
  const seen = new Map<string, SyntaxNode>();
  for (const call of ctx.index.of('call_expression')) {
    const c = calleeName(call);
    if (!c || c.name !== 'IndexField') continue;
    const args = callArgs(call);
    const kind = kindOfObjectArg(args[1]);
    const fNode = args[2];
    if (!kind || !fNode) {
      ctx.diag(
        'LC044',
        'IndexField(ctx, &T{}, "field", extractValue): the lab could not read the kind or field',
        call,
      );
      continue;
    }
    const f = ctx.readString(fNode, 'IndexField field name');
    if (f === undefined) continue;
    const key = `${kind}\u0000${f}`;
    if (seen.has(key)) {
      // client-go thread_safe_store AddIndexers: fmt.Errorf("indexer conflict: %v", …) over a set.
      ctx.diag('LC032', `indexer conflict: map[field:${f}:{}]`, fNode);
      continue;
    }
    seen.set(key, fNode);
    ctx.indexes.push({ kind, field: f });
  }
}

function recogniseApiLimiter(ctx: CompileContext): { limit: number; burst: number } | undefined {
  let found: { limit: number; burst: number } | undefined;
  const consider = (name: string, value: SyntaxNode): void => {
    if (!/limiter$/i.test(name) || name === 'RateLimiter' || name === 'Limiter') return;
    const v = unparen(value);
    const c = v.type === 'call_expression' ? calleeName(v) : null;
    if (!c || c.operand !== 'rate' || c.name !== 'NewLimiter') return;
    ctx.limiterFields.add(name);
    if (found) return;
    const r = readNewLimiter(ctx, v, name === 'apiLimiter' ? 'apiLimiter' : name, name, 'limit');
    if (!r) return;
    if (r.burst <= 0 && r.limit !== Infinity)
      ctx.diag(
        'LC023',
        `${name} burst ${r.burst}: every Wait fails with "rate: Wait(n=1) exceeds limiter's burst ${r.burst}"`,
        v,
      );
    found = r;
  };
  for (const n of ctx.index.of('keyed_element', 'assignment_statement', 'field_declaration')) {
    if (n.type === 'keyed_element') {
      const k = field(n, 'key');
      const v = field(n, 'value');
      const kv = k ? (kids(k)[0] ?? k) : null;
      const vv = v ? (kids(v)[0] ?? v) : null;
      if (kv && vv) consider(kv.text, vv);
    } else if (n.type === 'assignment_statement') {
      const l = kids(field(n, 'left'))[0];
      const r = kids(field(n, 'right'))[0];
      if (l && r && l.type === 'selector_expression') consider(field(l, 'field')?.text ?? '', r);
    } else {
      // A struct field `apiLimiter *rate.Limiter`: remember the name for r.apiLimiter.Wait.
      const t = field(n, 'type');
      if (t && /rate\.Limiter/.test(t.text))
        for (const nm of n.childrenForFieldName('name')) ctx.limiterFields.add(nm.text);
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------

function recogniseReconcile(ctx: CompileContext): SimSettings['reconcile'] {
  const methods = new Map<string, SyntaxNode>();
  for (const m of ctx.index.of('method_declaration')) {
    const name = m ? field(m, 'name')?.text : undefined;
    if (m && name && !methods.has(name)) methods.set(name, m);
  }
  const reconcile = methods.get('Reconcile');
  const batch = methods.get('ReconcileBatch');
  const parallel = methods.get('ReconcileParallel');
  let mode: SimSettings['reconcile']['mode'] = 'workqueue';
  let main = reconcile;
  if (parallel) {
    mode = 'parallel';
    if (batch)
      ctx.notSimulated(
        'ReconcileBatch together with ReconcileParallel (the lab runs ReconcileParallel)',
        batch,
      );
    const goStmt = parallel.descendantsOfType('go_statement')[0];
    if (!goStmt)
      ctx.notSimulated(
        'ReconcileParallel without a go statement (the lab runs one goroutine per request)',
        parallel,
      );
  } else if (batch) {
    mode = 'batch';
    main = batch;
  }
  if (!main) {
    ctx.diag(
      'LC043',
      mode === 'parallel'
        ? 'ReconcileParallel calls r.Reconcile, but there is no Reconcile method: each reconcile does no API work'
        : 'no Reconcile method (func (r *DatabaseReconciler) Reconcile(ctx, req)): each reconcile does no API work',
      ctx.lines.range(0, Math.min(ctx.text.length, 1)),
    );
    return { mode, ops: [] };
  }
  const ops: ReconcileOp[] = buildProgram(ctx, main, methods, mode === 'batch');
  return { mode, ops };
}

function findAfterImports(ctx: CompileContext): void {
  let last: SyntaxNode | undefined;
  for (const c of kids(ctx.root)) {
    if (c.type === 'package_clause' || c.type === 'import_declaration') last = c;
  }
  if (last) ctx.anchors.afterImports = last;
}

/** Compiles and also returns where missing knobs could be inserted (used by knobs.ts). */
function literalInsertion(
  text: string,
  lit: SyntaxNode,
): { close: number; indent: string; lastFieldEnd: number | undefined } {
  const body = field(lit, 'body');
  const close = (body ?? lit).endIndex - 1;
  const els = kids(body).filter((k) => k.type === 'keyed_element' || k.type === 'literal_element');
  const last = els[els.length - 1];
  const probe = last ?? body ?? lit;
  const indent = last ? lineIndent(text, last.startIndex) : lineIndent(text, lit.startIndex) + '\t';
  return { close, indent, lastFieldEnd: last ? probe.endIndex : undefined };
}

function lineIndent(text: string, offset: number): string {
  const ls = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(ls, offset))?.[0] ?? '';
}

function insertionPoints(text: string, a: Anchors): InsertionPoints {
  const out: InsertionPoints = {};
  if (a.controllerOptions) out.controllerOptions = literalInsertion(text, a.controllerOptions);
  if (a.restConfigLiteral) out.restConfigLiteral = literalInsertion(text, a.restConfigLiteral);
  if (a.restConfigStatement)
    out.restConfigStatement = {
      end: a.restConfigStatement.node.endIndex,
      indent: lineIndent(text, a.restConfigStatement.node.startIndex),
      variable: a.restConfigStatement.variable,
    };
  if (a.afterImports) out.afterImports = a.afterImports.endIndex;
  if (a.rateLimiterValue)
    out.rateLimiterValue = {
      start: a.rateLimiterValue.startIndex,
      end: a.rateLimiterValue.endIndex,
      indent: lineIndent(text, a.rateLimiterValue.startIndex),
    };
  return out;
}

export function compileWithInsertions(
  text: string,
  opts: CompileOptions,
): { result: CompileResult; insertions: InsertionPoints } {
  const tree = parseGo(text);
  try {
    return withAstMemo(() => compileTree(text, opts, tree.rootNode));
  } finally {
    tree.delete();
  }
}

function compileTree(
  text: string,
  opts: CompileOptions,
  root: SyntaxNode,
): { result: CompileResult; insertions: InsertionPoints } {
  const ctx = new CompileContext(text, opts.version, root);
  collectSyntaxErrors(ctx);
  findAfterImports(ctx);
  recogniseIndexes(ctx);
  const controller = recogniseController(ctx);
  ctx.forKind = controller.forKind ?? 'Database';
  const client = recogniseRestConfig(ctx);
  const manager = recogniseManagerOptions(ctx);
  const replicas = recogniseReplicas(ctx);
  if (replicas > 1 && !manager.leaderElection) {
    const k = ctx.knobs.find((x) => x.id === 'replicas');
    if (k)
      ctx.diag(
        'LC027',
        `replicas = ${replicas} without LeaderElection: every replica runs the controller`,
        k.range,
      );
  }
  const apiLimiter = recogniseApiLimiter(ctx);
  ctx.hasApiLimiter = apiLimiter !== undefined;
  const reconcile = recogniseReconcile(ctx);
  // While a declaration has a syntax error, what the recognisers say about it is noise.
  const broken = brokenDeclarations(ctx);
  if (broken.length > 0) {
    const keep = ctx.diagnostics.filter(
      (d) =>
        d.code === 'LC001' ||
        d.code === 'LC002' ||
        !broken.some((b) => d.range.startOffset >= b.start && d.range.startOffset < b.end),
    );
    ctx.diagnostics.splice(0, ctx.diagnostics.length, ...keep);
  }
  const hasError = ctx.diagnostics.some((d) => d.severity === 'error');
  ctx.diagnostics.sort(
    (a, b) => a.range.startOffset - b.range.startOffset || a.range.endOffset - b.range.endOffset,
  );
  const settings: SimSettings | undefined = hasError
    ? undefined
    : {
        version: opts.version,
        controller: {
          name: controller.name ?? ctx.forKind.toLowerCase(),
          forKind: ctx.forKind,
          owns: controller.owns,
          maxConcurrentReconciles: controller.maxConcurrentReconciles,
          rateLimiter: controller.rateLimiter,
          ...(controller.usePriorityQueue !== undefined
            ? { usePriorityQueue: controller.usePriorityQueue }
            : {}),
          ...(controller.recoverPanic !== undefined
            ? { recoverPanic: controller.recoverPanic }
            : {}),
          reconciliationTimeout: controller.reconciliationTimeout,
          cacheSyncTimeout: controller.cacheSyncTimeout,
        },
        client: { qps: client.qps, burst: client.burst },
        manager: {
          syncPeriod: manager.syncPeriod,
          leaderElection: manager.leaderElection,
          replicas,
          metricsBindAddress: manager.metricsBindAddress,
        },
        indexes: ctx.indexes,
        ...(apiLimiter ? { apiLimiter } : {}),
        reconcile,
      };
  return {
    result: { settings, diagnostics: ctx.diagnostics, knobs: ctx.knobs },
    insertions: insertionPoints(text, ctx.anchors),
  };
}

/**
 * Compiles the lab text. Synchronous; `initGoParser(loader)` must have resolved first.
 * `settings` is undefined whenever there is an error diagnostic.
 */
export function compileLabText(text: string, opts: CompileOptions): CompileResult {
  return compileWithInsertions(text, opts).result;
}
