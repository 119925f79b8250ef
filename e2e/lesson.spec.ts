import type { Page } from '@playwright/test';
import { expect, expectAccessible, test } from './fixtures';

const LESSON = '7.4-performance-and-scalability';
const LESSON_URL = `/#/lesson/${LESSON}`;

/**
 * Scrolls through the whole lesson (diagrams and highlighting are prepared lazily as the reader
 * nears them), then waits until all 6 diagrams are SVG and every code block is highlighted.
 */
async function prepareWholeLesson(page: Page): Promise<void> {
  await expect(page.getByTestId('diagram')).toHaveCount(6);
  await page.evaluate(async () => {
    const pane = document.querySelector('[data-testid="lesson-scroller"]');
    if (!pane) throw new Error('no lesson pane');
    while (pane.scrollTop + pane.clientHeight < pane.scrollHeight - 2) {
      pane.scrollBy(0, 600);
      await new Promise((r) => setTimeout(r, 60));
    }
  });
  await expect(page.locator('[data-testid="diagram"][data-state="rendered"] svg')).toHaveCount(6, {
    timeout: 45_000,
  });
  await expect(page.locator('[data-testid="code-block"] pre[data-highlighted="true"]')).toHaveCount(
    10,
  );
}

/** The heading's distance from the top of the lesson's scrolling pane, in px. */
async function offsetFromPaneTop(page: Page, id: string): Promise<number> {
  return page.evaluate((slug) => {
    const el = document.getElementById(slug);
    const pane = document.querySelector('[data-testid="lesson-scroller"]');
    if (!el || !pane) return Number.NaN;
    return el.getBoundingClientRect().top - pane.getBoundingClientRect().top;
  }, id);
}

test.describe('home page', () => {
  test('lists the lesson and opens it', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'Reconcile Lab' })).toBeVisible();
    const link = page.getByTestId('lesson-list').getByRole('link', { name: /Lesson 7\.4/ });
    await expect(link).toContainText('Performance and Scalability');
    await expectAccessible(page);
    await link.click();
    await expect(page).toHaveURL(new RegExp(`#/lesson/${LESSON.replace(/\./g, '\\.')}$`));
    await expect(
      page.getByRole('heading', { level: 1, name: 'Lesson 7.4: Performance and Scalability' }),
    ).toBeVisible();
  });
});

