/**
 * `npm run bench:ui`: browser benchmarks of the production build (run after `vite build`).
 * Starts its own `vite preview` on a free port, drives Debian's Chromium with the same launch
 * options as playwright.config.ts (e2e/chromium.ts), and writes bench-ui-results.json:
 *
 *  - initial_js_gz_kib: gzip size of the JS the first screen needs (the entry script and its
 *    modulepreloads from dist/index.html; Monaco, Mermaid, the parser and the worker are lazy);
 *  - first_screen_js_gz_kib: every JS file the lesson route fetched before the first Run
 *    (lazy chunks included), for information;
 *  - run_to_charts_ms: from the Run click to "done" with charts drawn (default scenario, as
 *    fast as possible);
 *  - long_tasks_over_50ms, longest_task_ms: main-thread long tasks (PerformanceObserver)
 *    during a 30 s live run at 100× on a 10,000-object scenario;
 *  - chart_updates_per_s: updates per second of the charts on screen during that run, the
 *    lowest over the on-screen panels (every chart the learner sees changed at least that
 *    often). A line chart's update is a task in which a line's path (`d`) in that panel changed
 *    (MutationObserver: what reached the DOM, whatever the code did); the heatmap (a canvas)
 *    counts its repaints (window.__reconcileLab.chartDraws);
 *  - dashboard_updates_per_s: data versions the dashboard offered its charts per second (the
 *    figure this benchmark reported as chart_updates_per_s before charts were drawn one per
 *    animation frame: it counts offers, not draws), for information;
 *  - charts_on_screen: how many panels the minimum is taken over.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../e2e/chromium';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(root, 'dist');
const LESSON = '#/lesson/7.4-performance-and-scalability';
const LIVE_SECONDS = 30;

/** 10,000 Databases with steady churn: the live-run benchmark's world. */
const SCENARIO_10K = {
  id: 'bench-10k',
  title: '10,000 Databases, churn',
  learningPoint: 'Benchmark: a live run over 10,000 objects.',
  lessonSection: 'managing-large-clusters',
  seed: 10_000,
  duration: '2h',
  cluster: 'medium',
  initialObjects: [{ kind: 'Database', count: 10_000, namespaces: 20 }],
  workload: [
    {
      type: 'churn',
      from: '0s',
      kind: 'Database',
      perMinute: 600,
      mix: { create: 0, update: 1, delete: 0 },
    },
  ],
  faults: [],
};

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

