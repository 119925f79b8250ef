/**
 * "Try in lab" for a Go block of the lesson: the block is merged into the lab's starting code
 * so that the result is a whole lab file that compiles. Rules (README "Lesson blocks"):
 *   - import declarations of the block are dropped (the lab file imports what it needs);
 *   - a func / method / type the lab file already has (same name) is replaced by the block's;
 *     new ones are appended; package-level var/const blocks are appended;
 *   - if the block registers an index (IndexField), the lab's SetupIndexes is dropped, so the
 *     index is not registered twice;
 *   - loose statements (fragments outside any function) go into a function: into a new
 *     `labLessonSetup(ctx, mgr)` when they use `mgr`, otherwise into Reconcile before its final
 *     return;
 *   - a leading comment tells the learner what was done.
 */
import { field, kids } from './ast';
import { parseGo, type SyntaxNode } from './parser';

interface Decl {
  key: string;
  start: number;
  end: number;
}

function declKey(n: SyntaxNode): string | undefined {
  if (n.type === 'function_declaration' || n.type === 'method_declaration')
    return `func ${field(n, 'name')?.text ?? ''}`;
  if (n.type === 'type_declaration') {
    const spec = kids(n).find((k) => k.type === 'type_spec' || k.type === 'type_alias');
    return spec ? `type ${field(spec, 'name')?.text ?? ''}` : undefined;
  }
  return undefined;
}

/** Start offset including the doc comment lines right above a declaration. */
function withLeadingComments(text: string, n: SyntaxNode): number {
  let start = n.startIndex;
  let prev = n.previousSibling;
  while (prev && prev.type === 'comment') {
    const between = text.slice(prev.endIndex, start);
    if ((between.match(/\n/g) ?? []).length > 1) break;
    start = prev.startIndex;
    prev = prev.previousSibling;
  }
  return start;
}

function indentBlock(s: string, indent: string): string {
  return s
    .split('\n')
    .map((l) => (l.trim() === '' ? '' : indent + l))
    .join('\n');
}

function dedent(s: string): string {
  const lines = s.split('\n');
  const indents = lines
    .filter((l) => l.trim() !== '')
    .map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const min = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(min, /^[ \t]*/.exec(l)?.[0].length ?? 0))).join('\n');
}

/**
 * Merges a lesson Go block into `startingCode` (the text of lessons/…/lab.go) and returns a
 * complete lab file with a leading note. A block that is already a whole file (it has a
 * `package` clause) is returned as is.
 */
