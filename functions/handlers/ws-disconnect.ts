import { parseEnv, wsConnectionsEnvSchema } from '../adapters/config.js';
import { createWsDisconnectHandler } from '../api/websocket.js';
import { wsConnectionsDependencies } from './wiring.js';
import { installSourceMappedStacks } from '../telemetry/stack-traces.js';

installSourceMappedStacks();
export const handler = createWsDisconnectHandler(wsConnectionsDependencies(parseEnv(wsConnectionsEnvSchema)));
