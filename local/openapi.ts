/**
 * The OpenAPI document as the local api serves it: generated in process, by the generator the
 * stack runs at build time for the deployed api (bin/openapi.ts), and imported on the first
 * request so the request schemas cost the start nothing.
 */
import type { OpenApiSource } from '../functions/api/routes/docs.js';

export const generatedOpenApi: OpenApiSource = async () => (await import('../functions/api/openapi.js')).generatedOpenApiDocument();
