import { LessonFormatError } from './errors';
import { parseLesson, type Lesson } from './parseLesson';

export interface LoadedLessons {
  /** Valid lessons, ordered by module then order then id. */
  lessons: Lesson[];
  /** One error per file that could not be used (the other lessons still load). */
  errors: LessonFormatError[];
}

/**
 * Loads every lesson from a map of file path → file text (the shape `import.meta.glob` gives).
 * A bad file does not hide the good ones: it is reported in `errors`. Two lessons with the same
 * id, or the same module and order, are both kept out of the list and reported.
 */
export function loadLessons(files: Readonly<Record<string, string>>): LoadedLessons {
  const parsed: Lesson[] = [];
  const errors: LessonFormatError[] = [];
  for (const file of Object.keys(files).sort()) {
    try {
      parsed.push(parseLesson(file, files[file] ?? ''));
    } catch (e) {
      if (e instanceof LessonFormatError) errors.push(e);
      else errors.push(new LessonFormatError(file, `could not be read: ${String(e)}`));
    }
  }
  const lessons = parsed.filter((lesson) => {
    const clash = parsed.find(
      (other) =>
        other !== lesson &&
        (other.meta.id === lesson.meta.id ||
          (other.meta.module === lesson.meta.module && other.meta.order === lesson.meta.order)),
    );
    if (!clash) return true;
    const what =
      clash.meta.id === lesson.meta.id
        ? `id "${lesson.meta.id}"`
        : `module ${lesson.meta.module} order ${lesson.meta.order}`;
    errors.push(
      new LessonFormatError(lesson.file, `has the same ${what} as ${clash.file}`, {
        field: clash.meta.id === lesson.meta.id ? 'id' : 'order',
      }),
    );
    return false;
  });
  lessons.sort(
    (a, b) =>
      a.meta.module - b.meta.module ||
      a.meta.order - b.meta.order ||
      a.meta.id.localeCompare(b.meta.id),
  );
  return { lessons, errors };
}

/** The lesson number learners see, e.g. "7.4". */
export function lessonNumber(lesson: Lesson): string {
  return `${lesson.meta.module}.${lesson.meta.order}`;
}
