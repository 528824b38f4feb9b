import { deadLetterEnvSchema, parseEnv } from '../adapters/config.js';
import { deadLetterDependencies } from './wiring.js';
import { createDeadLetterHandler } from '../delivery/dead-letter.js';
import { installSourceMappedStacks } from '../telemetry/stack-traces.js';

installSourceMappedStacks();
export const handler = createDeadLetterHandler(deadLetterDependencies(parseEnv(deadLetterEnvSchema)));
