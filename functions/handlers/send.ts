import { parseEnv, sendEnvSchema } from '../adapters/config.js';
import { sendDependencies } from './wiring.js';
import { createSendHandler } from '../delivery/send.js';
import { installSourceMappedStacks } from '../telemetry/stack-traces.js';

installSourceMappedStacks();
export const handler = createSendHandler(sendDependencies(parseEnv(sendEnvSchema)));
