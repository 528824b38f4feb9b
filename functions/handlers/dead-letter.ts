import { deadLetterEnvSchema, parseEnv } from '../adapters/config.js';
import { deadLetterDependencies } from './wiring.js';
import { createDeadLetterHandler } from '../delivery/dead-letter.js';

export const handler = createDeadLetterHandler(deadLetterDependencies(parseEnv(deadLetterEnvSchema)));
