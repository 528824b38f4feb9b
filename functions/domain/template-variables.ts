/**
 * The variables a campaign template may read and the per-client values a message carries.
 * Kept apart from the Liquid engine (templates.ts) so that code which only moves messages
 * around (the dead-letter function) does not load the engine.
 */
import type { Client } from './clients.js';

/** The client fields a template may read; `attributes.<key>` reads one attribute. */
export const TEMPLATE_VARIABLES = ['name', 'phone', 'tag', 'operatorCode', 'timezone'] as const;
export type ScalarVariable = (typeof TEMPLATE_VARIABLES)[number];

/** What one client's message needs to render: just the variables its template uses. */
export interface TemplateVariables {
  name?: string;
  phone?: string;
  tag?: string;
  operatorCode?: string;
  timezone?: string;
  attributes?: Record<string, string>;
}

/** The variables a template reads: scalar names, and the attribute keys it reads. */
export interface TemplateUse {
  scalars: ScalarVariable[];
  attributes: string[];
  /**
   * Only where any further name is allowed (an event type's step, checkTemplate's `'any'`): the
   * other top-level names it reads, which each event's `variables` give. Absent when there are none.
   */
  callerVariables?: string[];
}

/** The values of the used variables, copied from a client when the fan-out reaches it. Phone travels with the message anyway. */
export function snapshotOf(
  client: Partial<Pick<Client, 'name' | 'tag' | 'operatorCode' | 'timezone' | 'attributes'>>,
  use: TemplateUse,
): TemplateVariables | undefined {
  const vars: TemplateVariables = {};
  for (const scalar of use.scalars) {
    if (scalar === 'phone') continue;
    const value = client[scalar];
    if (value !== undefined) vars[scalar] = value;
  }
  const attributes: Record<string, string> = {};
  for (const key of use.attributes) {
    const value = client.attributes?.[key];
    if (value !== undefined) attributes[key] = value;
  }
  if (Object.keys(attributes).length > 0) vars.attributes = attributes;
  return Object.keys(vars).length > 0 ? vars : undefined;
}

/** The caller's variables (an event's) as placeholders, `<orderId>`: no event is at hand when a template is checked or previewed. */
function callerPlaceholders(use: TemplateUse): TemplateVariables {
  return Object.fromEntries((use.callerVariables ?? []).map((name) => [name, `<${name}>`])) as TemplateVariables;
}

/** The text with each variable shown as a placeholder, for a preview without a client: `<name>`, `<attributes.city>` (characters of the GSM basic set, so the count is not inflated). */
export function placeholderVariables(use: TemplateUse): TemplateVariables {
  const vars: TemplateVariables = callerPlaceholders(use);
  for (const scalar of use.scalars) vars[scalar] = `<${scalar}>`;
  if (use.attributes.length) vars.attributes = Object.fromEntries(use.attributes.map((key) => [key, `<attributes.${key}>`]));
  return vars;
}

/** The client a preview may render for: its fields a template reads. */
export type PreviewClient = Partial<Pick<Client, 'name' | 'phone' | 'tag' | 'operatorCode' | 'timezone' | 'attributes'>>;

/**
 * What a preview renders with: the client's values of the variables `use` reads (its phone too when
 * the channel's messages carry one), or without a client a placeholder for each; the caller's
 * variables are placeholders either way.
 */
export function previewVariables(use: TemplateUse, client: PreviewClient | undefined, withPhone: boolean): TemplateVariables {
  if (!client) return placeholderVariables(use);
  return { ...callerPlaceholders(use), ...snapshotOf(client, use), ...(withPhone && client.phone !== undefined ? { phone: client.phone } : {}) };
}
