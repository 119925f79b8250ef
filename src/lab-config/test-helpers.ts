/**
 * Shared by this folder's tests: the starting code and the lesson's Go blocks. Reads files
 * through Vite's `?raw` imports, so no Node API is needed.
 */
import labGo from '../../lessons/7.4-performance-and-scalability/lab.go?raw';
import { extractGoBlocks } from './wrap';

export const LAB_GO: string = labGo;

const lessonMd = import.meta.glob('../../lessons/7.4-performance-and-scalability/lesson.md', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

/**
 * The lesson's Go blocks: from lesson.md's ```go fences once it exists, otherwise cut from the
 * seed's plain text (code lines recognised by their Go shape; a numbered item or a prose line
 * at column 0 ends a block).
 */
// The seed lives outside the repository (/work/shared); a fresh clone may not have it.
const seedText = import.meta.glob('../../../shared/seeds/000_a1e9b6c812ecac51.txt', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

export function lessonGoBlocks(): { source: 'lesson.md' | 'seed' | 'none'; blocks: string[] } {
  const md = Object.values(lessonMd)[0];
  if (md) return { source: 'lesson.md', blocks: extractGoBlocks(md) };
  const seed = Object.values(seedText)[0];
  if (seed) return { source: 'seed', blocks: goBlocksFromSeed(seed) };
  return { source: 'none', blocks: [] };
}

const START = /^(\/\/ |import \(|func |type |var \(|dbList :=|databases :=|mgr\.GetFieldIndexer)/;
const CONTINUE = /^(\}|\)|\/\/|func |import|type |var |dbList|err :=|return)/;

export function goBlocksFromSeed(text: string): string[] {
  const lines = text.split('\n');
  const blocks: string[] = [];
  let cur: string[] | null = null;
  const flush = (): void => {
    if (cur) blocks.push(cur.join('\n').trimEnd());
    cur = null;
  };
  for (const line of lines) {
    const t = line.trim();
    if (!cur) {
      if (START.test(t)) cur = [line];
      continue;
    }
    const numbered = /^\d+\.\s/.test(t);
    const indented = /^[ \t]/.test(line);
    if (!numbered && (t === '' || indented || CONTINUE.test(t))) cur.push(line);
    else {
      flush();
      if (START.test(t)) cur = [line];
    }
  }
  flush();
  return blocks;
}
