import { parseEnv, sendEmailEnvSchema } from '../adapters/config.js';
import { sendEmailDependencies } from './wiring.js';
import { createSendHandler } from '../delivery/send.js';
import { installSourceMappedStacks } from '../telemetry/stack-traces.js';

installSourceMappedStacks();
export const handler = createSendHandler(sendEmailDependencies(parseEnv(sendEmailEnvSchema)));
