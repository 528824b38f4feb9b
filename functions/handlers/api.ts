import { createApiHandler } from '../api/app.js';
import { apiEnvSchema, parseEnv } from '../adapters/config.js';
import { apiDependencies } from './wiring.js';

export const handler = createApiHandler(apiDependencies(parseEnv(apiEnvSchema)));
