import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, GetQueryResultsCommand, StartQueryCommand, StopQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { QueryString } from 'aws-cdk-lib/aws-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LOG_GROUP_PREFIX, parseLogsArgs, runLogs } from '../../bin/logs.js';
import { idKinds, mentionsId, queryForId, renderQuery, savedQuery } from '../../functions/definitions/log-queries.js';
import { parseSince, searchCloudWatch, searchLocalLogs } from '../../bin/log-search.js';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const noWait = async () => {};

/** The Logs Insights `like /.../` of a query as a JavaScript RegExp (same syntax for what Herald uses). */
function filterRegExp(query: string): RegExp {
  const match = /like \/(.*)\/$/m.exec(query);
  if (!match) throw new Error(`no regex in ${query}`);
  return new RegExp(match[1]!);
}

describe('Logs Insights queries', () => {
  it('renders exactly as aws-cdk-lib renders the saved queries of the stack', () => {
    for (const kind of idKinds) expect(renderQuery(savedQuery(kind))).toBe(new QueryString(savedQuery(kind)).toString());
  });

  it('is one query per id kind: the saved query with its parameter filled is the command-line query', () => {
    expect(renderQuery(savedQuery('campaign')).replace('{{campaignId}}', '42')).toBe(renderQuery(queryForId('campaign', '42')));
    expect(renderQuery(savedQuery('message')).replace('{{messageId}}', '7')).toBe(renderQuery(queryForId('message', '7')));
    expect(renderQuery(savedQuery('client')).replace('{{clientId}}', 'c1')).toBe(renderQuery(queryForId('client', 'c1')));
  });

  it('looks like this for a campaign', () => {
    expect(renderQuery(queryForId('campaign', '42'))).toBe(
      'fields @timestamp, @log, @message\n| filter @message like /"campaignId":"?42"?[,}]/\n| sort @timestamp asc\n| limit 10000',
    );
  });

  it('matches the id as a number or a string, top-level or nested, and no other id', () => {
    const pattern = filterRegExp(renderQuery(queryForId('message', '42')));
    expect(pattern.test('{"level":"INFO","messageId":42,"campaignId":"1"}')).toBe(true);
    expect(pattern.test('{"level":"INFO","messageId":"42"}')).toBe(true);
    expect(pattern.test('{"ids":{"messageId":42}}')).toBe(true);
    expect(pattern.test('{"messageId":420}')).toBe(false);
    expect(pattern.test('{"messageId":"142"}')).toBe(false);
    expect(pattern.test('{"campaignId":42}')).toBe(false);
  });

  it('escapes regex characters of an id and refuses what is not an id', () => {
    expect(renderQuery(queryForId('client', 'a.b'))).toContain('"clientId":"?a\\.b"?');
    expect(() => queryForId('client', 'x"/ or 1')).toThrow(/Not an id/);
    expect(() => queryForId('client', '')).toThrow(/Not an id/);
  });
});

describe('local search', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-logs-'));
  mkdirSync(path.join(dir, 'send'));
  writeFileSync(
    path.join(dir, 'api.log'),
    [
      '{"timestamp":"2026-11-21T11:30:00.000Z","message":"campaign created","campaignId":"42"}',
      'not json at all, campaignId 42',
      '{"timestamp":"2026-11-21T11:31:00.000Z","message":"client created","clientId":"c-7"}',
      '{"timestamp":"2026-11-19T08:00:00.000Z","message":"old","campaignId":"42"}',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'send', 'send.log'),
    [
      '{"timestamp":"2026-11-21T11:40:00.000Z","message":"sent","campaignId":42,"messageId":9,"clientId":"c-7"}',
      '{"timestamp":"2026-11-21T11:41:00.000Z","message":"sent","campaignId":420,"messageId":10}',
      '{"message":"no time","request":{"campaignId":"42"}}',
    ].join('\n'),
  );

  it('finds every JSON line about the id, as string or number, nested too, file by file', async () => {
    const lines = await searchLocalLogs({ kind: 'campaign', id: '42', dir });
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(['campaign created', 'old', 'sent', 'no time']);
  });

  it('leaves out lines older than --since, keeps lines without a time', async () => {
    const lines = await searchLocalLogs({ kind: 'campaign', id: '42', dir, since: parseSince('1h', NOW) });
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(['campaign created', 'sent', 'no time']);
  });

  it('searches by client and by message the same way', async () => {
    expect(await searchLocalLogs({ kind: 'client', id: 'c-7', dir })).toHaveLength(2);
    expect((await searchLocalLogs({ kind: 'message', id: '9', dir })).map((line) => JSON.parse(line).messageId)).toEqual([9]);
  });

  it('runLogs prints the lines from --local', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const count = await runLogs(parseLogsArgs(['--client', 'c-7', '--local', dir, '--since', '2d'], NOW), {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    expect(count).toBe(2);
    expect(out.map((line) => JSON.parse(line).message)).toEqual(['client created', 'sent']);
    expect(err.join('\n')).toContain('2 line(s) about client c-7');
  });

  it('runLogs --event finds the lines of every function about one event, and no other event', async () => {
    const events = mkdtempSync(path.join(tmpdir(), 'herald-event-logs-'));
    const id = 'aB3dE5fG7hJ9kL1m';
    writeFileSync(
      path.join(events, 'herald.log'),
      [
        `{"timestamp":"2026-11-21T11:50:00.000Z","message":"request","eventId":"${id}","statusCode":202}`,
        `{"timestamp":"2026-11-21T11:50:00.001Z","message":"event step queued","eventId":"${id}","step":0,"messageId":3}`,
        `{"timestamp":"2026-11-21T11:50:01.000Z","message":"message sent","eventId":"${id}","campaignId":"notice#3","messageId":3}`,
        `{"timestamp":"2026-11-21T11:50:02.000Z","message":"event step settled","eventId":"${id}","step":0,"status":"sent"}`,
        `{"timestamp":"2026-11-21T11:50:03.000Z","message":"step timer fired","eventId":"${id}","step":1}`,
        '{"timestamp":"2026-11-21T11:50:04.000Z","message":"event step queued","eventId":"zZ3dE5fG7hJ9kL1m","step":0}',
      ].join('\n'),
    );
    const out: string[] = [];
    const count = await runLogs(parseLogsArgs(['--event', id, '--local', events, '--since', '2d'], NOW), {
      out: (line) => out.push(line),
      err: () => undefined,
    });
    expect(count).toBe(5);
    expect(out.map((line) => JSON.parse(line).message)).toEqual(['request', 'event step queued', 'message sent', 'event step settled', 'step timer fired']);
  });

  it('mentionsId compares by the field name and the id text', () => {
    expect(mentionsId({ a: [{ clientId: 5 }] }, 'clientId', '5')).toBe(true);
    expect(mentionsId({ clientId: true }, 'clientId', 'true')).toBe(false);
    expect(mentionsId({ otherId: '5' }, 'clientId', '5')).toBe(false);
  });
});

