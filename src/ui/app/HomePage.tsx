import type { LoadedLessons } from '../../content';
import { lessonNumber } from '../../content';
import { loadReadSections } from '../lesson/readProgress';
import { testIds } from '../testIds';
import { formatRoute } from './routes';

/** The lesson list (and, for authors, any lesson file that failed to load). */
export function HomePage({ loaded }: { loaded: LoadedLessons }) {
  const progress = loadReadSections();
  return (
    <div className="home">
      <h1>Reconcile Lab</h1>
      <p className="home-intro">
        Read a lesson of the Kubernetes operator course, then change the operator&rsquo;s Go code
        and watch a faithful simulation of controller-runtime and the API server respond: queue
        depth, reconcile duration, throttling. Everything runs in this browser tab, offline.
      </p>
      <h2>Lessons</h2>
      {loaded.lessons.length === 0 && <p>No lessons were found in lessons/.</p>}
      <ul className="lesson-list" data-testid={testIds.lessonList}>
        {loaded.lessons.map((lesson) => {
          const read = new Set(progress[lesson.meta.id] ?? []);
          const done = lesson.toc.filter((h) => read.has(h.slug)).length;
          const diagrams = lesson.codeBlocks.filter((b) => b.lang === 'mermaid').length;
          const code = lesson.codeBlocks.filter((b) => b.lang === 'go').length;
          return (
            <li key={lesson.meta.id} className="lesson-card">
              <h3 className="lesson-card-title">
                <a
                  href={formatRoute({
                    name: 'lesson',
                    lessonId: lesson.meta.id,
                    section: undefined,
                  })}
                >
                  <span className="lesson-card-number">Lesson {lessonNumber(lesson)}</span>{' '}
                  {lesson.meta.title}
                </a>
              </h3>
              {lesson.meta.summary && <p>{lesson.meta.summary}</p>}
              <p className="lesson-card-facts">
                {lesson.toc.length} sections · {diagrams} diagrams · {code} Go examples · {done} of{' '}
                {lesson.toc.length} sections read
              </p>
            </li>
          );
        })}
      </ul>
      {loaded.errors.length > 0 && (
        <section className="load-errors" aria-labelledby="load-errors-title">
          <h2 id="load-errors-title">Lesson files that could not be loaded</h2>
          <ul>
            {loaded.errors.map((e) => (
              <li key={e.message}>
                <code>{e.message}</code>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
