import { parseEnv, tallyEnvSchema } from '../adapters/config.js';
import { createTallyHandler } from '../delivery/tally.js';
import { tallyDependencies } from './wiring.js';

export const handler = createTallyHandler(tallyDependencies(parseEnv(tallyEnvSchema)));
