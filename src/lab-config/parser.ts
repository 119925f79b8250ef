/**
 * The Go parser (web-tree-sitter + tree-sitter-go). Loading the two wasm files is
 * environment-specific (Vite `?url` imports in the browser, file URLs in Node), so it sits
 * behind a small injectable loader; once `initGoParser` has resolved, parsing is synchronous.
 */
import { Edit, Language, Parser } from 'web-tree-sitter';
import type { Tree } from 'web-tree-sitter';

export type { Node as SyntaxNode, Tree } from 'web-tree-sitter';

/** How to find the two wasm files in a given environment. */
export interface GoParserLoader {
  /** Calls `Parser.init(…)` with whatever `locateFile` the environment needs. */
  initCore(): Promise<void>;
  /** Loads tree-sitter-go's grammar (`Language.load(url | bytes)`). */
  loadGo(): Promise<Language>;
}

let parser: Parser | undefined;
let pending: Promise<void> | undefined;

/** Loads the parser once; later calls return the same promise. */
export function initGoParser(loader: GoParserLoader): Promise<void> {
  if (parser) return Promise.resolve();
  if (!pending) {
    pending = (async () => {
      await loader.initCore();
      const go = await loader.loadGo();
      const p = new Parser();
      p.setLanguage(go);
      parser = p;
    })();
    pending.catch(() => {
      pending = undefined;
    });
  }
  return pending;
}

export function isGoParserReady(): boolean {
  return parser !== undefined;
}

/** The last text parsed and a copy of its tree, for incremental re-parsing. */
let cache: { text: string; tree: Tree } | undefined;

function point(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/**
 * Parses Go text. Throws if `initGoParser` has not resolved yet. The caller owns (deletes) the
 * returned tree. Re-parses incrementally from the previous text (common prefix and suffix
 * kept), as an editor does on each keystroke; web-tree-sitter counts UTF-16 code units.
 */
export function parseGo(text: string): Tree {
  if (!parser) throw new Error('lab-config: call initGoParser(loader) before compiling');
  let tree: Tree | null;
  if (cache && cache.text !== text) {
    const old = cache.text;
    const max = Math.min(old.length, text.length);
    let p = 0;
    while (p < max && old.charCodeAt(p) === text.charCodeAt(p)) p++;
    let s = 0;
    while (
      s < max - p &&
      old.charCodeAt(old.length - 1 - s) === text.charCodeAt(text.length - 1 - s)
    )
      s++;
    const start = point(old, p);
    cache.tree.edit(
      new Edit({
        startIndex: p,
        oldEndIndex: old.length - s,
        newEndIndex: text.length - s,
        startPosition: start,
        oldEndPosition: point(old, old.length - s),
        newEndPosition: point(text, text.length - s),
      }),
    );
    tree = parser.parse(text, cache.tree);
  } else {
    tree = parser.parse(text, cache?.tree ?? null);
  }
  if (!tree) throw new Error('lab-config: tree-sitter returned no tree');
  cache?.tree.delete();
  cache = { text, tree: tree.copy() };
  return tree;
}

/** Drops the incremental-parsing cache (tests compare fresh and incremental parses). */
export function resetParseCache(): void {
  cache?.tree.delete();
  cache = undefined;
}

export { Language, Parser };
