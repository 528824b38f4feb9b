/** Client directory rules. */
import { CHANNELS, type Channel } from './channels/channel.js';
import { ValidationError } from './errors.js';

export const NAME_MAX_LENGTH = 100;
export const ATTRIBUTES_MAX = 20;
export const ATTRIBUTE_KEY_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
export const ATTRIBUTE_VALUE_MAX_LENGTH = 200;

export interface Client {
  id: string;
  /** `7XXXXXXXXXX`, unique across clients. A client has a phone, an e-mail address or both. */
  phone?: string;
  /** Lower-cased (channels/email.ts normalizeEmail), unique across clients like the phone. */
  email?: string;
  /** Three digits; taken from the phone's digits 2-4 unless given. A client without a phone has one only when given. */
  operatorCode?: string;
  tag?: string;
  /** IANA time zone name. */
  timezone: string;
  name?: string;
  /** Up to ATTRIBUTES_MAX string values under ATTRIBUTE_KEY_PATTERN keys. */
  attributes?: Record<string, string>;
  /** Opted out of every channel; its addresses stay suppressed after it is deleted. */
  optedOut: boolean;
  /** The channels it opted out of, in CHANNELS order; absent when none. */
  optOuts?: Channel[];
  createdAt: string;
  updatedAt: string;
}

export interface NewClient {
  phone?: string;
  /** Already lower-cased (the API's schema normalises it). */
  email?: string;
  timezone: string;
  tag?: string;
  operatorCode?: string;
  name?: string;
  attributes?: Record<string, string>;
  /** Absent: opted out exactly when the phone is on the suppression list. */
  optedOut?: boolean;
  /** Absent: `email` exactly when the address is on the suppression list. */
  optOuts?: Channel[];
}

/**
 * `tag: null` and `name: null` remove them, and so do `phone: null` and `email: null` while the
 * other stays. `attributes` is merged key by key (JSON merge patch): a string sets a key, null
 * removes it, `attributes: null` removes them all. `optOuts` replaces the set.
 */
export interface ClientPatch {
  phone?: string | null;
  email?: string | null;
  timezone?: string;
  operatorCode?: string;
  tag?: string | null;
  name?: string | null;
  attributes?: Record<string, string | null> | null;
  optedOut?: boolean;
  optOuts?: Channel[];
}

/** The channels whose address can go on the suppression list; in-app messages are addressed by the client id. */
export const SUPPRESSIBLE_CHANNELS = ['sms', 'email'] as const satisfies readonly Channel[];
export type SuppressibleChannel = (typeof SUPPRESSIBLE_CHANNELS)[number];
/** Which of a client's addresses the suppression list holds, as read before a write. */
export type SuppressedAddresses = Partial<Record<SuppressibleChannel, boolean>>;

/** The client's address on a channel: its phone for SMS, its e-mail address for e-mail, its id in the app. */
export function addressOf(client: Pick<Client, 'id' | 'phone' | 'email'>, channel: Channel): string | undefined {
  switch (channel) {
    case 'sms':
      return client.phone;
    case 'email':
      return client.email;
    case 'inapp':
      return client.id;
  }
}

/** `optedOut: true` is every channel; otherwise the channels `optOuts` names. */
export function isOptedOutOf(client: { optedOut?: boolean; optOuts?: readonly Channel[] }, channel: Channel): boolean {
  return Boolean(client.optedOut) || (client.optOuts?.includes(channel) ?? false);
}

/** Each channel once, in CHANNELS order; none is absent, so a client stored before opt-outs per channel reads the same. */
export function normalizedOptOuts(channels: readonly Channel[] | undefined): Channel[] | undefined {
  const set = new Set(channels ?? []);
  const ordered = CHANNELS.filter((channel) => set.has(channel));
  return ordered.length > 0 ? ordered : undefined;
}

