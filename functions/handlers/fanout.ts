import { fanoutEnvSchema, parseEnv } from '../adapters/config.js';
import { fanoutDependencies } from './wiring.js';
import { createFanoutHandler } from '../delivery/fanout.js';
import { installSourceMappedStacks } from '../telemetry/stack-traces.js';

installSourceMappedStacks();
export const handler = createFanoutHandler(fanoutDependencies(parseEnv(fanoutEnvSchema)));
