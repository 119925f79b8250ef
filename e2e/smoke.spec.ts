import { test, expect } from './fixtures';

test('the app loads with no console errors and no off-site requests', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
});
