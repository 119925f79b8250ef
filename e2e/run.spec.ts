import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, expectAccessible } from './fixtures';

/**
 * Live runs and charts in a real browser against the production build: the engine runs in the
 * Web Worker, charts stream, A/B ghost runs, share links, pause/step/reset, a worker that hangs.
 * The workers knob is edited in Monaco on the line of lab.go that holds
 * `MaxConcurrentReconciles: 2,`.
 */
const LESSON = '/?testHooks=1#/lesson/7.4-performance-and-scalability';
const WORKERS_LINE =
  readFileSync('lessons/7.4-performance-and-scalability/lab.go', 'utf8')
    .split('\n')
    .findIndex((l) => l.trim() === 'MaxConcurrentReconciles: 2,') + 1;
test.setTimeout(120_000);
const SHOTS = 'screenshots-tmp';

async function openLab(page: Page, url = LESSON): Promise<void> {
  await page.goto(url);
  // The Go parser (wasm) loads lazily; on a busy machine that takes a while.
  await expect(page.getByTestId('run')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('lab-status')).toHaveText(/No errors/, { timeout: 60_000 });
}

async function runToEnd(page: Page): Promise<void> {
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 45_000 });
}

async function setWorkers(page: Page, from: number, to: number): Promise<void> {
  await page.locator('.lab-panel .monaco-editor .view-lines').click();
  await page.keyboard.press('Control+G');
  await page.keyboard.type(String(WORKERS_LINE));
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
  // `MaxConcurrentReconciles: 2,` → `…: 10,`
  for (let i = 0; i < `${from},`.length; i++) await page.keyboard.press('Backspace');
  await page.keyboard.type(`${to},`);
  await expect(page.getByTestId('lab-status')).toHaveText(/No errors/);
}

/** The `d` of every drawn line in a panel (by panel id). */
async function paths(page: Page, panel: string): Promise<string[]> {
  const p = page.locator(`[data-panel="${panel}"]`);
  await p.scrollIntoViewIfNeeded();
  // Charts mount when they come into view and redraw on a short throttle.
  await expect(p.locator('.recharts-line-curve').first()).toBeAttached();
  await page.waitForTimeout(400);
  return p
    .locator('.recharts-line-curve')
    .evaluateAll((els) => els.map((e) => e.getAttribute('d') ?? ''));
}

async function summaryText(page: Page): Promise<string> {
  return (await page.getByTestId('run-summary').innerText()).replace(/\s+/g, ' ');
}

test('runs the default scenario and draws the charts with non-empty paths', async ({ page }) => {
  await openLab(page);
  await runToEnd(page);
  await expect(page.getByTestId('run-summary')).toContainText('reconciles');
  for (const panel of ['reconcile-rate', 'queue-depth', 'workers']) {
    const ds = await paths(page, panel);
    expect(ds.length, `${panel} draws lines`).toBeGreaterThan(0);
    expect(
      ds.some((d) => d.length > 10),
      `${panel} has a non-empty path`,
    ).toBe(true);
  }
  // The PromQL is shown when the metric name is focused.
  const metric = page.locator('[data-panel="queue-depth"] .rp-metric');
  await metric.focus();
  await expect(page.locator('[data-panel="queue-depth"] .rp-promql')).toContainText(
    'sum(workqueue_depth{name="database"})',
  );
  // Each panel has a table alternative.
  await page.locator('[data-panel="queue-depth"]').getByRole('button', { name: 'Table' }).click();
  await expect(page.locator('[data-panel="queue-depth"] table')).toBeVisible();
  await page.locator('[data-panel="reconcile-rate"]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/run-default.png` });
  await expectAccessible(page, '.rp');
});

test('raising MaxConcurrentReconciles from 2 to 10 changes the throughput panel', async ({
  page,
}) => {
  await openLab(page);
  await runToEnd(page);
  const before = await paths(page, 'reconcile-rate');
  const workersBefore = await paths(page, 'workers');
  await setWorkers(page, 2, 10);
  await expect(page.getByTestId('stale')).toBeVisible();
  await page.keyboard.press('Control+Enter');
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 45_000 });
  await expect(page.getByTestId('stale')).toHaveCount(0);
  const after = await paths(page, 'reconcile-rate');
  expect(after).not.toEqual(before);
  expect(await paths(page, 'workers')).not.toEqual(workersBefore);
});

