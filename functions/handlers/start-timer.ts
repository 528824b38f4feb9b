import { parseEnv, startTimerEnvSchema } from '../adapters/config.js';
import { startTimerDependencies } from './wiring.js';
import { createStartTimerHandler } from '../delivery/start-timer.js';
import { installSourceMappedStacks } from '../telemetry/stack-traces.js';

installSourceMappedStacks();
export const handler = createStartTimerHandler(startTimerDependencies(parseEnv(startTimerEnvSchema)));
