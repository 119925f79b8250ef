import { describe, expect, it } from 'vitest';
import { lessonNumber, loadLessons } from './loadLessons';

function file(id: string, module: number, order: number, title = 'T'): string {
  return `---\nid: ${id}\nmodule: ${module}\norder: ${order}\ntitle: ${title}\n---\n# ${title}\n`;
}

describe('loadLessons', () => {
  it('lists valid lessons by module then order', () => {
    const { lessons, errors } = loadLessons({
      '/lessons/8.1-b/lesson.md': file('8.1-b', 8, 1),
      '/lessons/7.10-c/lesson.md': file('7.10-c', 7, 10),
      '/lessons/7.4-a/lesson.md': file('7.4-a', 7, 4),
    });
    expect(errors).toEqual([]);
    expect(lessons.map(lessonNumber)).toEqual(['7.4', '7.10', '8.1']);
  });

  it('keeps loading the good lessons when one is malformed, and reports the bad one', () => {
    const { lessons, errors } = loadLessons({
      '/lessons/7.4-a/lesson.md': file('7.4-a', 7, 4),
      '/lessons/7.5-bad/lesson.md':
        '---\nid: 7.5-bad\nmodule: 7\norder: five\ntitle: X\n---\n# X\n',
    });
    expect(lessons.map((l) => l.meta.id)).toEqual(['7.4-a']);
    expect(errors.map((e) => [e.file, e.field])).toEqual([['/lessons/7.5-bad/lesson.md', 'order']]);
  });

  it('reports two lessons that claim the same module and order', () => {
    const { lessons, errors } = loadLessons({
      '/lessons/7.4-a/lesson.md': file('7.4-a', 7, 4),
      '/lessons/7.4-b/lesson.md': file('7.4-b', 7, 4),
    });
    expect(lessons).toEqual([]);
    expect(errors).toHaveLength(2);
    expect(errors[0]?.message).toContain('has the same module 7 order 4 as');
  });
});