test('A/B: a pinned run overlays the next run on the same seed, with a table of deltas', async ({
  page,
}) => {
  await openLab(page);
  await runToEnd(page);
  await page.getByTestId('pin-a').click();
  await setWorkers(page, 2, 10);
  await runToEnd(page);
  await expect(page.getByTestId('ab-table')).toBeVisible();
  await expect(page.getByTestId('ab-table')).toContainText('Throughput');
  const panel = page.locator('[data-panel="workers"]');
  await panel.scrollIntoViewIfNeeded();
  await expect(panel.locator('.rp-ghost .recharts-line-curve').first()).toBeAttached();
  const ghost = await panel
    .locator('.rp-ghost .recharts-line-curve')
    .evaluateAll((els) => els.map((e) => e.getAttribute('d') ?? ''));
  const live = await panel
    .locator('.rp-line .recharts-line-curve')
    .evaluateAll((els) => els.map((e) => e.getAttribute('d') ?? ''));
  expect(ghost.some((d) => d.length > 10)).toBe(true);
  expect(live.some((d) => d.length > 10)).toBe(true);
  expect(ghost).not.toEqual(live);
  await page.getByTestId('ab-table').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/run-ab.png` });
});

test('a share link opened in a fresh context reproduces the same summary numbers', async ({
  page,
  browser,
}) => {
  await openLab(page);
  await setWorkers(page, 2, 10);
  await runToEnd(page);
  const summary = await summaryText(page);
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toMatch(/#\/lesson\/7\.4-performance-and-scalability\?s=1\.[0-9a-f]{8}\./);

  const ctx = await browser.newContext();
  const fresh = await ctx.newPage();
  const errors: string[] = [];
  fresh.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await fresh.goto(link);
  await expect(fresh.getByTestId('status')).toHaveText('done', { timeout: 45_000 });
  await expect(fresh.getByTestId('run-summary')).toBeVisible();
  expect(await summaryText(fresh)).toBe(summary);
  expect(errors).toEqual([]);
  await ctx.close();
});

test('a tampered share link gives a clear message and keeps the code', async ({ page }) => {
  await openLab(page);
  await setWorkers(page, 2, 10);
  await page.waitForTimeout(800); // autosave
  const saved = () => page.evaluate(() => localStorage.getItem('reconcile-lab:lab:v1'));
  const before = await saved();
  expect(before).toContain('MaxConcurrentReconciles: 10,');
  await page.goto('about:blank');
  await page.goto('/?testHooks=1#/lesson/7.4-performance-and-scalability?s=1.00000000.NoIgAbcd');
  await expect(page.getByTestId('share-problem')).toContainText(/changed or cut off|damaged/);
  await expect(page.getByTestId('lab-status')).toHaveText(/No errors/);
  await page.waitForTimeout(800);
  expect(await saved()).toBe(before);
});

test('pause, step and reset', async ({ page }) => {
  await openLab(page);
  await page.getByTestId('speed').selectOption('1');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('running');
  await page.waitForTimeout(1200);
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('status')).toHaveText('paused');
  const clock = await page.getByTestId('clock').innerText();
  await page.waitForTimeout(800);
  expect(await page.getByTestId('clock').innerText()).toBe(clock);
  const t0 = Number(/t = ([\d.]+)s/.exec(clock)![1]);

  await page.getByTestId('step-menu').click();
  await page.getByTestId('step-second').click();
  await expect(page.getByTestId('clock')).not.toHaveText(clock);
  const t1 = Number(/t = ([\d.]+)s/.exec(await page.getByTestId('clock').innerText())![1]);
  expect(t1 - t0).toBeCloseTo(1, 1);

  await page.getByTestId('step-menu').click();
  await page.getByTestId('step-reconcile').click();
  await page.getByTestId('step-menu').click();
  await page.getByTestId('step-event').click();
  await expect(page.getByTestId('status')).toHaveText('paused');

  await page.getByTestId('pause').click();
  await expect(page.getByTestId('status')).toHaveText('running');
  await page.getByTestId('reset').click();
  await expect(page.getByTestId('status')).toHaveText('idle');
  await expect(page.getByTestId('clock')).toContainText('t = 0.0s');
});

test('a hung worker is detected, the learner is told, and Run works again', async ({ page }) => {
  await openLab(page);
  await runToEnd(page);
  const summary = await summaryText(page);
  await page.evaluate(() =>
    (
      window as unknown as { __reconcileLab?: { killWorker?(m: string): void } }
    ).__reconcileLab?.killWorker?.('hang'),
  );
  await expect(page.getByTestId('crash')).toContainText(/stopped responding/, { timeout: 15_000 });
  await expect(page.getByTestId('crash')).toContainText(/code and the last results are kept/);
  // The last results are still on screen.
  expect(await summaryText(page)).toBe(summary);
  await page.getByTestId('crash').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/run-crash.png` });
  await runToEnd(page);
  await expect(page.getByTestId('crash')).toHaveCount(0);
  expect(await summaryText(page)).toBe(summary);
});
