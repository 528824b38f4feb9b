/** Client directory rules. */
import { ValidationError } from './errors.js';

export const NAME_MAX_LENGTH = 100;
export const ATTRIBUTES_MAX = 20;
export const ATTRIBUTE_KEY_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
export const ATTRIBUTE_VALUE_MAX_LENGTH = 200;

export interface Client {
  id: string;
  /** `7XXXXXXXXXX`, unique across clients. */
  phone: string;
  /** Three digits; taken from the phone's digits 2-4 unless given. */
  operatorCode: string;
  tag?: string;
  /** IANA time zone name. */
  timezone: string;
  name?: string;
  /** Up to ATTRIBUTES_MAX string values under ATTRIBUTE_KEY_PATTERN keys. */
  attributes?: Record<string, string>;
  /** An opted-out client gets no campaign message; its phone stays suppressed after it is deleted. */
  optedOut: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface NewClient {
  phone: string;
  timezone: string;
  tag?: string;
  operatorCode?: string;
  name?: string;
  attributes?: Record<string, string>;
  /** Absent: opted out exactly when the phone is on the suppression list. */
  optedOut?: boolean;
}

/**
 * `tag: null` and `name: null` remove them. `attributes` is merged key by key (JSON merge
 * patch): a string sets a key, null removes it, `attributes: null` removes them all.
 */
export interface ClientPatch {
  phone?: string;
  timezone?: string;
  operatorCode?: string;
  tag?: string | null;
  name?: string | null;
  attributes?: Record<string, string | null> | null;
  optedOut?: boolean;
}

export const PHONE_PATTERN = /^7\d{10}$/;
export const OPERATOR_CODE_PATTERN = /^\d{3}$/;

export function operatorCodeOf(phone: string): string {
  return phone.slice(1, 4);
}

const knownZones = new Set(Intl.supportedValuesOf('timeZone'));

export function isTimeZone(name: string): boolean {
  if (knownZones.has(name) || name === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The attribute rules, for whatever a request or a merge leaves: throws naming the field. */
export function checkAttributes(attributes: Record<string, string>): void {
  const keys = Object.keys(attributes);
  if (keys.length > ATTRIBUTES_MAX) throw ValidationError.field('attributes', `must have at most ${ATTRIBUTES_MAX} keys (has ${keys.length})`);
  for (const key of keys) {
    if (!ATTRIBUTE_KEY_PATTERN.test(key)) throw ValidationError.field(`attributes.${key}`, `key must match ${ATTRIBUTE_KEY_PATTERN.source}`);
    const value = attributes[key];
    if (typeof value !== 'string' || value.length > ATTRIBUTE_VALUE_MAX_LENGTH)
      throw ValidationError.field(`attributes.${key}`, `must be a string of at most ${ATTRIBUTE_VALUE_MAX_LENGTH} characters`);
  }
}

/**
 * The client a create request describes, with its operator code settled. `suppressed` says
 * whether the phone is on the suppression list: it opts the client out unless the request
 * says `optedOut: false` itself.
 */
export function newClientRecord(input: NewClient, id: string, now: Date, suppressed = false): Client {
  const stamp = now.toISOString();
  if (input.attributes) checkAttributes(input.attributes);
  return {
    id,
    phone: input.phone,
    operatorCode: input.operatorCode ?? operatorCodeOf(input.phone),
    ...(input.tag !== undefined ? { tag: input.tag } : {}),
    timezone: input.timezone,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.attributes && Object.keys(input.attributes).length > 0 ? { attributes: input.attributes } : {}),
    optedOut: input.optedOut ?? suppressed,
    createdAt: stamp,
    updatedAt: stamp,
  };
}

function mergedAttributes(current: Record<string, string> | undefined, patch: ClientPatch['attributes']): Record<string, string> | undefined {
  if (patch === undefined) return current;
  if (patch === null) return undefined;
  const merged: Record<string, string> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  checkAttributes(merged);
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/**
 * A patched client. A new phone re-derives the operator code unless the patch
 * sets one, or the old code was set by hand (it differs from the old phone's).
 */
export function patchedClient(client: Client, patch: ClientPatch, now: Date, newPhoneSuppressed = false): Client {
  const phone = patch.phone ?? client.phone;
  const codeWasDerived = client.operatorCode === operatorCodeOf(client.phone);
  const { tag: _oldTag, name: _oldName, attributes: _oldAttributes, ...rest } = client;
  const tag = patch.tag === undefined ? client.tag : (patch.tag ?? undefined);
  const name = patch.name === undefined ? client.name : (patch.name ?? undefined);
  const attributes = mergedAttributes(client.attributes, patch.attributes);
  // Moving onto a suppressed phone opts the client out, unless this very patch says otherwise.
  const optedOut = patch.optedOut ?? (Boolean(client.optedOut) || (phone !== client.phone && newPhoneSuppressed));
  return {
    ...rest,
    phone,
    operatorCode: patch.operatorCode ?? (patch.phone && codeWasDerived ? operatorCodeOf(phone) : client.operatorCode),
    timezone: patch.timezone ?? client.timezone,
    ...(tag !== undefined ? { tag } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(attributes !== undefined ? { attributes } : {}),
    optedOut,
    updatedAt: now.toISOString(),
  };
}

/**
 * What a client write does to the suppression list (by phone): an opted-out client's phone
 * goes on it; an explicit `optedOut: false` takes the phone off. Deleting a client leaves it.
 */
export function suppressionChange(next: Pick<Client, 'phone' | 'optedOut'>, explicitOptedOut: boolean | undefined): 'add' | 'remove' | 'keep' {
  if (next.optedOut) return 'add';
  if (explicitOptedOut === false) return 'remove';
  return 'keep';
}
