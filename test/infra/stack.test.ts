/**
 * The Herald stack, synthesized once (bundling the four functions with esbuild is the slow
 * part) and checked concern by concern; the cases live in ./cases, one module per construct.
 */
import { afterAll, beforeAll } from 'vitest';
import { adminCases } from './cases/admin.js';
import { apiCases, INBOX_ORIGINS } from './cases/api.js';
import { dataCases } from './cases/data.js';
import { deliveryCases } from './cases/delivery.js';
import { emailCases } from './cases/email.js';
import { functionCases } from './cases/functions.js';
import { observabilityCases } from './cases/observability.js';
import { realtimeCases } from './cases/realtime.js';
import { securityCases, TOKEN_IN_SHELL } from './cases/security.js';
import { SYNTH_TIMEOUT_MS, synthHerald, type SynthesizedHerald } from './fixture.js';

let herald: SynthesizedHerald | undefined;
const savedEnv = { ...process.env };

beforeAll(() => {
  // Whatever the deploying shell holds must not reach the template (checked in ./cases/security.ts).
  process.env.HERALD_PROVIDER_TOKEN = TOKEN_IN_SHELL;
  process.env.PROVIDER_TOKEN = TOKEN_IN_SHELL;
  herald = synthHerald({ inboxOrigins: INBOX_ORIGINS });
}, SYNTH_TIMEOUT_MS);

afterAll(() => {
  process.env = savedEnv;
});

const synthesized = (): SynthesizedHerald => {
  if (!herald) throw new Error('the stack was not synthesized');
  return herald;
};

dataCases(synthesized);
deliveryCases(synthesized);
emailCases(synthesized);
functionCases(synthesized);
apiCases(synthesized);
realtimeCases(synthesized);
observabilityCases(synthesized);
adminCases(synthesized);
securityCases(synthesized);
