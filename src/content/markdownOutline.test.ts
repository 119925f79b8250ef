import { describe, expect, it } from 'vitest';
import { scanMarkdown } from './markdownOutline';

describe('scanMarkdown', () => {
  it('finds ATX headings with depth, plain text, unique slugs and body lines', () => {
    const o = scanMarkdown(
      '# Lesson 7.4: Perf\n\n## Rate Limiting\n### Why *Rate* Limit?\n## Rate Limiting #\n',
    );
    expect(o.headings).toEqual([
      { depth: 1, text: 'Lesson 7.4: Perf', slug: 'lesson-74-perf', line: 1 },
      { depth: 2, text: 'Rate Limiting', slug: 'rate-limiting', line: 3 },
      { depth: 3, text: 'Why Rate Limit?', slug: 'why-rate-limit', line: 4 },
      { depth: 2, text: 'Rate Limiting', slug: 'rate-limiting-1', line: 5 },
    ]);
  });

  it('ignores heading-like lines inside fences and lines without a space after #', () => {
    const o = scanMarkdown('```sh\n# not a heading\n```\n#hashtag\n## Real\n');
    expect(o.headings.map((h) => h.text)).toEqual(['Real']);
    expect(o.fences).toEqual([{ lang: 'sh', code: '# not a heading', line: 1 }]);
  });

  it('strips the indentation of a fence nested in a list item from its content', () => {
    const o = scanMarkdown('1. Item\n\n   ```go\n   x := 1\n   if x {\n       y()\n   }\n   ```\n');
    expect(o.fences).toEqual([{ lang: 'go', code: 'x := 1\nif x {\n    y()\n}', line: 3 }]);
  });

  it('closes a fence only with the same character and at least its length', () => {
    const o = scanMarkdown('````md\n```go\ninner\n```\n````\n~~~\nt\n~~~\n');
    expect(o.fences.map((f) => [f.lang, f.code])).toEqual([
      ['md', '```go\ninner\n```'],
      ['text', 't'],
    ]);
  });

  it('reports the line of a fence that is never closed', () => {
    expect(scanMarkdown('# T\n\n```go\nx\n').unclosedFenceLine).toBe(3);
  });
});
