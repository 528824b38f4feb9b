/**
 * Serves the admin web app's build (web/dist) at /admin, as CloudFront serves it from S3 on AWS:
 * files by extension with their content type, any other path under /admin answered with
 * index.html (the app routes in the browser), and nothing outside the build directory.
 */
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

export const ADMIN_PREFIX = '/admin';
/** Where `<herald-inbox>` is served, beside the admin app (web/inbox/). */
export const INBOX_SCRIPT_PATH = '/inbox.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/** The file a request path names inside `root`, or undefined when it would leave it. */
export function fileWithin(root: string, relative: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const base = resolve(root);
  const path = resolve(base, normalize(`.${sep}${decoded}`));
  return path === base || path.startsWith(base + sep) ? path : undefined;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

function send(response: ServerResponse, status: number, type: string, body: Buffer | string, cache: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': cache,
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  });
  response.end(body);
}

function refuseMethod(response: ServerResponse): void {
  response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 });
  response.end();
}

/**
 * Answers GET /inbox.js with the built `<herald-inbox>` script (`file`) and says so; false leaves
 * the request to the next server. Any site may load it (it is public code, embedded by the
 * operator's own app), so it is answered to every origin; its name carries no hash, so it is revalidated.
 */
export async function serveInboxScript(request: IncomingMessage, response: ServerResponse, file: string): Promise<boolean> {
  const { pathname } = new URL(request.url ?? '/', 'http://localhost');
  if (pathname !== INBOX_SCRIPT_PATH) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    refuseMethod(response);
    return true;
  }
  if (!(await isFile(file))) {
    send(
      response,
      503,
      'text/plain; charset=utf-8',
      'The inbox element is not built: run `npm run build:web` (npm start builds it when it is missing).\n',
      'no-store',
    );
    return true;
  }
  send(response, 200, CONTENT_TYPES['.js'] as string, await readFile(file), 'no-cache', { 'Access-Control-Allow-Origin': '*' });
  return true;
}

/**
 * Answers a request for /admin or below from `root` and says so; false leaves it to the API.
 * Locally there is no sign-in, so config.json, when the build has none, is `{}`: same origin, no auth.
 */
export async function serveAdmin(request: IncomingMessage, response: ServerResponse, root: string): Promise<boolean> {
  const { pathname } = new URL(request.url ?? '/', 'http://localhost');
  if (pathname !== ADMIN_PREFIX && !pathname.startsWith(`${ADMIN_PREFIX}/`)) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    refuseMethod(response);
    return true;
  }
  if (pathname === ADMIN_PREFIX) {
    response.writeHead(308, { Location: `${ADMIN_PREFIX}/`, 'Content-Length': 0 });
    response.end();
    return true;
  }
  const relative = pathname.slice(ADMIN_PREFIX.length + 1);
  const path = fileWithin(root, relative);
  if (path === undefined) {
    send(response, 400, 'text/plain; charset=utf-8', 'bad path\n', 'no-store');
    return true;
  }
  if (relative !== '' && (await isFile(path))) {
    // Vite names built assets by content hash, so they may be cached for good; the rest is revalidated.
    const cache = relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    send(response, 200, CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream', await readFile(path), cache);
    return true;
  }
  if (relative === 'config.json') {
    send(response, 200, CONTENT_TYPES['.json'] as string, '{}', 'no-store');
    return true;
  }
  // A path with an extension is a missing file; anything else is a route of the app.
  if (extname(relative) !== '') {
    send(response, 404, 'text/plain; charset=utf-8', 'not found\n', 'no-store');
    return true;
  }
  const index = join(root, 'index.html');
  if (!(await isFile(index))) {
    send(
      response,
      503,
      'text/plain; charset=utf-8',
      'The admin app is not built: run `npm run build:web` (npm start builds it when it is missing).\n',
      'no-store',
    );
    return true;
  }
  send(response, 200, CONTENT_TYPES['.html'] as string, await readFile(index), 'no-cache');
  return true;
}
