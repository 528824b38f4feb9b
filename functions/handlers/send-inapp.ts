import { parseEnv, sendInappEnvSchema } from '../adapters/config.js';
import { sendInappDependencies } from './wiring.js';
import { createSendHandler } from '../delivery/send.js';
import { installSourceMappedStacks } from '../telemetry/stack-traces.js';

installSourceMappedStacks();
export const handler = createSendHandler(sendInappDependencies(parseEnv(sendInappEnvSchema)));
