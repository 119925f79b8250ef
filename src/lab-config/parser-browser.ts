/**
 * Browser loader: both wasm files are bundled by Vite (`?url`), so nothing leaves the site.
 * Import this module lazily (it pulls in the parser, about 1 MB of wasm).
 */
import coreWasmUrl from 'web-tree-sitter/web-tree-sitter.wasm?url';
import goWasmUrl from 'tree-sitter-go/tree-sitter-go.wasm?url';
import { Language, Parser } from 'web-tree-sitter';
import { initGoParser, type GoParserLoader } from './parser';

export const browserGoParserLoader: GoParserLoader = {
  initCore: () => Parser.init({ locateFile: () => coreWasmUrl }),
  loadGo: () => Language.load(goWasmUrl),
};

/** Loads the parser in the browser; resolves once `compileLabText` can be called. */
export function initGoParserForBrowser(): Promise<void> {
  return initGoParser(browserGoParserLoader);
}
