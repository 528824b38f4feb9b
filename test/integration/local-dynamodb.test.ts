import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DescribeTableCommand, DynamoDBServiceException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableList, tables } from '../../functions/definitions/tables.js';
import { checkJava, createTables, javaMajorVersion, JavaMissingError, localDynamoClient, startDynamoDbLocal } from '../../local/dynamodb.js';
import { dynamoClient, uniqueSuffix } from '../support/aws.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((wake) => setTimeout(wake, 50));
  return !alive(pid);
}

describe('checkJava', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-java-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the major version of old and new version strings', () => {
    expect(javaMajorVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajorVersion('java version "1.8.0_292"')).toBe(8);
    expect(javaMajorVersion('openjdk version "21" 2023-09-19')).toBe(21);
    expect(javaMajorVersion('garbage')).toBeUndefined();
  });

  it('says Java 17+ is needed and how to install it when java is missing', () => {
    const check = () => checkJava(join(dir, 'no-such-java'));
    expect(check).toThrow(JavaMissingError);
    expect(check).toThrow(/Java 17\+.*not found.*apt-get install openjdk-17-jre-headless.*adoptium/i);
  });

  it('refuses a Java older than 17', () => {
    const oldJava = join(dir, 'java11');
    writeFileSync(oldJava, '#!/bin/sh\necho \'openjdk version "11.0.2" 2019-01-15\' >&2\n');
    chmodSync(oldJava, 0o755);
    expect(() => checkJava(oldJava)).toThrow(/needs Java 17\+ \(found Java 11\)/);
  });

  it('accepts the Java on this machine', () => {
    expect(checkJava()).toBeGreaterThanOrEqual(17);
  });
});

describe('createTables', () => {
  let client: DynamoDBClient;
  beforeAll(() => {
    client = dynamoClient();
  });
  afterAll(() => client.destroy());

  it('creates every table with its keys, on-demand billing and indexes projecting ALL; again is a no-op', async () => {
    const suffix = uniqueSuffix();
    const name = (table: { name: string }) => `${table.name}-${suffix}`;
    const names = await createTables(client, tableList, name);
    expect(names).toEqual(Object.fromEntries(tableList.map((table) => [table.name, name(table)])));
    expect(await createTables(client, tableList, name)).toEqual(names);

    for (const table of tableList) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name(table) }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(Table?.KeySchema).toEqual([
        { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
        ...(table.sortKey ? [{ AttributeName: table.sortKey.name, KeyType: 'RANGE' }] : []),
      ]);
      const indexes = (Table?.GlobalSecondaryIndexes ?? []).map((index) => ({
        name: index.IndexName,
        keys: index.KeySchema,
        projection: index.Projection?.ProjectionType,
      }));
      expect(indexes.sort((a, b) => String(a.name).localeCompare(String(b.name)))).toEqual(
        table.indexes
          .map((index) => ({
            name: index.indexName,
            keys: [
              { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
              ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' }] : []),
            ],
            projection: 'ALL',
          }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      );
    }
  });

  it("adds the indexes a table kept from an older version lacks, through DynamoDB Local's InternalFailures", async () => {
    // Its own DynamoDB Local, as at an `npm start` on an old data directory: the run's shared one is
    // busy with every other test file, and builds new indexes in the background only slowly then.
    const own = await startDynamoDbLocal();
    const ownClient = localDynamoClient(own.endpoint);
    // As DynamoDB Local answers now and then while it builds: every other DescribeTable fails, the
    // first index request fails after it was carried out, the second one before.
    const internalFailure = () =>
      new DynamoDBServiceException({
        name: 'InternalFailure',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
        message: 'The request processing has failed because of an unknown error, exception or failure.',
      });
    const seen = { describes: 0, indexRequests: 0 };
    ownClient.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DescribeTableCommand' && ++seen.describes % 2 === 0) throw internalFailure();
        if (context.commandName !== 'UpdateTableCommand') return next(args);
        seen.indexRequests += 1;
        if (seen.indexRequests === 2) throw internalFailure();
        const output = await next(args);
        if (seen.indexRequests === 1) throw internalFailure();
        return output;
      },
      { step: 'initialize', name: 'internalFailures' },
    );
    try {
      const tableName = `clients-old-${uniqueSuffix()}`;
      await ownClient.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        }),
      );
      await createTables(ownClient, [tables.clients], () => tableName);
      ownClient.middlewareStack.remove('internalFailures');
      const { Table } = await ownClient.send(new DescribeTableCommand({ TableName: tableName }));
      expect((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort()).toEqual(
        tables.clients.indexes.map((index) => index.indexName).sort(),
      );
      expect(Table?.GlobalSecondaryIndexes?.every((index) => index.IndexStatus === 'ACTIVE')).toBe(true);
      // One request per index, and the one refused before it was carried out once more.
      expect(seen.indexRequests).toBe(tables.clients.indexes.length + 1);
    } finally {
      ownClient.destroy();
      await own.stop();
    }
  }, 180_000);
});

