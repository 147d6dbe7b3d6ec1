/**
 * For the browser tests: Debian's Chromium driven by playwright-core (never a downloaded browser). Without it
 * a browser test is skipped with a warning, unless LPCV_REQUIRE_BROWSER=1 (.ci/run sets it): then it fails.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const required = process.env.LPCV_REQUIRE_BROWSER === '1';
const available = existsSync(CHROMIUM);
if (!available && !required)
  console.warn(`${CHROMIUM} is not installed: skipping the browser tests (apt-get install chromium; LPCV_REQUIRE_BROWSER=1 fails instead)`);

/** Whether to run the browser tests: Chromium is there, or it is required (and its absence fails them). */
export const BROWSER_TESTS = available || required;

/** Where the browser tests keep their screenshots. */
export const SCREENSHOTS = path.join(fileURLToPath(new URL('../../', import.meta.url)), 'test-output', 'browser');

/** Chromium, headless, without the background traffic a fresh profile would make. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing but LPCV_REQUIRE_BROWSER=1`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
