import { LessonFormatError } from './errors';
import type { FrontMatterValue, SplitLesson } from './frontMatter';

/** What a lesson's front matter declares. */
export interface LessonMeta {
  /** Stable id, equal to the lesson's folder name, e.g. `7.4-performance-and-scalability`. */
  id: string;
  /** Course module number (7 for "Lesson 7.4"). */
  module: number;
  /** Position within the module (4 for "Lesson 7.4"). */
  order: number;
  /** Title without the "Lesson 7.4:" prefix. */
  title: string;
  /** One sentence for the lesson list; optional. */
  summary: string | undefined;
}

interface FieldRule {
  required: boolean;
  describe: string;
  check(value: FrontMatterValue): boolean;
}

const ID = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;

const RULES: Record<keyof LessonMeta, FieldRule> = {
  id: {
    required: true,
    describe: 'a lower-case id of letters, digits, "." and "-" (the folder name)',
    check: (v) => typeof v === 'string' && ID.test(v),
  },
  module: {
    required: true,
    describe: 'a positive whole number',
    check: (v) => typeof v === 'number' && Number.isInteger(v) && v > 0,
  },
  order: {
    required: true,
    describe: 'a positive whole number',
    check: (v) => typeof v === 'number' && Number.isInteger(v) && v > 0,
  },
  title: {
    required: true,
    describe: 'a non-empty text',
    check: (v) => typeof v === 'string' && v.trim() !== '',
  },
  summary: {
    required: false,
    describe: 'a text',
    check: (v) => typeof v === 'string',
  },
};

/**
 * Checks the front matter against the lesson schema: required fields present, each of the right
 * type, no unknown fields (a misspelt key is an error, not silently ignored), and an id that
 * equals the lesson's folder name.
 */
export function validateMeta(
  file: string,
  folder: string | undefined,
  fields: SplitLesson['fields'],
): LessonMeta {
  for (const [key, { line }] of fields) {
    if (!(key in RULES)) {
      throw new LessonFormatError(
        file,
        `unknown front matter field "${key}" (allowed: ${Object.keys(RULES).join(', ')})`,
        { field: key, line },
      );
    }
  }
  for (const [key, rule] of Object.entries(RULES)) {
    const entry = fields.get(key);
    if (!entry) {
      if (rule.required) {
        throw new LessonFormatError(file, `front matter field "${key}" is missing`, { field: key });
      }
      continue;
    }
    if (!rule.check(entry.value)) {
      throw new LessonFormatError(
        file,
        `front matter field "${key}" must be ${rule.describe}, got ${JSON.stringify(entry.value)}`,
        { field: key, line: entry.line },
      );
    }
  }
  const id = fields.get('id')?.value as string;
  if (folder !== undefined && id !== folder) {
    throw new LessonFormatError(
      file,
      `front matter field "id" is "${id}" but the lesson folder is "${folder}"; they must match`,
      { field: 'id', line: fields.get('id')?.line },
    );
  }
  const summary = fields.get('summary')?.value;
  return {
    id,
    module: fields.get('module')?.value as number,
    order: fields.get('order')?.value as number,
    title: (fields.get('title')?.value as string).trim(),
    summary: typeof summary === 'string' && summary.trim() !== '' ? summary.trim() : undefined,
  };
}
