/**
 * `tsx bin/openapi.ts <file>`: writes the api's OpenAPI document (without `servers`, which the
 * route adds per request) to <file>. The stack runs it when it bundles the api (lib/api.ts), so
 * the deployed document comes from the same generator `npm start` serves from.
 */
import { writeFileSync } from 'node:fs';
import { generatedOpenApiDocument } from '../functions/api/openapi.js';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bin/openapi.ts <file>');
writeFileSync(file, JSON.stringify(generatedOpenApiDocument()));
