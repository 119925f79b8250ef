/**
 * The Reconcile body as an ordered program of ReconcileOp (settings.ts). See README.md,
 * "Reconcile program", for the exact rules (what counts as the external call, how errors are
 * classified, loops, retry.RetryOnConflict, helper methods).
 */
import type { ObjectRef, OnError, ReconcileOp } from '../engine/settings';
import {
  blockStatements,
  callArgs,
  calleeName,
  compositeOf,
  field,
  keyedElements,
  kids,
  typeName,
  unparen,
} from './ast';
import type { CompileContext } from './compile';
import { clip } from './compile';
import type { SyntaxNode } from './parser';

/** Package-level functions that do no API work (silently ignored in Reconcile). */
const PURE_PACKAGES = new Set([
  'fmt',
  'errors',
  'apierrors',
  'k8serrors',
  'kerrors',
  'log',
  'logf',
  'klog',
  'strings',
  'strconv',
  'sort',
  'slices',
  'maps',
  'controllerutil',
  'meta',
  'metav1',
  'ptr',
  'pointer',
  'utilptr',
  'types',
  'labels',
  'fields',
  'resource',
  'intstr',
  'sync',
  'json',
]);
const PURE_CALLS = new Set([
  'append',
  'len',
  'cap',
  'make',
  'new',
  'copy',
  'delete',
  'min',
  'max',
  'panic',
  'close',
  'client.IgnoreNotFound',
  'client.IgnoreAlreadyExists',
  'client.ObjectKeyFromObject',
  'client.ObjectKey',
  'ctrl.LoggerFrom',
  'ctrl.Log.WithName',
  'time.Now',
  'time.Since',
  'time.Until',
  'time.Duration',
  'reconcile.TerminalError',
  'context.WithTimeout',
  'context.WithCancel',
  'context.Background',
  'context.TODO',
]);

const WRITE_VERBS: Record<string, 'create' | 'update' | 'patch' | 'delete'> = {
  Create: 'create',
  Update: 'update',
  Patch: 'patch',
  Delete: 'delete',
};

interface Frame {
  /** Loop variables that name the current item of a `range list.Items` loop. */
  loopVars: Set<string>;
  /** Inside a func literal or helper returning only `error`. */
  errorOnly: boolean;
  depth: number;
  /** Range variables of the enclosing loops → the ranged expression (for their Kind). */
  rangeVars?: Map<string, SyntaxNode>;
}

class ProgramBuilder {
  private readonly recv: string;
  constructor(
    private readonly ctx: CompileContext,
    private readonly methods: Map<string, SyntaxNode>,
    private readonly batch: boolean,
    method: SyntaxNode,
    private readonly inlining: Set<string> = new Set(),
    private readonly shared: { batchInlined: boolean } = { batchInlined: false },
  ) {
    const recvDecl = kids(field(method, 'receiver'))[0];
    this.recv = recvDecl ? (field(recvDecl, 'name')?.text ?? 'r') : 'r';
  }

  src(node: SyntaxNode): { line: number } {
    return { line: this.ctx.lines.position(node.startIndex).line };
  }

