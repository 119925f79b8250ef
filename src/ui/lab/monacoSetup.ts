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

/** Our two themes: Monaco's own light and dark token colours on the app's code colours. */
export const LIGHT_THEME = 'reconcile-lab-light';
export const DARK_THEME = 'reconcile-lab-dark';

/** A CSS custom property of <html> if it is a plain hex colour (what Monaco themes accept). */
function cssHex(name: string): string | undefined {
  if (typeof document === 'undefined') return undefined;
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return /^#[0-9a-f]{6}$/i.test(v) ? v : undefined;
}

/**
 * (Re)defines the theme for the app's light or dark mode from the shell's CSS variables
 * (--code-bg, --code-fg, --muted, --fg, --accent-soft), so the editor sits on the same
 * background as the lesson's code blocks. Returns the theme name.
 */
export function defineAppTheme(mode: 'light' | 'dark'): string {
  const colors: Record<string, string> = {};
  const set = (key: string, v: string | undefined) => {
    if (v) colors[key] = v;
  };
  set('editor.background', cssHex('--code-bg'));
  set('editor.foreground', cssHex('--code-fg'));
  set('editorGutter.background', cssHex('--code-bg'));
  set('editorLineNumber.foreground', cssHex('--muted'));
  set('editorLineNumber.activeForeground', cssHex('--fg'));
  set('editor.selectionBackground', cssHex('--accent-soft'));
  const name = mode === 'dark' ? DARK_THEME : LIGHT_THEME;
  // vs-dark's comment green (#608b4e) is 4.36:1 on the app's dark code background; the app's
  // comment colour meets 4.5:1 in both themes.
  const comment = cssHex('--code-comment');
  monaco.editor.defineTheme(name, {
    base: mode === 'dark' ? 'vs-dark' : 'vs',
    inherit: true,
    rules: comment ? [{ token: 'comment', foreground: comment.slice(1) }] : [],
    colors,
  });
  return name;
}

export { monaco };
export type Monaco = typeof monaco;
