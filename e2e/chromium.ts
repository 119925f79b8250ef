import { existsSync } from 'node:fs';

/**
 * How e2e tests (playwright.config.ts) and the browser benchmarks (bench/ui.ts) launch
 * Chromium: Debian's by default (no browser downloads on these machines); CHROMIUM_PATH or
 * CHROME_PATH picks another; when neither exists, Playwright's own downloaded Chromium
 * (scripts/ensure-chromium.mjs fetches it where the internet allows).
 */
export const chromiumLaunchOptions = {
  executablePath:
    process.env.CHROMIUM_PATH ??
    process.env.CHROME_PATH ??
    (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined),
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    '--disable-dev-shm-usage',
  ],
};
