import { beforeAll, describe, expect, it } from 'vitest';
import { compileLabText } from './compile';
import { initGoParserForNode } from './parser-node';
import { LAB_GO, lessonGoBlocks } from './test-helpers';
import { extractGoBlocks, lessonBlockToLabText } from './wrap';

beforeAll(() => initGoParserForNode());

describe('lesson blocks in the lab', () => {
  const { source, blocks } = lessonGoBlocks();

  it('finds every Go block of the lesson (10 in Lesson 7.4)', () => {
    expect(source).not.toBe('none');
    expect(blocks).toHaveLength(10);
  });

  it.each(blocks.map((b, i) => [i, b] as const))(
    'block %i wraps into a lab file with zero errors',
    (_i, block) => {
      const text = lessonBlockToLabText(block, LAB_GO);
      expect(text.startsWith('// Wrapped for the lab:')).toBe(true);
      const r = compileLabText(text, { version: 'v0.23' });
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((e) => `${e.code} ${e.message} @${e.range.startLineNumber}`)).toEqual([]);
      expect(r.settings).toBeDefined();
    },
  );
});

describe('extractGoBlocks', () => {
  it('returns the bodies of ```go fences only, in order', () => {
    const md =
      'Text\n```go\nfunc a() {}\n```\n\n```mermaid\ngraph TB\n```\n  ```go\n  x := 1\n  ```\n';
    expect(extractGoBlocks(md)).toEqual(['func a() {}\n', '  x := 1\n']);
  });
});

describe('README', () => {
  it('lists every diagnostic code of the catalogue', async () => {
    const { DIAGNOSTIC_CATALOGUE } = await import('./types');
    const readme = (await import('./README.md?raw')).default;
    for (const code of Object.keys(DIAGNOSTIC_CATALOGUE)) expect(readme).toContain(`| ${code} |`);
  });
});
