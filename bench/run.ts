/**
 * `npm run bench`: runs every benchmark module, each in its own child process, prints its
 * figures and merges them into bench-results.json (a flat JSON object) at the repository root.
 *
 * One process per module, as JMH forks per benchmark: modules share engine code (the event
 * loop, the controller, the REST client), and in one process the type feedback one module
 * leaves (other reconcilers, other object shapes) can make the next one's optimized code more
 * generic, so a module's figures would depend on which modules ran before it. (Whether it did
 * here could not be told apart from the host's noise: the full-path module after the engine
 * and lab-compile modules read 3.8 and 4.1 against 7.1 and 6.2 alone in one stretch, 7.1, 6.4
 * and 5.1 against 4.3, 3.8 and 5.0 in the next.)
 *
 * To add a benchmark: create bench/<name>.ts exporting
 *   `export async function run(): Promise<Record<string, number>>`
 * and add one line to BENCHMARKS below. `npm run bench -- <name> …` runs only those.
 */
import { spawnSync } from 'node:child_process';
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

const self = fileURLToPath(import.meta.url);
const root = resolve(dirname(self), '..');
const out = resolve(root, 'bench-results.json');
/** argv[2] of a child process: run one module and report its figures on a marked line. */
const CHILD = '--bench-child';
const RESULT = '__bench_result__ ';

/** In a child process: runs one module, prints its figures, then the marked JSON line. */
async function child(name: string): Promise<void> {
  const entry = BENCHMARKS.find(([n]) => n === name);
  if (!entry) throw new Error(`unknown benchmark ${name}`);
  const figures = await (await entry[1]()).run();
  for (const [k, v] of Object.entries(figures)) {
    console.log(`${k.padEnd(40)} ${Number.isInteger(v) ? v : v.toPrecision(4)}`);
  }
  console.log(RESULT + JSON.stringify(figures));
}

/** Runs one module in a fresh process (same Node and loader flags, e.g. tsx's). */
function runInChild(name: string): Record<string, number> {
  const r = spawnSync(process.execPath, [...process.execArgv, self, CHILD, name], {
    cwd: process.cwd(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  let figures: Record<string, number> | undefined;
  for (const line of (r.stdout ?? '').split('\n')) {
    if (line.startsWith(RESULT)) figures = JSON.parse(line.slice(RESULT.length)) as typeof figures;
    else if (line !== '') console.log(line);
  }
  if (r.status !== 0 || !figures) {
    throw new Error(`benchmark ${name} failed (exit ${r.status ?? r.signal})`);
  }
  return figures;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  for (const name of only) {
    if (!BENCHMARKS.some(([n]) => n === name)) throw new Error(`unknown benchmark ${name}`);
  }
  const results: Record<string, number> = {};
  for (const [name] of BENCHMARKS) {
    if (only.length > 0 && !only.includes(name)) continue;
    console.log(`# ${name}`);
    Object.assign(results, runInChild(name));
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

(process.argv[2] === CHILD ? child(process.argv[3] ?? '') : main()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
