import { LessonFormatError } from './errors';

/** A front matter value: the YAML scalars lessons use (string or number). */
export type FrontMatterValue = string | number;

export interface SplitLesson {
  /** Front matter fields in file order. */
  fields: Map<string, { value: FrontMatterValue; line: number }>;
  /** The Markdown after the closing `---` line. */
  body: string;
  /** Number of file lines before the body (add it to a body line to get the file line). */
  bodyLineOffset: number;
}

const KEY_LINE = /^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*$/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

/**
 * Splits a lesson file into its front matter and Markdown body. The front matter is the YAML
 * subset lessons need: one `key: value` per line, values plain, 'single' or "double" quoted
 * (double quotes take JSON escapes), numbers written as numbers, `#` comment lines. Anything
 * else (nesting, lists, multi-line values) is rejected with the line it is on.
 */
export function splitFrontMatter(file: string, text: string): SplitLesson {
  const lines = text.split('\n');
  if (lines[0]?.trim() !== '---') {
    throw new LessonFormatError(
      file,
      'missing front matter: the file must start with a "---" line',
      {
        line: 1,
      },
    );
  }
  const fields: SplitLesson['fields'] = new Map();
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const lineNo = i + 1;
    if (raw.trim() === '---') {
      return { fields, body: lines.slice(i + 1).join('\n'), bodyLineOffset: i + 1 };
    }
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const m = KEY_LINE.exec(raw);
    if (!m) {
      throw new LessonFormatError(
        file,
        `front matter line is not "key: value": ${JSON.stringify(raw)}`,
        { line: lineNo },
      );
    }
    const key = m[1] ?? '';
    if (fields.has(key)) {
      throw new LessonFormatError(file, `front matter field "${key}" appears twice`, {
        field: key,
        line: lineNo,
      });
    }
    fields.set(key, { value: parseScalar(file, key, m[2] ?? '', lineNo), line: lineNo });
  }
  throw new LessonFormatError(file, 'front matter is not closed: add a "---" line after it', {
    line: 1,
  });
}

function parseScalar(file: string, key: string, raw: string, line: number): FrontMatterValue {
  if (raw === '') return '';
  if (raw.startsWith('"')) {
    try {
      const v: unknown = JSON.parse(raw);
      if (typeof v === 'string') return v;
    } catch {
      // reported below
    }
    throw new LessonFormatError(file, `front matter field "${key}" has a broken "quoted" value`, {
      field: key,
      line,
    });
  }
  if (raw.startsWith("'")) {
    if (raw.length < 2 || !raw.endsWith("'") || /[^']'[^']/.test(raw.slice(1, -1))) {
      throw new LessonFormatError(file, `front matter field "${key}" has a broken 'quoted' value`, {
        field: key,
        line,
      });
    }
    return raw.slice(1, -1).replace(/''/g, "'");
  }
  if (/^[[{|>&*!]/.test(raw)) {
    throw new LessonFormatError(
      file,
      `front matter field "${key}" must be a plain value (lists, maps and block text are not supported)`,
      { field: key, line },
    );
  }
  const value = raw.replace(/[ \t]+#.*$/, '');
  return NUMBER.test(value) ? Number(value) : value;
}