test.describe('lesson page', () => {
  test('shows all 6 diagrams as SVG, each named and with a text alternative', async ({ page }) => {
    await page.goto(LESSON_URL);
    await prepareWholeLesson(page);
    const names = await page.getByTestId('diagram').locator('figcaption').allInnerTexts();
    expect(names.map((n) => n.replace(/^Diagram:\s*/, '').trim())).toEqual([
      'Performance Optimization Strategies',
      'Why Rate Limit?',
      'Batch Processing Flow',
      'Client Caching',
      'Scaling Considerations',
      'Key Metrics',
    ]);
    const why = page.getByRole('figure', { name: 'Diagram: Why Rate Limit?' });
    await why.getByRole('button', { name: 'Text version' }).click();
    await expect(why.getByText('Too Many Requests? → API Throttles (Yes)')).toBeVisible();
    await why.getByRole('button', { name: 'Hide text version' }).click();
    await expect(why.getByText('Too Many Requests? → API Throttles (Yes)')).toHaveCount(0);
  });

  test('opens a diagram full screen, zooms, and closes with Escape', async ({ page }) => {
    await page.goto(`${LESSON_URL}/client-caching`);
    const figure = page.getByRole('figure', { name: 'Diagram: Client Caching' });
    await expect(figure.locator('svg')).toBeVisible();
    await figure.getByRole('button', { name: 'Full screen' }).click();
    const dialog = page.getByRole('dialog', { name: 'Client Caching (full screen)' });
    await expect(dialog.locator('svg')).toBeVisible();
    await expect(dialog.locator('output')).toHaveText('150%');
    await dialog.getByRole('button', { name: 'Zoom in' }).click();
    await expect(dialog.locator('output')).toHaveText('200%');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  });

  test('highlights every Go block and offers Copy and Try in lab', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto(LESSON_URL);
    const blocks = page.locator('[data-testid="code-block"][data-lang="go"]');
    await expect(blocks).toHaveCount(10);
    await prepareWholeLesson(page);
    for (let i = 0; i < 10; i++) {
      const tokens = blocks.nth(i).locator('pre[data-highlighted="true"] .token:not(.plain)');
      expect(await tokens.count()).toBeGreaterThan(3);
    }
    const first = blocks.first();
    await first.scrollIntoViewIfNeeded();
    await first.getByRole('button', { name: /^Copy/ }).click();
    await expect(first.getByRole('status')).toHaveText('Copied');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain(
      'func (r *DatabaseReconciler) SetupWithManager(mgr ctrl.Manager) error {',
    );
    await first.getByRole('button', { name: /^Try in lab/ }).click();
    await expect(first.getByRole('status')).toHaveText('Sent to the lab editor');
    await expect(page.getByTestId('lab-pane')).toBeVisible();
  });

  test('a deep link scrolls to its section, also as a bare #anchor', async ({ page }) => {
    await page.goto(`${LESSON_URL}/rate-limiting`);
    await expect.poll(() => offsetFromPaneTop(page, 'rate-limiting')).toBeLessThan(40);
    expect(await offsetFromPaneTop(page, 'rate-limiting')).toBeGreaterThan(-5);
    await expect(page.locator('#rate-limiting')).toBeFocused();

    await page.goto('/#key-metrics');
    await expect(page).toHaveURL(
      new RegExp(`#/lesson/${LESSON.replace(/\./g, '\\.')}/key-metrics$`),
    );
    await expect.poll(() => offsetFromPaneTop(page, 'key-metrics')).toBeLessThan(40);
  });

  test('the contents link to sections and highlight the one being read', async ({ page }) => {
    await page.goto(LESSON_URL);
    const toc = page.getByRole('navigation', { name: 'Contents' });
    await toc.getByRole('link', { name: 'Caching Strategies', exact: true }).click();
    await expect(page).toHaveURL(/\/caching-strategies$/);
    await expect.poll(() => offsetFromPaneTop(page, 'caching-strategies')).toBeLessThan(40);
    await expect(page.locator('#caching-strategies')).toBeFocused();
    await expect(toc.locator('a[aria-current="location"]')).toHaveText('Caching Strategies');
    // The next-section key moves on.
    await page.keyboard.press(']');
    await expect(page).toHaveURL(/\/client-caching$/);
    await expect(toc.locator('a[aria-current="location"]')).toHaveText('Client Caching');
  });

  test('read markers are kept across reloads, and corrupted saved data is ignored', async ({
    page,
  }) => {
    await page.goto(LESSON_URL);
    const toc = page.getByRole('navigation', { name: 'Contents' });
    const marker = toc.getByRole('button', { name: 'Read: Rate Limiting' });
    await expect(marker).toHaveAttribute('aria-pressed', 'false');
    await marker.click();
    await expect(marker).toHaveAttribute('aria-pressed', 'true');
    await page.reload();
    await expect(toc.getByRole('button', { name: 'Read: Rate Limiting' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await expect(toc.getByText(/^1 of \d+ sections read$/)).toBeVisible();

    await page.evaluate(() => {
      localStorage.setItem('reconcile-lab:read-sections', '{"v":1,"data":[[[broken');
      localStorage.setItem('reconcile-lab:theme', 'not json');
      localStorage.setItem('reconcile-lab:layout', '{"v":1,"data":{"split":"wide"}}');
    });
    await page.reload();
    await expect(toc.getByText(/^0 of \d+ sections read$/)).toBeVisible();
    await expect(page.getByTestId('diagram').first()).toBeVisible();
  });

  test('the theme toggle switches light and dark, re-renders diagrams, and persists', async ({
    page,
  }) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${LESSON_URL}/why-rate-limit`);
    const html = page.locator('html');
    await expect(html).toHaveAttribute('data-theme', 'light');
    const figure = page.getByRole('figure', { name: 'Diagram: Why Rate Limit?' });
    await expect(figure).toHaveAttribute('data-rendered-theme', 'light');
    const lightBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);

    const toggle = page.getByTestId('theme-toggle');
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
    await toggle.click();
    await expect(html).toHaveAttribute('data-theme', 'dark');
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await expect(figure).toHaveAttribute('data-rendered-theme', 'dark');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(
      lightBg,
    );

    await page.reload();
    await expect(html).toHaveAttribute('data-theme', 'dark');
    await page.getByRole('button', { name: 'Use system theme' }).click();
    await expect(html).toHaveAttribute('data-theme', 'light');
  });

  test('the ? overlay lists the shortcuts, keeps focus inside and closes with Escape', async ({
    page,
  }) => {
    await page.goto(LESSON_URL);
    await page.getByRole('heading', { level: 1 }).click();
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('row', { name: /Ctrl\+Enter/ })).toContainText(
      'Run the simulation',
    );
    await expect(dialog.getByRole('row', { name: /Ctrl\+M/ })).toContainText('Tab');
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();

    await page.getByTestId('shortcuts-button').click();
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('shortcuts-button')).toBeFocused();
  });

  test('the skip link moves focus to the lesson', async ({ page }) => {
    await page.goto(LESSON_URL);
    const skip = page.getByRole('link', { name: 'Skip to content' });
    // React commits the shell after the load event: a Tab pressed before that focuses nothing.
    await expect(page.getByTestId('lesson-scroller')).toBeVisible();
    await page.keyboard.press('Tab');
    await expect(skip).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('lesson-scroller')).toBeFocused();
    await expect(page).toHaveURL(new RegExp(`#/lesson/${LESSON.replace(/\./g, '\\.')}$`));
  });

  test('the divider resizes the panes and the lab can be hidden', async ({ page }) => {
    await page.goto(LESSON_URL);
    const divider = page.getByRole('separator', { name: 'Resize the lesson and lab panes' });
    const before = Number(await divider.getAttribute('aria-valuenow'));
    await divider.focus();
    await page.keyboard.press('ArrowLeft');
    await expect(divider).toHaveAttribute('aria-valuenow', String(before - 5));
    const box = await page.getByTestId('lesson-pane').boundingBox();
    await page.getByTestId('lab-toggle').click();
    await expect(page.getByTestId('lab-pane')).toBeHidden();
    const wider = await page.getByTestId('lesson-pane').boundingBox();
    expect(wider?.width ?? 0).toBeGreaterThan(box?.width ?? 0);
    await page.getByTestId('lab-toggle').click();
    await expect(page.getByTestId('lab-pane')).toBeVisible();
  });

  test('on a tablet the panes become tabs', async ({ page }) => {
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.goto(LESSON_URL);
    const tabs = page.getByRole('tablist', { name: 'Panes' });
    await expect(tabs.getByRole('tab', { name: 'Lesson' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    await expect(page.getByTestId('lab-pane')).toBeHidden();
    await tabs.getByRole('tab', { name: 'Lab' }).click();
    await expect(page.getByTestId('lab-pane')).toBeVisible();
    await expect(page.getByTestId('lesson-pane')).toBeHidden();
    await tabs.getByRole('tab', { name: 'Lesson' }).click();
    await expect(page.getByRole('navigation', { name: 'Contents' })).toBeVisible();

    // Narrower still, the contents become a drawer.
    await page.setViewportSize({ width: 700, height: 1000 });
    const contents = page.getByRole('navigation', { name: 'Contents' });
    await expect(contents).toBeHidden();
    await page.getByRole('button', { name: 'Contents' }).click();
    await contents.getByRole('link', { name: 'Key Takeaways' }).click();
    await expect.poll(() => offsetFromPaneTop(page, 'key-takeaways')).toBeLessThan(40);
    await expect(contents).toBeHidden();
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`has no serious or critical accessibility violations (${scheme})`, async ({ page }) => {
      test.setTimeout(120_000);
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(LESSON_URL);
      await expect(page.locator('html')).toHaveAttribute('data-theme', scheme);
      await prepareWholeLesson(page);
      await page
        .getByRole('figure', { name: 'Diagram: Batch Processing Flow' })
        .getByRole('button', { name: 'Text version' })
        .click();
      // The shell and the lesson; the lab pane's own specs scan the lab.
      await expectAccessible(page, 'header');
      await expectAccessible(page, '[data-testid="lesson-pane"]');
    });
  }
});
