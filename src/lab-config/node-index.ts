/**
 * One traversal of the syntax tree (a single `descendantsOfType` call in wasm) that buckets
 * the node types the recognisers need. Walking the tree node by node from JavaScript, or
 * asking for `.parent` (tree-sitter finds a parent by descending from the root), costs far
 * more than this.
 */
import type { SyntaxNode } from './parser';

const TYPES = [
  'function_declaration',
  'method_declaration',
  'call_expression',
  'composite_literal',
  'assignment_statement',
  'short_var_declaration',
  'const_spec',
  'var_spec',
  'parameter_declaration',
  'keyed_element',
  'field_declaration',
  'literal_value',
  'argument_list',
] as const;
export type IndexedType = (typeof TYPES)[number];

export class NodeIndex {
  private readonly all: { node: SyntaxNode; type: IndexedType }[] = [];
  private readonly functions: { id: number; start: number; end: number }[] = [];

  constructor(root: SyntaxNode) {
    for (const node of root.descendantsOfType([...TYPES])) {
      if (!node) continue;
      const type = node.type as IndexedType;
      this.all.push({ node, type });
      if (type === 'function_declaration' || type === 'method_declaration')
        this.functions.push({ id: node.id, start: node.startIndex, end: node.endIndex });
    }
  }

  /** Nodes of the given types, in document order. */
  of(...types: IndexedType[]): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (const e of this.all) if (types.includes(e.type)) out.push(e.node);
    return out;
  }

  /** Id of the function/method declaration containing `offset` (null at package level). */
  functionAt(offset: number): number | null {
    // Declarations do not nest (func literals are not in the list), so a linear scan over a
    // handful of functions is enough.
    for (const f of this.functions) if (f.start <= offset && offset < f.end) return f.id;
    return null;
  }
}