async function startPreview(port: number): Promise<ChildProcess> {
  // Its own process group: `npx` starts vite as a child, and killing npx alone left the
  // server running after every benchmark.
  const p = spawn(
    'npx',
    ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd: root, stdio: 'ignore', detached: true },
  );
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 120; i++) {
    try {
      const r = await fetch(url);
      if (r.ok) return p;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  stopPreview(p);
  throw new Error(`vite preview did not start on ${url}`);
}

/** Stops the preview server and its children (the whole process group). */
function stopPreview(p: ChildProcess): void {
  try {
    if (p.pid !== undefined) process.kill(-p.pid, 'SIGTERM');
  } catch {
    p.kill();
  }
}

/** gzip size (KiB) of the entry script and its modulepreloads, read from dist/index.html. */
function initialJsGzKib(): number {
  const html = readFileSync(resolve(dist, 'index.html'), 'utf8');
  const srcs = new Set<string>();
  for (const m of html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)) srcs.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g)) {
    srcs.add(m[1]!);
  }
  let bytes = 0;
  for (const s of srcs)
    bytes += gzipSync(readFileSync(resolve(dist, s.replace(/^\.?\//, '')))).length;
  return bytes / 1024;
}

async function openLab(page: Page, base: string): Promise<void> {
  await page.goto(`${base}?testHooks=1${LESSON}`);
  await page.getByTestId('run').waitFor({ state: 'visible', timeout: 60_000 });
  await page
    .getByTestId('lab-status')
    .filter({ hasText: /No errors/ })
    .waitFor({ timeout: 60_000 });
  // Charts are mounted only while on screen: bring the first panels into view.
  await page.locator('[data-panel="reconcile-rate"]').scrollIntoViewIfNeeded();
  // Let lazy chunks and first renders settle before measuring.
  await page.waitForTimeout(1500);
}

export async function run(): Promise<Record<string, number>> {
  if (!existsSync(resolve(dist, 'index.html'))) throw new Error('dist/ is missing: run vite build');
  const port = await freePort();
  const preview = await startPreview(port);
  const base = `http://127.0.0.1:${port}/`;
  const browser = await chromium.launch(chromiumLaunchOptions);
  const out: Record<string, number> = {};
  try {
    out.initial_js_gz_kib = round(initialJsGzKib());

    // First screen + run to charts.
    {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      let firstScreenGz = 0;
      page.on('response', (r) => {
        const u = r.url();
        if (!u.endsWith('.js') || !u.startsWith(base)) return;
        void r
          .body()
          .then((b) => (firstScreenGz += gzipSync(b).length))
          .catch(() => undefined);
      });
      await openLab(page, base);
      out.first_screen_js_gz_kib = round(firstScreenGz / 1024);
      await page.evaluate(() => {
        (window as unknown as { __runClick: number }).__runClick = performance.now();
      });
      await page.getByTestId('run').dispatchEvent('click');
      // (No named functions inside page code: tsx would wrap them with a helper the page lacks.)
      await page.waitForFunction(
        () => {
          const w = window as unknown as {
            __runClick: number;
            __runDone?: number;
            __reconcileLab?: { runState?(): { status: string } };
          };
          const st = w.__reconcileLab?.runState?.().status;
          const drawn = [...document.querySelectorAll('.rp .recharts-line-curve')].some(
            (p) => (p.getAttribute('d') ?? '').length > 10,
          );
          if (st === 'done' && drawn) w.__runDone = performance.now();
          return st === 'done' && drawn;
        },
        null,
        { polling: 'raf', timeout: 180_000 },
      );
      const ms = await page.evaluate(() => {
        const w = window as unknown as { __runClick: number; __runDone: number };
        return w.__runDone - w.__runClick;
      });
      out.run_to_charts_ms = Math.round(ms);
      await page.close();
    }

    // 30 s live run at 100× on 10,000 objects.
    {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await openLab(page, base);
      const problem = await page.evaluate(
        ({ scenario }) => {
          const w = window as unknown as {
            __lt: number[];
            __reconcileLab?: {
              chartUpdates: number;
              chartDraws?: Record<string, number>;
              runScenarioJson?(j: unknown, s: number | 'max'): string | null;
            };
            __updates0: number;
            __draws0: Record<string, number>;
            __mut: Record<string, number>;
          };
          w.__lt = [];
          new PerformanceObserver((l) => {
            for (const e of l.getEntries()) w.__lt.push(e.duration);
          }).observe({ type: 'longtask' });
          w.__updates0 = w.__reconcileLab?.chartUpdates ?? 0;
          w.__draws0 = { ...(w.__reconcileLab?.chartDraws ?? {}) };
          // A line's path changed: its `d` attribute, or a new path element (recharts may
          // replace the element). One count per panel per observer callback (a callback gathers
          // the changes of one task).
          w.__mut = {};
          new MutationObserver((records) => {
            const panels = new Set<string>();
            for (const r of records) {
              const changed =
                r.type === 'attributes'
                  ? (r.target as Element).matches('.recharts-line-curve')
                  : [...r.addedNodes].some(
                      (n) =>
                        n instanceof Element &&
                        (n.matches('.recharts-line-curve') ||
                          n.querySelector('.recharts-line-curve') !== null),
                    );
              const p = changed ? (r.target as Element).closest('[data-panel]') : null;
              if (p) panels.add(p.getAttribute('data-panel') ?? '');
            }
            for (const id of panels) w.__mut[id] = (w.__mut[id] ?? 0) + 1;
          }).observe(document.body, {
            subtree: true,
            childList: true,
            attributes: true,
            attributeFilter: ['d'],
          });
          const start = w.__reconcileLab?.runScenarioJson;
          if (!start) return 'test hooks missing';
          return start(scenario, 100);
        },
        { scenario: SCENARIO_10K },
      );
      if (problem) throw new Error(`could not start the 10,000-object run: ${problem}`);
      await page.waitForTimeout(LIVE_SECONDS * 1000);
      const r = await page.evaluate(() => {
        const w = window as unknown as {
          __lt: number[];
          __updates0: number;
          __draws0: Record<string, number>;
          __mut: Record<string, number>;
          __reconcileLab?: {
            chartUpdates: number;
            chartDraws?: Record<string, number>;
            runState?(): { status: string; now: number };
          };
        };
        // Panels whose chart area is (at least partly) visible: inside the viewport and inside
        // every scrolling ancestor (the lab pane scrolls under the app header).
        const onScreen = [...document.querySelectorAll('[data-panel]')]
          .filter((p) => {
            const r = (p.querySelector('.rp-chart') ?? p).getBoundingClientRect();
            let top = Math.max(r.top, 0);
            let bottom = Math.min(r.bottom, innerHeight);
            for (let a = p.parentElement; a; a = a.parentElement) {
              const o = getComputedStyle(a).overflowY;
              if (o !== 'auto' && o !== 'scroll' && o !== 'hidden') continue;
              const c = a.getBoundingClientRect();
              top = Math.max(top, c.top);
              bottom = Math.min(bottom, c.bottom);
            }
            return bottom > top;
          })
          .map((p) => p.getAttribute('data-panel') ?? '');
        const draws = w.__reconcileLab?.chartDraws ?? {};
        return {
          longTasks: w.__lt,
          updates: (w.__reconcileLab?.chartUpdates ?? 0) - w.__updates0,
          // (A build without the heatmap's counter leaves the heatmap out.)
          draws: onScreen.flatMap((id) =>
            id !== 'reconcile-heatmap'
              ? [w.__mut[id] ?? 0]
              : draws[id] === undefined
                ? []
                : [draws[id] - (w.__draws0[id] ?? 0)],
          ),
          state: w.__reconcileLab?.runState?.(),
        };
      });
      out.long_tasks_over_50ms = r.longTasks.filter((d) => d > 50).length;
      out.longest_task_ms = Math.round(Math.max(0, ...r.longTasks));
      out.chart_updates_per_s = round(r.draws.length > 0 ? Math.min(...r.draws) / LIVE_SECONDS : 0);
      out.dashboard_updates_per_s = round(r.updates / LIVE_SECONDS);
      out.charts_on_screen = r.draws.length;
      out.live_virtual_seconds_reached = Math.round((r.state?.now ?? 0) / 1e9);
      await page.close();
    }
  } finally {
    await browser.close();
    stopPreview(preview);
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

// `tsx bench/ui.ts`: run and write bench-ui-results.json.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run().then(
    (r) => {
      for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(32)} ${v}`);
      writeFileSync(resolve(root, 'bench-ui-results.json'), JSON.stringify(r, null, 2) + '\n');
      console.log('wrote bench-ui-results.json');
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
