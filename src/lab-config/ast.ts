/** Small helpers over tree-sitter-go nodes. */
import type { SyntaxNode } from './parser';

/**
 * Memo of child lookups for the tree being compiled (each lookup crosses into wasm). Node ids
 * are only unique within one tree, so `withAstMemo` scopes the memo to one compile.
 */
let kidsMemo: Map<number, SyntaxNode[]> | undefined;
let fieldMemo: Map<string, SyntaxNode | null> | undefined;

export function withAstMemo<T>(fn: () => T): T {
  kidsMemo = new Map();
  fieldMemo = new Map();
  try {
    return fn();
  } finally {
    kidsMemo = undefined;
    fieldMemo = undefined;
  }
}

/** Named children without comments. */
export function kids(node: SyntaxNode | null | undefined): SyntaxNode[] {
  if (!node) return [];
  const hit = kidsMemo?.get(node.id);
  if (hit) return hit;
  const out: SyntaxNode[] = [];
  for (const c of node.namedChildren) if (c && c.type !== 'comment') out.push(c);
  kidsMemo?.set(node.id, out);
  return out;
}

export function field(node: SyntaxNode | null | undefined, name: string): SyntaxNode | null {
  if (!node) return null;
  if (!fieldMemo) return node.childForFieldName(name);
  const key = `${node.id}:${name}`;
  const hit = fieldMemo.get(key);
  if (hit !== undefined) return hit;
  const v = node.childForFieldName(name);
  fieldMemo.set(key, v);
  return v;
}

/** Strips parentheses. */
export function unparen(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === 'parenthesized_expression') {
    const inner = kids(n)[0];
    if (!inner) break;
    n = inner;
  }
  return n;
}

/** Arguments of a call_expression (comments removed). */
export function callArgs(call: SyntaxNode): SyntaxNode[] {
  return kids(field(call, 'arguments'));
}

/**
 * The callee of a call, without generic instantiation: for `pkg.F[T](…)` returns the
 * selector `pkg.F` (tree-sitter puts `[T]` in `type_arguments`, or parses it as an index).
 */
export function callee(call: SyntaxNode): SyntaxNode | null {
  let f = field(call, 'function');
  while (
    f &&
    (f.type === 'index_expression' ||
      f.type === 'generic_type' ||
      f.type === 'parenthesized_expression')
  ) {
    f =
      f.type === 'index_expression'
        ? field(f, 'operand')
        : f.type === 'generic_type'
          ? field(f, 'type')
          : (kids(f)[0] ?? null);
  }
  return f;
}

export function hasTypeArgs(call: SyntaxNode): boolean {
  if (field(call, 'type_arguments')) return true;
  const f = field(call, 'function');
  return !!f && (f.type === 'index_expression' || f.type === 'generic_type');
}

/** `pkg.Name` / `x.y.Name` → { operand text, name }; a bare identifier → { operand: '', name }. */
export function calleeName(
  call: SyntaxNode,
): { operand: string; name: string; operandNode: SyntaxNode | null } | null {
  const f = callee(call);
  if (!f) return null;
  if (f.type === 'identifier') return { operand: '', name: f.text, operandNode: null };
  if (f.type === 'selector_expression') {
    const op = field(f, 'operand');
    const name = field(f, 'field');
    if (!name) return null;
    return { operand: op ? op.text : '', name: name.text, operandNode: op };
  }
  if (f.type === 'qualified_type') {
    const pkg = field(f, 'package');
    const name = field(f, 'name');
    if (!name) return null;
    return { operand: pkg ? pkg.text : '', name: name.text, operandNode: pkg };
  }
  return null;
}

/** The type name of a composite literal: `pkg.Name`, `pkg.Name[T]`, `Name` → 'Name' (and the package). */
export function typeName(typeNode: SyntaxNode | null): { pkg: string; name: string } | null {
  if (!typeNode) return null;
  let t: SyntaxNode | null = typeNode;
  if (t.type === 'generic_type') t = field(t, 'type');
  if (!t) return null;
  if (t.type === 'qualified_type') {
    const pkg = field(t, 'package');
    const name = field(t, 'name');
    return name ? { pkg: pkg ? pkg.text : '', name: name.text } : null;
  }
  if (t.type === 'type_identifier' || t.type === 'identifier') return { pkg: '', name: t.text };
  if (t.type === 'pointer_type') return typeName(kids(t)[0] ?? null);
  return null;
}

/** For `&T{…}` or `T{…}` returns the composite_literal. */
export function compositeOf(node: SyntaxNode | null): SyntaxNode | null {
  if (!node) return null;
  let n = unparen(node);
  if (n.type === 'unary_expression' && field(n, 'operator')?.text === '&') {
    const op = field(n, 'operand');
    if (!op) return null;
    n = unparen(op);
  }
  return n.type === 'composite_literal' ? n : null;
}

/** Keyed elements of a composite literal: key name → { key node, value expression }. */
export function keyedElements(
  lit: SyntaxNode,
): { key: string; keyNode: SyntaxNode; value: SyntaxNode }[] {
  const out: { key: string; keyNode: SyntaxNode; value: SyntaxNode }[] = [];
  for (const el of kids(field(lit, 'body'))) {
    if (el.type !== 'keyed_element') continue;
    const k = field(el, 'key');
    const v = field(el, 'value');
    if (!k || !v) continue;
    const kv = kids(k)[0] ?? k;
    const vv = kids(v)[0] ?? v;
    out.push({ key: kv.text, keyNode: kv, value: vv });
  }
  return out;
}

/** Enclosing function or method declaration (or null at package level). */
export function enclosingFunction(node: SyntaxNode): SyntaxNode | null {
  let p = node.parent;
  while (p) {
    if (p.type === 'function_declaration' || p.type === 'method_declaration') return p;
    p = p.parent;
  }
  return null;
}

/** The statements of a block (tree-sitter-go 0.25 wraps them in a statement_list). */
export function blockStatements(block: SyntaxNode | null): SyntaxNode[] {
  if (!block) return [];
  const out: SyntaxNode[] = [];
  for (const c of kids(block)) {
    if (c.type === 'statement_list') out.push(...kids(c));
    else out.push(c);
  }
  return out;
}
