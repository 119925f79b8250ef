import { lazy, Suspense, useEffect, useState, type ComponentType } from 'react';
import { useLessonStore } from '../../store/lessonStore';
import { useLabStore } from '../../store/labStore';
import { DEFAULT_LESSON_ID, startingCodeFor } from './startingCode';
import { runShortcut, tabFocusShortcut } from './platform';
import { LabStatus } from './LabStatus';
import { KnobForm } from './KnobForm';
import { PlainEditor } from './PlainEditor';
import { lessonBlockToLabText } from '../../lab-config/wrap';
import './lab.css';

/** Monaco is heavy: it loads with this chunk, never with the first screen. */
const LabEditor = lazy(() => import('./LabEditor'));

/**
 * The run helper's panel (src/ui/run/RunPanel.tsx), rendered below the editor once it exists.
 * import.meta.glob resolves to nothing while the file is absent, so the lab works without it.
 */
const runPanelModules = import.meta.glob<{ RunPanel?: ComponentType; default?: ComponentType }>(
  '../run/RunPanel.tsx',
);
const runPanelLoader = Object.values(runPanelModules)[0];
const RunPanel = runPanelLoader
  ? lazy(async () => {
      const m = await runPanelLoader();
      const C = m.RunPanel ?? m.default;
      if (!C) throw new Error('src/ui/run/RunPanel.tsx exports no RunPanel component');
      return { default: C };
    })
  : null;

export interface LabPanelProps {
  lessonId?: string;
  /** An exercise of the lesson (its own text and starting code); null for the free lab. */
  exerciseId?: string | null;
  /** Overrides the lesson's lab.go (exercises bring their own starting code). */
  startingCode?: string;
}

/** The lab panel: the editor and its knob form above the run controls and charts. */
export default function LabPanel({
  lessonId = DEFAULT_LESSON_ID,
  exerciseId = null,
  startingCode,
}: LabPanelProps) {
  const start = startingCode ?? startingCodeFor(lessonId) ?? '';
  const [editorFocused, setEditorFocused] = useState(false);
  const notice = useLabStore((s) => s.notice);
  const storageProblem = useLabStore((s) => s.storageProblem);
  const compilerError = useLabStore((s) => s.compilerError);
  const compileCrash = useLabStore((s) => s.compileCrash);
  const tabMovesFocus = useLabStore((s) => s.tabMovesFocus);
  const plainChoice = useLabStore((s) => s.plainEditor);
  // Until the learner chooses, touch-only devices get the plain editor.
  const plain = plainChoice ?? matchesTouchOnly();
  const tryInLab = useLessonStore((s) => s.tryInLab);

  useEffect(() => {
    const s = useLabStore.getState();
    s.openDocument({ lessonId, exerciseId }, start);
    void s.ensureCompiled();
  }, [lessonId, exerciseId, start]);

  // The lesson's "Try in lab": once the parser is ready, merge the block into the starting
  // code (src/lab-config/wrap.ts), load it as one undoable edit, then clear the request.
  const compilerStatus = useLabStore((s) => s.compilerStatus);
  useEffect(() => {
    if (!tryInLab || compilerStatus !== 'ready') return;
    const lab = useLabStore.getState();
    let text: string;
    let message: string;
    try {
      text = lessonBlockToLabText(tryInLab.code, lab.startingCode);
      message = text.startsWith('// Wrapped for the lab')
        ? "The lesson's code block is in the editor, merged into the lab's starting code (the comment at the top says what changed)."
        : "The lesson's code block is in the editor.";
    } catch (e) {
      text = tryInLab.code;
      message = `The lesson's code block is in the editor as written (it could not be merged: ${e instanceof Error ? e.message : String(e)}).`;
    }
    lab.replaceText(text, { kind: 'loaded-block', message });
    useLessonStore.getState().consumeTryInLab(tryInLab.nonce);
  }, [tryInLab, compilerStatus]);

  return (
    <section aria-labelledby="lab-heading" className="lab-panel">
      <div className="lab-editor-part">
        <header className="lab-toolbar">
          <h2 id="lab-heading">Lab</h2>
          <div className="lab-actions">
            <button
              type="button"
              className="button"
              aria-pressed={plain}
              onClick={() => useLabStore.getState().setPlainEditor(!plain)}
            >
              Plain text editor
            </button>
            <button
              type="button"
              className="button"
              onClick={() => useLabStore.getState().resetToStartingCode()}
            >
              Reset to starting code
            </button>
          </div>
        </header>

        {storageProblem && (
          <p role="alert" className="lab-message lab-message-problem">
            {storageProblem}
          </p>
        )}
        {compilerError && (
          <p role="alert" className="lab-message lab-message-problem">
            {compilerError} Your text is kept; the settings cannot be updated until it loads.{' '}
            <button
              type="button"
              className="button button-small"
              onClick={() => void useLabStore.getState().ensureCompiled()}
            >
              Retry
            </button>
          </p>
        )}
        {compileCrash && (
          <p role="alert" className="lab-message lab-message-problem">
            {compileCrash}
          </p>
        )}
        <div role="status" className="lab-notice-region">
          {notice && (
            <p className="lab-message lab-message-notice" key={notice.id}>
              <span>{notice.message}</span>
              {notice.undo && (
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => useLabStore.getState().undoReplace()}
                >
                  Undo
                </button>
              )}
              <button
                type="button"
                className="button button-small"
                onClick={() => useLabStore.getState().dismissNotice()}
                aria-label="Dismiss message"
              >
                ✕
              </button>
            </p>
          )}
        </div>

        <div className={`lab-editor-frame${plain ? ' is-plain' : ''}`}>
          {plain ? (
            <PlainEditor />
          ) : (
            <Suspense fallback={<p className="lab-editor-loading">Loading the editor…</p>}>
              <LabEditor onFocusChange={setEditorFocused} />
            </Suspense>
          )}
        </div>
        <p className="lab-hint" aria-live="polite" data-testid="lab-tab-hint">
          {editorFocused &&
            !plain &&
            (tabMovesFocus
              ? `Tab moves focus out of the editor. ${tabFocusShortcut()} makes Tab insert tabs again. ${runShortcut()} runs.`
              : `Tab inserts a tab. Press ${tabFocusShortcut()} to make Tab move focus instead. ${runShortcut()} runs.`)}
        </p>
        <LabStatus />
        <KnobForm />
      </div>

      {RunPanel && (
        <div className="lab-run">
          <Suspense fallback={<p className="lab-editor-loading">Loading the run panel…</p>}>
            <RunPanel />
          </Suspense>
        </div>
      )}
    </section>
  );
}

function matchesTouchOnly(): boolean {
  return (
    typeof matchMedia === 'function' && matchMedia('(hover: none) and (pointer: coarse)').matches
  );
}
