/**
 * The Go parser (web-tree-sitter + tree-sitter-go). Loading the two wasm files is
 * environment-specific (Vite `?url` imports in the browser, file URLs in Node), so it sits
 * behind a small injectable loader; once `initGoParser` has resolved, parsing is synchronous.
 */
import { Language, Parser } from 'web-tree-sitter';
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

/** Parses Go text. Throws if `initGoParser` has not resolved yet. The caller deletes the tree. */
export function parseGo(text: string): Tree {
  if (!parser) throw new Error('lab-config: call initGoParser(loader) before compiling');
  const tree = parser.parse(text);
  if (!tree) throw new Error('lab-config: tree-sitter returned no tree');
  return tree;
}

export { Language, Parser };
