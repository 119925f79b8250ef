// @vitest-environment jsdom
import mermaid from 'mermaid';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledLessons } from './bundledLessons';
import { outlineDiagram } from './diagramOutline';
import { loadLessons } from './loadLessons';
import type { Lesson } from './parseLesson';

// Every lesson in lessons/, read by Vite from disk, the same files the app bundles.
const files = import.meta.glob<string>('../../lessons/*/lesson.md', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const { lessons, errors } = loadLessons(
  Object.fromEntries(Object.entries(files).map(([k, v]) => [k.replace(/^(\.\.\/)+/, '/'), v])),
);
// The seed (the course's plain-text lesson) lives in shared/ beside the repository on developer
// machines and in CI. When it is there, the lesson must keep its text. (Read with node:fs: Vite
// refuses to import files outside the project; the app's tsconfig has no Node types, hence the
// small interface.)
interface NodeFs {
  existsSync(path: string): boolean;
  readFileSync(path: string, encoding: 'utf8'): string;
}
const fs = (await import('node:fs' as string)) as NodeFs;
const cwd = (globalThis as unknown as { process: { cwd(): string } }).process.cwd();
const seedUrl = `${cwd}/../shared/seeds/000_a1e9b6c812ecac51.txt`;
const seedText = fs.existsSync(seedUrl) ? fs.readFileSync(seedUrl, 'utf8') : undefined;

beforeAll(() => {
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', layout: 'dagre' });
});

describe('every lesson in lessons/', () => {
  it('loads without errors', () => {
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(lessons.length).toBe(Object.keys(files).length);
    expect(lessons.length).toBeGreaterThan(0);
  });

  it('is what the app bundles', () => {
    expect(bundledLessons.errors).toEqual([]);
    expect(bundledLessons.lessons.map((l) => [l.meta.id, l.body])).toEqual(
      lessons.map((l) => [l.meta.id, l.body]),
    );
  });

  const fences = lessons.flatMap((l) =>
    l.codeBlocks.filter((b) => b.lang === 'mermaid').map((b) => [b.id, b.code] as const),
  );
  it.each(fences)('%s passes mermaid.parse', async (_id, code) => {
    await expect(mermaid.parse(code)).resolves.toBeTruthy();
  });
});

describe('Lesson 7.4: Performance and Scalability', () => {
  const lesson = lessons.find((l) => l.meta.id === '7.4-performance-and-scalability') as Lesson;

  it('has its front matter', () => {
    expect(lesson.meta).toMatchObject({
      module: 7,
      order: 4,
      title: 'Performance and Scalability',
    });
  });

  it('has exactly 6 mermaid diagrams and 10 go blocks, and nothing else fenced', () => {
    const langs = lesson.codeBlocks.map((b) => b.lang);
    expect(langs.filter((l) => l === 'mermaid')).toHaveLength(6);
    expect(langs.filter((l) => l === 'go')).toHaveLength(10);
    expect(langs).toHaveLength(16);
  });

  it('puts each diagram under the heading it illustrates', () => {
    expect(
      lesson.codeBlocks.filter((b) => b.lang === 'mermaid').map((b) => b.heading?.text),
    ).toEqual([
      'Performance Optimization Strategies',
      'Why Rate Limit?',
      'Batch Processing Flow',
      'Client Caching',
      'Scaling Considerations',
      'Key Metrics',
    ]);
  });

  it('gives every diagram a text alternative with its nodes and edges', () => {
    const outlines = lesson.codeBlocks
      .filter((b) => b.lang === 'mermaid')
      .map((b) => outlineDiagram(b.code));
    expect(outlines.map((o) => o.kind)).toEqual([
      'flowchart',
      'flowchart',
      'sequence',
      'flowchart',
      'flowchart',
      'flowchart',
    ]);
    const counts = outlines.map((o) =>
      o.kind === 'flowchart'
        ? [o.nodes.length, o.edges.length]
        : o.kind === 'sequence'
          ? [o.participants.length, o.steps.length]
          : [],
    );
    expect(counts).toEqual([
      [9, 8],
      [8, 7],
      [3, 6],
      [6, 6],
      [8, 7],
      [5, 4],
    ]);
  });

  it('has the section anchors the lab links to', () => {
    const slugs = lesson.toc.map((h) => h.slug);
    for (const s of [
      'rate-limiting',
      'batch-reconciliation',
      'caching-strategies',
      'parallel-processing',
      'managing-large-clusters',
      'performance-monitoring',
      'key-takeaways',
      'using-controller-runtimes-built-in-rate-limiting',
      'custom-indexers-for-fast-lookups',
    ]) {
      expect(slugs).toContain(s);
    }
    expect(new Set(slugs).size).toBe(slugs.length);
  });

  // Code must be the seed's, character for character (blank lines in code may lose indentation).
  it.skipIf(seedText === undefined)('keeps every code block exactly as in the seed', () => {
    const seed = (seedText ?? '').split('\n').map((l) => (l.trim() === '' ? '' : l.trimEnd()));
    for (const block of lesson.codeBlocks) {
      const lines = block.code.split('\n');
      const start = seed.findIndex((_, i) =>
        lines.every((l, k) => {
          const s = seed[i + k];
          return s !== undefined && (l === '' ? s === '' : s.endsWith(l) && s.trim() === l.trim());
        }),
      );
      expect(start, `${block.id} not found in the seed`).toBeGreaterThanOrEqual(0);
    }
  });

  it.skipIf(seedText === undefined)('keeps every prose line of the seed', () => {
    const seed = (seedText ?? '').split('\n');
    const codeLines = new Set(
      lesson.codeBlocks.flatMap((b) => b.code.split('\n').map((l) => l.trim())),
    );
    const prose = seed
      .map((l) =>
        l
          .trim()
          .replace(/^• /, '')
          .replace(/^\d+\. /, ''),
      )
      .filter((l) => l !== '' && !codeLines.has(l));
    const markdown = lesson.body;
    for (const line of prose) expect(markdown, line).toContain(line);
  });
});
