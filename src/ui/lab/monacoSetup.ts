/**
 * The one module that sets Monaco up (see TOOLCHAIN.md, "Monaco without a CDN"). It is only
 * reached through the lazily loaded editor chunk, so Monaco never lands in the initial JS.
 *
 * - the editor API from 'monaco-editor/editor' (the old esm/vs/... paths do not resolve in 0.57),
 * - the editor features and the Go language registration only (no TypeScript/CSS/JSON workers),
 * - the editor worker bundled by Vite (`?worker`), handed to Monaco through MonacoEnvironment,
 * - `loader.config({ monaco })` so @monaco-editor/react never requests a CDN.
 */
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/go/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { loader } from '@monaco-editor/react';

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker };
  }
}

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };
loader.config({ monaco });

/** Our two themes: Monaco's own light and dark, with the editor background from the app. */
export const LIGHT_THEME = 'reconcile-lab-light';
export const DARK_THEME = 'reconcile-lab-dark';

monaco.editor.defineTheme(LIGHT_THEME, { base: 'vs', inherit: true, rules: [], colors: {} });
monaco.editor.defineTheme(DARK_THEME, { base: 'vs-dark', inherit: true, rules: [], colors: {} });

export { monaco };
export type Monaco = typeof monaco;
