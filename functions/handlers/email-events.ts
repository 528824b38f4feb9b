import { emailEventsEnvSchema, parseEnv } from '../adapters/config.js';
import { createEmailEventsHandler } from '../delivery/email-events.js';
import { emailEventsDependencies } from './wiring.js';
import { installSourceMappedStacks } from '../telemetry/stack-traces.js';

installSourceMappedStacks();
export const handler = createEmailEventsHandler(emailEventsDependencies(parseEnv(emailEventsEnvSchema)));
