/**
 * The Management API poster (functions/adapters/management-api.ts) as AWS sees it: the exact
 * PostToConnection request, API Gateway's 410 as `gone`, anything else thrown for the publisher to log.
 * (test/integration/local-websocket.test.ts runs the same client against the local @connections endpoint.)
 */
import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManagementApiPoster, managementApiClient } from '../../functions/adapters/management-api.js';

const client = managementApiClient('https://abcdef1234.execute-api.us-east-1.amazonaws.com/v1', {
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
const api = mockClient(ApiGatewayManagementApiClient);
beforeEach(() => api.reset());

describe('the Management API poster', () => {
  it('posts the frame as JSON to the connection, one attempt only', async () => {
    api.on(PostToConnectionCommand).resolves({});
    expect(await new ManagementApiPoster(client).post('L0SM9cOFvHcCIhw=', { type: 'unread', count: 4 })).toBe('sent');
    const calls = api.commandCalls(PostToConnectionCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(Object.keys(input).sort()).toEqual(['ConnectionId', 'Data']);
    expect(input.ConnectionId).toBe('L0SM9cOFvHcCIhw=');
    expect(Buffer.from(input.Data as Uint8Array).toString('utf8')).toBe('{"type":"unread","count":4}');
    expect(await client.config.maxAttempts()).toBe(1);
  });

  it('answers gone for GoneException (410), and throws anything else', async () => {
    api.on(PostToConnectionCommand).rejects(new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } }));
    expect(await new ManagementApiPoster(client).post('x', { type: 'pong' })).toBe('gone');
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException', $metadata: { httpStatusCode: 429 } });
    api.on(PostToConnectionCommand).rejects(throttled);
    await expect(new ManagementApiPoster(client).post('x', { type: 'pong' })).rejects.toThrow('Rate exceeded');
  });
});
