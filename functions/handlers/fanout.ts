import { fanoutEnvSchema, parseEnv } from '../adapters/config.js';
import { fanoutDependencies } from './wiring.js';
import { createFanoutHandler } from '../delivery/fanout.js';

export const handler = createFanoutHandler(fanoutDependencies(parseEnv(fanoutEnvSchema)));
