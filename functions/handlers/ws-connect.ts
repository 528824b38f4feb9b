import { parseEnv, wsConnectionsEnvSchema } from '../adapters/config.js';
import { createWsConnectHandler } from '../api/websocket.js';
import { wsConnectionsDependencies } from './wiring.js';
import { installSourceMappedStacks } from '../telemetry/stack-traces.js';

installSourceMappedStacks();
export const handler = createWsConnectHandler(wsConnectionsDependencies(parseEnv(wsConnectionsEnvSchema)));
