import { inboxAuthorizerEnvSchema, parseEnv } from '../adapters/config.js';
import { createInboxAuthorizerHandler } from '../api/inbox-authorizer.js';
import { inboxAuthorizerDependencies } from './wiring.js';
import { installSourceMappedStacks } from '../telemetry/stack-traces.js';

installSourceMappedStacks();
export const handler = createInboxAuthorizerHandler(inboxAuthorizerDependencies(parseEnv(inboxAuthorizerEnvSchema)));
