/**
 * The layer rule in eslint.config.js, proven live: each forbidden direction is reported on
 * a file placed in that layer, and the allowed direction next to it is not (the negative
 * control that shows the check is not simply failing everything).
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('layers: imports point one way', () => {
  it.each([
    ['functions/domain/x.ts', "import { parseEnv } from '../adapters/config.js';"],
    ['functions/domain/x.ts', "import { logger } from '../telemetry/logger.js';"],
    ['functions/domain/x.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';"],
    ['functions/domain/x.ts', "import { readFileSync } from 'node:fs';"],
    ['functions/domain/x.ts', "import { createRequire } from 'node:module';"],
    ['functions/domain/lazy-packages.ts', "import { readFileSync } from 'node:fs';"],
    ['functions/domain/channels/x.ts', "import { parseEnv } from '../../adapters/config.js';"],
    ['functions/domain/channels/x.ts', "import { create } from 'axios';"],
    ['functions/domain/lazy-packages.ts', "import { parseEnv } from '../adapters/config.js';"],
    ['functions/api/routes/x.ts', "import { DynamoClientStore } from '../../adapters/dynamo/client-store.js';"],
    ['functions/api/routes/x.ts', "import { NewClientSchema } from '../schemas/clients.js';"],
    ['functions/api/routes/x.ts', "import { NewClientSchema } from '../schemas.js';"],
    ['functions/api/x.ts', "import { phone } from './schemas/fields.js';"],
    ['functions/delivery/x.ts', "import { stores } from '../handlers/wiring.js';"],
    ['functions/delivery/x.ts', "import { SQSClient } from '@aws-sdk/client-sqs';"],
    ['functions/services/x.ts', "import { HttpProvider } from '../adapters/provider.js';"],
    ['functions/services/x.ts', "import { json } from '../api/respond.js';"],
    ['functions/adapters/x.ts', "import { campaignService } from '../services/campaigns.js';"],
    ['functions/definitions/x.ts', "import { parseEnv } from '../adapters/config.js';"],
    // A lazily loaded package's values, in any layer: only through lazyPackage on first use.
    ['functions/api/x.ts', "import { makeIdempotent } from '@aws-lambda-powertools/idempotency';"],
    ['functions/handlers/x.ts', "import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';"],
    ['functions/services/x.ts', "import { Liquid } from 'liquidjs';"],
    ['functions/adapters/x.ts', "import { Cron } from 'croner';"],
  ])('%s may not: %s', async (file, code) => {
    expect(await restrictedImports(file, `${code}\nexport const used = [${code.match(/\{ (\w+)/)?.[1]}];\n`)).toHaveLength(1);
  });

  it.each([
    ['functions/domain/x.ts', "import { isOpen } from './messages.js';"],
    ['functions/domain/lazy-packages.ts', "import { createRequire } from 'node:module';"],
    ['functions/domain/channels/x.ts', "import { isOpen } from '../messages.js';"],
    ['functions/services/x.ts', "import { deletion } from '../domain/campaigns.js';"],
    ['functions/api/routes/x.ts', "import { campaignService } from '../../services/campaigns.js';"],
    ['functions/api/routes/x.ts', "export const schemas = () => import('../schemas/clients.js');"],
    ['functions/api/openapi.ts', "import { NewClientSchema } from './schemas.js';"],
    ['functions/api/response-schemas.ts', "import { phone } from './schemas/fields.js';"],
    ['functions/delivery/x.ts', "import { logger } from '../telemetry/logger.js';"],
    ['functions/handlers/x.ts', "import { HttpProvider } from '../adapters/provider.js';"],
    ['functions/adapters/x.ts', "import { tables } from '../definitions/tables.js';"],
    ['functions/api/x.ts', "import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';"],
    ['functions/services/x.ts', "import type { Liquid } from 'liquidjs';"],
  ])('%s may: %s', async (file, code) => {
    expect(await restrictedImports(file, `${code}\nexport const used = [${code.match(/\{ (\w+)/)?.[1]}];\n`)).toEqual([]);
  });

  it('the tree itself keeps the rule', async () => {
    const results = await eslint.lintFiles(['functions/**/*.ts']);
    const broken = results.flatMap((result) =>
      result.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => `${result.filePath}:${message.line} ${message.message}`),
    );
    expect(broken).toEqual([]);
  });
});
