import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { lessonNumber, type Lesson } from '../../content';
import { sectionHref } from '../app/routes';
import { useKeyShortcut } from '../app/useGlobalShortcuts';
import { testIds } from '../testIds';
import { LessonMarkdown } from './LessonMarkdown';
import { ScrollRootContext } from './scrollRoot';
import { TableOfContents } from './TableOfContents';
import { useReadProgress } from './useReadProgress';
import { useScrollSpy } from './useScrollSpy';

interface Props {
  lesson: Lesson;
  /** Section slug from the URL; scrolled to (and focused) when it changes. */
  section: string | undefined;
}

function prefersReducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/**
 * Scrolls a heading to the top of the lesson pane and moves focus to it. Content above may
 * still grow (diagrams rendering), so for a short while the heading is kept in place, until the
 * reader scrolls themselves.
 */
function goToSection(scroller: HTMLElement, slug: string): () => void {
  const el = document.getElementById(slug);
  if (!el || !scroller.contains(el)) return () => undefined;
  el.scrollIntoView({ block: 'start', behavior: prefersReducedMotion() ? 'auto' : 'smooth' });
  el.focus({ preventScroll: true });
  if (typeof ResizeObserver === 'undefined') return () => undefined;
  const keep = new ResizeObserver(() => el.scrollIntoView({ block: 'start' }));
  const article = scroller.querySelector('article');
  if (article) keep.observe(article);
  const stop = () => {
    keep.disconnect();
    window.clearTimeout(timer);
    for (const type of ['wheel', 'touchstart', 'keydown', 'pointerdown'] as const) {
      scroller.removeEventListener(type, stop);
    }
  };
  const timer = window.setTimeout(stop, 2000);
  for (const type of ['wheel', 'touchstart', 'keydown', 'pointerdown'] as const) {
    scroller.addEventListener(type, stop, { passive: true });
  }
  return stop;
}

const SECTION_KEYS = ['[', ']'];
/** How long a section must have been the current one before leaving it marks it read. */
const READ_DWELL_MS = 1500;

/** A lesson: its table of contents and its text, in one scrolling pane. */
export function LessonView({ lesson, section }: Props) {
  const [scroller, setScroller] = useState<HTMLDivElement | null>(null);
  const [tocOpen, setTocOpen] = useState(false);
  const slugs = useMemo(() => lesson.toc.map((h) => h.slug), [lesson]);
  const current = useScrollSpy(scroller, slugs);
  const { read, setRead } = useReadProgress(lesson.meta.id);
  const lessonId = lesson.meta.id;

  // A section counts as read once the reader has spent a moment in it and then scrolled on to
  // the next one (or reached the end of the lesson). Passing through sections while jumping to
  // a link does not count. The toggles in the contents correct it either way.
  const previous = useRef<{ slug: string | undefined; since: number }>({
    slug: undefined,
    since: 0,
  });
  useEffect(() => {
    const now = performance.now();
    const before = previous.current;
    previous.current = { slug: current, since: now };
    if (current === undefined || before.slug === undefined) return;
    const i = slugs.indexOf(before.slug);
    const j = slugs.indexOf(current);
    if (j !== i + 1 || now - before.since < READ_DWELL_MS) return;
    setRead(j === slugs.length - 1 ? [before.slug, current] : [before.slug], true);
  }, [current, slugs, setRead]);

  useEffect(() => {
    if (!scroller) return;
    if (section === undefined) {
      scroller.scrollTop = 0;
      return;
    }
    return goToSection(scroller, section);
  }, [scroller, section, lessonId]);

  const onNavigate = useCallback(
    (slug: string) => {
      setTocOpen(false);
      // Following the link already in the address bar fires no hashchange: scroll anyway.
      if (scroller && slug === section) goToSection(scroller, slug);
    },
    [scroller, section],
  );
  const onSectionKey = useCallback(
    (key: string) => {
      const i = current === undefined ? -1 : slugs.indexOf(current);
      const target = key === ']' ? slugs[i + 1] : slugs[Math.max(0, i - 1)];
      if (target) window.location.hash = sectionHref(lessonId, target);
    },
    [current, slugs, lessonId],
  );
  useKeyShortcut(SECTION_KEYS, onSectionKey);

  const onToggleRead = useCallback(
    (slug: string, value: boolean) => setRead([slug], value),
    [setRead],
  );

  return (
    <div className={`lesson-layout${tocOpen ? ' toc-open' : ''}`}>
      <button
        type="button"
        className="button toc-toggle"
        aria-expanded={tocOpen}
        aria-controls="lesson-toc"
        onClick={() => setTocOpen((v) => !v)}
      >
        Contents
      </button>
      <div
        className="lesson-toc-column"
        id="lesson-toc"
        onKeyDown={(e) => {
          if (e.key === 'Escape' && tocOpen) setTocOpen(false);
        }}
      >
        <TableOfContents
          lessonId={lessonId}
          toc={lesson.toc}
          current={current}
          read={read}
          onToggleRead={onToggleRead}
          onNavigate={onNavigate}
        />
      </div>
      <div
        className="lesson-scroller"
        ref={setScroller}
        data-testid={testIds.lessonScroller}
        tabIndex={-1}
        id="lesson-content"
        onPointerDown={() => tocOpen && setTocOpen(false)}
      >
        <article
          className="lesson-article"
          data-testid={testIds.lessonArticle}
          aria-label={`Lesson ${lessonNumber(lesson)}`}
        >
          <ScrollRootContext.Provider value={scroller}>
            <LessonMarkdown lesson={lesson} />
          </ScrollRootContext.Provider>
        </article>
      </div>
    </div>
  );
}
