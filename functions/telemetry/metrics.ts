import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SERVICE_NAME } from '../definitions/functions.js';

export const METRICS_NAMESPACE = 'Herald';

/** Metric names the dashboard reads; emitted as EMF through Powertools Metrics. */
export const metricNames = {
  /** Messages reaching a final status; the status is in the name, so the only dimension is `service`. */
  messagesByStatus: (status: string) => `Messages_${status}`,
  providerLatency: 'ProviderLatency',
  /** Messages failed because the provider refused the token (functions/domain/delivery.ts, TOKEN_REFUSED_ATTEMPTS): an alarm watches it. */
  providerAuthFailures: 'ProviderAuthFailures',
} as const;

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
export { MetricUnit };
