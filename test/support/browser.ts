import { mkdir, mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';

/** Debian's Chromium (scripts/deps/needs-ui.sh installs it); playwright-core downloads no browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const ROOT = resolve(import.meta.dirname, '../..');
const UI = join(ROOT, 'ui');
export const SCREENSHOT_DIR = join(ROOT, 'test-artifacts', 'ui');
/** With UPDATE_SCREENSHOTS=1 the tests also refresh the committed pictures the README shows. */
const DOCS_SCREENSHOTS = join(ROOT, 'docs', 'screenshots');
const DOCS_MAX_HEIGHT = 1_300;

/** Builds the UI into ui/dist when a source file is newer than the last build (the service serves ui/dist). */
export async function ensureUiBuilt(): Promise<void> {
  const builtAt = await stat(join(UI, 'dist', 'index.html')).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  const newest = Math.max(
    await newestMtime(join(UI, 'src')),
    (await stat(join(UI, 'index.html'))).mtimeMs,
    (await stat(join(UI, 'vite.config.ts'))).mtimeMs,
  );
  if (builtAt > newest) return;
  await build({ configFile: join(UI, 'vite.config.ts'), logLevel: 'warn' });
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestMtime(path) : (await stat(path)).mtimeMs);
  }
  return newest;
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors and console errors of the page: a test fails on any. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile, a laptop-sized window, UTC and English dates. */
export async function openBrowser(): Promise<TestBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'burnwatch-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1366, height: 860 },
    timezoneId: 'UTC',
    locale: 'en-GB',
    reducedMotion: 'reduce',
  });
  // Fail within seconds, not the default 30, when something the test waits for never shows.
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // A 404 from an API the server does not have yet is expected: the UI shows an empty state for it.
    if (message.type() === 'error' && !/status of 404/.test(message.text())) pageErrors.push(message.text());
  });
  return {
    context,
    page,
    pageErrors,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Saves a screenshot under test-artifacts/ui/ (git-ignored). The one picture per page that the README shows is
 * marked `docs`: UPDATE_SCREENSHOTS=1 refreshes it in docs/screenshots/.
 */
export async function screenshot(
  page: Page,
  name: string,
  options: { docs?: boolean } = {},
): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (options.docs && process.env.UPDATE_SCREENSHOTS === '1') {
    // The committed copy is the top of the page at laptop size, to keep the repository small.
    await mkdir(DOCS_SCREENSHOTS, { recursive: true });
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    const width = page.viewportSize()!.width;
    await page.screenshot({
      path: join(DOCS_SCREENSHOTS, `${name}.png`),
      fullPage: true,
      clip: { x: 0, y: 0, width, height: Math.min(height, DOCS_MAX_HEIGHT) },
    });
  }
  return path;
}
