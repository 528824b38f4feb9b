import { defineConfig } from 'vitest/config';

/**
 * One DynamoDB Local and one SQS emulator per run (test/support/global-setup.ts); test
 * files reach them through `inject` (test/support/aws.ts) and keep to their own
 * uniquely named tables and queues, so files run in parallel.
 */
export default defineConfig({
  test: {
    include: ['test/{unit,integration,e2e,infra,browser}/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup-env.ts'],
    // Node 20 is the supported development runtime (README, Prerequisites); the SDK's notice about Node 22 is noise here.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    pool: 'forks',
    // Two cores, and DynamoDB Local (Java) needs one of them.
    maxWorkers: 2,
    testTimeout: 60_000,
    // expect.poll's 1 s default is shorter than a click's request and re-render take while the
    // other test file and DynamoDB Local hold both cores (a CI run missed a pause by it).
    expect: { poll: { timeout: 15_000 } },
    hookTimeout: 120_000,
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
