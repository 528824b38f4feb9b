/**
 * Serving the admin app's build at /admin: content types, the app's routes answered with index.html, and no way out of the build directory;
 * and the `<herald-inbox>` script at /inbox.js, to any origin.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileWithin, serveAdmin, serveInboxScript } from '../../local/admin-static.js';

const root = mkdtempSync(join(tmpdir(), 'herald-admin-'));
mkdirSync(join(root, 'dist', 'assets'), { recursive: true });
writeFileSync(join(root, 'dist', 'index.html'), '<!doctype html><title>app</title>');
writeFileSync(join(root, 'dist', 'assets', 'index-abc.js'), 'console.log(1)');
writeFileSync(join(root, 'dist', 'assets', 'index-abc.css'), 'body{}');
writeFileSync(join(root, 'secret.txt'), 'outside');
writeFileSync(join(root, 'inbox.js'), 'customElements.define()');
const dist = join(root, 'dist');
let inboxScript = join(root, 'inbox.js');

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    void (async () => (await serveInboxScript(request, response, inboxScript)) || serveAdmin(request, response, dist))().then((served) => {
      if (!served) response.writeHead(418).end('api');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const get = async (path: string) => {
  const response = await fetch(base + path, { redirect: 'manual' });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text(), location: response.headers.get('location') };
};

describe('the admin app at /admin', () => {
  it('answers files with their content types', async () => {
    expect(await get('/admin/assets/index-abc.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8', body: 'console.log(1)' });
    expect(await get('/admin/assets/index-abc.css')).toMatchObject({ status: 200, type: 'text/css; charset=utf-8' });
    expect(await get('/admin/')).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', body: '<!doctype html><title>app</title>' });
  });
  it('answers index.html for the routes of the app, and 404 for a missing file', async () => {
    expect(await get('/admin/campaigns/12')).toMatchObject({ status: 200, body: '<!doctype html><title>app</title>' });
    expect(await get('/admin/assets/missing.js')).toMatchObject({ status: 404 });
  });
  it('redirects /admin to /admin/ and serves {} as config.json when the build has none (local: same origin, no sign-in)', async () => {
    expect(await get('/admin')).toMatchObject({ status: 308, location: '/admin/' });
    expect(await get('/admin/config.json')).toMatchObject({ status: 200, type: 'application/json', body: '{}' });
  });
  it('leaves every other path to the API', async () => {
    expect((await get('/campaigns')).status).toBe(418);
    expect((await get('/administrator')).status).toBe(418);
  });
  it('never answers a file outside the build', async () => {
    for (const path of ['/admin/..%2fsecret.txt', '/admin/assets/..%2f..%2fsecret.txt', '/admin/%2e%2e%2fsecret.txt', '/admin/..%5csecret.txt']) {
      const answer = await get(path);
      expect(answer.body, path).not.toContain('outside');
    }
    expect(fileWithin(dist, '../secret.txt')).toBeUndefined();
    expect(fileWithin(dist, 'assets/../../secret.txt')).toBeUndefined();
    expect(fileWithin(dist, 'a\0b')).toBeUndefined();
    // Negative control: a path inside is found.
    expect(fileWithin(dist, 'assets/index-abc.js')).toBe(join(dist, 'assets', 'index-abc.js'));
  });
});

describe('the inbox element at /inbox.js', () => {
  it('answers the built script as JavaScript to any origin, revalidated (its name has no hash)', async () => {
    const response = await fetch(`${base}/inbox.js`, { headers: { Origin: 'https://shop.example' } });
    expect(response.status).toBe(200);
    expect(Object.fromEntries(['content-type', 'access-control-allow-origin', 'cache-control'].map((name) => [name, response.headers.get(name)]))).toEqual({
      'content-type': 'text/javascript; charset=utf-8',
      'access-control-allow-origin': '*',
      'cache-control': 'no-cache',
    });
    expect(await response.text()).toBe('customElements.define()');
  });
  it('refuses other methods, leaves /inbox.js/x and /admin/inbox.js alone, and says how to build when it is missing', async () => {
    expect((await fetch(`${base}/inbox.js`, { method: 'POST' })).status).toBe(405);
    expect((await get('/inbox.js/x')).status).toBe(418);
    expect((await get('/admin/inbox.js')).status).toBe(404);
    inboxScript = join(root, 'missing.js');
    try {
      expect(await get('/inbox.js')).toMatchObject({ status: 503, body: expect.stringContaining('npm run build:web') });
    } finally {
      inboxScript = join(root, 'inbox.js');
    }
  });
});
