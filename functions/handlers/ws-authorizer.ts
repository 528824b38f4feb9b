import { parseEnv, wsAuthorizerEnvSchema } from '../adapters/config.js';
import { createWsAuthorizerHandler } from '../api/websocket.js';
import { wsAuthorizerDependencies } from './wiring.js';
import { installSourceMappedStacks } from '../telemetry/stack-traces.js';

installSourceMappedStacks();
export const handler = createWsAuthorizerHandler(wsAuthorizerDependencies(parseEnv(wsAuthorizerEnvSchema)));