describe('startDynamoDbLocal', () => {
  it('keeps data under dataDir across a restart and ends its Java process on stop()', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'herald-ddb-'));
    try {
      const first = await startDynamoDbLocal({ dataDir });
      const client = localDynamoClient(first.endpoint);
      await createTables(client, [tables.campaigns]);
      await DynamoDBDocumentClient.from(client).send(new PutCommand({ TableName: 'campaigns', Item: { id: '1', text: 'kept' } }));
      client.destroy();
      await first.stop();
      expect(await gone(first.pid as number)).toBe(true);

      const second = await startDynamoDbLocal({ dataDir });
      const again = localDynamoClient(second.endpoint);
      try {
        const { Item } = await DynamoDBDocumentClient.from(again).send(new GetCommand({ TableName: 'campaigns', Key: { id: '1' } }));
        expect(Item).toEqual({ id: '1', text: 'kept' });
      } finally {
        again.destroy();
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  /** Starts the fixture in a process group of its own (as a shell runs a command) and reads the Java pid. */
  async function startFixture(env: Record<string, string> = {}) {
    const fixture = fileURLToPath(new URL('../support/dynamodb-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
      env: { ...process.env, ...env },
    });
    let output = '';
    const started = await new Promise<{ pid: number }>((resolve, reject) => {
      child.stdout.on('data', (data: Buffer) => {
        output += data.toString();
        const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
        if (line) resolve(JSON.parse(line) as { pid: number });
      });
      child.once('exit', (code) => reject(new Error(`fixture exited early (${String(code)})`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, javaPid: started.pid, exited, output: () => output };
  }

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('leaves no Java process behind when its parent gets %s', async (signal) => {
    const fixture = await startFixture();
    expect(alive(fixture.javaPid)).toBe(true);
    fixture.child.kill(signal);
    await fixture.exited;
    expect(await gone(fixture.javaPid)).toBe(true);
  });

  it('keeps DynamoDB up through a Ctrl-C of the whole process group until the runtime has drained and stops it', async () => {
    const fixture = await startFixture({ GRACEFUL: '1' });
    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
    process.kill(-(fixture.child.pid as number), 'SIGINT');
    expect(await fixture.exited).toBe(0);
    expect(fixture.output()).toContain('drained');
    expect(await gone(fixture.javaPid)).toBe(true);
  });

  it('leaves no Java process behind when its parent is killed outright (SIGKILL: no handler runs)', async () => {
    const fixture = await startFixture();
    expect(alive(fixture.javaPid)).toBe(true);
    process.kill(-(fixture.child.pid as number), 'SIGKILL');
    await fixture.exited;
    expect(await gone(fixture.javaPid)).toBe(true);
  });

  it('stops the DynamoDB Local its pid file names on the same data directory, and nothing else', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'herald-orphan-'));
    // Stand-ins whose command lines look like an orphaned DynamoDB Local on this directory, and like anything else.
    const orphan = spawn('sh', ['-c', 'sleep 60', 'java', '-jar', 'DynamoDBLocal.jar', '-dbPath', dataDir], { stdio: 'ignore' });
    const stranger = spawn('sleep', ['61'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dataDir, 'dynamodb-local.pid'), `${orphan.pid}\n`);
      const first = await startDynamoDbLocal({ dataDir });
      expect(await gone(orphan.pid as number)).toBe(true);
      await first.stop();
      // A pid reused by another program is left alone.
      writeFileSync(join(dataDir, 'dynamodb-local.pid'), `${stranger.pid}\n`);
      const second = await startDynamoDbLocal({ dataDir });
      expect(alive(stranger.pid as number)).toBe(true);
      await second.stop();
    } finally {
      orphan.kill('SIGKILL');
      stranger.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
