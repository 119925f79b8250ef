/**
 * The lessons' starting code (`lessons/<id>/lab.go`), bundled as text with the lab panel's
 * lazy chunk.
 */
const files = import.meta.glob<string>('../../../lessons/*/lab.go', {
  query: '?raw',
  import: 'default',
  eager: true,
});

const byLesson: Record<string, string> = {};
for (const [path, text] of Object.entries(files)) {
  const m = /lessons\/([^/]+)\/lab\.go$/.exec(path);
  if (m?.[1]) byLesson[m[1]] = text;
}

export const DEFAULT_LESSON_ID = '7.4-performance-and-scalability';

/** The starting code of a lesson's lab, or undefined if the lesson has no lab.go. */
export function startingCodeFor(lessonId: string): string | undefined {
  return byLesson[lessonId];
}

export function lessonsWithLab(): string[] {
  return Object.keys(byLesson).sort();
}
