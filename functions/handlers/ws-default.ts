import { parseEnv, wsDefaultEnvSchema } from '../adapters/config.js';
import { createWsDefaultHandler } from '../api/websocket.js';
import { wsDefaultDependencies } from './wiring.js';
import { installSourceMappedStacks } from '../telemetry/stack-traces.js';

installSourceMappedStacks();
export const handler = createWsDefaultHandler(wsDefaultDependencies(parseEnv(wsDefaultEnvSchema)));
