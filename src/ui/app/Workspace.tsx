import { lazy, Suspense, useState, type CSSProperties, type ReactNode } from 'react';
import { testIds } from '../testIds';
import { ErrorBoundary } from './ErrorBoundary';
import { useLayoutStore, type NarrowTab } from './layoutStore';
import { PaneDivider } from './PaneDivider';
import { useMediaQuery } from './useMediaQuery';

// The lab (Monaco, charts, the simulation) is a separate chunk, loaded after the lesson.
const LabPanel = lazy(() => import('../lab/LabPanel'));

/** Below this width the panes become tabs (tablets in portrait, small windows). */
export const NARROW_QUERY = '(max-width: 899px)';

function LabSlot() {
  return (
    <ErrorBoundary
      fallback={(error) => (
        <div className="pane-message" role="alert">
          <h2>The lab could not start</h2>
          <p>{error.message}</p>
          <p>The lesson still works. Reloading the page may help.</p>
        </div>
      )}
    >
      <Suspense fallback={<p className="pane-message">Loading the lab…</p>}>
        <LabPanel />
      </Suspense>
    </ErrorBoundary>
  );
}

/**
 * The two-pane workspace: the lesson and the lab side by side with a draggable divider (the lab
 * can be hidden), or, on narrow screens, as two tabs. The lab is mounted the first time it is
 * shown and then kept (hidden, not unmounted) so the editor keeps its state.
 */
export function Workspace({ lesson }: { lesson: ReactNode }) {
  const narrow = useMediaQuery(NARROW_QUERY);
  const split = useLayoutStore((s) => s.split);
  const labOpen = useLayoutStore((s) => s.labOpen);
  const tab = useLayoutStore((s) => s.narrowTab);
  const setTab = useLayoutStore((s) => s.setNarrowTab);
  const [container, setContainer] = useState<HTMLDivElement | null>(null);
  const labVisible = narrow ? tab === 'lab' : labOpen;
  const [labMounted, setLabMounted] = useState(labVisible);
  if (labVisible && !labMounted) setLabMounted(true);

  const tabButton = (id: NarrowTab, label: string) => (
    <button
      type="button"
      role="tab"
      id={`tab-${id}`}
      aria-selected={tab === id}
      aria-controls={`${id}-pane`}
      tabIndex={tab === id ? 0 : -1}
      className="workspace-tab"
      onClick={() => setTab(id)}
      onKeyDown={(e) => {
        if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
          const other: NarrowTab = id === 'lesson' ? 'lab' : 'lesson';
          setTab(other);
          document.getElementById(`tab-${other}`)?.focus();
        }
      }}
    >
      {label}
    </button>
  );

  return (
    <div
      ref={setContainer}
      className={`workspace ${narrow ? 'is-narrow' : 'is-wide'}${labVisible ? ' lab-visible' : ''}`}
      style={{ '--split': `${split}%` } as CSSProperties}
    >
      {narrow && (
        <div className="workspace-tabs" role="tablist" aria-label="Panes">
          {tabButton('lesson', 'Lesson')}
          {tabButton('lab', 'Lab')}
        </div>
      )}
      <section
        id="lesson-pane"
        className="pane lesson-pane"
        aria-label="Lesson"
        data-testid={testIds.lessonPane}
        hidden={narrow && tab !== 'lesson'}
        {...(narrow ? { role: 'tabpanel', 'aria-labelledby': 'tab-lesson' } : {})}
      >
        {lesson}
      </section>
      {!narrow && labOpen && <PaneDivider container={container} />}
      <section
        id="lab-pane"
        className="pane lab-pane"
        aria-label="Lab"
        data-testid={testIds.labPane}
        hidden={!labVisible}
        {...(narrow ? { role: 'tabpanel', 'aria-labelledby': 'tab-lab' } : {})}
      >
        {labMounted && <LabSlot />}
      </section>
    </div>
  );
}
