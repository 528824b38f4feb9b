/**
 * The admin web app's channels in a real browser (Debian's Chromium through playwright-core) against
 * the local runtime: an e-mail campaign built from the form, its html previewed for a client whose
 * name carries a <script> (shown as text, inside an iframe with an empty sandbox where no script
 * runs), created and watched on its page (channel, unreachable, messages by channel); the in-app
 * form with its card preview; axe-core clean on each new form state.
 */
import { describe, expect, it } from 'vitest';
import { useAdminApp } from '../support/admin-app.js';
import { expectAccessible } from '../support/browser.js';
import { callApi } from '../support/e2e.js';
import { uniqueSuffix } from '../support/aws.js';

const app = useAdminApp();
const tag = `chan-${uniqueSuffix()}`.slice(0, 40);
const base = 790_000_0000 + Math.floor(Math.random() * 1_000_000) * 100;
const phoneOf = (i: number) => `7${base + i}`;
/** A client name that would run in the admin app's origin if the html preview were not escaped and sandboxed. */
const HOSTILE_NAME = `<script>document.body.setAttribute('data-ran', 'name')</script>Eve`;

async function addClient(body: Record<string, unknown>): Promise<string> {
  const created = await callApi<{ id: string }>(app.runtime, 'POST', '/clients', { timezone: 'Europe/Moscow', tag, ...body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

describe('the admin web app on every channel', { timeout: 120_000 }, () => {
  it('builds an e-mail campaign whose html preview shows a client name with a <script> as text, in a sandbox where no script runs, and shows it by channel', async () => {
    const eve = await addClient({ phone: phoneOf(0), email: `eve.${phoneOf(0)}@example.com`, name: HOSTILE_NAME });
    await addClient({ email: `bob.${phoneOf(1)}@example.com`, name: 'Bob' });
    // No e-mail address: unreachable on this channel.
    await addClient({ phone: phoneOf(2), name: 'Carl' });

    const page = await app.open('campaigns/new', 'email-campaign');
    await page.getByRole('radio', { name: 'E-mail' }).check();
    expect(await page.getByLabel('Title (Liquid template)').count()).toBe(0);
    await page.getByLabel('Tags (comma-separated)').fill(tag);
    await expect.poll(() => page.getByTestId('audience-count').textContent()).toBe('Audience: 3 clients');
    await page.getByLabel('Subject (Liquid template)').fill('News for {{ name }}');
    await page.getByLabel('Text (Liquid template)').fill('Hello {{ name }}');
    // The operator's own script too: the sandbox keeps it from running.
    await page
      .getByLabel('HTML (Liquid template, optional)')
      .fill(`<p id="greeting">Hello {{ name }}</p><script>document.body.setAttribute('data-ran', 'template')</script>`);
    await page.getByLabel('Preview for client (id, optional)').fill(eve);

    await expect.poll(() => page.getByTestId('preview-subject').textContent()).toBe(`Subject: News for ${HOSTILE_NAME}`);
    await expect.poll(() => page.getByTestId('preview-text').textContent()).toBe(`Hello ${HOSTILE_NAME}`);
    const iframe = page.getByTestId('preview-html');
    expect(await iframe.getAttribute('sandbox')).toBe('');
    expect(await iframe.getAttribute('srcdoc')).toContain('&lt;script&gt;');
    const frame = page.frameLocator('[data-testid="preview-html"]');
    // The name's markup arrives as text: the paragraph holds it verbatim and no element came of it.
    await expect.poll(() => frame.locator('#greeting').textContent()).toBe(`Hello ${HOSTILE_NAME}`);
    expect(await frame.locator('#greeting script').count()).toBe(0);
    // Neither script ran: not the template's (in the frame's document) nor any in the app's.
    expect(await frame.locator('body').getAttribute('data-ran')).toBeNull();
    expect(await page.locator('body').getAttribute('data-ran')).toBeNull();
    await expectAccessible(page, 'the e-mail campaign form');

    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.waitForURL(/\/admin\/campaigns\/\d+$/);
    expect(await page.getByTestId('channel').textContent()).toBe('E-mail');
    expect(await page.getByTestId('subject').textContent()).toBe('News for {{ name }}');
    await expect.poll(() => page.getByTestId('count-sent').textContent(), { timeout: 60_000 }).toBe('2');
    await expect.poll(() => page.getByTestId('unreachable').textContent()).toBe('1');
    expect(await page.getByTestId('suppressed').textContent()).toBe('0');
    const rows = page.locator('tr[data-message]');
    await expect.poll(() => rows.count()).toBe(2);
    for (const row of await rows.all()) expect(await row.locator('td').nth(1).textContent()).toBe('E-mail');
    expect(await page.getByRole('columnheader', { name: 'Delivery' }).count()).toBe(1);

    // SES's events, once the API reports them on the campaign: the page shows what it says.
    const id = /campaigns\/(\d+)$/.exec(page.url())?.[1] as string;
    const view = await callApi<{ emailEvents?: Record<string, number> }>(app.runtime, 'GET', `/campaigns/${id}`);
    if (view.body.emailEvents) {
      await expect.poll(() => page.getByTestId('email-delivered').textContent()).toMatch(/^\d+$/);
    } else {
      expect(await page.getByTestId('email-delivered').count()).toBe(0);
    }
    await expectAccessible(page, 'the e-mail campaign page');
    await page.close();
  });

  it('offers the in-app fields with the message previewed as a card, and the SMS ones back with their segments', async () => {
    const page = await app.open('campaigns/new', 'inapp-form');
    await page.getByRole('radio', { name: 'In-app' }).check();
    expect(await page.getByLabel('Subject (Liquid template)').count()).toBe(0);
    await page.getByLabel('Title (Liquid template)').fill('Hi {{ name }}');
    await page.getByLabel('Text (Liquid template)').fill('Your order shipped.');
    await page.getByLabel('Link (optional: an https: URL or a path starting with /)').fill('/orders/42');
    const card = page.getByRole('article', { name: 'In-app message preview' });
    await expect.poll(() => card.getByTestId('preview-title').textContent()).toBe('Hi <name>');
    await expect.poll(() => card.getByTestId('preview-text').textContent()).toBe('Your order shipped.');
    await expect.poll(() => card.getByTestId('preview-url').textContent()).toBe('/orders/42');
    expect(await page.locator('iframe').count()).toBe(0);
    await expectAccessible(page, 'the in-app campaign form');

    await page.getByRole('radio', { name: 'SMS' }).check();
    expect(await page.getByLabel('Title (Liquid template)').count()).toBe(0);
    await expect.poll(() => page.getByTestId('preview-cost').textContent()).toMatch(/^GSM-7, \d+ characters, 1 segment$/);
    await page.close();
  });
});
