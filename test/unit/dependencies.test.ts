/**
 * package.json declares what the code imports, so that `npm ci --omit=dev` is enough to run
 * Herald's production code. The rules:
 *
 * 1. Production code is functions/** (bundled into the Lambda functions) and the operator
 *    commands, bin/*.ts except the development tools in DEV_COMMANDS, followed through their
 *    relative imports. Every package it loads (a static import, `import()`, `export ... from`,
 *    the packages functions/domain/lazy-packages.ts requires on first use) is a dependency.
 *    A type-only import (`import type`, `typeof import()`) is erased, so it may be a devDependency,
 *    or its `@types/` package.
 * 2. The npm scripts that run an operator command run it through a runner that is a dependency.
 * 3. Everything else (lib/: the CDK app; local/: `npm start`; bench/, test/, web/src: built or run
 *    from a development install) may import devDependencies, but only declared ones: no package
 *    that is there only because another one pulled it in.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { LAZY_PACKAGES } from '../../functions/domain/lazy-packages.js';

const root = process.cwd();
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};
const dependencies = new Set(Object.keys(manifest.dependencies));
const declared = new Set([...dependencies, ...Object.keys(manifest.devDependencies)]);

/** bin/ files a production install need not run, and why. */
const DEV_COMMANDS: Record<string, string> = {
  'bin/herald.ts': 'the CDK app: `cdk`, a devDependency, runs it to deploy',
  'bin/local.ts': '`npm start`: the local runtime and its emulators',
  'bin/web-types.ts': "generates the admin app's API types while developing",
};

interface Import {
  specifier: string;
  typeOnly: boolean;
}

/** Every module specifier a file names, and whether only types come from it. */
function importsOf(file: string, text = readFileSync(file, 'utf8')): Import[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: Import[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      // Under verbatimModuleSyntax only `import type` is erased whole; `import { type X }` still loads the module.
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.importClause?.isTypeOnly ?? false });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument)) found.push({ specifier: argument.text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`; undefined for files and Node's own modules. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const typesPackageOf = (name: string) => `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;

function sourceFiles(dir: string): string[] {
  const absolute = path.join(root, dir);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.tsx?$/.test(name) && !name.endsWith('.d.ts') && !name.split(path.sep).includes('node_modules'))
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(path.join(root, file)).isFile());
}

/** A relative specifier as the file it names (`./x.js` is `./x.ts` in the sources). */
function resolveRelative(from: string, specifier: string): string | undefined {
  const base = path.join(path.dirname(from), specifier);
  const stem = base.replace(/\.(m?js|jsx)$/, '');
  return [`${stem}.ts`, `${stem}.tsx`, base, path.join(base, 'index.ts')].find(
    (candidate) => existsSync(path.join(root, candidate)) && statSync(path.join(root, candidate)).isFile(),
  );
}

/** The files production code loads: the entries and everything they import relatively, transitively. */
function productionFiles(): string[] {
  const entries = [...sourceFiles('functions'), ...sourceFiles('bin').filter((file) => !(file in DEV_COMMANDS))];
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { specifier } of importsOf(path.join(root, file))) {
      if (!specifier.startsWith('.')) continue;
      const target = resolveRelative(file, specifier);
      if (target) queue.push(target);
    }
  }
  return [...seen].sort();
}

/** What production code loads that a production install would not have, as `file: package (why)`. */
function productionProblems(files: { file: string; imports: Import[] }[], deps: Set<string>, all: Set<string>): string[] {
  const problems: string[] = [];
  for (const { file, imports } of files) {
    for (const { specifier, typeOnly } of imports) {
      const name = packageOf(specifier);
      if (name === undefined || deps.has(name)) continue;
      if (typeOnly && (all.has(name) || all.has(typesPackageOf(name)))) continue;
      problems.push(`${file}: ${name} (${all.has(name) ? 'a devDependency' : 'not declared'})`);
    }
  }
  return problems;
}

