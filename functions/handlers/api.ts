import { createApiHandler } from '../api/app.js';
import { apiEnvSchema, parseEnv } from '../adapters/config.js';
import { apiDependencies } from './wiring.js';
import { installSourceMappedStacks } from '../telemetry/stack-traces.js';

installSourceMappedStacks();
export const handler = createApiHandler(apiDependencies(parseEnv(apiEnvSchema)));
