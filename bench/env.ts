/**
 * Imported first by every bench entry point, before any handler module loads: Powertools
 * reads its settings when the logger and metrics are created. A bench run writes tens of
 * thousands of log lines otherwise, and the table would drown in them.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// Metrics are CloudWatch's (EMF); locally they would only be more lines on stdout.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
// The AWS SDK warns once per process that Node 20 will lose support; this machine runs Node 20 by design.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export {};
