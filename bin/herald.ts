/** The CDK app `cdk synth` and `cdk deploy` run (cdk.json: `npx tsx bin/herald.ts`). */
import { createHeraldApp } from '../lib/app.js';

const { app } = createHeraldApp();
app.synth();
