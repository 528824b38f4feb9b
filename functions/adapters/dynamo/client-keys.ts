/** The clients' items in the uniques table, and the index queries the directory and the audience both make. */
export { LATEST_OPT_OUT_KEY, suppressedKey } from './suppression-list.js';

export type Key = Record<string, unknown>;

/** A phone's reservation: the client that holds the phone. */
export const phoneKey = (phone: string) => `phone#${phone}`;
/** An e-mail address's reservation (the address lower-cased): the client that holds it, and how a client is found by it. */
export const emailKey = (email: string) => `email#${email}`;
export const keyNames = { '#k': 'key' };

/** KeyConditionExpression on one index value, with the other filter list as a FilterExpression. */
export function byValue(attribute: string, value: string, also?: Record<string, readonly string[]>, projection?: string) {
  const names: Record<string, string> = { '#a': attribute };
  const values: Record<string, unknown> = { ':a': value };
  let filterExpression: string | undefined;
  for (const [name, allowed] of Object.entries(also ?? {})) {
    names['#f'] = name;
    allowed.forEach((entry, i) => (values[`:f${i}`] = entry));
    filterExpression = `#f IN (${allowed.map((_, i) => `:f${i}`).join(', ')})`;
  }
  return {
    KeyConditionExpression: '#a = :a',
    ...(filterExpression ? { FilterExpression: filterExpression } : {}),
    ...(projection ? { ProjectionExpression: projection } : {}),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
