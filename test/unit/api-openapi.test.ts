import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/api/openapi.js';

// The generated document is checked as plain JSON, the way a client reads it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const document = openApiDocument() as unknown as Json;
const schemas = document.components.schemas as Json;

/** Every method and path the handler serves, except the documentation itself. */
const served = [
  'post /clients',
  'post /clients/batch',
  'get /clients',
  'get /clients/{id}',
  'patch /clients/{id}',
  'delete /clients/{id}',
  'post /campaigns',
  'post /campaigns/preview',
  'post /campaigns/audience',
  'get /campaigns',
  'get /campaigns/{id}',
  'patch /campaigns/{id}',
  'delete /campaigns/{id}',
  'post /campaigns/{id}/pause',
  'post /campaigns/{id}/resume',
  'get /campaigns/{id}/runs',
  'get /campaigns/{id}/stats',
  'get /stats',
  'get /messages/{id}',
  'post /notices',
  'get /notices/{id}',
  'get /unsubscribe/{token}',
  'post /unsubscribe/{token}',
  'put /event-types/{key}',
  'get /event-types',
  'get /event-types/{key}',
  'delete /event-types/{key}',
  'post /events',
  'get /events/{id}',
  'post /clients/{id}/inbox-token',
  'get /clients/{id}/inbox',
  'get /inbox',
  'get /inbox/count',
  'post /inbox/read-all',
  'post /inbox/{itemId}/read',
  'post /inbox/{itemId}/unread',
  'delete /inbox/{itemId}',
];

describe('the OpenAPI document', () => {
  it('is OpenAPI 3 and describes every route', () => {
    expect(document.openapi).toMatch(/^3\./);
    const documented = Object.entries(document.paths as Json).flatMap(([path, item]) => Object.keys(item as Json).map((method) => `${method} ${path}`));
    expect(documented.sort()).toEqual([...served].sort());
  });
  it('lists paused among the campaign statuses wherever a status is shown', () => {
    for (const name of ['Campaign', 'CampaignStats', 'CampaignSummary']) expect(schemas[name].properties.status.enum).toContain('paused');
  });
  it('describes every error as an application/problem+json Problem', () => {
    for (const [path, item] of Object.entries(document.paths as Json)) {
      for (const [method, operation] of Object.entries(item as Json)) {
        const errors = Object.entries((operation as Json).responses as Json).filter(([status]) => Number(status) >= 400);
        expect(errors.length, `${method} ${path}`).toBeGreaterThan(0);
        for (const [, response] of errors) {
          expect((response as Json).content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
        }
      }
    }
  });
  it('documents the body checks of every route that takes a body', () => {
    for (const [path, method] of [
      ['/clients', 'post'],
      ['/clients/{id}', 'patch'],
      ['/campaigns', 'post'],
      ['/campaigns/{id}', 'patch'],
      ['/campaigns/preview', 'post'],
      ['/campaigns/audience', 'post'],
    ] as const) {
      const operation = document.paths[path][method];
      expect(Object.keys(operation.requestBody.content)).toEqual(['application/json']);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '413', '415']));
    }
  });
  it('refuses unknown fields in its request schemas, as the API does', () => {
    for (const name of ['NewClient', 'ClientPatch', 'NewCampaign', 'CampaignPatch', 'CampaignFilter', 'PreviewRequest', 'AudienceRequest']) {
      expect(schemas[name].additionalProperties, name).toBe(false);
    }
  });
  it('carries the field rules', () => {
    expect(schemas.NewClient.required).toEqual(['timezone']);
    expect(schemas.NewClient.properties.email).toMatchObject({ format: 'email', maxLength: 254 });
    expect(schemas.Client.required).toContain('optOuts');
    expect(schemas.NewClient.properties.phone.pattern).toBe('^7\\d{10}$');
    // An SMS's text is at most 1,000 characters (refused by the schema's channel check); an e-mail part's up to its 100 KB render limit.
    expect(schemas.NewCampaign.properties.text).toMatchObject({ minLength: 1, maxLength: 102_400 });
    expect(schemas.NewCampaign.properties).toHaveProperty('subject');
    expect(schemas.NewCampaign.properties).toHaveProperty('html');
    expect(schemas.ClientPatch.properties.tag.nullable).toBe(true);
  });
  it('lists every status in Counts', () => {
    expect(schemas.Counts.required.sort()).toEqual(['cancelled', 'expired', 'failed', 'queued', 'sent']);
  });
  it('documents list parameters', () => {
    const parameters = document.paths['/clients'].get.parameters as Json[];
    expect(parameters.map((parameter) => `${parameter.in}:${parameter.name}`).sort()).toEqual([
      'query:cursor',
      'query:limit',
      'query:operatorCode',
      'query:phone',
      'query:tag',
    ]);
    const limit = parameters.find((parameter) => parameter.name === 'limit')!;
    expect(limit.schema).toMatchObject({ minimum: 1, maximum: 100, default: 20 });
  });
  it('points its server at where it is served', () => {
    expect(openApiDocument('/prod').servers).toEqual([{ url: '/prod' }]);
    expect(openApiDocument().servers).toEqual([{ url: '/' }]);
  });
});
