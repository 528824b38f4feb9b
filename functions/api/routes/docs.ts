/**
 * GET /openapi.json and Swagger UI at /docs, served from the swagger-ui-dist package (no CDN).
 * Links are relative so the page also works under an API Gateway stage path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { NotFoundError } from '../../domain/errors.js';
import type { OpenApiDocument } from '../openapi.js';
import { swaggerUiPage } from '../swagger-page.js';
import { json, type ApiRoute } from '../respond.js';

/** Where the OpenAPI document comes from: generated in process locally, read from beside the bundle on Lambda (functions/handlers/wiring.ts). */
export type OpenApiSource = () => Promise<OpenApiDocument>;

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.map': 'application/json',
  '.html': 'text/html; charset=utf-8',
};
const binary = new Set(['.png']);

/** Looked up on first use, so a missing package costs /docs only, not the whole API. */
let assetDir: string | undefined;
let assetNames: Set<string> | undefined;
function assets(): { dir: string; names: Set<string> } {
  if (!assetDir || !assetNames) {
    // The package's absolutePath(), taken from its own file: the package entry would also
    // load the 1.7 MB browser bundle into the function just to tell us where it lies.
    const absolutePath = createRequire(import.meta.url)('swagger-ui-dist/absolute-path.js') as () => string;
    assetDir = absolutePath();
    // Only the UI's own files: our page replaces index.html and the petstore initializer.
    assetNames = new Set(readdirSync(assetDir).filter((name) => extname(name) in contentTypes));
    assetNames.delete('index.html');
    assetNames.delete('swagger-initializer.js');
  }
  return { dir: assetDir, names: assetNames };
}

/** Where the API is mounted: API Gateway's requestContext.path carries the stage, event.path does not. */
function basePathOf(event: APIGatewayProxyEvent): string {
  const full = event.requestContext?.path ?? event.path;
  return full.endsWith(event.path) ? full.slice(0, full.length - event.path.length) : '';
}

/** The few files a browser asks for, read once per function instance. */
const served = new Map<string, APIGatewayProxyResult>();

function docsAsset(event: APIGatewayProxyEvent): APIGatewayProxyResult {
  // The name comes from the path itself: behind `{proxy+}` pathParameters.proxy is the whole path.
  const name = event.path.slice(event.path.lastIndexOf('/') + 1);
  const { dir, names } = assets();
  if (!names.has(name)) throw new NotFoundError(`no such documentation file: ${name}`);
  const cached = served.get(name);
  if (cached) return cached;
  const extension = extname(name);
  const content = readFileSync(join(dir, name));
  const isBinary = binary.has(extension);
  const result: APIGatewayProxyResult = {
    statusCode: 200,
    headers: { 'Content-Type': contentTypes[extension] ?? 'application/octet-stream', 'Cache-Control': 'public, max-age=86400' },
    body: content.toString(isBinary ? 'base64' : 'utf8'),
    isBase64Encoded: isBinary,
  };
  served.set(name, result);
  return result;
}

/** The document with `servers` pointing at where it is served (the API Gateway stage, locally `/`). */
export function servedAt(document: OpenApiDocument, basePath: string): OpenApiDocument {
  return { ...document, servers: [{ url: basePath || '/' }] };
}

/** Without a source, GET /openapi.json is 404. */
export function docsRoutes(openApiDocument?: OpenApiSource): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/openapi.json',
      handler: async (event) => {
        if (!openApiDocument) throw new NotFoundError('no OpenAPI document here');
        return json(200, servedAt(await openApiDocument(), basePathOf(event)), { 'Cache-Control': 'no-cache' });
      },
    },
    { method: 'GET', path: '/docs', handler: async (event) => swaggerUiPage(event.path) },
    { method: 'GET', path: '/docs/{proxy+}', handler: async (event) => docsAsset(event) },
  ];
}