describe('command line', () => {
  it('takes exactly one id and a --since', () => {
    expect(parseLogsArgs(['--campaign', '42', '--since', '1h'], NOW)).toEqual({
      idKind: 'campaign',
      id: '42',
      since: new Date('2026-11-21T11:00:00.000Z'),
      until: NOW,
      source: undefined,
    });
    expect(parseLogsArgs(['--message', '7'], NOW).since).toEqual(new Date('2026-11-20T12:00:00.000Z'));
    expect(() => parseLogsArgs(['--campaign', '1', '--client', '2'], NOW)).toThrow(/exactly one/);
    expect(() => parseLogsArgs(['--since', '1h'], NOW)).toThrow(/exactly one/);
    expect(() => parseLogsArgs(['--campaign', '1', '--since', 'yesterday'], NOW)).toThrow(/--since/);
    expect(() => parseLogsArgs(['--campaign', '1', '--local', 'x', '--log-groups', 'a'], NOW)).toThrow(/--local excludes/);
  });

  it('chooses the source: --local, --log-groups, --prefix, or undecided (region decides)', () => {
    expect(parseLogsArgs(['--client', 'c', '--local', 'logs'], NOW).source).toEqual({ kind: 'local', dir: 'logs' });
    expect(parseLogsArgs(['--client', 'c', '--log-groups', 'a, b'], NOW).source).toEqual({
      kind: 'cloudwatch',
      logGroupNames: ['a', 'b'],
      prefix: DEFAULT_LOG_GROUP_PREFIX,
    });
    expect(parseLogsArgs(['--client', 'c', '--prefix', '/aws/lambda/staging-'], NOW).source).toEqual({
      kind: 'cloudwatch',
      logGroupNames: undefined,
      prefix: '/aws/lambda/staging-',
    });
  });

  it('parses --since as a duration or an ISO time', () => {
    expect(parseSince('90s', NOW)).toEqual(new Date('2026-11-21T11:58:30.000Z'));
    expect(parseSince('2d', NOW)).toEqual(new Date('2026-11-19T12:00:00.000Z'));
    expect(parseSince('2026-11-01T00:00:00Z', NOW)).toEqual(new Date('2026-11-01T00:00:00.000Z'));
  });
});