describe('dependencies', () => {
  const production = productionFiles();

  it('production code is what the rules say: every function, the operator commands, and what they import', () => {
    expect(production).toEqual(expect.arrayContaining(['functions/handlers/send.ts', 'bin/import.ts', 'bin/logs.ts', 'bin/migrate-shards.ts']));
    // Reached from bin/import.ts through its relative imports.
    expect(production).toContain('functions/domain/secure-url.ts');
    for (const file of Object.keys(DEV_COMMANDS)) expect(production).not.toContain(file);
    expect(production.some((file) => file.startsWith('local/') || file.startsWith('lib/'))).toBe(false);
  });

  it('every package production code loads is a dependency (types may come from devDependencies)', () => {
    const files = production.map((file) => ({ file, imports: importsOf(path.join(root, file)) }));
    files.push({ file: 'functions/domain/lazy-packages.ts (require)', imports: LAZY_PACKAGES.map((specifier) => ({ specifier, typeOnly: false })) });
    expect(productionProblems(files, dependencies, declared)).toEqual([]);
  });

  it("the npm scripts that run an operator command run it with a dependency's runner", () => {
    const operatorScripts = Object.entries(manifest.scripts).filter(([, script]) =>
      production.some((file) => file.startsWith('bin/') && script.split(/\s+/).includes(file)),
    );
    expect(operatorScripts.map(([name]) => name).sort()).toEqual(['import', 'logs', 'migrate:shards']);
    for (const [name, script] of operatorScripts) {
      const runner = script.split(/\s+/)[0]!;
      expect(runner === 'node' || dependencies.has(runner), `npm run ${name}: ${runner}`).toBe(true);
    }
  });

  it('every package imported anywhere else is declared (a dependency or a devDependency)', () => {
    const files = ['bin', 'functions', 'lib', 'local', 'bench', 'test', 'web/src'].flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(100);
    const undeclared = files.flatMap((file) =>
      importsOf(path.join(root, file))
        .map(({ specifier, typeOnly }) => ({ name: packageOf(specifier), typeOnly }))
        .filter(({ name, typeOnly }) => name !== undefined && !declared.has(name) && !(typeOnly && declared.has(typesPackageOf(name))))
        .map(({ name }) => `${file}: ${name}`),
    );
    expect(undeclared).toEqual([]);
  });

  describe('the check itself', () => {
    const deps = new Set(['zod', '@aws-sdk/client-sqs']);
    const all = new Set([...deps, '@smithy/signature-v4', '@types/aws-lambda']);
    const check = (code: string) => productionProblems([{ file: 'bin/x.ts', imports: importsOf('bin/x.ts', code) }], deps, all);

    it.each([
      ["import { SignatureV4 } from '@smithy/signature-v4';", ['bin/x.ts: @smithy/signature-v4 (a devDependency)']],
      ["const { defaultProvider } = await import('@aws-sdk/credential-provider-node');", ['bin/x.ts: @aws-sdk/credential-provider-node (not declared)']],
      ["export { SignatureV4 } from '@smithy/signature-v4';", ['bin/x.ts: @smithy/signature-v4 (a devDependency)']],
      ["import { type SignatureV4 } from '@smithy/signature-v4';", ['bin/x.ts: @smithy/signature-v4 (a devDependency)']],
      ["import '@smithy/signature-v4';", ['bin/x.ts: @smithy/signature-v4 (a devDependency)']],
      ["import type { X } from 'left-pad';", ['bin/x.ts: left-pad (not declared)']],
    ])('reports %s', (code, problems) => {
      expect(check(code)).toEqual(problems);
    });

    it.each([
      "import * as z from 'zod/mini';",
      "import { SQSClient } from '@aws-sdk/client-sqs';",
      "import { readFileSync } from 'node:fs'; import * as path from 'path';",
      "import { x } from './local.js';",
      "import type { SignatureV4 } from '@smithy/signature-v4';",
      "import type { Context } from 'aws-lambda';",
      "let signer: typeof import('@smithy/signature-v4') | undefined;",
    ])('passes %s', (code) => {
      expect(check(code)).toEqual([]);
    });
  });
});
