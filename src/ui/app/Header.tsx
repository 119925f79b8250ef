import type { Lesson } from '../../content';
import { lessonNumber } from '../../content';
import { testIds } from '../testIds';
import { ThemeToggle } from '../theme/ThemeToggle';
import { useLayoutStore } from './layoutStore';

interface Props {
  lesson: Lesson | undefined;
  narrow: boolean;
  onShowShortcuts(): void;
}

/** The app bar: name (home link), the open lesson, the lab toggle, theme and shortcuts. */
export function Header({ lesson, narrow, onShowShortcuts }: Props) {
  const labOpen = useLayoutStore((s) => s.labOpen);
  const setLabOpen = useLayoutStore((s) => s.setLabOpen);
  return (
    <header className="app-header">
      <a className="app-name" href="#/">
        Reconcile Lab
      </a>
      {lesson && (
        <p className="app-crumb">
          <span className="app-crumb-number">Lesson {lessonNumber(lesson)}</span>{' '}
          <span className="app-crumb-title">{lesson.meta.title}</span>
        </p>
      )}
      <div className="app-actions">
        {lesson && !narrow && (
          <button
            type="button"
            className="button"
            aria-pressed={labOpen}
            aria-controls="lab-pane"
            data-testid={testIds.labToggle}
            onClick={() => setLabOpen(!labOpen)}
          >
            Lab panel
          </button>
        )}
        <ThemeToggle />
        <button
          type="button"
          className="button"
          aria-keyshortcuts="?"
          data-testid={testIds.shortcutsButton}
          onClick={onShowShortcuts}
        >
          <kbd aria-hidden="true">?</kbd> Shortcuts
        </button>
      </div>
    </header>
  );
}
