import { test as base, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

/**
 * Every e2e test uses this `test`: it records console errors, page errors, failed requests,
 * HTTP errors and any request leaving localhost, and fails the test if any occurred.
 */
export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
  httpErrors: string[];
  offsiteRequests: string[];
}

export const test = base.extend<{ problems: PageProblems }>({
  problems: [
    async ({ page }, use) => {
      const p: PageProblems = {
        consoleErrors: [],
        pageErrors: [],
        failedRequests: [],
        httpErrors: [],
        offsiteRequests: [],
      };
      page.on('console', (m) => {
        if (m.type() === 'error') p.consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => p.pageErrors.push(String(e)));
      page.on('requestfailed', (r) => {
        // Aborted navigations of the page's own resources on close are not failures.
        const f = r.failure()?.errorText ?? '';
        if (f.includes('ERR_ABORTED') && isLocal(r.url())) return;
        p.failedRequests.push(`${r.url()} ${f}`);
      });
      page.on('response', (r) => {
        if (r.status() >= 400) p.httpErrors.push(`${r.status()} ${r.url()}`);
      });
      page.on('request', (r) => {
        if (!isLocal(r.url())) p.offsiteRequests.push(r.url());
      });
      await use(p);
      expect(p.consoleErrors, 'console errors').toEqual([]);
      expect(p.pageErrors, 'page errors').toEqual([]);
      expect(p.failedRequests, 'failed requests').toEqual([]);
      expect(p.httpErrors, 'HTTP errors').toEqual([]);
      expect(p.offsiteRequests, 'requests leaving localhost').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

export function isLocal(url: string): boolean {
  if (url.startsWith('data:') || url.startsWith('blob:') || url.startsWith('about:')) return true;
  try {
    const u = new URL(url);
    return u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
  } catch {
    return false;
  }
}

/** axe scan: zero serious or critical violations. */
export async function expectAccessible(page: Page, include?: string): Promise<void> {
  let b = new AxeBuilder({ page });
  if (include) b = b.include(include);
  const r = await b.analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
  ).toEqual([]);
}
