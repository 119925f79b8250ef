/**
 * `npm run bench`: runs every benchmark module in this one process, prints its figures and
 * merges them into bench-results.json (a flat JSON object) at the repository root.
 *
 * To add a benchmark: create bench/<name>.ts exporting
 *   `export async function run(): Promise<Record<string, number>>`
 * and add one line to BENCHMARKS below. `npm run bench -- <name> …` runs only those.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type BenchModule = { run: () => Promise<Record<string, number>> };

const BENCHMARKS: [name: string, load: () => Promise<BenchModule>][] = [
  ['engine', () => import('./engine')],
  ['lab-compile', () => import('./lab-compile')],
  ['fullpath', () => import('./fullpath')],
  ['scale', () => import('./scale')],
  // Other benchmarks: one line each, e.g. ['apiserver', () => import('./apiserver')],
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, 'bench-results.json');

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const results: Record<string, number> = {};
  for (const [name, load] of BENCHMARKS) {
    if (only.length > 0 && !only.includes(name)) continue;
    console.log(`# ${name}`);
    const mod = await load();
    const figures = await mod.run();
    for (const [k, v] of Object.entries(figures)) {
      console.log(`${k.padEnd(40)} ${Number.isInteger(v) ? v : v.toPrecision(4)}`);
      results[k] = v;
    }
  }
  let merged: Record<string, number> = {};
  if (existsSync(out)) {
    try {
      const prev: unknown = JSON.parse(readFileSync(out, 'utf8'));
      if (prev && typeof prev === 'object' && !Array.isArray(prev)) {
        merged = prev as Record<string, number>;
      }
    } catch {
      // A corrupt file is replaced.
    }
  }
  Object.assign(merged, results);
  writeFileSync(out, JSON.stringify(merged, null, 2) + '\n');
  console.log(`wrote ${out}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
