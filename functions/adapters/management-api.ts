import { ApiGatewayManagementApiClient, PostToConnectionCommand, type ApiGatewayManagementApiClientConfig } from '@aws-sdk/client-apigatewaymanagementapi';
import type { InboxFrame } from '../domain/inbox-frames.js';
import type { ConnectionPoster } from '../ports.js';
import { quietSdkLogger } from './sdk-logger.js';

/**
 * A client of API Gateway's `@connections` endpoint: `https://{api}.execute-api.{region}.amazonaws.com/{stage}`
 * on AWS, the local gateway's own port locally (local/websocket.ts). One attempt per frame: a frame
 * is best effort, and one the SDK retried for seconds would arrive after the app had refetched.
 */
export function managementApiClient(endpoint: string, config: ApiGatewayManagementApiClientConfig = {}): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({ endpoint, maxAttempts: 1, logger: quietSdkLogger, ...config });
}

/** API Gateway answers 410 GoneException for a connection that has ended (or never was). */
function isGone(error: unknown): boolean {
  const failure = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  return failure?.name === 'GoneException' || failure?.$metadata?.httpStatusCode === 410;
}

/** PostToConnection: one frame to one connection, `gone` for API Gateway's 410. */
export class ManagementApiPoster implements ConnectionPoster {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async post(connectionId: string, frame: InboxFrame): Promise<'sent' | 'gone'> {
    try {
      await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(JSON.stringify(frame), 'utf8') }));
      return 'sent';
    } catch (error) {
      if (isGone(error)) return 'gone';
      throw error;
    }
  }
}
