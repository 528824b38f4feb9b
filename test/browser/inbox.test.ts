/**
 * `<herald-inbox>` in a real browser (Debian's Chromium through playwright-core) against the local
 * runtime, embedded the way a site embeds it: a page of another origin (a server of the test's
 * own on loopback; a public origin may not reach loopback in Chromium) loads /inbox.js and hands
 * the element a token from POST /clients/{id}/inbox-token. Two clients' widgets in two browser
 * contexts: an in-app campaign to one client's tag reaches that widget through its WebSocket frame
 * (no refetch) and never the other. Two tabs of one client: marking read in one clears the badge
 * of the other. A widget whose network was cut while two items arrived shows both once it is
 * back. axe-core finds nothing in the widget, closed or open, and the admin app shows a client's
 * inbox through the same element.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, Socket, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdmin, INBOX_SCRIPT } from '../../local/admin-build.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { uniqueSuffix } from '../support/aws.js';
import { expectAccessible, launchChromium, screenshotOnFailure } from '../support/browser.js';
import { callApi, startTestRuntime, waitFor } from '../support/e2e.js';

let runtime: LocalRuntime;
let browser: Browser;
const run = uniqueSuffix().slice(-8);
/** Phones of this run: 79 + 9 digits unique enough within its own tables. */
const base = 790_000_0000 + Math.floor(Math.random() * 1_000_000) * 100;
let phones = 0;
/** The site that embeds the widget (test/browser/inbox.test.ts serves it): another origin than the API's. */
let site: { url: string; close(): Promise<void> };

beforeAll(async () => {
  // The browser first: without it the file fails at once, saying how to install it.
  browser = await launchChromium();
  await buildAdmin({ quiet: true });
  runtime = await startTestRuntime();
  site = await startSite();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await runtime?.stop();
});