  /** Ops of a statement list. */
  statements(stmts: SyntaxNode[], frame: Frame): ReconcileOp[] {
    const out: ReconcileOp[] = [];
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i]!;
      const next = stmts[i + 1];
      const consumed = this.statement(s, next, frame, out);
      if (consumed) i++;
    }
    return out;
  }

  /** Appends the ops of one statement; returns true if it consumed `next` (an `if err != nil`). */
  private statement(
    s: SyntaxNode,
    next: SyntaxNode | undefined,
    frame: Frame,
    out: ReconcileOp[],
  ): boolean {
    switch (s.type) {
      case 'expression_statement': {
        const e = kids(s)[0];
        if (e) out.push(...this.expression(e, frame, 'ignore'));
        return false;
      }
      case 'short_var_declaration':
      case 'assignment_statement':
      case 'var_declaration': {
        const rhs =
          s.type === 'var_declaration'
            ? s.descendantsOfType('var_spec').flatMap((v) => (v ? kids(field(v, 'value')) : []))
            : kids(field(s, 'right'));
        const lhs =
          s.type === 'var_declaration'
            ? s
                .descendantsOfType('var_spec')
                .flatMap((v) => (v ? v.childrenForFieldName('name') : []))
            : kids(field(s, 'left'));
        const ops: ReconcileOp[] = [];
        for (const r of rhs) ops.push(...this.expression(r, frame, 'ignore'));
        if (ops.length === 0) return false;
        const errVar = lhs.find((l) => l.type === 'identifier' && /^err/i.test(l.text))?.text;
        if (errVar && next && next.type === 'if_statement' && !field(next, 'initializer')) {
          const cls = this.classifyErrorCheck(
            field(next, 'condition'),
            field(next, 'consequence'),
            errVar,
            frame,
          );
          if (cls) {
            setOnError(ops, cls.onError);
            this.afterCheck(next, frame, out, [...ops, ...cls.after]);
            return true;
          }
        }
        out.push(...ops);
        return false;
      }
      case 'if_statement':
        this.ifStatement(s, frame, out);
        return false;
      case 'for_statement':
        this.forStatement(s, frame, out);
        return false;
      case 'return_statement':
        out.push(...this.returnStatement(s, frame));
        return false;
      case 'block':
        out.push(...this.statements(blockStatements(s), frame));
        return false;
      case 'go_statement':
        this.ctx.notSimulated('a goroutine inside Reconcile (the lab runs its work in line)', s);
        {
          const e = kids(s)[0];
          const fnLit = e && e.type === 'call_expression' ? field(e, 'function') : null;
          if (fnLit && fnLit.type === 'func_literal')
            out.push(...this.statements(blockStatements(field(fnLit, 'body')), frame));
        }
        return false;
      case 'defer_statement':
      case 'inc_statement':
      case 'dec_statement':
      case 'empty_statement':
      case 'const_declaration':
      case 'type_declaration':
      case 'break_statement':
      case 'continue_statement':
        return false;
      case 'comment':
      case 'ERROR':
        return false;
      default:
        this.ctx.notSimulated(`${s.type.replace(/_/g, ' ')}`, firstLine(this.ctx.text, s));
        return false;
    }
  }

  /** After an `if err != nil {…}` that classified an op: keep its else branch. */
  private afterCheck(
    ifNode: SyntaxNode,
    frame: Frame,
    out: ReconcileOp[],
    ops: ReconcileOp[],
  ): void {
    out.push(...ops);
    const alt = field(ifNode, 'alternative');
    if (alt)
      out.push(
        ...(alt.type === 'block'
          ? this.statements(blockStatements(alt), frame)
          : this.ifOps(alt, frame)),
      );
  }

  private ifOps(s: SyntaxNode, frame: Frame): ReconcileOp[] {
    const out: ReconcileOp[] = [];
    this.ifStatement(s, frame, out);
    return out;
  }

  private ifStatement(s: SyntaxNode, frame: Frame, out: ReconcileOp[]): void {
    const init = field(s, 'initializer');
    const cond = field(s, 'condition');
    const cons = field(s, 'consequence');
    if (init) {
      const initOps: ReconcileOp[] = [];
      let errVar: string | undefined;
      if (init.type === 'short_var_declaration' || init.type === 'assignment_statement') {
        for (const r of kids(field(init, 'right')))
          initOps.push(...this.expression(r, frame, 'ignore'));
        errVar = kids(field(init, 'left')).find((l) => /^err/i.test(l.text))?.text;
      } else if (init.type === 'expression_statement') {
        const e = kids(init)[0];
        if (e) initOps.push(...this.expression(e, frame, 'ignore'));
      }
      if (initOps.length > 0 && errVar) {
        const cls = this.classifyErrorCheck(cond, cons, errVar, frame);
        if (cls) {
          setOnError(initOps, cls.onError);
          this.afterCheck(s, frame, out, [...initOps, ...cls.after]);
          return;
        }
      }
      out.push(...initOps);
    }
    // A condition that is not an error check: the lab cannot know it, so it runs the first
    // branch's calls (without its returns, which would make the rest unreachable).
    const branchOps = this.statements(blockStatements(cons), frame).filter(
      (o) => o.op !== 'return',
    );
    const alt = field(s, 'alternative');
    if (cond && (branchOps.length > 0 || alt))
      this.ctx.notSimulated(
        `the condition \`${clip(cond.text, 40)}\` (the lab runs the calls of its first branch every time)`,
        cond,
      );
    out.push(...branchOps);
  }

  /**
   * `if err != nil { return …, err }` → 'return'; `… client.IgnoreNotFound(err)` or
   * `if client.IgnoreNotFound(err) != nil` / `!apierrors.IsNotFound(err)` → 'ignoreNotFound';
   * a check whose branch does not return the error → 'ignore'. The create-if-missing guard
   * (`if apierrors.IsNotFound(err) { r.Create(…) }`, alone or inside `if err != nil`) → 'ignore'
   * followed by the guard's calls (`after`): the engine skips a create whose get found the
   * object. undefined: not an error check.
   */
  private classifyErrorCheck(
    cond: SyntaxNode | null,
    cons: SyntaxNode | null,
    errVar: string,
    frame: Frame,
  ): { onError: OnError; after: ReconcileOp[] } | undefined {
    if (!cond) return undefined;
    const c = cond.text.replace(/\s+/g, '');
    const guardRe = new RegExp(`^(\\w+\\.)?IsNotFound\\(${escapeRe(errVar)}\\)$`);
    const guardOps = (block: SyntaxNode | null): ReconcileOp[] =>
      this.statements(blockStatements(block), frame).filter((o) => o.op !== 'return');
    if (guardRe.test(c)) return { onError: 'ignore', after: guardOps(cons) };
    let notFoundFiltered: boolean;
    if (c === `${errVar}!=nil`) notFoundFiltered = false;
    else if (c === `client.IgnoreNotFound(${errVar})!=nil`) notFoundFiltered = true;
    else if (new RegExp(`^${errVar}!=nil&&!\\w+\\.IsNotFound\\(${errVar}\\)$`).test(c))
      notFoundFiltered = true;
    else return undefined;
    const stmts = blockStatements(cons);
    let after: ReconcileOp[] = [];
    // An inner `if apierrors.IsNotFound(err) { … }`: with calls it is the create-if-missing
    // guard; with only `return …, nil` it filters NotFound.
    for (const st of stmts) {
      const ic = field(st, 'condition')?.text.replace(/\s+/g, '') ?? '';
      if (st.type === 'if_statement' && guardRe.test(ic)) {
        const ops = guardOps(field(st, 'consequence'));
        if (ops.length > 0) after = ops;
        else notFoundFiltered = true;
      }
    }
    const withAfter = (onError: OnError) =>
      after.length > 0 ? { onError: 'ignore' as const, after } : { onError, after };
    const ret = stmts.find((st) => st.type === 'return_statement');
    if (!ret) return withAfter('ignore');
    const values = kids(kids(ret)[0]);
    const errExpr = frame.errorOnly ? values[0] : values[values.length - 1];
    if (!errExpr) return withAfter('ignore');
    const t = errExpr.text.replace(/\s+/g, '');
    if (/IgnoreNotFound\(/.test(t)) return withAfter('ignoreNotFound');
    if (t === 'nil') {
      if (notFoundFiltered) return withAfter('ignoreNotFound');
      this.ctx.notSimulated(
        'returning nil on an error (the lab treats the error as ignored)',
        errExpr,
      );
      return withAfter('ignore');
    }
    if (/TerminalError\(/.test(t))
      this.ctx.notSimulated(
        'reconcile.TerminalError on this call (the lab returns it as a plain error)',
        errExpr,
      );
    return withAfter(notFoundFiltered ? 'ignoreNotFound' : 'return');
  }

  private forStatement(s: SyntaxNode, frame: Frame, out: ReconcileOp[]): void {
    const range = kids(s).find((k) => k.type === 'range_clause');
    const body = blockStatements(field(s, 'body'));
    if (range) {
      const right = field(range, 'right');
      const left = kids(field(range, 'left'));
      if (right && left.length > 0) {
        const rangeVars = new Map(frame.rangeVars);
        for (const l of left)
          if (l.type === 'identifier' && l.text !== '_') rangeVars.set(l.text, right);
        frame = { ...frame, rangeVars };
      }
      if (
        right &&
        right.type === 'selector_expression' &&
        field(right, 'field')?.text === 'Items'
      ) {
        const loopVars = new Set(frame.loopVars);
        const valueVar = left[1] ?? left[0];
        if (valueVar && valueVar.text !== '_') loopVars.add(valueVar.text);
        if (left[1] && left[0] && left[0].text !== '_') loopVars.add(`[${left[0].text}]`);
        const ops = this.statements(body, { ...frame, loopVars });
        out.push({ op: 'forEach', body: ops, src: this.src(s) });
        return;
      }
      if (this.batch) {
        // ReconcileBatch: loops over the requests (and slices built from them) are the
        // per-request program.
        const loopVars = new Set(frame.loopVars);
        out.push(...this.statements(body, { ...frame, loopVars }));
        return;
      }
      this.ctx.notSimulated(
        `a loop over ${clip(right?.text ?? '…', 30)} (the lab runs its body once)`,
        firstLine(this.ctx.text, s),
      );
      out.push(...this.statements(body, frame));
      return;
    }
    this.ctx.notSimulated(
      'a for loop that is not `range list.Items` (the lab runs its body once)',
      firstLine(this.ctx.text, s),
    );
    out.push(...this.statements(body, frame));
  }

  private returnStatement(s: SyntaxNode, frame: Frame): ReconcileOp[] {
    const values = kids(kids(s)[0]);
    if (frame.errorOnly || values.length === 1) {
      // `return r.Update(ctx, db)` in a retry closure / helper, or `return r.helper(ctx, db)`.
      const v = values[0];
      if (!v) return [];
      return this.expression(v, frame, 'return', !frame.errorOnly);
    }
    if (values.length !== 2) return [];
    const [res, err] = values as [SyntaxNode, SyntaxNode];
    const ops: ReconcileOp[] = [];
    ops.push(...this.expression(err, frame, 'return'));
    const op: ReconcileOp = { op: 'return', error: 'nil', src: this.src(s) };
    const lit = compositeOf(res);
    if (lit) {
      for (const e of keyedElements(lit)) {
        if (e.key === 'RequeueAfter') {
          const d = this.ctx.readDuration(e.value, 'RequeueAfter');
          if (d !== undefined) {
            const n = this.ctx.knobs.filter((k) =>
              k.id.startsWith('reconcile.requeueAfter'),
            ).length;
            this.ctx.addKnob(
              n === 0 ? 'reconcile.requeueAfter' : `reconcile.requeueAfter.${n + 1}`,
              'RequeueAfter',
              'duration',
              d,
              e.value,
            );
            if (d < 0)
              this.ctx.diag(
                'LC051',
                `RequeueAfter ${clip(e.value.text)} is negative: treated as no RequeueAfter`,
                e.value,
              );
            if (d > 0) op.requeueAfter = d;
          }
        } else if (e.key === 'Requeue') {
          const b = this.ctx.readBool(e.value, 'Requeue', false);
          if (b) op.requeue = true;
        } else this.ctx.notSimulated(`ctrl.Result field ${e.key}`, e.keyNode);
      }
    } else if (res.type !== 'identifier') {
      this.ctx.notSimulated(`result ${clip(res.text, 30)}`, res);
    }
    const et = err.text.replace(/\s+/g, '');
    if (et === 'nil') op.error = 'nil';
    else if (/TerminalError\(/.test(et)) op.error = 'terminal';
    else op.error = 'err';
    ops.push(op);
    return ops;
  }

  /** Ops of an expression (usually a call); non-call expressions are pure. */
  expression(e0: SyntaxNode, frame: Frame, onError: OnError, keepReturns = false): ReconcileOp[] {
    const e = unparen(e0);
    if (e.type !== 'call_expression') return [];
    // A helper whose result is dropped returns to us, not from Reconcile: drop its returns.
    const ops = this.call(e, frame).filter((o) => keepReturns || o.op !== 'return');
    setOnError(ops, onError);
    return ops;
  }

  private call(call: SyntaxNode, frame: Frame): ReconcileOp[] {
    const c = calleeName(call);
    const args = callArgs(call);
    if (!c) {
      const f = field(call, 'function');
      if (f && f.type === 'func_literal')
        return this.statements(blockStatements(field(f, 'body')), frame);
      return [];
    }
    const { operand, name } = c;
    const r = this.recv;
    const src = this.src(call);
    const full = operand ? `${operand}.${name}` : name;
    // Arguments may hold calls too (e.g. client.IgnoreNotFound(r.Delete(…))).
    const nested: ReconcileOp[] = [];
    for (const a of args) {
      const u = unparen(a);
      if (u.type === 'call_expression' && u.text.startsWith(`${this.recv}.`))
        nested.push(...this.call(u, frame));
    }

    // Cached client: r.Get / r.Client.Get …
    const isClient = operand === r || operand === `${r}.Client`;
    const readerMatch = new RegExp(`^${escapeRe(r)}\\.(\\w+)$`).exec(operand);
    const field1 = readerMatch?.[1];
    const isReader = !!field1 && (/reader/i.test(field1) || /uncached/i.test(field1));
    if ((isClient || isReader) && (name === 'Get' || name === 'List')) {
      const source = isReader ? 'api' : 'cache';
      if (name === 'Get') {
        const kind = this.kindOf(args[2], call, frame);
        return [
          ...nested,
          { op: 'get', kind, ref: this.refOf(args[2], args[1], kind, frame), source, src },
        ];
      }
      return [...nested, this.listOp(args, call, source, src, frame)];
    }
    if (isClient && name in WRITE_VERBS) {
      const kind = this.kindOf(args[1], call, frame);
      return [
        ...nested,
        { op: WRITE_VERBS[name]!, kind, ref: this.refOf(args[1], null, kind, frame), src },
      ];
    }
    if (isClient && name === 'DeleteAllOf') {
      this.ctx.notSimulated('DeleteAllOf', call);
      return nested;
    }
    // r.Status().Update / Patch
    if (
      (operand === `${r}.Status()` || operand === `${r}.Client.Status()`) &&
      (name === 'Update' || name === 'Patch')
    ) {
      const kind = this.kindOf(args[1], call, frame);
      return [
        ...nested,
        {
          op: name === 'Update' ? 'statusUpdate' : 'statusPatch',
          kind,
          ref: this.refOf(args[1], null, kind, frame),
          src,
        },
      ];
    }
    // r.apiLimiter.Wait(ctx)
    if (field1 && (this.ctx.limiterFields.has(field1) || /limiter$/i.test(field1))) {
      if (!this.ctx.hasApiLimiter)
        this.ctx.diag(
          'LC052',
          `${full}: nothing assigns rate.NewLimiter(…) to ${field1}; in Go a nil *rate.Limiter panics, the lab skips the wait`,
          call,
        );
      if (name === 'Wait') return [...nested, { op: 'limiterWait', src }];
      if (name === 'WaitN') {
        this.ctx.notSimulated('WaitN with n ≠ 1 (simulated as Wait)', call);
        return [...nested, { op: 'limiterWait', src }];
      }
      this.ctx.notSimulated(`${full}(…)`, call);
      return nested;
    }
    // The external call: r.externalAPI.X(…), r.<field ending in API/Client>.X(…), r.callExternalAPI(…), http.*
    if (
      field1 &&
      field1 !== 'Client' &&
      (/external/i.test(field1) || /(api|client)$/i.test(field1) || /^api/i.test(field1))
    )
      return [...nested, { op: 'external', src }];
    if (operand === r && /external/i.test(name)) return [...nested, { op: 'external', src }];
    if (operand === 'http' || /^http\.DefaultClient/.test(operand))
      return [...nested, { op: 'external', src }];
    // Helper methods defined in this file: inline their program.
    if (operand === r) {
      const m = this.methods.get(name);
      if (m && !this.inlining.has(name) && this.inlining.size < 4) {
        const sub = new ProgramBuilder(
          this.ctx,
          this.methods,
          this.batch,
          m,
          new Set([...this.inlining, name]),
          this.shared,
        );
        const result = kids(field(m, 'result'));
        const errorOnly = result.length <= 1 && !/Result/.test(field(m, 'result')?.text ?? '');
        return [
          ...nested,
          ...sub.statements(blockStatements(field(m, 'body')), {
            loopVars: new Set(),
            errorOnly,
            depth: frame.depth + 1,
          }),
        ];
      }
      if (name === 'Reconcile' || (this.batch && !m)) {
        const rec = this.methods.get('Reconcile');
        if (rec && this.batch && this.shared.batchInlined) {
          this.ctx.notSimulated(
            `${full}: the lab counts the Reconcile program once per request`,
            call,
          );
          return nested;
        }
        if (rec && !this.inlining.has('Reconcile')) {
          if (this.batch) this.shared.batchInlined = true;
          if (name !== 'Reconcile')
            this.ctx.notSimulated(
              `${full} is not defined in this file: the lab runs the Reconcile program in its place`,
              call,
            );
          const sub = new ProgramBuilder(
            this.ctx,
            this.methods,
            false,
            rec,
            new Set([...this.inlining, 'Reconcile']),
            this.shared,
          );
          return [
            ...nested,
            ...sub.statements(blockStatements(field(rec, 'body')), {
              loopVars: new Set(),
              errorOnly: false,
              depth: frame.depth + 1,
            }),
          ];
        }
      }
      this.ctx.notSimulated(`${full}(…)`, call);
      return nested;
    }
    // retry.RetryOnConflict(retry.DefaultRetry, func() error { … })
    if (full === 'retry.RetryOnConflict') {
      const fn = args[1] ? unparen(args[1]) : undefined;
      if (!fn || fn.type !== 'func_literal') {
        this.ctx.notSimulated('retry.RetryOnConflict without a func literal', call);
        return nested;
      }
      if (
        args[0] &&
        args[0].text !== 'retry.DefaultRetry' &&
        args[0].text !== 'retry.DefaultBackoff'
      )
        this.ctx.notSimulated(
          `backoff ${clip(args[0].text, 30)} (the lab uses retry.DefaultRetry)`,
          args[0],
        );
      const body = this.statements(blockStatements(field(fn, 'body')), {
        ...frame,
        errorOnly: true,
      });
      return [{ op: 'retryOnConflict', body, src }];
    }
    if (full === 'time.Sleep') {
      this.ctx.notSimulated('time.Sleep in Reconcile', call);
      return nested;
    }
    if (operand === r || operand.startsWith(`${r}.`)) {
      this.ctx.notSimulated(`${full}(…)`, call);
      return nested;
    }
    const pkg = operand.split('.')[0] ?? '';
    if (PURE_CALLS.has(full) || (PURE_CALLS.has(name) && !operand) || PURE_PACKAGES.has(pkg))
      return nested;
    // Method calls on local values (logger.Info, db.DeepCopy) do no API work.
    if (operand && this.ctx.symbols.lookup(pkg, call) !== undefined) return nested;
    if (operand && this.ctx.symbols.typeOf(pkg, call) !== undefined) return nested;
    if (/^(log|logger|l)$/.test(pkg)) return nested;
    this.ctx.notSimulated(`${clip(full, 40)}(…)`, call);
    return nested;
  }

  private listOp(
    args: SyntaxNode[],
    call: SyntaxNode,
    source: 'cache' | 'api',
    src: { line: number },
    frame: Frame,
  ): ReconcileOp {
    const listKind = this.kindOf(args[1], call, frame);
    const kind = listKind.endsWith('List') ? listKind.slice(0, -4) : listKind;
    const op: Extract<ReconcileOp, { op: 'list' }> & { src?: { line: number } } = {
      op: 'list',
      kind,
      source,
      src,
    };
    for (const a of args.slice(2)) {
      const n = unparen(a);
      const lit = compositeOf(n);
      if (lit) {
        const tn = typeName(field(lit, 'type'));
        if (tn?.name === 'MatchingFields' || tn?.name === 'MatchingLabels') {
          const map: Record<string, string> = {};
          for (const el of kids(field(lit, 'body'))) {
            if (el.type !== 'keyed_element') continue;
            const k = kids(field(el, 'key'))[0];
            const v = kids(field(el, 'value'))[0];
            if (!k || !v) continue;
            const key = this.ctx.readString(k, `${tn.name} key`);
            if (key === undefined) continue;
            // A value computed at run time (db.Spec.Environment) is kept as its source text.
            const val = this.ctx.ev.evaluate(v);
            map[key] = val && val.t === 'string' ? val.v : v.text;
            if (
              tn.name === 'MatchingFields' &&
              source === 'cache' &&
              !this.ctx.indexes.some((i) => i.kind === kind && i.field === key)
            )
              // client-go tools/cache/thread_safe_store.go (controller-semantics.md §7).
              this.ctx.diag('LC030', `Index with name field:${key} does not exist`, k);
          }
          if (tn.name === 'MatchingFields') op.matchingFields = map;
          else op.matchingLabels = map;
          continue;
        }
        if (tn?.name === 'ListOptions') {
          for (const e of keyedElements(lit)) {
            if (e.key === 'Limit') this.setLimit(op, e.value);
            else if (e.key === 'Namespace') {
              const s = this.ctx.ev.evaluate(e.value);
              op.namespace = s && s.t === 'string' ? s.v : 'request';
            } else this.ctx.notSimulated(`ListOptions field ${e.key}`, e.keyNode);
          }
          continue;
        }
      }
      if (n.type === 'call_expression') {
        const c = calleeName(n);
        const a0 = callArgs(n)[0];
        if (c?.name === 'InNamespace' && a0) {
          const s = this.ctx.ev.evaluate(a0);
          op.namespace = s && s.t === 'string' ? s.v : 'request';
          continue;
        }
        if (c?.name === 'Limit' && a0) {
          this.setLimit(op, a0);
          continue;
        }
      }
      if (n.type === 'call_expression' && calleeName(n)?.name === 'Limit') continue;
      this.ctx.notSimulated(`list option ${clip(n.text, 40)}`, n);
    }
    return op;
  }

  private setLimit(op: { limit?: number }, value: SyntaxNode): void {
    const v = this.ctx.readInt(value, 'Limit');
    if (v === undefined) return;
    const n = this.ctx.knobs.filter((k) => k.id.startsWith('reconcile.listLimit')).length;
    this.ctx.addKnob(
      n === 0 ? 'reconcile.listLimit' : `reconcile.listLimit.${n + 1}`,
      'List Limit',
      'int',
      v,
      value,
    );
    if (v < 0)
      this.ctx.diag('LC051', `Limit ${v} is negative: the cache treats it as no limit`, value);
    if (v > 0) op.limit = v;
  }

  /** Kind of the object argument (db, &sts, &appsv1.StatefulSet{}, &list.Items[i], item). */
  kindOf(arg: SyntaxNode | undefined, at: SyntaxNode, frame: Frame): string {
    const k = arg ? this.kindOfExpr(arg, 0, frame) : undefined;
    if (k) return k;
    this.ctx.diag(
      'LC044',
      `cannot tell the Kind of ${clip(arg?.text ?? 'the object', 30)}: the lab assumes ${this.ctx.forKind}`,
      arg ?? at,
    );
    return this.ctx.forKind;
  }

  private kindOfExpr(arg: SyntaxNode, depth: number, frame: Frame): string | undefined {
    if (depth > 8) return undefined;
    const n = unparen(arg);
    const lit = compositeOf(n);
    if (lit) return typeName(field(lit, 'type'))?.name;
    if (n.type === 'unary_expression') {
      const op = field(n, 'operand');
      return op ? this.kindOfExpr(op, depth + 1, frame) : undefined;
    }
    if (n.type === 'index_expression') {
      // list.Items[i]
      const op = field(n, 'operand');
      if (op && op.type === 'selector_expression' && field(op, 'field')?.text === 'Items') {
        const lk = this.kindOfExpr(field(op, 'operand')!, depth + 1, frame);
        return lk?.endsWith('List') ? lk.slice(0, -4) : lk;
      }
      return undefined;
    }
    if (n.type === 'identifier') {
      const t = this.ctx.symbols.typeOf(n.text, n);
      if (t) {
        const tn = typeName(t);
        if (tn) return tn.name;
      }
      const b = this.ctx.symbols.lookup(n.text, n);
      if (b) return this.kindOfExpr(b, depth + 1, frame);
      // A range variable: for _, item := range list.Items
      const rangeKind = this.rangeVarKind(n, frame);
      if (rangeKind) return rangeKind;
      return undefined;
    }
    if (n.type === 'call_expression') {
      const c = calleeName(n);
      if (c?.name === 'DeepCopy' && c.operandNode)
        return this.kindOfExpr(c.operandNode, depth + 1, frame);
    }
    return undefined;
  }

  private rangeVarKind(id: SyntaxNode, frame: Frame): string | undefined {
    const right = frame.rangeVars?.get(id.text);
    if (!right) return undefined;
    if (right.type === 'selector_expression' && field(right, 'field')?.text === 'Items') {
      const lk = this.kindOfExpr(field(right, 'operand')!, 1, frame);
      return lk?.endsWith('List') ? lk.slice(0, -4) : lk;
    }
    // Slices built in ReconcileBatch ([]*databasev1.Database{}): follow the slice's type.
    if (right.type === 'identifier') {
      const b = this.ctx.symbols.lookup(right.text, right);
      const lit = b ? compositeOf(b) : null;
      const t = lit ? field(lit, 'type') : null;
      if (t && t.type === 'slice_type') {
        const tn = typeName(field(t, 'element'));
        if (tn) return tn.name;
      }
      if (right.text === 'requests') return this.ctx.forKind;
    }
    return undefined;
  }

  refOf(
    obj: SyntaxNode | undefined,
    key: SyntaxNode | null | undefined,
    kind: string,
    frame: Frame,
  ): ObjectRef {
    const texts = [obj?.text ?? '', key?.text ?? ''];
    for (const t of texts) {
      for (const v of frame.loopVars) {
        if (v.startsWith('[')) {
          if (new RegExp(`\\.Items\\[${escapeRe(v.slice(1, -1))}\\]`).test(t)) return 'item';
        } else if (new RegExp(`(^|[^\\w.])${escapeRe(v)}\\b`).test(t)) return 'item';
      }
      if (/\.Items\[/.test(t) && frame.loopVars.size > 0) return 'item';
    }
    return kind === this.ctx.forKind ? 'request' : 'owned';
  }
}

function setOnError(ops: ReconcileOp[], onError: OnError): void {
  // The error check applies to the statement's own call: the last op it produced.
  const last = ops[ops.length - 1];
  if (last && last.op !== 'return' && last.op !== 'forEach') last.onError = onError;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The first line of a node (searching the source text, not copying the node's text). */
function firstLine(text: string, n: SyntaxNode): { startIndex: number; endIndex: number } {
  const nl = text.indexOf('\n', n.startIndex);
  return { startIndex: n.startIndex, endIndex: nl === -1 || nl > n.endIndex ? n.endIndex : nl };
}

export function buildProgram(
  ctx: CompileContext,
  method: SyntaxNode,
  methods: Map<string, SyntaxNode>,
  batch: boolean,
): ReconcileOp[] {
  const name = field(method, 'name')?.text ?? 'Reconcile';
  const b = new ProgramBuilder(ctx, methods, batch, method, new Set([name]));
  return b.statements(blockStatements(field(method, 'body')), {
    loopVars: new Set(),
    errorOnly: false,
    depth: 0,
  });
}
