/** `npm run web:types`: regenerates web/src/api/schema.d.ts from the OpenAPI document (test/unit/admin-api-types.test.ts fails while it is stale). */
import { writeFileSync } from 'node:fs';
import { adminApiTypes, API_TYPES_FILE } from '../local/admin-build.js';

writeFileSync(API_TYPES_FILE, await adminApiTypes());
process.stderr.write(`wrote ${API_TYPES_FILE}\n`);
