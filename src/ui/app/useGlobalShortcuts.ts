import { useEffect } from 'react';

/** True when a key press belongs to whatever has focus (a text field, the code editor). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target.closest('.monaco-editor, [role="textbox"], [role="application"]')) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}

/** Runs `handler` for a single-key shortcut (no Ctrl/Alt/Meta), never while typing or in a dialog. */
export function useKeyShortcut(keys: readonly string[], handler: (key: string) => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target))
        return;
      if (!keys.includes(e.key) || document.querySelector('dialog[open]')) return;
      e.preventDefault();
      handler(e.key);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [keys, handler]);
}
