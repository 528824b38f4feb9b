import { parseEnv, sendEmailEnvSchema } from '../adapters/config.js';
import { sendEmailHandler } from './email-wiring.js';
import { installSourceMappedStacks } from '../telemetry/stack-traces.js';

installSourceMappedStacks();
export const handler = sendEmailHandler(parseEnv(sendEmailEnvSchema));
