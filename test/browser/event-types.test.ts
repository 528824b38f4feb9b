/**
 * The admin app's event-types page in a real browser (Chromium through playwright-core) against
 * the local runtime: an event type created with two SMS steps (each previewed), listed, and
 * test-fired for a client, its steps' statuses followed live until both are sent; an e-mail and an
 * in-app step previewed for their channels with the event's variables as placeholders, and a bad
 * template's refusal shown by its step. The pages pass axe-core with no serious or critical violation.
 */
import { describe, expect, it } from 'vitest';
import { useAdminApp } from '../support/admin-app.js';
import { expectAccessible } from '../support/browser.js';
import { callApi } from '../support/e2e.js';

const app = useAdminApp();

describe('the event-types page', { timeout: 120_000 }, () => {
  it('creates an event type step by step with previews, lists it, and test-fires it with the steps shown live until sent', async () => {
    const client = await callApi<{ id: string }>(app.runtime, 'POST', '/clients', { phone: '79155550001', timezone: 'UTC', name: 'Anna' });
    const page = await app.open('event-types/new', 'event-types');
    await page.getByRole('heading', { name: 'New event type' }).waitFor();
    await page.getByLabel('Key').fill('welcome');
    await page.getByLabel('Name', { exact: true }).fill('Welcome');
    await page.locator('#step-0-text').fill('Hello {{ name }}');
    await expect.poll(() => page.getByTestId('step-0').locator('.preview').textContent()).toContain('Hello <name>');
    await page.getByRole('button', { name: 'Add a step' }).click();
    await page.locator('#step-1-text').fill('Still there?');
    await page.locator('#step-1-delaySeconds').fill('2');
    await expectAccessible(page, 'the new event type form');
    // A field on the wrong channel is refused by the server and shown by its step's field.
    await page.locator('#step-1-channel').selectOption('email');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('[data-field-error="step-1-channel"], [data-field-error="step-1-subject"]').first().waitFor();
    await page.locator('#step-1-channel').selectOption('sms');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Event type welcome' }).waitFor();

    await page.getByLabel('Client id').fill(client.body.id);
    await page.getByRole('button', { name: 'Fire' }).click();
    const steps = page.getByTestId('event-steps');
    await expect
      .poll(() => steps.locator('tbody tr').allTextContents(), { timeout: 60_000 })
      .toEqual([expect.stringMatching(/^1sms\s*sent/), expect.stringMatching(/^2sms\s*sent/)]);
    await expectAccessible(page, 'the event type page after a test fire');

    await page.getByRole('link', { name: 'Event types' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'welcome' }).count()).toBe(1);
    await page.close();
  });

  it("previews an e-mail step's subject and html (sandboxed) and an in-app step's card with the event's variables, and a bad template's error by its step", async () => {
    const page = await app.open('event-types/new', 'event-types-channels');
    await page.getByRole('heading', { name: 'New event type' }).waitFor();
    await page.getByLabel('Key').fill('order.shipped');
    const first = page.getByTestId('step-0');
    await page.locator('#step-0-channel').selectOption('email');
    // orderId is none of the client's variables: each event gives it (POST /events, variables).
    await page.locator('#step-0-subject').fill('Order {{ orderId }} for {{ name }}');
    await page.locator('#step-0-html').fill('<p id="greeting">Hello {{ name }}, order {{ orderId }} is on its way</p>');
    await page.locator('#step-0-text').fill('Order {{ orderId }} is on its way');
    await expect.poll(() => first.getByTestId('preview-subject').textContent()).toBe('Subject: Order <orderId> for <name>');
    await expect.poll(() => first.getByTestId('preview-text').textContent()).toBe('Order <orderId> is on its way');
    const iframe = first.getByTestId('preview-html');
    expect(await iframe.getAttribute('sandbox')).toBe('');
    // Placeholders are values like any other: escaped in the html, shown as text in the frame.
    expect(await iframe.getAttribute('srcdoc')).toContain('&lt;orderId&gt;');
    await expect
      .poll(() => page.frameLocator('[data-testid="step-0"] [data-testid="preview-html"]').locator('#greeting').textContent())
      .toBe('Hello <name>, order <orderId> is on its way');

    await page.getByRole('button', { name: 'Add a step' }).click();
    await page.locator('#step-1-channel').selectOption('inapp');
    await page.locator('#step-1-title').fill('Order {{ orderId }} shipped');
    await page.locator('#step-1-text').fill('Hello {{ name }}');
    await page.locator('#step-1-url').fill('/orders/{{ orderId }}');
    const card = page.getByTestId('step-1').getByRole('article', { name: 'In-app message preview of step 2' });
    await expect.poll(() => card.getByTestId('preview-title').textContent()).toBe('Order <orderId> shipped');
    await expect.poll(() => card.getByTestId('preview-text').textContent()).toBe('Hello <name>');
    await expect.poll(() => card.getByTestId('preview-url').textContent()).toBe('/orders/<orderId>');
    await expectAccessible(page, 'the event type form with e-mail and in-app previews');

    // A Liquid syntax error in the subject: the server's refusal, naming the field, shown by its step.
    await page.locator('#step-0-subject').fill('Order {{ orderId ');
    await expect.poll(() => first.locator('.preview .error').textContent()).toMatch(/^subject: is not a valid template/);
    expect(await first.getByTestId('preview-subject').count()).toBe(0);
    expect(await page.getByTestId('step-1').locator('.preview .error').count()).toBe(0);

    // Fixed, the same templates that previewed are what PUT /event-types takes.
    await page.locator('#step-0-subject').fill('Order {{ orderId }} for {{ name }}');
    await expect.poll(() => first.getByTestId('preview-subject').textContent()).toBe('Subject: Order <orderId> for <name>');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Event type order.shipped' }).waitFor();
    await page.close();
  });
});
