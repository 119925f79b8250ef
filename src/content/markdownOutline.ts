import { headingPlainText, Slugger } from './slug';

/** An ATX heading (`## Text`) of a lesson body. */
export interface Heading {
  depth: 1 | 2 | 3 | 4 | 5 | 6;
  /** Plain text (inline Markdown removed). */
  text: string;
  /** Unique anchor within the lesson, e.g. `rate-limiting`. */
  slug: string;
  /** 1-based line in the body (the same numbering Markdown parsers report). */
  line: number;
}

/** A fenced code block (```lang … ```) of a lesson body. */
export interface Fence {
  /** Info string's first word, lower case; `text` when absent. */
  lang: string;
  /** The code, with the fence's own indentation removed; no trailing newline. */
  code: string;
  /** 1-based body line of the opening fence. */
  line: number;
}

export interface MarkdownOutline {
  headings: Heading[];
  fences: Fence[];
  /** Body line of a fence that is never closed, if any. */
  unclosedFenceLine: number | undefined;
}

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const OPEN_FENCE = /^([ \t]*)(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$/;

/**
 * Scans a Markdown body for ATX headings and fenced code blocks, the two structures the lesson
 * view needs ids for. Headings inside fences are not headings. A fence may be indented (as in a
 * list item); its content loses up to that many leading spaces, as CommonMark specifies.
 * Setext headings (text underlined with === or ---) are not recognised: lessons use `#`.
 */
export function scanMarkdown(body: string): MarkdownOutline {
  const lines = body.split('\n');
  const headings: Heading[] = [];
  const fences: Fence[] = [];
  const slugger = new Slugger();
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? '';
    const open = OPEN_FENCE.exec(text);
    if (open) {
      const indent = (open[1] ?? '').length;
      const marker = open[2] ?? '```';
      const close = new RegExp(
        `^[ \\t]*${marker[0] === '`' ? '`' : '~'}{${marker.length},}[ \\t]*$`,
      );
      const content: string[] = [];
      let j = i + 1;
      while (j < lines.length && !close.test(lines[j] ?? '')) {
        content.push(stripIndent(lines[j] ?? '', indent));
        j++;
      }
      if (j >= lines.length) {
        return { headings, fences, unclosedFenceLine: i + 1 };
      }
      fences.push({
        lang: (open[3] ?? '').toLowerCase() || 'text',
        code: content.join('\n'),
        line: i + 1,
      });
      i = j;
      continue;
    }
    const h = HEADING.exec(text);
    if (h) {
      const plain = headingPlainText(h[2] ?? '');
      headings.push({
        depth: (h[1] ?? '#').length as Heading['depth'],
        text: plain,
        slug: slugger.slug(plain),
        line: i + 1,
      });
    }
  }
  return { headings, fences, unclosedFenceLine: undefined };
}

function stripIndent(line: string, indent: number): string {
  let n = 0;
  while (n < indent && line[n] === ' ') n++;
  return line.slice(n);
}
