import type { Heading } from '../../content';
import { sectionHref } from '../app/routes';
import { testIds } from '../testIds';

interface Props {
  lessonId: string;
  toc: readonly Heading[];
  current: string | undefined;
  read: ReadonlySet<string>;
  onToggleRead(slug: string, read: boolean): void;
  /** Called after a link is followed (the narrow layout closes its drawer). */
  onNavigate?(slug: string): void;
}

/**
 * The lesson's sections (levels 2 and 3) as deep links, the one being read marked as current,
 * each with a read/unread toggle.
 */
export function TableOfContents({ lessonId, toc, current, read, onToggleRead, onNavigate }: Props) {
  const readCount = toc.filter((h) => read.has(h.slug)).length;
  return (
    <nav className="toc" aria-labelledby="toc-heading" data-testid={testIds.toc}>
      <h2 id="toc-heading" className="toc-heading">
        Contents
      </h2>
      <p className="toc-progress">
        {readCount} of {toc.length} sections read
      </p>
      <ol className="toc-list">
        {toc.map((h) => {
          const isRead = read.has(h.slug);
          return (
            <li
              key={h.slug}
              className={`toc-item toc-depth-${h.depth}${isRead ? ' is-read' : ''}`}
              data-slug={h.slug}
            >
              <button
                type="button"
                className="toc-read"
                aria-pressed={isRead}
                aria-label={`Read: ${h.text}`}
                title={isRead ? 'Read (press to mark unread)' : 'Unread (press to mark read)'}
                onClick={() => onToggleRead(h.slug, !isRead)}
              >
                <span aria-hidden="true">{isRead ? '✓' : ''}</span>
              </button>
              <a
                href={sectionHref(lessonId, h.slug)}
                className="toc-link"
                aria-current={current === h.slug ? 'location' : undefined}
                onClick={() => onNavigate?.(h.slug)}
              >
                {h.text}
              </a>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
