import { LessonFormatError } from './errors';
import { splitFrontMatter } from './frontMatter';
import { validateMeta, type LessonMeta } from './lessonSchema';
import { scanMarkdown, type Heading } from './markdownOutline';

/** A fenced code block of a lesson, with a stable id. */
export interface LessonCodeBlock {
  /** Unique in the app: `<lesson id>#<lang>-<n>`, e.g. `7.4-performance-and-scalability#go-3`. */
  id: string;
  /** Unique in the lesson: `<lang>-<n>`, n counting from 1 per language in document order. */
  localId: string;
  lang: string;
  code: string;
  /** 1-based line of the opening fence in `Lesson.body`. */
  line: number;
  /** The nearest heading above the block (a diagram's caption comes from it), if any. */
  heading: Heading | undefined;
}

/** A validated lesson. */
export interface Lesson {
  meta: LessonMeta;
  /** Path the lesson was loaded from. */
  file: string;
  /** The Markdown after the front matter; `line` fields count lines in this text. */
  body: string;
  /** Every ATX heading, in order, with unique slugs. */
  headings: Heading[];
  /** The table of contents: the level 2 and 3 headings. */
  toc: Heading[];
  codeBlocks: LessonCodeBlock[];
}

/** `/lessons/<folder>/lesson.md` → `<folder>`; undefined for other paths. */
export function lessonFolder(file: string): string | undefined {
  const m = /(?:^|\/)lessons\/([^/]+)\/lesson\.md$/.exec(file);
  return m?.[1];
}

/**
 * Parses and validates one lesson file. Throws `LessonFormatError` (naming the file and the
 * field or line) for a file that is not a usable lesson.
 */
export function parseLesson(file: string, text: string): Lesson {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const split = splitFrontMatter(file, normalized);
  const meta = validateMeta(file, lessonFolder(file), split.fields);
  const outline = scanMarkdown(split.body);
  if (outline.unclosedFenceLine !== undefined) {
    throw new LessonFormatError(file, 'code fence is never closed', {
      line: outline.unclosedFenceLine + split.bodyLineOffset,
    });
  }
  if (split.body.trim() === '') {
    throw new LessonFormatError(file, 'the lesson has no text after its front matter');
  }
  const counts = new Map<string, number>();
  const codeBlocks = outline.fences.map((fence): LessonCodeBlock => {
    const n = (counts.get(fence.lang) ?? 0) + 1;
    counts.set(fence.lang, n);
    const localId = `${fence.lang}-${n}`;
    const heading = outline.headings.filter((h) => h.line < fence.line).at(-1);
    return {
      id: `${meta.id}#${localId}`,
      localId,
      lang: fence.lang,
      code: fence.code,
      line: fence.line,
      heading,
    };
  });
  return {
    meta,
    file,
    body: split.body,
    headings: outline.headings,
    toc: outline.headings.filter((h) => h.depth === 2 || h.depth === 3),
    codeBlocks,
  };
}