describe('CloudWatch search', () => {
  const logs = mockClient(CloudWatchLogsClient);
  afterEach(() => logs.reset());

  const row = (message: string) => [
    { field: '@timestamp', value: '2026-11-21 11:40:00.000' },
    { field: '@log', value: '123456789012:/aws/lambda/herald-send' },
    { field: '@message', value: `${message}\n` },
  ];

  it('finds the log groups by prefix, runs the id query over them, polls until complete and prints @message', async () => {
    logs
      .on(DescribeLogGroupsCommand, { logGroupNamePrefix: DEFAULT_LOG_GROUP_PREFIX })
      .resolvesOnce({ logGroups: [{ logGroupName: '/aws/lambda/herald-api' }, { logGroupName: '/aws/lambda/herald-send' }], nextToken: 'page-2' })
      .resolvesOnce({ logGroups: [{ logGroupName: '/aws/lambda/herald-fanout' }] });
    logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    logs
      .on(GetQueryResultsCommand, { queryId: 'q-1' })
      .resolvesOnce({ status: 'Scheduled' })
      .resolvesOnce({ status: 'Running' })
      .resolvesOnce({ status: 'Complete', results: [row('{"campaignId":"42","message":"a"}'), row('{"campaignId":42,"message":"b"}')] });

    const out: string[] = [];
    const request = parseLogsArgs(['--campaign', '42', '--since', '1h', '--prefix', DEFAULT_LOG_GROUP_PREFIX], NOW);
    const count = await runLogs(
      request,
      { out: (line) => out.push(line), err: () => {} },
      { client: new CloudWatchLogsClient({ region: 'eu-west-1' }), sleep: noWait },
    );

    expect(count).toBe(2);
    expect(out).toEqual(['{"campaignId":"42","message":"a"}', '{"campaignId":42,"message":"b"}']);
    // Both pages listed (the SDK paginator reuses one input object, so only the last state is visible).
    const listings = logs.commandCalls(DescribeLogGroupsCommand).map((call) => call.args[0].input);
    expect(listings).toHaveLength(2);
    expect(listings[1]).toMatchObject({ logGroupNamePrefix: DEFAULT_LOG_GROUP_PREFIX, nextToken: 'page-2' });
    const starts = logs.commandCalls(StartQueryCommand);
    expect(starts).toHaveLength(1);
    expect(starts[0]!.args[0].input).toEqual({
      logGroupNames: ['/aws/lambda/herald-api', '/aws/lambda/herald-send', '/aws/lambda/herald-fanout'],
      startTime: Math.floor(new Date('2026-11-21T11:00:00.000Z').getTime() / 1000),
      endTime: Math.floor(NOW.getTime() / 1000),
      queryString: 'fields @timestamp, @log, @message\n| filter @message like /"campaignId":"?42"?[,}]/\n| sort @timestamp asc\n| limit 10000',
      limit: 10000,
    });
    expect(logs.commandCalls(GetQueryResultsCommand)).toHaveLength(3);
  });

  it('searches the --log-groups given, without listing any', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q-2' });
    logs.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: [] });
    const request = parseLogsArgs(['--message', '9', '--log-groups', '/aws/lambda/herald-send'], NOW);
    await runLogs(request, { out: () => {}, err: () => {} }, { client: new CloudWatchLogsClient({ region: 'eu-west-1' }), sleep: noWait });
    expect(logs.commandCalls(DescribeLogGroupsCommand)).toHaveLength(0);
    expect(logs.commandCalls(StartQueryCommand)[0]!.args[0].input.logGroupNames).toEqual(['/aws/lambda/herald-send']);
  });

  it('fails when the query fails', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q-3' });
    logs.on(GetQueryResultsCommand).resolves({ status: 'Failed' });
    await expect(
      searchCloudWatch({ client: new CloudWatchLogsClient({ region: 'eu-west-1' }), kind: 'client', id: 'c', logGroupNames: ['g'], since: NOW, sleep: noWait }),
    ).rejects.toThrow(/ended Failed/);
  });

  it('stops a query that outlasts its time limit', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q-4' });
    logs.on(GetQueryResultsCommand).resolves({ status: 'Running' });
    logs.on(StopQueryCommand).resolves({ success: true });
    await expect(
      searchCloudWatch({
        client: new CloudWatchLogsClient({ region: 'eu-west-1' }),
        kind: 'client',
        id: 'c',
        logGroupNames: ['g'],
        since: NOW,
        sleep: noWait,
        pollIntervalMs: 1000,
        timeoutMs: 3000,
      }),
    ).rejects.toThrow(/stopped it/);
    expect(logs.commandCalls(StopQueryCommand).map((call) => call.args[0].input)).toEqual([{ queryId: 'q-4' }]);
    expect(logs.commandCalls(GetQueryResultsCommand)).toHaveLength(4);
  });

  it('without a source and without an AWS region, searches the local runtime folder', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'herald-data-'));
    mkdirSync(path.join(dataDir, 'logs'));
    writeFileSync(path.join(dataDir, 'logs', 'herald.log'), '{"clientId":"c-1","message":"here"}\n');
    const out: string[] = [];
    const noRegion = new CloudWatchLogsClient({ region: (): Promise<string> => Promise.reject(new Error('Region is missing')) });
    await runLogs(
      parseLogsArgs(['--client', 'c-1'], NOW),
      { out: (line) => out.push(line), err: () => {} },
      { client: noRegion, env: { HERALD_DATA_DIR: dataDir } },
    );
    expect(out).toEqual(['{"clientId":"c-1","message":"here"}']);
    expect(logs.commandCalls(StartQueryCommand)).toHaveLength(0);
  });
});
