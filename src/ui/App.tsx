import { useCallback, useEffect, useState } from 'react';
import { bundledLessons, type LoadedLessons } from '../content';
import { Header } from './app/Header';
import { HomePage } from './app/HomePage';
import { formatRoute } from './app/routes';
import { ShortcutsDialog } from './app/ShortcutsDialog';
import { useKeyShortcut } from './app/useGlobalShortcuts';
import { replaceHash, useHashRoute } from './app/useHashRoute';
import { useMediaQuery } from './app/useMediaQuery';
import { NARROW_QUERY, Workspace } from './app/Workspace';
import { LessonView } from './lesson/LessonView';

const HELP_KEYS = ['?'];

function focusMain() {
  const target = document.getElementById('lesson-content') ?? document.getElementById('main');
  target?.focus();
}

/** The app shell: header, routes (home, lesson), the shortcuts overlay. */
export function App({ loaded = bundledLessons }: { loaded?: LoadedLessons }) {
  const route = useHashRoute();
  const narrow = useMediaQuery(NARROW_QUERY);
  const [showShortcuts, setShowShortcuts] = useState(false);
  const openShortcuts = useCallback(() => setShowShortcuts(true), []);
  const closeShortcuts = useCallback(() => setShowShortcuts(false), []);
  useKeyShortcut(HELP_KEYS, openShortcuts);

  // A bare anchor (#rate-limiting) becomes the canonical link to that section.
  const [lastLessonId, setLastLessonId] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (route.name !== 'anchor') return;
    const candidates = [
      ...loaded.lessons.filter((l) => l.meta.id === lastLessonId),
      ...loaded.lessons,
    ];
    const lesson = candidates.find((l) => l.headings.some((h) => h.slug === route.section));
    if (lesson) {
      replaceHash(
        formatRoute({ name: 'lesson', lessonId: lesson.meta.id, section: route.section }),
      );
    }
  }, [route, loaded, lastLessonId]);

  const lesson =
    route.name === 'lesson' ? loaded.lessons.find((l) => l.meta.id === route.lessonId) : undefined;
  useEffect(() => {
    if (lesson) setLastLessonId(lesson.meta.id);
    document.title = lesson
      ? `Lesson ${lesson.meta.module}.${lesson.meta.order}: ${lesson.meta.title} · Reconcile Lab`
      : 'Reconcile Lab';
  }, [lesson]);

  let page;
  if (route.name === 'home') {
    page = (
      <main id="main" tabIndex={-1} className="main-home">
        <HomePage loaded={loaded} />
      </main>
    );
  } else if (lesson && route.name === 'lesson') {
    page = (
      <main id="main" tabIndex={-1} className="main-workspace">
        <Workspace
          lesson={<LessonView key={lesson.meta.id} lesson={lesson} section={route.section} />}
        />
      </main>
    );
  } else {
    page = (
      <main id="main" tabIndex={-1} className="main-home">
        <div className="home">
          <h1>Page not found</h1>
          <p>
            {route.name === 'lesson'
              ? `There is no lesson with the id “${route.lessonId}”.`
              : route.name === 'anchor'
                ? `No lesson has a section “${route.section}”.`
                : 'This address does not match any page of the lab.'}
          </p>
          <p>
            <a href="#/">Go to the list of lessons</a>
          </p>
        </div>
      </main>
    );
  }

  return (
    <div className="app">
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          // Hash routing: the link must not change the route, only move focus.
          e.preventDefault();
          focusMain();
        }}
      >
        Skip to content
      </a>
      <Header lesson={lesson} narrow={narrow} onShowShortcuts={openShortcuts} />
      {page}
      {showShortcuts && <ShortcutsDialog onClose={closeShortcuts} />}
    </div>
  );
}
