import { parseEnv, tallyEnvSchema } from '../adapters/config.js';
import { createTallyHandler } from '../delivery/tally.js';
import { tallyDependencies } from './wiring.js';
import { installSourceMappedStacks } from '../telemetry/stack-traces.js';

installSourceMappedStacks();
export const handler = createTallyHandler(tallyDependencies(parseEnv(tallyEnvSchema)));
