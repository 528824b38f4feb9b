/** The REST authorizer in front of the inbox routes (functions/api/inbox-authorizer.ts). */
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { hmacSigner } from '../../functions/adapters/hmac-signer.js';
import { createInboxAuthorizerHandler, inboxRoutesOf } from '../../functions/api/inbox-authorizer.js';
import { signInboxToken } from '../../functions/domain/inbox-token.js';

const signer = hmacSigner('k'.repeat(32));
const now = new Date('2030-01-01T00:00:00Z');
const authorize = createInboxAuthorizerHandler({ clock: { now: () => now }, inboxSigner: async () => signer });
const methodArn = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/GET/inbox/count';
const eventWith = (headers: Record<string, string>) => ({ type: 'REQUEST', methodArn, headers }) as unknown as APIGatewayRequestAuthorizerEvent;

describe('the inbox authorizer', () => {
  it('lets a valid token through to every inbox route, with its client in the context', async () => {
    const { token } = signInboxToken(signer, 'client-1', 600, now);
    const result = await authorize(eventWith({ authorization: `Bearer ${token}` }));
    expect(result).toEqual({
      principalId: 'client-1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: 'Allow',
            Resource: ['arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/*/inbox', 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/*/inbox/*'],
          },
        ],
      },
      context: { clientId: 'client-1', expiresAt: '2030-01-01T00:10:00.000Z' },
    });
    expect(inboxRoutesOf(methodArn)).toEqual((result.policyDocument.Statement[0] as { Resource: string[] }).Resource);
  });

  it('refuses (401) a missing, forged or expired token, whatever the header case', async () => {
    const expired = signInboxToken(signer, 'client-1', 60, new Date(now.getTime() - 60_000)).token;
    const forged = signInboxToken(hmacSigner('o'.repeat(32)), 'client-1', 600, now).token;
    const cases: Record<string, string>[] = [{}, { Authorization: `Bearer ${expired}` }, { authorization: `Bearer ${forged}` }, { Authorization: forged }];
    for (const headers of cases) {
      await expect(authorize(eventWith(headers))).rejects.toThrow(/^Unauthorized$/);
    }
    // Negative control: the same header with a valid token passes.
    const { token } = signInboxToken(signer, 'client-1', 600, now);
    await expect(authorize(eventWith({ AUTHORIZATION: `Bearer ${token}` }))).resolves.toMatchObject({ principalId: 'client-1' });
  });
});
