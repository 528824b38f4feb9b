/**
 * Synthesizes the Herald app the way bin/herald.ts does (cdk-nag aspect included) into a
 * temporary cloud assembly. Bundling runs esbuild four times, so each test file builds once
 * in beforeAll; a second synth in the same file reuses the staged bundles.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { createHeraldApp } from '../../lib/app.js';
import type { HeraldStack, HeraldStackProps } from '../../lib/herald-stack.js';

/** Stands in for the admin app's build (web/dist), so the infra tests need no web build. */
export const ADMIN_SITE_FIXTURE = fileURLToPath(new URL('./admin-site', import.meta.url));
/** Stands in for the `<herald-inbox>` script's build (web/inbox/dist). */
export const INBOX_SITE_FIXTURE = fileURLToPath(new URL('./inbox-site', import.meta.url));

/** Synthesis with esbuild bundling; generous for a 2-core machine. */
export const SYNTH_TIMEOUT_MS = 120_000;

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface SynthesizedHerald {
  stack: HeraldStack;
  template: Template;
  json: Json;
  resources: Record<string, Json>;
  outdir: string;
}

export function synthHerald(props: HeraldStackProps = {}): SynthesizedHerald {
  const outdir = mkdtempSync(path.join(tmpdir(), 'herald-cdk-'));
  const { stack } = createHeraldApp({ outdir }, { adminAssetPath: ADMIN_SITE_FIXTURE, inboxAssetPath: INBOX_SITE_FIXTURE, ...props });
  const template = Template.fromStack(stack);
  const json = template.toJSON() as Json;
  return { stack, template, json, resources: json.Resources as Record<string, Json>, outdir };
}

/** The logical id CloudFormation knows a construct (or its default child) by. */
export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(element);
}

export function resourcesOfType(resources: Record<string, Json>, type: string): [string, Json][] {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

/**
 * Resources of CDK's BucketDeployment (lib/admin.ts copies the admin app with it): a function
 * and role aws-cdk-lib owns, checked on their own in ./cases/admin.ts, not as Herald's handlers.
 */
export function isBucketDeploymentResource(logicalId: string): boolean {
  return logicalId.startsWith('CustomCDKBucketDeployment');
}

/** Logical id of the Lambda function with this physical name. */
export function functionIdByName(resources: Record<string, Json>, functionName: string): string {
  const found = resourcesOfType(resources, 'AWS::Lambda::Function').find(([, fn]) => fn.Properties.FunctionName === functionName);
  if (!found) throw new Error(`No function named ${functionName}`);
  return found[0];
}

/** Every statement of the inline policies attached to a role. */
export function statementsOfRole(resources: Record<string, Json>, roleId: string): Json[] {
  return resourcesOfType(resources, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties.Roles as Json[]).some((role) => role.Ref === roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Json[]);
}

export function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** Logical ids a policy resource entry points at (`Fn::GetAtt`, `Ref`, or inside `Fn::Join`). */
export function referencedIds(value: unknown): string[] {
  const text = JSON.stringify(value);
  return [...text.matchAll(/"Fn::GetAtt":\["([^"]+)"|"Ref":"([^"]+)"/g)].map((match) => (match[1] ?? match[2])!);
}
