/** Client directory rules. */
export interface Client {
  id: string;
  /** `7XXXXXXXXXX`, unique across clients. */
  phone: string;
  /** Three digits; taken from the phone's digits 2-4 unless given. */
  operatorCode: string;
  tag?: string;
  /** IANA time zone name. */
  timezone: string;
  createdAt: string;
  updatedAt: string;
}

export interface NewClient {
  phone: string;
  timezone: string;
  tag?: string;
  operatorCode?: string;
}

/** `tag: null` removes the tag. */
export interface ClientPatch {
  phone?: string;
  timezone?: string;
  operatorCode?: string;
  tag?: string | null;
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

/** Logs never carry a whole phone number: `79001234567` -> `7900*****67`. */
export function maskPhone(phone: string | number): string {
  const digits = String(phone);
  return digits.length <= 6 ? '*'.repeat(digits.length) : `${digits.slice(0, 4)}${'*'.repeat(digits.length - 6)}${digits.slice(-2)}`;
}

/** The client a create request describes, with its operator code settled. */
export function newClientRecord(input: NewClient, id: string, now: Date): Client {
  const stamp = now.toISOString();
  return {
    id,
    phone: input.phone,
    operatorCode: input.operatorCode ?? operatorCodeOf(input.phone),
    ...(input.tag !== undefined ? { tag: input.tag } : {}),
    timezone: input.timezone,
    createdAt: stamp,
    updatedAt: stamp,
  };
}

/**
 * A patched client. A new phone re-derives the operator code unless the patch
 * sets one, or the old code was set by hand (it differs from the old phone's).
 */
export function patchedClient(client: Client, patch: ClientPatch, now: Date): Client {
  const phone = patch.phone ?? client.phone;
  const codeWasDerived = client.operatorCode === operatorCodeOf(client.phone);
  const { tag: _oldTag, ...rest } = client;
  const tag = patch.tag === undefined ? client.tag : (patch.tag ?? undefined);
  return {
    ...rest,
    phone,
    operatorCode: patch.operatorCode ?? (patch.phone && codeWasDerived ? operatorCodeOf(phone) : client.operatorCode),
    timezone: patch.timezone ?? client.timezone,
    ...(tag !== undefined ? { tag } : {}),
    updatedAt: now.toISOString(),
  };
}
