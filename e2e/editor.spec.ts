import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { test, expect, expectAccessible } from './fixtures';

/**
 * The lab editor in a real browser against the production build: markers, hover, the knob
 * form's two-way sync, autosave, the lesson's "Try in lab", the Tab-trap escape, axe.
 * The tests edit the line of lessons/7.4-performance-and-scalability/lab.go that sets
 * `MaxConcurrentReconciles: 2,` (found in the file, so edits of lab.go do not break them).
 */
const LESSON = '/#/lesson/7.4-performance-and-scalability';
const LAB_GO = readFileSync('lessons/7.4-performance-and-scalability/lab.go', 'utf8');
const WORKERS_LINE =
  LAB_GO.split('\n').findIndex((l) => /^\s*MaxConcurrentReconciles: 2,/.test(l)) + 1;
const WORKERS_COLUMN = (LAB_GO.split('\n')[WORKERS_LINE - 1] ?? '').indexOf('2') + 1;

// Monaco is a 1 MB (gzip) lazy chunk; on a busy 2-core machine it can take a while to appear.
test.describe.configure({ timeout: 120_000 });

test.beforeAll(() => {
  expect(WORKERS_LINE, 'lab.go sets MaxConcurrentReconciles: 2').toBeGreaterThan(0);
});

async function openLab(page: Page): Promise<Locator> {
  await page.goto(LESSON);
  const lab = page.locator('.lab-panel');
  await expect(lab.locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  await expect(status(page)).toHaveText(/No errors/, { timeout: 30_000 });
  return lab;
}

function status(page: Page): Locator {
  return page.getByTestId('lab-status');
}

/** Monaco's own "Go to line" (Ctrl+G): reveals the line and puts the cursor at its start. */
async function gotoLine(page: Page, line: number): Promise<void> {
  await page.locator('.lab-panel .monaco-editor .view-lines').click();
  await page.keyboard.press('Control+G');
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
}

/** The rendered editor line that contains `text` (Monaco renders only the visible lines). */
function editorLine(page: Page, text: string | RegExp): Locator {
  return page.locator('.lab-panel .monaco-editor .view-line').filter({ hasText: text });
}

test('a typed value error is marked at its place, and the mark goes when it is fixed', async ({
  page,
}) => {
  await openLab(page);
  await gotoLine(page, WORKERS_LINE);
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.type('0000'); // MaxConcurrentReconciles: 20000, (above the 10,000 cap)

  await expect(status(page)).toHaveText(/1 error — last good settings in force/);
  const squiggle = page.locator('.lab-panel .monaco-editor .squiggly-error');
  await expect(squiggle).toHaveCount(1);
  // The squiggle lies under the literal 20000, on the edited line.
  const value = editorLine(page, 'MaxConcurrentReconciles:')
    .locator('span > span')
    .filter({ hasText: /^20000$/ });
  const valueBox = await value.boundingBox();
  const markBox = await squiggle.boundingBox();
  expect(valueBox && markBox).toBeTruthy();
  expect(Math.abs(markBox!.x - valueBox!.x)).toBeLessThan(2);
  expect(Math.abs(markBox!.width - valueBox!.width)).toBeLessThan(2);
  expect(markBox!.y).toBeGreaterThanOrEqual(valueBox!.y - 2);
  expect(markBox!.y).toBeLessThanOrEqual(valueBox!.y + valueBox!.height + 2);
  // The problems list names the same place.
  await page.getByText(/Problems and notes/).click();
  await expect(page.locator('.lab-problems')).toContainText(
    `Line ${WORKERS_LINE}, column ${WORKERS_COLUMN}: MaxConcurrentReconciles`,
  );

  await gotoLine(page, WORKERS_LINE);
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  for (let i = 0; i < 4; i++) await page.keyboard.press('Backspace');
  await expect(status(page)).toHaveText(/No errors/);
  await expect(squiggle).toHaveCount(0);
});

test('a syntax error is an error marker too, and the text is kept', async ({ page }) => {
  await openLab(page);
  await gotoLine(page, WORKERS_LINE);
  await page.keyboard.press('End');
  await page.keyboard.type(')');
  await expect(status(page)).toHaveText(/\d+ errors? — last good settings in force/);
  await expect(page.locator('.lab-panel .monaco-editor .squiggly-error').first()).toBeVisible();
  await expect(editorLine(page, 'MaxConcurrentReconciles: 2,)')).toHaveCount(1);
});

test('hovering a knob shows what it does and its default for the chosen version', async ({
  page,
}) => {
  await openLab(page);
  await gotoLine(page, WORKERS_LINE);
  const value = editorLine(page, 'MaxConcurrentReconciles:')
    .locator('span > span')
    .filter({ hasText: /^2$/ });
  await value.hover();
  const hover = page.locator('.monaco-hover:visible');
  await expect(hover).toContainText('MaxConcurrentReconciles');
  await expect(hover).toContainText('Default in controller-runtime v0.23: 1');
  await expect(hover).toContainText('controller-semantics.md §4.1');

  await page.mouse.move(0, 0);
  await page.getByLabel('controller-runtime version').selectOption('v0.19');
  await gotoLine(page, WORKERS_LINE);
  await editorLine(page, 'MaxConcurrentReconciles:')
    .locator('span > span')
    .filter({ hasText: /^2$/ })
    .hover();
  await expect(page.locator('.monaco-hover:visible')).toContainText(
    'Default in controller-runtime v0.19: 1',
  );
});

test('the slider edits the text (one undo step) and the text moves the slider', async ({
  page,
}) => {
  await openLab(page);
  const slider = page.locator('input[data-knob="maxConcurrentReconciles"]');
  await expect(slider).toHaveAttribute('aria-valuetext', '2 workers');
  await slider.fill('7'); // the stops are 1 2 3 4 5 6 8 10 …: index 7 is 10 workers
  await expect(slider).toHaveAttribute('aria-valuetext', '10 workers');
  await gotoLine(page, WORKERS_LINE);
  await expect(editorLine(page, 'MaxConcurrentReconciles:')).toHaveText(
    /MaxConcurrentReconciles:\s10,/,
  );

  // One undo step in the editor takes the slider's edit back.
  await page.keyboard.press('Control+Z');
  await expect(editorLine(page, 'MaxConcurrentReconciles:')).toHaveText(
    /MaxConcurrentReconciles:\s2,/,
  );
  await expect(slider).toHaveAttribute('aria-valuetext', '2 workers');

  // Typing in the editor moves the slider.
  await gotoLine(page, WORKERS_LINE);
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('16');
  await expect(slider).toHaveAttribute('aria-valuetext', '16 workers');
  await expect(page.locator('.lab-knob', { has: slider }).locator('output')).toHaveText('16');
});

test('reloading the page keeps the edited text', async ({ page }) => {
  await openLab(page);
  await gotoLine(page, WORKERS_LINE);
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('7');
  await expect(page.locator('input[data-knob="maxConcurrentReconciles"]')).toHaveAttribute(
    'aria-valuetext',
    '7 workers',
  );
  await page.reload();
  await expect(page.locator('.lab-panel .monaco-editor')).toBeVisible({ timeout: 60_000 });
  await expect(page.locator('input[data-knob="maxConcurrentReconciles"]')).toHaveAttribute(
    'aria-valuetext',
    '7 workers',
  );
  await gotoLine(page, WORKERS_LINE);
  await expect(editorLine(page, 'MaxConcurrentReconciles:')).toHaveText(
    /MaxConcurrentReconciles:\s7,/,
  );
  await expect(page.locator('.lab-panel')).toContainText(
    'Your saved code for this lab was restored',
  );
});

test("the lesson's Try in lab loads a block into the editor, undoably", async ({ page }) => {
  await openLab(page);
  const tryButtons = page.getByRole('button', { name: /Try in lab/ });
  await tryButtons.first().click();
  const notice = page.locator('.lab-message-notice');
  await expect(notice).toContainText("The lesson's code block is in the editor");
  await gotoLine(page, 1);
  await expect(editorLine(page, 'Wrapped for the lab')).toHaveCount(1);
  await expect(status(page)).toHaveText(/No errors/);

  await notice.getByRole('button', { name: 'Undo' }).click();
  await expect(notice).toContainText('Undone');
  await gotoLine(page, 1);
  await expect(editorLine(page, 'Wrapped for the lab')).toHaveCount(0);
});

test('the Tab-trap escape is shown while the editor has focus and Ctrl+M frees Tab', async ({
  page,
}) => {
  await openLab(page);
  const hint = page.getByTestId('lab-tab-hint');
  await expect(hint).toHaveText('');
  await page.locator('.lab-panel .monaco-editor .view-lines').click();
  await expect(hint).toContainText('Press Ctrl+M to make Tab move focus');
  await page.keyboard.press('Control+M');
  await expect(hint).toContainText('Tab moves focus out of the editor');
  await page.keyboard.press('Tab');
  const inEditor = await page.evaluate(
    () => document.activeElement?.closest('.monaco-editor') !== null,
  );
  expect(inEditor).toBe(false);
});

test('the plain text editor edits the same text, with the same checks', async ({ page }) => {
  await openLab(page);
  await page.getByRole('button', { name: 'Plain text editor' }).click();
  const area = page.getByRole('textbox', { name: /plain text editor/ });
  await expect(area).toBeVisible();
  const text = await area.inputValue();
  await area.fill(text.replace('MaxConcurrentReconciles: 2,', 'MaxConcurrentReconciles: 32,'));
  await expect(page.locator('input[data-knob="maxConcurrentReconciles"]')).toHaveAttribute(
    'aria-valuetext',
    '32 workers',
  );
  await area.fill(text.replace('MaxConcurrentReconciles: 2,', 'MaxConcurrentReconciles: 2,)'));
  await expect(status(page)).toHaveText(/errors? — last good settings in force/);
  await area.fill(text);
  await expect(status(page)).toHaveText(/No errors/);

  // Back to Monaco: the same text.
  await page.getByRole('button', { name: 'Plain text editor' }).click();
  await expect(page.locator('.lab-panel .monaco-editor')).toBeVisible({ timeout: 60_000 });
  await gotoLine(page, WORKERS_LINE);
  await expect(editorLine(page, 'MaxConcurrentReconciles:')).toHaveText(
    /MaxConcurrentReconciles:\s2,/,
  );
});

test.describe('on a touch screen', () => {
  test.use({ hasTouch: true, isMobile: true, viewport: { width: 820, height: 1180 } });

  test('the plain editor is the default and the sliders work by touch', async ({ page }) => {
    await page.goto(LESSON);
    await page.getByRole('tab', { name: 'Lab' }).tap();
    const area = page.getByRole('textbox', { name: /plain text editor/ });
    await expect(area).toBeVisible({ timeout: 60_000 });
    await expect(status(page)).toHaveText(/No errors/, { timeout: 30_000 });
    await expect(page.locator('.lab-panel .monaco-editor')).toHaveCount(0);
    const slider = page.locator('input[data-knob="replicas"]');
    await slider.scrollIntoViewIfNeeded();
    const box = (await slider.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(40); // a comfortable touch target
    await page.touchscreen.tap(box.x + box.width - 4, box.y + box.height / 2);
    await expect(slider).toHaveAttribute('aria-valuetext', '10 replicas');
    await expect(area).toHaveValue(/const replicas = 10\b/);
  });
});

test('Ctrl+Enter in the editor starts a run with the code', async ({ page }) => {
  await openLab(page);
  const runStatus = page.locator('.lab-run').getByTestId('status');
  await expect(runStatus).toHaveText('idle');
  await page.locator('.lab-panel .monaco-editor .view-lines').click();
  await page.keyboard.press('Control+Enter');
  await expect(runStatus).toHaveText(/running|paused|done/);
});

test('completion offers the known constructors', async ({ page }) => {
  await openLab(page);
  await gotoLine(page, WORKERS_LINE);
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('RateLimiter: workqueue.NewTypedItemFast');
  await page.keyboard.press('Control+Space');
  await expect(page.locator('.suggest-widget:visible')).toContainText(
    'workqueue.NewTypedItemFastSlowRateLimiter',
  );
  await page.keyboard.press('Escape');
});

test('the lab panel has no serious or critical accessibility violations', async ({ page }) => {
  await openLab(page);
  // The editor, status, problems and knob form (the run panel below has its own spec).
  await expectAccessible(page, '.lab-editor-part');
  await page.locator('.lab-panel .monaco-editor .view-lines').click();
  await expectAccessible(page, '.lab-editor-part');
  // The dark theme too (the app follows the system until the learner picks a theme).
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.locator('.lab-panel .monaco-editor.vs-dark')).toBeVisible();
  await expectAccessible(page, '.lab-editor-part');
});
