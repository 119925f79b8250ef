#!/usr/bin/env node
// Makes sure a Chromium is available for the e2e tests (no browser downloads on these
// machines: we use Debian's package). Order: $CHROMIUM_PATH, /usr/bin/chromium, then
// apt-get (when running as root with apt), else stop with the exact command to run.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const candidates = [
  process.env.CHROMIUM_PATH,
  process.env.CHROME_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
].filter(Boolean);

const found = candidates.find((p) => existsSync(p));
if (found) {
  if (!process.env.CHROMIUM_PATH && found !== '/usr/bin/chromium') {
    console.log(`Using Chromium at ${found} (set CHROMIUM_PATH to choose another).`);
  }
  process.exit(0);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (isRoot && hasApt) {
  console.log("No Chromium found: installing Debian's chromium with apt-get (about 20 s)…");
  try {
    execSync(
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium',
      {
        stdio: 'inherit',
        shell: '/bin/bash',
      },
    );
  } catch {
    console.error('apt-get could not install chromium.');
  }
  if (existsSync('/usr/bin/chromium')) process.exit(0);
}

try {
  console.log("Trying Playwright's own Chromium download…");
  execSync('npx playwright install chromium', { stdio: 'inherit' });
  const { chromium } = await import('@playwright/test');
  const p = chromium.executablePath();
  if (p && existsSync(p)) {
    console.log(`Using Playwright's Chromium at ${p}.`);
    process.exit(0);
  }
} catch {
  // fall through to the message below
}

console.error(
  [
    'No Chromium found for the e2e tests. Install one, then run npm test again:',
    '  sudo apt-get update && sudo apt-get install -y chromium',
    'or point CHROMIUM_PATH at an existing Chromium/Chrome binary:',
    '  CHROMIUM_PATH=/path/to/chrome npm test',
  ].join('\n'),
);
process.exit(1);
