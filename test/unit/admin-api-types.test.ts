/** The admin app's typed client is generated from the API's OpenAPI document; the committed file must be what the document gives now. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/api/openapi.js';
import { adminApiTypes, API_TYPES_FILE } from '../../local/admin-build.js';

describe('web/src/api/schema.d.ts', () => {
  it('is what openapi-typescript makes of the served document (npm run web:types regenerates it)', async () => {
    const committed = readFileSync(API_TYPES_FILE, 'utf8');
    expect(committed === (await adminApiTypes()), 'web/src/api/schema.d.ts is stale: run `npm run web:types`').toBe(true);
  });
  it('would be reported stale after any change to the document (negative control)', async () => {
    const document = openApiDocument();
    const changed = structuredClone(document) as unknown as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    (changed.components.schemas.Campaign as { properties: Record<string, unknown> }).properties.colour = { type: 'string' };
    const regenerated = await adminApiTypes(changed);
    expect(regenerated).not.toBe(readFileSync(API_TYPES_FILE, 'utf8'));
    expect(regenerated).toContain('colour?: string');
  });
});
