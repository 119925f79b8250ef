/**
 * A flat symbol table over the whole file: const/var declarations, `:=` and `=` assignments
 * and function parameters. Lookup prefers the latest binding before the use in the same
 * function, then package level. Good enough for lab files (no shadowing analysis).
 */
import { field, kids } from './ast';
import type { NodeIndex } from './node-index';
import type { SyntaxNode } from './parser';
import type { Scope } from './evaluate';

interface Binding {
  name: string;
  /** The bound expression, if any. */
  value: SyntaxNode | null;
  /** The declared type, if any (var x T, parameters). */
  type: SyntaxNode | null;
  fnId: number | null;
  start: number;
  isConst: boolean;
}

export class SymbolTable implements Scope {
  private readonly byName = new Map<string, Binding[]>();

  constructor(private readonly index: NodeIndex) {
    const nodes = index.of(
      'const_spec',
      'var_spec',
      'short_var_declaration',
      'assignment_statement',
      'parameter_declaration',
    );
    for (const n of nodes) {
      const fnId = index.functionAt(n.startIndex);
      if (n.type === 'const_spec' || n.type === 'var_spec') {
        const names = n.childrenForFieldName('name').filter((x): x is SyntaxNode => !!x);
        const values = kids(field(n, 'value'));
        const type = field(n, 'type');
        names.forEach((nm, i) =>
          this.add({
            name: nm.text,
            value: values.length === names.length ? (values[i] ?? null) : null,
            type,
            fnId,
            start: n.startIndex,
            isConst: n.type === 'const_spec',
          }),
        );
      } else if (n.type === 'parameter_declaration') {
        const type = field(n, 'type');
        for (const nm of n.childrenForFieldName('name')) {
          if (nm)
            this.add({
              name: nm.text,
              value: null,
              type,
              fnId,
              start: n.startIndex,
              isConst: false,
            });
        }
      } else {
        if (n.type === 'assignment_statement' && field(n, 'operator')?.text !== '=') continue;
        const left = kids(field(n, 'left'));
        const right = kids(field(n, 'right'));
        left.forEach((l, i) => {
          if (l.type !== 'identifier' || l.text === '_') return;
          this.add({
            name: l.text,
            value: left.length === right.length ? (right[i] ?? null) : null,
            type: null,
            fnId,
            start: n.startIndex,
            isConst: false,
          });
        });
      }
    }
  }

  private add(b: Binding): void {
    const list = this.byName.get(b.name);
    if (list) list.push(b);
    else this.byName.set(b.name, [b]);
  }

  private find(name: string, at: SyntaxNode): Binding | undefined {
    const list = this.byName.get(name);
    if (!list) return undefined;
    const fnId = this.index.functionAt(at.startIndex);
    let best: Binding | undefined;
    if (fnId !== null) {
      for (const b of list)
        if (b.fnId === fnId && b.start <= at.startIndex && (!best || b.start >= best.start))
          best = b;
      if (best) return best;
    }
    for (const b of list) if (b.fnId === null && (!best || b.start >= best.start)) best = b;
    return best;
  }

  lookup(name: string, at: SyntaxNode): SyntaxNode | undefined {
    const b = this.find(name, at);
    if (!b || !b.value) return undefined;
    // A value bound in its own declaration (x := x + 1) would loop: stop at the use site.
    if (b.value.startIndex <= at.startIndex && at.endIndex <= b.value.endIndex) return undefined;
    return b.value;
  }

  /** The declared type node of a name (var x T, a parameter), if any. */
  typeOf(name: string, at: SyntaxNode): SyntaxNode | undefined {
    return this.find(name, at)?.type ?? undefined;
  }

  isConst(name: string, at: SyntaxNode): boolean {
    return this.find(name, at)?.isConst ?? false;
  }
}
