/**
 * Every request of the REST API as a zod schema, one module per route group under ./schemas/.
 * The routes validate with them and the OpenAPI document (openapi.ts) is generated from them,
 * so the two cannot disagree. The routes import their group's module on its first request,
 * never this one: only openapi.ts (itself loaded on the first GET /openapi.json) and the tests
 * do, so a cold start builds none of them (docs/decisions/011-lazy-loading.md).
 */
export * from './schemas/campaigns.js';
export * from './schemas/clients.js';
export * from './schemas/events.js';
export * from './schemas/fields.js';
export * from './schemas/inbox.js';
export * from './schemas/messages.js';
export * from './schemas/notices.js';
export * from './schemas/stats.js';
export * from './schemas/unsubscribe.js';
