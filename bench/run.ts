/**
 * `npm run bench`: runs every benchmark module, each in its own child process, prints its
 * figures and merges them into bench-results.json (a flat JSON object) at the repository root.
 *
 * Each module is first bundled with esbuild (TypeScript stripped, packages left to Node) and
 * the bundle runs in plain Node, so what is timed is code compiled the way the lab's
 * production build compiles it. Running the sources through tsx instead times something else:
 * tsx transforms with esbuild's `keepNames`, which wraps functions and classes to pin their
 * `name`s, and under it the full request path ran 1.5–2.5× slower (bench/fullpath.ts in
 * alternated runs of the same code; the lab's build does no such wrapping).
 *
 * One process per module, as JMH forks per benchmark: modules share engine code (the event
 * loop, the controller, the REST client), and in one process the type feedback one module
 * leaves (other reconcilers, other object shapes) can make the next one's optimized code more
 * generic, so a module's figures would depend on which modules ran before it.
 *
 * To add a benchmark: create bench/<name>.ts exporting
 *   `export async function run(): Promise<Record<string, number>>`
 * and add its name to BENCHMARKS below. `npm run bench -- <name> …` runs only those.
 * Benchmarks run from the repository root (paths such as the lesson's files are relative to
 * it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { RESULT_MARKER } from './report';

const BENCHMARKS = ['engine', 'lab-compile', 'fullpath', 'scale'];

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, '..');
const out = resolve(root, 'bench-results.json');
/**
 * Where the bundles go: ignored by git and the linters, and two levels below the root like
 * src/lab-config/, whose Node parser loader finds the Go grammar's wasm relative to its module.
 */
const bundleDir = resolve(root, 'node_modules/.bench');

/** Bundles one module with its reporting entry; returns the bundle's path. */
async function bundle(name: string): Promise<string> {
  const outfile = join(bundleDir, `${name}.mjs`);
  await build({
    stdin: {
      contents: `import { run } from './${name}';\nimport { report } from './report';\nawait report(run);\n`,
      resolveDir: benchDir,
      sourcefile: `bench-${name}-entry.ts`,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node}`,
    packages: 'external',
    sourcemap: 'inline',
    // The app's compiler options, as the lab's build uses them (class fields with assignment
    // semantics: see src/engine/README.md).
    tsconfig: join(root, 'tsconfig.app.json'),
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

/** Runs one module's bundle in a fresh Node process and returns its figures. */
async function runInChild(name: string): Promise<Record<string, number>> {
  const file = await bundle(name);
  const r = spawnSync(process.execPath, ['--enable-source-maps', file], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  let figures: Record<string, number> | undefined;
  for (const line of (r.stdout ?? '').split('\n')) {
    if (line.startsWith(RESULT_MARKER)) {
      figures = JSON.parse(line.slice(RESULT_MARKER.length)) as typeof figures;
    } else if (line !== '') console.log(line);
  }
  if (r.status !== 0 || !figures) {
    throw new Error(`benchmark ${name} failed (exit ${r.status ?? r.signal})`);
  }
  return figures;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  for (const name of only) {
    if (!BENCHMARKS.includes(name)) throw new Error(`unknown benchmark ${name}`);
  }
  const results: Record<string, number> = {};
  for (const name of BENCHMARKS) {
    if (only.length > 0 && !only.includes(name)) continue;
    console.log(`# ${name}`);
    Object.assign(results, await runInChild(name));
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
