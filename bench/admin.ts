/**
 * The admin web app's figures: its JavaScript, gzipped, as built for production, and the first
 * contentful paint of the campaigns page measured in Chromium (Performance API), each load in a
 * fresh browser context (nothing cached) against a local runtime with campaigns to list. Beside
 * them, the `<herald-inbox>` script (/inbox.js) as a site downloads it, gzipped.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ADMIN_DIST, buildAdmin, INBOX_SCRIPT } from '../local/admin-build.js';
import { startLocalRuntime } from '../local/runtime.js';
import { launchChromium } from '../test/support/browser.js';
import type { Endpoints } from './emulators.js';
import { figure, type Figure } from './figures.js';

export interface AdminRun {
  files: { name: string; bytes: number; gzipBytes: number }[];
  jsGzipBytes: number;
  /** /inbox.js, the one file of the `<herald-inbox>` element. */
  inbox: { bytes: number; gzipBytes: number };
  firstPaintMs: number[];
  medianFirstPaintMs: number;
  campaigns: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export async function measureAdmin(endpoints: Endpoints, { loads = 5, campaigns = 30 } = {}): Promise<AdminRun> {
  // Built only when stale: a build replaces files another test may be serving at that moment.
  await buildAdmin({ quiet: true });
  const assets = join(ADMIN_DIST, 'assets');
  const files = readdirSync(assets)
    .filter((name) => /\.(js|css)$/.test(name))
    .map((name) => {
      const content = readFileSync(join(assets, name));
      return { name, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
    });
  const jsGzipBytes = files.filter((file) => file.name.endsWith('.js')).reduce((sum, file) => sum + file.gzipBytes, 0);
  const script = readFileSync(INBOX_SCRIPT);
  const inbox = { bytes: script.length, gzipBytes: gzipSync(script, { level: 9 }).length };

  const runtime = await startLocalRuntime({ port: 0, ...endpoints, suffix: `admin${randomBytes(3).toString('hex')}` });
  const browser = await launchChromium();
  try {
    const startAt = new Date(Date.now() + 24 * 3600_000).toISOString();
    const endAt = new Date(Date.now() + 48 * 3600_000).toISOString();
    for (let i = 0; i < campaigns; i++) {
      const response = await fetch(`${runtime.url}/campaigns`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `Campaign ${i}`, startAt, endAt }),
      });
      if (response.status !== 201) throw new Error(`could not create a campaign: ${response.status}`);
    }
    const firstPaintMs: number[] = [];
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${runtime.url}/admin/`);
      await page.locator('[data-campaign]').first().waitFor();
      const paint = (await page.evaluate(
        "performance.getEntriesByType('paint').find((entry) => entry.name === 'first-contentful-paint')?.startTime ?? -1",
      )) as number;
      if (paint < 0) throw new Error('Chromium reported no first-contentful-paint');
      firstPaintMs.push(paint);
      await context.close();
    }
    return { files, jsGzipBytes, inbox, firstPaintMs, medianFirstPaintMs: median(firstPaintMs), campaigns };
  } finally {
    await browser.close();
    await runtime.stop();
  }
}

export function adminFigures(run: AdminRun, command: string): Figure[] {
  return [
    figure({
      id: 'admin.jsGzipKb',
      section: 'admin',
      figure: 'admin app JavaScript, gzipped',
      value: run.jsGzipBytes / 1024,
      unit: 'KB',
      target: { op: '<', limit: 250 },
      command,
      note: run.files.map((file) => `${file.name} ${(file.gzipBytes / 1024).toFixed(1)} KB gz`).join(', '),
    }),
    figure({
      id: 'admin.inboxJsGzipKb',
      section: 'admin',
      figure: '<herald-inbox> element (/inbox.js), gzipped',
      value: run.inbox.gzipBytes / 1024,
      unit: 'KB',
      target: { op: '<=', limit: 30 },
      command,
      note: `one file, no framework; ${(run.inbox.bytes / 1024).toFixed(1)} KB minified before gzip`,
    }),
    figure({
      id: 'admin.firstPaintMs',
      section: 'admin',
      figure: `campaigns page first contentful paint (median of ${run.firstPaintMs.length})`,
      value: run.medianFirstPaintMs,
      unit: 'ms',
      target: { op: '<', limit: 1000 },
      command,
      note: `Chromium headless, fresh context each load, ${run.campaigns} campaigns listed; loads ${run.firstPaintMs.map((ms) => Math.round(ms)).join(', ')} ms`,
    }),
  ];
}