async function created<T>(method: string, path: string, body?: unknown): Promise<T> {
  const answer = await callApi<T>(runtime, method, path, body);
  if (answer.status !== 201 && answer.status !== 202 && answer.status !== 200)
    throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A client of its own tag, and an inbox token for it. */
async function newClient(): Promise<{ id: string; tag: string; token: string }> {
  const tag = `inbox-${run}-${phones}`;
  const client = await created<{ id: string }>('POST', '/clients', { phone: `7${base + phones++}`, timezone: 'Europe/Moscow', tag });
  const { token } = await created<{ token: string; expiresAt: string }>('POST', `/clients/${client.id}/inbox-token`, {});
  return { id: client.id, tag, token };
}

/** An in-app notice to `clientId`, once it is sent (its inbox item written). */
async function sendNotice(clientId: string, title: string): Promise<void> {
  const notice = await created<{ id: number | string }>('POST', '/notices', { clientId, channel: 'inapp', title, text: `About ${title}` });
  await waitFor(
    `notice ${notice.id} sent`,
    async () => (await callApi<{ status: string }>(runtime, 'GET', `/notices/${notice.id}`)).body.status,
    (status) => status === 'sent',
  );
}

/** What a test reads of one page holding the widget: its GET /inbox calls, the frames it received, the sockets it opened. */
interface Widget {
  page: Page;
  inboxGets(): number;
  pendingRequests(): number;
  frames(): { type: string; count?: number; item?: { title: string } }[];
  sockets(): number;
}

/** A page of a site embedding the widget as its README shows: the script from the API's server, the token from the site's backend. */
function hostPage(api: string, ws: string, token: string): string {
  const attribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Shop</title></head>
  <body>
    <header><h1>Shop</h1><herald-inbox api="${attribute(api)}" ws="${attribute(ws)}"></herald-inbox></header>
    <script src="${attribute(api)}/inbox.js"></script>
    <script>document.querySelector('herald-inbox').token = ${JSON.stringify(token).replace(/</g, '\\u003c')};</script>
  </body>
</html>`;
}

/** The embedding site: a server of its own on loopback (another port, so another origin), answering the page for the api, ws and token in its query. */
async function startSite(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createHttpServer((request, response) => {
    const query = new URL(request.url ?? '/', 'http://site').searchParams;
    const body = hostPage(query.get('api') ?? '', query.get('ws') ?? '', query.get('token') ?? '');
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function newContext(): Promise<BrowserContext> {
  // A context of its own per client: axe-core injects its script through the context.
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  context.setDefaultTimeout(20_000);
  return context;
}

/** Opens the site in `context` with the widget given `token`; resolves once its socket is open and its first fetches are answered. */
async function openWidget(context: BrowserContext, token: string, name: string, endpoint = runtime.url): Promise<Widget> {
  const page = await context.newPage();
  screenshotOnFailure(page, name);
  const ws = `${endpoint.replace(/^http/, 'ws')}/ws`;
  let inboxGets = 0;
  let pending = 0;
  let sockets = 0;
  const frames: ReturnType<Widget['frames']> = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!url.href.startsWith(endpoint)) return;
    pending++;
    if (request.method() === 'GET' && url.pathname === '/inbox') inboxGets++;
  });
  const settle = (request: { url(): string }) => {
    if (request.url().startsWith(endpoint)) pending--;
  };
  page.on('requestfinished', settle);
  page.on('requestfailed', settle);
  page.on('websocket', (socket) => {
    sockets++;
    socket.on('framereceived', ({ payload }) => frames.push(JSON.parse(String(payload)) as ReturnType<Widget['frames']>[number]));
  });
  await page.goto(`${site.url}/?${new URLSearchParams({ api: endpoint, ws, token })}`);
  await page.locator('herald-inbox[data-connection="open"]').waitFor({ state: 'attached' });
  const widget: Widget = { page, inboxGets: () => inboxGets, pendingRequests: () => pending, frames: () => frames, sockets: () => sockets };
  await settled(widget);
  return widget;
}

/** Waits until no request of the widget is in flight (the fetch on open included). */
async function settled(widget: Widget): Promise<void> {
  await expect.poll(() => widget.pendingRequests()).toBe(0);
}

const bell = (page: Page) => page.locator('herald-inbox').getByRole('button', { name: /^Notifications/ });
const listed = (page: Page, title: string) => page.locator('herald-inbox li').filter({ hasText: title });
const badgeLabel = (page: Page) => bell(page).getAttribute('aria-label');

/** axe-core on the widget alone: no violation of any impact. */
async function expectWidgetAccessible(page: Page, what: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).include('herald-inbox').analyze();
  expect(
    violations.map(
      (violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    ),
    `accessibility of ${what}`,
  ).toEqual([]);
}

/**
 * A TCP relay between the browser and the runtime whose network can be cut: cut() destroys every
 * connection through it (the WebSocket drops as on a lost network) and refuses new ones until restore().
 */
async function startRelay(target: string): Promise<{ url: string; cut(): void; restore(): void; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  let cut = false;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    client.on('error', () => undefined);
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    upstream.on('error', () => client.destroy());
    upstream.connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut() {
      cut = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      cut = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('<herald-inbox>', { timeout: 180_000 }, () => {
  it('is one classic script of at most 30 KB gzipped, served at /inbox.js', async () => {
    const response = await fetch(`${runtime.url}/inbox.js`);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const script = Buffer.from(await response.arrayBuffer());
    expect(script.equals(readFileSync(INBOX_SCRIPT))).toBe(true);
    expect(gzipSync(script, { level: 9 }).length).toBeLessThanOrEqual(30 * 1024);
    // No module syntax: a plain <script src> runs it, and nothing else is fetched.
    expect(script.toString('utf8')).not.toMatch(/^\s*(import|export)\s/m);
    expect(script.toString('utf8')).toContain('customElements.define(`herald-inbox`');
  });

  it("shows an in-app campaign to one tag in that client's widget through its WebSocket frame, and never in the other's", async () => {
    const [reached, other] = await Promise.all([newClient(), newClient()]);
    const [contextReached, contextOther] = await Promise.all([newContext(), newContext()]);
    try {
      const [widget, otherWidget] = await Promise.all([
        openWidget(contextReached, reached.token, 'inbox-campaign-reached'),
        openWidget(contextOther, other.token, 'inbox-campaign-other'),
      ]);
      expect(await badgeLabel(widget.page)).toBe('Notifications, none unread');
      const fetchesBefore = widget.inboxGets();

      const title = `Sale ${run}`;
      const hour = 3_600_000;
      const campaign = await created<{ id: string }>('POST', '/campaigns', {
        channel: 'inapp',
        title,
        text: 'Everything half price',
        url: '/sale',
        startAt: new Date(Date.now() - 60_000).toISOString(),
        endAt: new Date(Date.now() + hour).toISOString(),
        filter: { tags: [reached.tag] },
      });

      // The frame arrives and the widget shows it, with no fetch of the list in between.
      await expect.poll(() => widget.frames().some((frame) => frame.type === 'notification' && frame.item?.title === title)).toBe(true);
      await bell(widget.page).click();
      await listed(widget.page, title).waitFor();
      await expect.poll(() => badgeLabel(widget.page)).toBe('Notifications, 1 unread');
      expect(await widget.page.locator('herald-inbox .badge').textContent()).toBe('1');
      expect(await listed(widget.page, title).getByRole('link', { name: title }).getAttribute('href')).toBe(`${site.url}/sale`);
      expect(widget.inboxGets()).toBe(fetchesBefore);

      // By the time the campaign has sent its one message, a frame for the other client would have come too.
      await waitFor(
        `campaign ${campaign.id} sent its message`,
        async () => (await callApi<{ counts: { sent: number } }>(runtime, 'GET', `/campaigns/${campaign.id}`)).body.counts?.sent,
        (sent) => sent === 1,
      );
      await settled(otherWidget);
      expect(otherWidget.frames().filter((frame) => frame.type === 'notification')).toEqual([]);
      await bell(otherWidget.page).click();
      await otherWidget.page.getByText('No notifications yet.').waitFor();
      expect(await listed(otherWidget.page, title).count()).toBe(0);
      expect(await badgeLabel(otherWidget.page)).toBe('Notifications, none unread');
      // Negative control of the check above: the widget that was reached did get the frame the other did not.
      expect(widget.frames().filter((frame) => frame.type === 'notification')).toHaveLength(1);
    } finally {
      await Promise.all([contextReached.close(), contextOther.close()]);
    }
  });

  it('clears the badge of a second tab of the same client when an item is marked read in the first, through the unread frame', async () => {
    const client = await newClient();
    const context = await newContext();
    try {
      const title = `Receipt ${run}`;
      await sendNotice(client.id, title);
      const [first, second] = [await openWidget(context, client.token, 'inbox-tab-1'), await openWidget(context, client.token, 'inbox-tab-2')];
      for (const tab of [first, second]) await expect.poll(() => badgeLabel(tab.page)).toBe('Notifications, 1 unread');
      await bell(second.page).click();
      await listed(second.page, title)
        .getByRole('button', { name: `Mark read: ${title}` })
        .waitFor();
      const fetchesBefore = second.inboxGets();

      await bell(first.page).click();
      await listed(first.page, title)
        .getByRole('button', { name: `Mark read: ${title}` })
        .click();
      await expect.poll(() => badgeLabel(first.page)).toBe('Notifications, none unread');

      await expect.poll(() => badgeLabel(second.page)).toBe('Notifications, none unread');
      expect(await second.page.locator('herald-inbox .badge').isHidden()).toBe(true);
      expect(second.frames()).toContainEqual({ type: 'unread', count: 0 });
      await listed(second.page, title)
        .getByRole('button', { name: /^Mark read/ })
        .waitFor({ state: 'detached' });
      expect(second.inboxGets()).toBe(fetchesBefore);
    } finally {
      await context.close();
    }
  });

  it('shows both items that arrived while its network was cut once it is back, having reconnected and fetched them', async () => {
    const client = await newClient();
    const relay = await startRelay(runtime.url);
    const context = await newContext();
    try {
      const widget = await openWidget(context, client.token, 'inbox-offline', relay.url);
      await bell(widget.page).click();
      await widget.page.getByText('No notifications yet.').waitFor();
      expect(widget.sockets()).toBe(1);

      await context.setOffline(true);
      relay.cut();
      await widget.page.locator('herald-inbox[data-connection="closed"]').waitFor({ state: 'attached' });
      const titles = [`Offline one ${run}`, `Offline two ${run}`];
      for (const title of titles) await sendNotice(client.id, title);
      // Sent while it was cut off: nothing reached it.
      expect(await widget.page.locator('herald-inbox li').count()).toBe(0);
      expect(widget.frames().filter((frame) => frame.type === 'notification')).toEqual([]);

      relay.restore();
      await context.setOffline(false);
      await widget.page.locator('herald-inbox[data-connection="open"]').waitFor({ state: 'attached', timeout: 60_000 });
      for (const title of titles) await listed(widget.page, title).waitFor();
      await expect.poll(() => badgeLabel(widget.page)).toBe('Notifications, 2 unread');
      expect(widget.sockets()).toBeGreaterThanOrEqual(2);
      // Newest first, as GET /inbox lists them.
      expect(await widget.page.locator('herald-inbox li .title').allTextContents()).toEqual([...titles].reverse());
    } finally {
      await context.close();
      await relay.close();
    }
  });

  it('passes axe-core with no violation, closed and open, and works from the keyboard', async () => {
    const client = await newClient();
    const context = await newContext();
    try {
      await sendNotice(client.id, `Keyboard ${run}`);
      const widget = await openWidget(context, client.token, 'inbox-a11y');
      const { page } = widget;
      await expect.poll(() => badgeLabel(page)).toBe('Notifications, 1 unread');
      await expectWidgetAccessible(page, 'the closed widget');
      expect(await page.locator('herald-inbox [role="status"]').textContent()).toBe('1 unread notification');

      await bell(page).focus();
      await page.keyboard.press('Enter');
      expect(await bell(page).getAttribute('aria-expanded')).toBe('true');
      await listed(page, `Keyboard ${run}`).waitFor();
      await expectWidgetAccessible(page, 'the open widget with an unread item');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.querySelector("herald-inbox").shadowRoot.activeElement?.textContent')).toBe('Mark read');
      await page.keyboard.press('Enter');
      await expect.poll(() => badgeLabel(page)).toBe('Notifications, none unread');
      await expectWidgetAccessible(page, 'the open widget after reading');
      await page.keyboard.press('Escape');
      expect(await bell(page).getAttribute('aria-expanded')).toBe('false');
      expect(await page.evaluate('document.querySelector("herald-inbox").shadowRoot.activeElement?.classList.contains("bell")')).toBe(true);
    } finally {
      await context.close();
    }
  });

  it("shows a client's inbox in the admin app through the same element", async () => {
    const client = await newClient();
    await sendNotice(client.id, `Admin view ${run}`);
    const context = await newContext();
    try {
      const page = await context.newPage();
      screenshotOnFailure(page, 'inbox-admin');
      await page.goto(`${runtime.url}/admin/clients/${client.id}/inbox`);
      await listed(page, `Admin view ${run}`).waitFor();
      await expect.poll(() => badgeLabel(page)).toBe('Notifications, 1 unread');
      await expectAccessible(page, "a client's inbox in the admin app");
    } finally {
      await context.close();
    }
  });
});
