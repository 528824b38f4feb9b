import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonBesideBundle } from '../../functions/adapters/beside-bundle.js';
import { createApiHandler, type ApiDependencies } from '../../functions/api/app.js';
import { generatedOpenApiDocument, openApiDocument, type OpenApiDocument } from '../../functions/api/openapi.js';
import { OPENAPI_FILE } from '../../functions/definitions/functions.js';

const dir = mkdtempSync(path.join(tmpdir(), 'herald-openapi-'));
/** Where a bundle's index.js would lie: the file is read beside it. */
const bundleUrl = pathToFileURL(path.join(dir, 'index.js'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const context = { awsRequestId: 'test', functionName: 'api', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const get = (p: string) =>
  ({
    httpMethod: 'GET',
    path: p,
    resource: '/{proxy+}',
    headers: {},
    queryStringParameters: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'r', path: `/v1${p}` },
  }) as unknown as APIGatewayProxyEvent;
/** No route used here touches a store. */
const handlerWith = (openApiDocument?: () => Promise<OpenApiDocument>) =>
  createApiHandler({ clock: { now: () => new Date() }, ...(openApiDocument ? { openApiDocument } : {}) } as unknown as ApiDependencies);

describe('the OpenAPI document generated at build time', () => {
  it('bin/openapi.ts writes what the local api generates, and the api serves the file as written, under its stage', async () => {
    execFileSync(path.resolve('node_modules/.bin/tsx'), ['bin/openapi.ts', path.join(dir, OPENAPI_FILE)]);
    const fromFile = jsonBesideBundle<OpenApiDocument>(OPENAPI_FILE, bundleUrl);
    expect(await fromFile()).toEqual(generatedOpenApiDocument());
    const served = await handlerWith(fromFile)(get('/openapi.json'), context);
    expect(served.statusCode).toBe(200);
    expect(JSON.parse(served.body)).toEqual(openApiDocument('/v1'));
  });

  it('is served as the file says, not regenerated (negative control: a changed file is served changed)', async () => {
    const other = path.join(dir, 'other');
    execFileSync('mkdir', ['-p', other]);
    writeFileSync(path.join(other, OPENAPI_FILE), JSON.stringify({ ...generatedOpenApiDocument(), info: { title: 'changed', version: '0' } }));
    const served = await handlerWith(jsonBesideBundle(OPENAPI_FILE, pathToFileURL(path.join(other, 'index.js'))))(get('/openapi.json'), context);
    expect(JSON.parse(served.body)).not.toEqual(openApiDocument('/v1'));
    expect(JSON.parse(served.body).info.title).toBe('changed');
  });

  it('without a source, GET /openapi.json is 404', async () => {
    const result = await handlerWith()(get('/openapi.json'), context);
    expect(result.statusCode).toBe(404);
    expect(result.headers?.['Content-Type']).toBe('application/problem+json');
  });
});
