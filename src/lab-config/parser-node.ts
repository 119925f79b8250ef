/**
 * Node loader (tests, benchmarks): `Parser.init()` finds its wasm beside the module, and
 * `Language.load` reads a file URL with fs (web-tree-sitter does that itself under Node).
 * No `node:` import here, so this file type-checks with the browser's tsconfig too.
 */
import { Language, Parser } from 'web-tree-sitter';
import { initGoParser, type GoParserLoader } from './parser';

export const nodeGoParserLoader: GoParserLoader = {
  initCore: () => Parser.init(),
  loadGo: () =>
    Language.load(
      new URL('../../node_modules/tree-sitter-go/tree-sitter-go.wasm', import.meta.url),
    ),
};

/** Convenience for tests: `await initGoParserForNode()` in a `beforeAll`. */
export function initGoParserForNode(): Promise<void> {
  return initGoParser(nodeGoParserLoader);
}
