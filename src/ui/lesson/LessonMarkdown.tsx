import { memo, useMemo, type ReactNode } from 'react';
import Markdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import type { Lesson } from '../../content';
import { sectionHref } from '../app/routes';
import { CodeBlock } from './CodeBlock';
import { MermaidDiagram } from './MermaidDiagram';

interface Props {
  lesson: Lesson;
}

interface Positioned {
  node?: { position?: { start: { line: number } } };
  children?: ReactNode;
}

const HEADING_TAGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const;

/**
 * The lesson's Markdown (CommonMark + GFM; raw HTML in the source is dropped, never rendered).
 * Headings get the loader's slugs as ids, fenced code becomes a CodeBlock or a MermaidDiagram;
 * both are matched to the loader's outline by source line, so ids are the same everywhere.
 */
export const LessonMarkdown = memo(function LessonMarkdown({ lesson }: Props) {
  const components = useMemo((): Components => {
    const headingByLine = new Map(lesson.headings.map((h) => [h.line, h]));
    const blockByLine = new Map(lesson.codeBlocks.map((b) => [b.line, b]));
    const heading = (Tag: (typeof HEADING_TAGS)[number]) =>
      function LessonHeading({ node, children }: Positioned) {
        const h = headingByLine.get(node?.position?.start.line ?? -1);
        if (!h) return <Tag>{children}</Tag>;
        return (
          <Tag id={h.slug} tabIndex={-1} className="lesson-heading">
            {children}
            {h.depth > 1 && (
              <a
                className="heading-anchor"
                href={sectionHref(lesson.meta.id, h.slug)}
                aria-hidden="true"
                tabIndex={-1}
                title={`Link to this section`}
              >
                #
              </a>
            )}
          </Tag>
        );
      };
    return {
      ...Object.fromEntries(HEADING_TAGS.map((t) => [t, heading(t)])),
      pre({ node, children }: Positioned) {
        const block = blockByLine.get(node?.position?.start.line ?? -1);
        if (!block) return <pre>{children}</pre>;
        return block.lang === 'mermaid' ? (
          <MermaidDiagram block={block} />
        ) : (
          <CodeBlock block={block} />
        );
      },
      a({ href, children }) {
        if (href?.startsWith('#') && !href.startsWith('#/')) {
          return <a href={sectionHref(lesson.meta.id, href.slice(1))}>{children}</a>;
        }
        const external = href !== undefined && /^[a-z]+:/i.test(href);
        return (
          <a href={href} {...(external ? { target: '_blank', rel: 'noopener noreferrer' } : {})}>
            {children}
          </a>
        );
      },
      table({ children }) {
        return (
          <div className="table-scroll" tabIndex={0}>
            <table>{children}</table>
          </div>
        );
      },
      img({ alt }) {
        // Lessons work offline: remote images are not loaded; the alt text stands in.
        return <span className="image-alt">[{alt ?? 'image'}]</span>;
      },
    };
  }, [lesson]);

  return (
    <Markdown remarkPlugins={[remarkGfm]} skipHtml components={components}>
      {lesson.body}
    </Markdown>
  );
});
