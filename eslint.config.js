import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * The layers (docs/architecture.md, Layers): handlers -> api/delivery -> services -> domain and ports;
 * adapters implement ports and only handlers/wiring.ts puts them together. An import that
 * points the wrong way fails the lint; test/unit/layers.test.ts proves each rule bites.
 */
const restrict = (...patterns) => ['error', { patterns: [...patterns, lazyValues] }];
/**
 * The packages loaded on first use (LAZY_PACKAGES, functions/domain/lazy-packages.ts): their types may
 * be imported anywhere, their values only through lazyPackage, or every bundle reaching the file would hold them.
 */
const lazyValues = {
  group: ['liquidjs', 'croner', '@aws-lambda-powertools/idempotency', '@aws-lambda-powertools/idempotency/*'],
  allowTypeImports: true,
  message: 'A lazily loaded package (functions/domain/lazy-packages.ts): import its types only, and its values through lazyPackage on first use.',
};
const outOfDomain = {
  group: ['../*', '!../domain/*', '@aws-sdk/*', '@aws-lambda-powertools/*', '@middy/*', 'axios', 'node:*', 'aws-lambda'],
  message: 'The domain is pure rules: it imports nothing outside functions/domain/ and does no I/O.',
};
/** The same rule one folder down (functions/domain/channels/): `../` is still the domain there. */
const outOfNestedDomain = { ...outOfDomain, group: ['../../*', '!../../domain/*', ...outOfDomain.group.slice(2)] };
/** The one domain file that loads packages on first use (functions/domain/lazy-packages.ts) needs node:module's createRequire, and nothing else of Node. */
const lazyLoader = { ...outOfDomain, group: [...outOfDomain.group, '!node:module'] };
const adapters = {
  group: ['**/adapters/*', '**/adapters/**', '**/handlers/*', '@aws-sdk/*'],
  message: 'Workflows and routes reach AWS only through ports (functions/ports.ts, functions/ports/); handlers/wiring.ts supplies the adapters.',
};
/** Request schemas are built on a route group's first request (functions/api/schemas.ts): a static import would build them at load. */
const requestSchemas = {
  group: ['**/schemas.js', '**/schemas/*'],
  message: 'A route group imports its request schemas on its first request (onFirstUse), not at load: only openapi.ts imports them all.',
};
const upward = (layers) => ({
  group: layers.map((layer) => `**/${layer}/*`),
  message: `Dependencies point one way: this layer must not import ${layers.join(', ')}.`,
});

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.herald/', 'bench/results/', 'web/dist/', 'web/inbox/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Under verbatimModuleSyntax `import { type X } from './m'` stays as `import './m'`: a bundle
      // would run m's top level at load, though only a type was wanted (docs/decisions/011-lazy-loading.md).
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
  // The admin web app runs in the browser and reaches Herald only through the REST API (web/src/api/client.ts).
  {
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': restrict({ group: ['**/functions/**', '**/local/**', 'node:*'], message: 'The admin app uses only the public REST API.' }),
    },
  },
  // Every layer's own rule below adds to this one (restrict always keeps lazyValues).
  { files: ['functions/**/*.ts'], rules: { 'no-restricted-imports': restrict() } },
  { files: ['functions/domain/**/*.ts'], rules: { 'no-restricted-imports': restrict(outOfDomain) } },
  { files: ['functions/domain/*/**/*.ts'], rules: { 'no-restricted-imports': restrict(outOfNestedDomain) } },
  { files: ['functions/domain/lazy-packages.ts'], rules: { 'no-restricted-imports': restrict(lazyLoader) } },
  { files: ['functions/services/**/*.ts'], rules: { 'no-restricted-imports': restrict(adapters, upward(['api', 'delivery'])) } },
  { files: ['functions/api/**/*.ts', 'functions/delivery/**/*.ts'], rules: { 'no-restricted-imports': restrict(adapters) } },
  {
    files: ['functions/api/**/*.ts'],
    ignores: ['functions/api/openapi.ts', 'functions/api/response-schemas.ts', 'functions/api/schemas.ts', 'functions/api/schemas/**'],
    rules: { 'no-restricted-imports': restrict(adapters, requestSchemas) },
  },
  { files: ['functions/adapters/**/*.ts'], rules: { 'no-restricted-imports': restrict(upward(['api', 'delivery', 'services', 'handlers'])) } },
  {
    files: ['functions/definitions/**/*.ts', 'functions/telemetry/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(upward(['api', 'delivery', 'services', 'handlers', 'adapters'])) },
  },
);
