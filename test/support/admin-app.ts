/**
 * What the admin app's browser test files share: Chromium, the built app and a local runtime for the
 * file (started before its tests, stopped after), and a page per test in a context of its own.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { buildAdmin } from '../../local/admin-build.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { launchChromium, screenshotOnFailure } from './browser.js';
import { startTestRuntime } from './e2e.js';

export interface AdminApp {
  /** The file's runtime, once beforeAll has run. */
  readonly runtime: LocalRuntime;
  /** /admin/<path> in a fresh page `width` px wide; a failing test leaves a screenshot named `name`. */
  open(path: string, name: string, width?: number): Promise<Page>;
}

/** Registers the file's beforeAll/afterAll: call it at the top level of a browser test file. */
export function useAdminApp(): AdminApp {
  let runtime: LocalRuntime | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    // The browser first: without it the file fails at once, saying how to install it.
    browser = await launchChromium();
    await buildAdmin({ quiet: true });
    runtime = await startTestRuntime();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the admin app is not started: useAdminApp() registers a beforeAll that starts it');
    return value;
  };
  return {
    get runtime() {
      return started(runtime);
    },
    async open(path, name, width = 1100) {
      // A context of its own per page: axe-core injects its script through the context.
      const context = await started(browser).newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
      const page = await context.newPage();
      // The browser may be closing already (afterAll): a context that is gone needs no closing.
      page.on('close', () => void context.close().catch(() => undefined));
      screenshotOnFailure(page, name);
      page.setDefaultTimeout(20_000);
      await page.goto(`${started(runtime).url}/admin/${path}`);
      return page;
    },
  };
}
