/**
 * A lesson file that cannot be used. The message always starts with the file path and names the
 * field (front matter key) or the line that is wrong, so an author can fix it without guessing.
 */
export class LessonFormatError extends Error {
  override readonly name = 'LessonFormatError';
  /** Path of the lesson file as given to the loader (e.g. "/lessons/x/lesson.md"). */
  readonly file: string;
  /** The front matter field at fault, when the problem is one field. */
  readonly field: string | undefined;
  /** 1-based line in the file, when the problem is at one place. */
  readonly line: number | undefined;

  constructor(file: string, problem: string, where: { field?: string; line?: number } = {}) {
    const at = where.line === undefined ? '' : `:${where.line}`;
    super(`${file}${at}: ${problem}`);
    this.file = file;
    this.field = where.field;
    this.line = where.line;
  }
}