export function lessonBlockToLabText(goBlock: string, startingCode: string): string {
  const block = dedent(goBlock.replace(/\r\n?/g, '\n')).trim();
  if (/^(?:\s*\/\/[^\n]*\n)*\s*package\s+\w+/.test(block)) return `${block}\n`;

  const btree = parseGo(block);
  const ltree = parseGo(startingCode);
  try {
    const broot = btree.rootNode;
    const lroot = ltree.rootNode;
    const labDecls = new Map<string, Decl>();
    for (const n of kids(lroot)) {
      const key = declKey(n);
      if (key && !labDecls.has(key))
        labDecls.set(key, { key, start: withLeadingComments(startingCode, n), end: n.endIndex });
    }
    const replacements: { start: number; end: number; text: string }[] = [];
    const appended: string[] = [];
    const setupStatements: string[] = [];
    const reconcileStatements: string[] = [];
    const notes: string[] = [];
    let pendingComments: string[] = [];
    const blockHasIndex = /\.IndexField\s*\(/.test(block);

    for (const n of broot.children) {
      if (!n) continue;
      if (n.type === 'comment') {
        pendingComments.push(n.text);
        continue;
      }
      const comments = pendingComments.join('\n');
      pendingComments = [];
      const withComments = (s: string): string => (comments ? `${comments}\n${s}` : s);
      if (n.type === 'import_declaration' || n.type === 'package_clause') continue;
      const key = declKey(n);
      if (key) {
        const existing = labDecls.get(key);
        if (existing) {
          replacements.push({
            start: existing.start,
            end: existing.end,
            text: withComments(n.text),
          });
          notes.push(`replaced ${key.replace(/^func /, '').replace(/^type /, 'type ')}`);
          labDecls.delete(key);
        } else {
          appended.push(withComments(n.text));
          notes.push(`added ${key.replace(/^func /, '').replace(/^type /, 'type ')}`);
        }
        continue;
      }
      if (n.type === 'var_declaration' || n.type === 'const_declaration') {
        appended.push(withComments(n.text));
        notes.push(`added a package-level ${n.type === 'var_declaration' ? 'var' : 'const'} block`);
        continue;
      }
      if (/[;\s]/.test(n.text) || n.isNamed) {
        const stmt = withComments(n.text);
        if (/\bmgr\b/.test(n.text)) setupStatements.push(stmt);
        else reconcileStatements.push(stmt);
      }
    }
    if (pendingComments.length) appended.push(pendingComments.join('\n'));

    if (blockHasIndex) {
      const s = labDecls.get('func SetupIndexes');
      if (s) {
        replacements.push({ start: s.start, end: s.end, text: '' });
        notes.push("removed the lab's SetupIndexes (the lesson code registers the index)");
      }
    }
    if (setupStatements.length) {
      appended.push(
        `// labLessonSetup holds the lesson's setup statements.\nfunc labLessonSetup(ctx context.Context, mgr ctrl.Manager) {\n${indentBlock(setupStatements.join('\n'), '\t')}\n}`,
      );
      notes.push('put the setup statements into labLessonSetup');
    }
    if (reconcileStatements.length) {
      const reconcile = kids(lroot).find(
        (k) => k.type === 'method_declaration' && field(k, 'name')?.text === 'Reconcile',
      );
      const body = reconcile ? field(reconcile, 'body') : null;
      const stmts = body
        ? kids(body).flatMap((k) => (k.type === 'statement_list' ? kids(k) : [k]))
        : [];
      const last = [...stmts].reverse().find((s) => s.type === 'return_statement');
      const alreadyReplaced = !labDecls.has('func Reconcile');
      if (last && !alreadyReplaced) {
        let lineStart = startingCode.lastIndexOf('\n', last.startIndex - 1) + 1;
        // Keep the return's own comment lines with it.
        for (;;) {
          const prevStart = startingCode.lastIndexOf('\n', lineStart - 2) + 1;
          if (lineStart === 0 || !/^\s*\/\//.test(startingCode.slice(prevStart, lineStart - 1)))
            break;
          lineStart = prevStart;
        }
        replacements.push({
          start: lineStart,
          end: lineStart,
          text: `\t// From the lesson:\n${indentBlock(reconcileStatements.join('\n'), '\t')}\n\n`,
        });
        notes.push('put the statements into Reconcile, before its final return');
      } else {
        appended.push(
          `// labLessonFragment holds the lesson's statements.\nfunc (r *DatabaseReconciler) labLessonFragment(ctx context.Context, req ctrl.Request) {\n${indentBlock(reconcileStatements.join('\n'), '\t')}\n}`,
        );
        notes.push('put the statements into labLessonFragment');
      }
    }

    let out = startingCode;
    for (const r of replacements.sort((a, b) => b.start - a.start))
      out = out.slice(0, r.start) + r.text + out.slice(r.end);
    out = out.replace(/\n{3,}/g, '\n\n').replace(/\s*$/, '\n');
    if (appended.length) out += `\n${appended.join('\n\n')}\n`;
    const header =
      `// Wrapped for the lab: this lesson code was merged into the lab's starting code\n` +
      `// (${notes.length ? notes.join('; ') : 'nothing to merge'}).\n\n`;
    return header + out;
  } finally {
    btree.delete();
    ltree.delete();
  }
}

/** The ```go fenced blocks of a Markdown text, in order. */
export function extractGoBlocks(markdown: string): string[] {
  const out: string[] = [];
  const re = /^([ \t]*)```go[^\n]*\n([\s\S]*?)^\1```[ \t]*$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) out.push(m[2] ?? '');
  return out;
}
