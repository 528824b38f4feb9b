import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/**
 * Every AWS SDK client Herald builds (the handlers' in functions/handlers/wiring.ts, the local
 * runtime's pollers, stream readers and table setup) logs nothing of its own (Herald's lines
 * come from the one logger), yet with the SDK's default no-op logger its logger middleware
 * still builds a redacted copy of each request and response to hand to that no-op `info` (a
 * page of clients copied field by field, on every call). The middleware calls
 * `logger?.info?.(...)` and `logger?.error?.(...)`, so a logger without those two skips the
 * copies; `debug` and `warn` stay, as other parts of the SDK call them unguarded.
 */
export const quietSdkLogger = { debug: () => {}, warn: () => {} } as unknown as NonNullable<DynamoDBClientConfig['logger']>;
