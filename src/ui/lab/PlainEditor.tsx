import { useId } from 'react';
import { useLabStore } from '../../store/labStore';

/**
 * The lab text in a plain <textarea>: for touch screens (Monaco's input breaks with on-screen
 * keyboards) and for anyone who prefers it. Same store, same compile, markers listed under
 * "Problems and notes"; Tab moves focus as everywhere else on the page.
 */
export function PlainEditor() {
  const text = useLabStore((s) => s.text);
  const hintId = useId();
  return (
    <>
      <textarea
        className="lab-plain-editor"
        aria-label="Operator Go code (plain text editor)"
        aria-describedby={hintId}
        value={text}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        wrap="off"
        onChange={(e) => useLabStore.getState().setText(e.target.value)}
        onKeyDown={(e) => {
          // Ctrl/Cmd+Enter runs, as in Monaco.
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            useLabStore.getState().requestRun();
          }
        }}
      />
      <p id={hintId} className="visually-hidden">
        Errors and notes are listed under the editor, in Problems and notes. Control+Enter runs.
      </p>
    </>
  );
}
