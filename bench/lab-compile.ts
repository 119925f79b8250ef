/**
 * Lab compile latency: compileLabText over many random edits of lab.go (insertions,
 * deletions, replaced tokens, random bytes), as the editor recompiles on every keystroke.
 * Figures: lab_compile_p50_ms, lab_compile_p99_ms (target < 50 ms), lab_compile_max_ms,
 * lab_compile_200kb_ms (one compile of a 200 KB text), and the same percentiles in process CPU
 * time (lab_compile_cpu_p50_ms, lab_compile_cpu_p99_ms). Each compile re-parses incrementally
 * from the previous text, as in the editor.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileLabText } from '../src/lab-config/compile';
import { initGoParserForNode } from '../src/lab-config/parser-node';

/** Benchmarks run from the repository root (bench/run.ts). */
const root = process.cwd();
const TOKENS = [
  '{',
  '}',
  '(',
  ')',
  ',',
  ':',
  '=',
  '.',
  '*',
  '"',
  '\n',
  'func',
  'return',
  'nil',
  '0',
  '-1',
  '1.5',
  'time.Second',
  'rate.Inf',
];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomEdit(text: string, rnd: () => number): string {
  const at = Math.floor(rnd() * (text.length + 1));
  const k = rnd();
  if (k < 0.3)
    return text.slice(0, at) + TOKENS[Math.floor(rnd() * TOKENS.length)] + text.slice(at);
  if (k < 0.55) return text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 20));
  if (k < 0.8) {
    const m = /^(\w+|\s+|.)/su.exec(text.slice(at));
    return (
      text.slice(0, at) +
      TOKENS[Math.floor(rnd() * TOKENS.length)] +
      text.slice(at + (m ? m[0].length : 0))
    );
  }
  let bytes = '';
  for (let i = 0; i < 1 + Math.floor(rnd() * 8); i++)
    bytes += String.fromCharCode(Math.floor(rnd() * 256));
  return text.slice(0, at) + bytes + text.slice(at);
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export async function run(): Promise<Record<string, number>> {
  await initGoParserForNode();
  const lab = readFileSync(resolve(root, 'lessons/7.4-performance-and-scalability/lab.go'), 'utf8');
  for (let i = 0; i < 20; i++) compileLabText(lab, { version: 'v0.23' }); // warm-up (JIT, wasm)
  const rnd = mulberry32(74);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 1000; i++) {
    let text = lab;
    const n = 1 + Math.floor(rnd() * 4);
    for (let j = 0; j < n; j++) text = randomEdit(text, rnd);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    compileLabText(text, { version: 'v0.23' });
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  let big = '';
  while (big.length < 200_000) big += lab;
  big = big.slice(0, 200_000);
  const t0 = performance.now();
  compileLabText(big, { version: 'v0.23' });
  const bigMs = performance.now() - t0;
  return {
    lab_compile_p50_ms: pct(times, 50),
    lab_compile_p99_ms: pct(times, 99),
    lab_compile_max_ms: times[times.length - 1] ?? NaN,
    // CPU time of this process per compile: what the compile costs when the machine is busy
    // with other work (wall-clock figures above include waiting for a core).
    lab_compile_cpu_p50_ms: pct(cpu, 50),
    lab_compile_cpu_p99_ms: pct(cpu, 99),
    lab_compile_200kb_ms: bigMs,
  };
}
