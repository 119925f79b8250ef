import { describe, expect, it } from 'vitest';
import { LessonFormatError } from './errors';
import { parseLesson } from './parseLesson';

const FILE = '/lessons/1.1-intro/lesson.md';

function lesson(front: string, body = '# Title\n\n## Part one\n\nText.\n'): string {
  return `---\n${front}\n---\n${body}`;
}
const GOOD = 'id: 1.1-intro\nmodule: 1\norder: 1\ntitle: Intro';

function failure(text: string, file = FILE): LessonFormatError {
  try {
    parseLesson(file, text);
  } catch (e) {
    if (e instanceof LessonFormatError) return e;
    throw e;
  }
  throw new Error('expected the lesson to be rejected');
}

describe('parseLesson', () => {
  it('reads the front matter fields with their types', () => {
    const l = parseLesson(FILE, lesson(`${GOOD}\nsummary: "A \\"quoted\\" summary"`));
    expect(l.meta).toEqual({
      id: '1.1-intro',
      module: 1,
      order: 1,
      title: 'Intro',
      summary: 'A "quoted" summary',
    });
  });

  it('rejects a file without front matter, naming the file', () => {
    const e = failure('# Just markdown\n');
    expect(e.message).toBe(
      `${FILE}:1: missing front matter: the file must start with a "---" line`,
    );
  });

  it('rejects front matter that is never closed', () => {
    expect(failure(`---\n${GOOD}\n# Title\n`).message).toMatch(/front matter|not "key: value"/);
    expect(failure(`---\n${GOOD}\n`).message).toContain('front matter is not closed');
  });

  it('rejects a missing required field and names it', () => {
    const e = failure(lesson('id: 1.1-intro\nmodule: 1\norder: 1'));
    expect(e.field).toBe('title');
    expect(e.message).toBe(`${FILE}: front matter field "title" is missing`);
  });

  it('rejects a field of the wrong type, naming the field, its line and the value', () => {
    const e = failure(lesson('id: 1.1-intro\nmodule: seven\norder: 1\ntitle: Intro'));
    expect(e.field).toBe('module');
    expect(e.line).toBe(3);
    expect(e.message).toBe(
      `${FILE}:3: front matter field "module" must be a positive whole number, got "seven"`,
    );
    expect(failure(lesson('id: 1.1-intro\nmodule: 1\norder: 1.5\ntitle: Intro')).field).toBe(
      'order',
    );
    expect(failure(lesson('id: 1.1-intro\nmodule: 1\norder: 0\ntitle: Intro')).field).toBe('order');
    expect(failure(lesson('id: 1.1-intro\nmodule: 1\norder: 1\ntitle: 42')).field).toBe('title');
    expect(failure(lesson('id: 1.1-intro\nmodule: 1\norder: 1\ntitle: ""')).field).toBe('title');
  });

  it('rejects an unknown (misspelt) field', () => {
    const e = failure(lesson(`${GOOD}\ntitel: Intro`));
    expect(e.field).toBe('titel');
    expect(e.message).toContain('unknown front matter field "titel"');
  });

  it('rejects a field given twice', () => {
    expect(failure(lesson(`${GOOD}\ntitle: Again`)).message).toContain('appears twice');
  });

  it('rejects structured values and broken quotes', () => {
    expect(failure(lesson(`${GOOD}\nsummary: [a, b]`)).field).toBe('summary');
    expect(failure(lesson(`${GOOD}\nsummary: "open`)).message).toContain('broken "quoted" value');
    expect(failure(lesson(`${GOOD}\nsummary: 'open`)).message).toContain("broken 'quoted' value");
  });

  it('rejects an id that is not the folder name', () => {
    const e = failure(lesson(GOOD), '/lessons/1.2-other/lesson.md');
    expect(e.field).toBe('id');
    expect(e.message).toContain('but the lesson folder is "1.2-other"');
  });

  it('rejects a code fence that is never closed, with the file line of the fence', () => {
    const e = failure(lesson(GOOD, '# T\n\n```go\nfunc main() {}\n'));
    expect(e.line).toBe(9);
    expect(e.message).toBe(`${FILE}:9: code fence is never closed`);
  });

  it('rejects a lesson with no body', () => {
    expect(failure(lesson(GOOD, '\n\n')).message).toContain('no text after its front matter');
  });

  it('accepts Windows line endings and a byte order mark', () => {
    const l = parseLesson(FILE, `\uFEFF${lesson(GOOD)}`.replace(/\n/g, '\r\n'));
    expect(l.meta.title).toBe('Intro');
    expect(l.toc.map((h) => h.slug)).toEqual(['part-one']);
  });

  it('gives code blocks ids per language and the heading above them', () => {
    const body = [
      '# T',
      '## Setup',
      '```go',
      'a := 1',
      '```',
      '```mermaid',
      'graph TB',
      '```',
      '## Run',
      '```go',
      'b := 2',
      '```',
    ].join('\n');
    const l = parseLesson(FILE, lesson(GOOD, body));
    expect(l.codeBlocks.map((b) => [b.id, b.localId, b.line, b.heading?.slug])).toEqual([
      ['1.1-intro#go-1', 'go-1', 3, 'setup'],
      ['1.1-intro#mermaid-1', 'mermaid-1', 6, 'setup'],
      ['1.1-intro#go-2', 'go-2', 10, 'run'],
    ]);
    expect(l.codeBlocks[2]?.code).toBe('b := 2');
  });
});
