/**
 * The admin web app in a real browser (Debian's Chromium through playwright-core) against the
 * local runtime: clients added, edited, opted out and imported from a CSV with a bad row; a
 * campaign built with a filter and its audience count, a server-side error shown by its field,
 * started, paused, resumed and watched until every message is sent; a message opened. Every page
 * passes axe-core with no serious or critical violation, and fits a 375 px wide screen.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { useAdminApp } from '../support/admin-app.js';
import { expectAccessible, expectNoSidewaysScroll } from '../support/browser.js';
import { uniqueSuffix } from '../support/aws.js';

const app = useAdminApp();
const tag = `web-${uniqueSuffix()}`.slice(0, 40);
/** Phones of this run: 79 + 9 digits unique enough within its own tables. */
const base = 790_000_0000 + Math.floor(Math.random() * 1_000_000) * 100;
const phoneOf = (i: number) => `7${base + i}`;
const IMPORTED = 20;

describe('the admin web app', { timeout: 120_000 }, () => {
  it('adds, finds, edits and opts out a client, and imports a CSV offering its rejected row for download', async () => {
    const page = await app.open('clients', 'clients');
    await page.getByRole('heading', { name: 'Clients' }).waitFor();
    await expectAccessible(page, 'the clients page');

    await page.getByRole('button', { name: 'Add client' }).click();
    const newClient = page.getByRole('form', { name: 'New client' });
    await newClient.getByLabel('Phone (7XXXXXXXXXX)').fill(phoneOf(0));
    await newClient.getByLabel('E-mail address').fill(`Anna.${phoneOf(0)}@Example.com`);
    await newClient.getByLabel('Time zone').fill('Europe/Moscow');
    await newClient.getByLabel('Tag', { exact: true }).fill(tag);
    await expectAccessible(page, 'the new client form');
    await newClient.getByRole('button', { name: 'Add client' }).click();
    await newClient.waitFor({ state: 'detached' });

    await page.getByLabel('Phone', { exact: true }).fill(phoneOf(0));
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.locator(`tr[data-phone="${phoneOf(0)}"]`);
    await expect.poll(() => row.count()).toBe(1);
    // The address as stored: lower-cased.
    await expect.poll(() => row.locator('td').nth(1).textContent()).toBe(`anna.${phoneOf(0)}@example.com`);
    await row.getByRole('button', { name: /^Edit/ }).click();
    const editForm = page.getByRole('form', { name: `Edit ${phoneOf(0)}` });
    await editForm.getByLabel('Name', { exact: true }).fill('Anna');
    await editForm.getByRole('checkbox', { name: 'E-mail' }).check();
    await expectAccessible(page, 'the edit client form');
    await page.getByRole('button', { name: 'Save client' }).click();
    await expect.poll(() => row.locator('td').nth(2).textContent()).toBe('Anna');
    // Opted out of e-mail only, then of everything.
    await expect.poll(() => row.locator('td').nth(6).textContent()).toBe('email');
    await row.getByRole('button', { name: /^Opt out/ }).click();
    await expect.poll(() => row.locator('td').nth(6).textContent()).toBe('yes');

    const lines = ['phone,timezone,tag,name', ...Array.from({ length: IMPORTED }, (_, i) => `${phoneOf(i + 1)},Europe/Moscow,${tag},Client ${i + 1}`)];
    lines.splice(5, 0, `not-a-phone,Europe/Moscow,${tag},Bad Row`);
    await page.getByLabel('CSV file').setInputFiles({ name: 'clients.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
    const summary = page.getByTestId('import-summary');
    await expect.poll(() => summary.textContent()).toMatch(`${IMPORTED} created, 1 rejected`);
    expect(await page.locator('#import-progress').getAttribute('value')).toBe(String(IMPORTED + 1));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download the rejected rows/ }).click()]);
    const rejected = await readFile((await download.path()) as string, 'utf8');
    expect(rejected.split(/\r\n/).filter(Boolean)).toEqual([
      'phone,timezone,tag,name,status,error',
      expect.stringMatching(/^not-a-phone,Europe\/Moscow,.*,Bad Row,400,phone: /),
    ]);
    await expectAccessible(page, 'the clients page after an import');
    await page.close();
  });

  it('builds a campaign with a live audience count, shows a server error by its field, and runs it through pause and resume to sent', async () => {
    const page = await app.open('campaigns/new', 'campaign');
    await page.getByLabel('Tags (comma-separated)').fill(tag);
    // Every client with the tag, the opted-out one included (it is suppressed at send time).
    await expect.poll(() => page.getByTestId('audience-count').textContent()).toBe(`Audience: ${IMPORTED + 1} clients`);
    await page.getByLabel('Text (Liquid template)').fill('Hi {{ name }}!');
    await expect.poll(() => page.getByTestId('preview-text').textContent()).toBe('Hi <name>!');
    await expect.poll(() => page.getByTestId('preview-cost').textContent()).toMatch(/^GSM-7, \d+ characters, 1 segment$/);
    // Two a second: the campaign runs for about ten seconds, time enough to pause it on the way.
    await page.getByLabel('Rate limit (messages per second, optional)').fill('2');
    await expectAccessible(page, 'the new campaign form');

    // The server refuses an end before the start, naming endAt: the message shows beside that field.
    const start = await page.getByLabel('Start', { exact: true }).inputValue();
    await page.getByLabel('End', { exact: true }).fill('2020-01-01T00:00');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    const endError = page.locator('[data-field-error="endAt"]');
    await expect.poll(() => endError.textContent()).toMatch(/^endAt: /);
    expect(await page.getByLabel('End', { exact: true }).getAttribute('aria-describedby')).toBe('endAt-error');
    expect(await page.locator('[data-field-error="text"]').count()).toBe(0);
    await expectAccessible(page, 'the campaign form with an error');

    const end = new Date(Date.parse(start) + 60 * 60_000);
    const pad = (value: number) => String(value).padStart(2, '0');
    await page
      .getByLabel('End', { exact: true })
      .fill(`${end.getFullYear()}-${pad(end.getMonth() + 1)}-${pad(end.getDate())}T${pad(end.getHours())}:${pad(end.getMinutes())}`);
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.waitForURL(/\/admin\/campaigns\/\d+$/);
    const title = page.getByRole('heading', { level: 1 });
    await expect.poll(() => title.textContent()).toMatch(/running|finished/);

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Yes, pause' }).click();
    await expect.poll(() => title.textContent()).toMatch(/paused/);
    await expectAccessible(page, 'the paused campaign');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expectAccessible(page, 'the confirmation dialog');
    await page.getByRole('dialog').getByRole('button', { name: 'Yes, resume' }).click();
    await expect.poll(() => title.textContent()).toMatch(/running|finished/);

    if (process.env.HERALD_DOCS_SCREENSHOT) {
      // `HERALD_DOCS_SCREENSHOT=1` refreshes the admin app guide's picture of this page (docs/guides/admin-app.md), taken while it sends.
      await expect.poll(async () => Number(await page.getByTestId('count-sent').textContent()), { timeout: 60_000 }).toBeGreaterThanOrEqual(IMPORTED / 2);
      await page.screenshot({ path: 'docs/admin-campaign.png', fullPage: true });
    }
    await expect.poll(() => page.getByTestId('count-sent').textContent(), { timeout: 60_000 }).toBe(String(IMPORTED));
    await expect.poll(() => title.textContent()).toMatch(/finished/);
    // The chart drew the counts as they came, ending at every message sent.
    const chart = page.locator('[data-points]');
    await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThan(2);
    await expect.poll(() => chart.getAttribute('aria-label')).toMatch(`, ${IMPORTED} sent`);
    expect(await page.locator('.chart canvas').count()).toBe(1);
    await expectAccessible(page, 'the finished campaign');

    // After a reload the chart starts from the sent messages' times the API gives, not from nothing.
    await page.reload();
    await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
    expect(await chart.getAttribute('aria-label')).toMatch(`, ${IMPORTED} sent`);

    await page.getByLabel('Status', { exact: true }).selectOption('sent');
    const firstMessage = page.locator('table tbody tr a').first();
    await firstMessage.waitFor();
    const messageId = await firstMessage.textContent();
    await firstMessage.click();
    await page.waitForURL(new RegExp(`/admin/messages/${messageId}$`));
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(`Message ${messageId}`);
    await expect.poll(() => page.locator('.facts .badge').textContent()).toBe('sent');
    expect(await page.getByTestId('attempts').textContent()).toMatch(/^[1-9]\d*$/);
    await expectAccessible(page, 'a message');
    await page.close();
  });

  it('lists campaigns with status, progress and counts, and every page fits 375 px', async () => {
    const page = await app.open('', 'narrow', 375);
    const card = page.locator('[data-campaign]').first();
    await card.waitFor();
    expect(await card.locator('.badge').textContent()).toBe('finished');
    expect(await card.getByRole('img').getAttribute('aria-label')).toBe(`Messages: queued 0, sent ${IMPORTED}, failed 0, expired 0, cancelled 0`);
    expect(await card.locator('progress').count()).toBe(1);
    await expectAccessible(page, 'the campaigns list');
    await expectNoSidewaysScroll(page, 'the campaigns list');
    const id = (await card.getAttribute('data-campaign')) as string;
    for (const path of [`campaigns/${id}`, 'campaigns/new', 'clients']) {
      await page.goto(`${app.runtime.url}/admin/${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForTimeout(300);
      await expectNoSidewaysScroll(page, `/admin/${path}`);
    }
    await page.close();
  });
});