/** A client is reached on some address: neither a phone nor an e-mail address is a ValidationError naming both. */
export function checkHasAddress(client: { phone?: string | null; email?: string | null }): void {
  if (client.phone == null && client.email == null) {
    const message = 'a client needs a phone, an email or both';
    throw new ValidationError(`phone, email: ${message}`, [
      { field: 'phone', message },
      { field: 'email', message },
    ]);
  }
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
 * which of its addresses are on the suppression list: a suppressed phone opts the client out
 * unless the request says `optedOut: false` itself, a suppressed e-mail address puts `email`
 * in its `optOuts` unless the request gives `optOuts` itself.
 */
export function newClientRecord(input: NewClient, id: string, now: Date, suppressed: SuppressedAddresses = {}): Client {
  checkHasAddress(input);
  const stamp = now.toISOString();
  if (input.attributes) checkAttributes(input.attributes);
  const operatorCode = input.operatorCode ?? (input.phone !== undefined ? operatorCodeOf(input.phone) : undefined);
  const optOuts = normalizedOptOuts(input.optOuts ?? (input.email !== undefined && suppressed.email ? ['email'] : undefined));
  return {
    id,
    ...(input.phone !== undefined ? { phone: input.phone } : {}),
    ...(input.email !== undefined ? { email: input.email } : {}),
    ...(operatorCode !== undefined ? { operatorCode } : {}),
    ...(input.tag !== undefined ? { tag: input.tag } : {}),
    timezone: input.timezone,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.attributes && Object.keys(input.attributes).length > 0 ? { attributes: input.attributes } : {}),
    optedOut: input.optedOut ?? (input.phone !== undefined && Boolean(suppressed.sms)),
    ...(optOuts ? { optOuts } : {}),
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

const patched = <T>(current: T | undefined, change: T | null | undefined): T | undefined => (change === undefined ? current : (change ?? undefined));

/**
 * A patched client. A new phone re-derives the operator code unless the patch sets one, or the
 * old code was set by hand (it differs from the old phone's); removing the phone removes a
 * derived code. `suppressed` says which of the patched client's addresses are on the
 * suppression list: moving onto a suppressed one opts the client out of its channel, unless
 * this very patch says otherwise.
 */
export function patchedClient(client: Client, patch: ClientPatch, now: Date, suppressed: SuppressedAddresses = {}): Client {
  const phone = patched(client.phone, patch.phone);
  const email = patched(client.email, patch.email);
  checkHasAddress({ phone, email });
  // A client without a code (it had no phone) takes the new phone's, as a new client would.
  const codeWasDerived = client.operatorCode === undefined || (client.phone !== undefined && client.operatorCode === operatorCodeOf(client.phone));
  const {
    phone: _oldPhone,
    email: _oldEmail,
    operatorCode: _oldCode,
    tag: _oldTag,
    name: _oldName,
    attributes: _oldAttributes,
    optOuts: _oldOptOuts,
    ...rest
  } = client;
  const tag = patched(client.tag, patch.tag);
  const name = patched(client.name, patch.name);
  const attributes = mergedAttributes(client.attributes, patch.attributes);
  const operatorCode =
    patch.operatorCode ?? (codeWasDerived && phone !== client.phone ? (phone !== undefined ? operatorCodeOf(phone) : undefined) : client.operatorCode);
  const movedOntoSuppressed = (channel: SuppressibleChannel) =>
    addressOf({ ...client, phone, email }, channel) !== undefined &&
    addressOf({ ...client, phone, email }, channel) !== addressOf(client, channel) &&
    Boolean(suppressed[channel]);
  const optedOut = patch.optedOut ?? (Boolean(client.optedOut) || movedOntoSuppressed('sms'));
  const optOuts = normalizedOptOuts(patch.optOuts ?? [...(client.optOuts ?? []), ...(movedOntoSuppressed('email') ? (['email'] as const) : [])]);
  return {
    ...rest,
    ...(phone !== undefined ? { phone } : {}),
    ...(email !== undefined ? { email } : {}),
    ...(operatorCode !== undefined ? { operatorCode } : {}),
    timezone: patch.timezone ?? client.timezone,
    ...(tag !== undefined ? { tag } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(attributes !== undefined ? { attributes } : {}),
    optedOut,
    ...(optOuts ? { optOuts } : {}),
    updatedAt: now.toISOString(),
  };
}

/** What a client write does to one of its addresses on the suppression list. */
export interface AddressSuppression {
  channel: SuppressibleChannel;
  address: string;
  /** `add`: opted out of the channel; `remove`: opted back in by this write; `keep`: neither (the address stays as it is). */
  change: 'add' | 'remove' | 'keep';
}

/**
 * What a client write does to the suppression list, address by address: the address of a channel
 * the client is opted out of goes on it; the address of a channel this write opts the client back
 * into (`lifted`) comes off; any other address is left as it is (a bounce's suppression stays).
 * Deleting a client leaves the list alone.
 */
export function suppressionPlan(next: Client, lifted: (channel: SuppressibleChannel) => boolean): AddressSuppression[] {
  return SUPPRESSIBLE_CHANNELS.flatMap((channel) => {
    const address = addressOf(next, channel);
    if (address === undefined) return [];
    const change = isOptedOutOf(next, channel) ? 'add' : lifted(channel) ? 'remove' : 'keep';
    return [{ channel, address, change }];
  });
}

/**
 * The channels a create opts back into: `optedOut: false` lifts every channel it leaves out of
 * `optOuts`, and a suppressed address the new client is not opted out of was lifted by the request.
 */
export function liftedByCreate(client: Client, input: Pick<NewClient, 'optedOut'>, suppressed: SuppressedAddresses) {
  return (channel: SuppressibleChannel) => !isOptedOutOf(client, channel) && (input.optedOut === false || Boolean(suppressed[channel]));
}

/** The channels a patch opts back into: `optedOut: false`, or a channel the client was opted out of and no longer is. */
export function liftedByPatch(before: Client, after: Client, patch: Pick<ClientPatch, 'optedOut'>) {
  return (channel: SuppressibleChannel) => !isOptedOutOf(after, channel) && (patch.optedOut === false || isOptedOutOf(before, channel));
}
