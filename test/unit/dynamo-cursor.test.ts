/**
 * The list cursors' codec (functions/adapters/dynamo/cursor.ts): what it issues comes back, and
 * nothing else does: a forged, tampered or truncated cursor, or one of another list or another
 * partition, is a ValidationError naming `cursor`. Generated cases run from a fixed seed.
 */
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromStartKey, listCursor, startKeyFields } from '../../functions/adapters/dynamo/cursor.js';
import { CAMPAIGNS_BY_RECURRING, CLIENTS_BY_OPERATOR, CLIENTS_BY_TAG, tables } from '../../functions/definitions/tables.js';
import { ValidationError } from '../../functions/domain/errors.js';

const run = { seed: 20_260_101, numRuns: 200 };
const base64url = (text: string) => Buffer.from(text).toString('base64url');

/** The decode's answer: the position, or the field its refusal names. */
function decoded<P extends Record<string, unknown>>(cursor: ReturnType<typeof listCursor<P>>, text: string): P | { refused: string[] } {
  try {
    return cursor.decode(text) as P;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { refused: error.fields.map((problem) => problem.field) };
  }
}
const refused = { refused: ['cursor'] };

const clients = listCursor('clients', startKeyFields(tables.clients));
const byTag = (tag: string) => listCursor(`clients.${CLIENTS_BY_TAG}`, startKeyFields(tables.clients, CLIENTS_BY_TAG, tag));
const byOperator = (code: string) => listCursor(`clients.${CLIENTS_BY_OPERATOR}`, startKeyFields(tables.clients, CLIENTS_BY_OPERATOR, code));
const campaigns = listCursor('campaigns', startKeyFields(tables.campaigns));
const runsOf = (id: string) => listCursor(`campaigns.${CAMPAIGNS_BY_RECURRING}`, startKeyFields(tables.campaigns, CAMPAIGNS_BY_RECURRING, id));
const chunks = (campaignId: string) => listCursor('chunks', startKeyFields(tables.messages, undefined, campaignId));

/** A key string as DynamoDB stores one: non-empty, well-formed, within a sort key's 1024 bytes. */
const keyString = fc.string({ minLength: 1, maxLength: 60, unit: 'grapheme' });

describe('the key fields a list takes back', () => {
  it('are exactly the table’s and the index’s key attributes', () => {
    expect(Object.keys(startKeyFields(tables.clients))).toEqual(['id']);
    expect(Object.keys(startKeyFields(tables.clients, CLIENTS_BY_TAG, 'vip'))).toEqual(['id', 'tag']);
    expect(Object.keys(startKeyFields(tables.campaigns, CAMPAIGNS_BY_RECURRING, '7'))).toEqual(['id', 'recurringId', 'occurrence']);
    expect(Object.keys(startKeyFields(tables.messages))).toEqual(['campaignId', 'chunk']);
    expect(() => startKeyFields(tables.clients, 'byNothing')).toThrow(/no index byNothing/);
  });

  it('hold each value to DynamoDB’s rules for its role: type, non-empty, well-formed, at most 2048 bytes, 1024 as a sort key', () => {
    const scan = startKeyFields(tables.clients);
    const tag = startKeyFields(tables.clients, CLIENTS_BY_TAG, 'vip');
    const chunk = startKeyFields(tables.messages, undefined, '1');
    expect([scan.id?.('abc'), scan.id?.('x'.repeat(2048)), scan.id?.('é'.repeat(1024)), tag.id?.('x'.repeat(1024)), chunk.chunk?.(12)]).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    for (const bad of ['', 1, null, true, {}, ['a'], '\ud800', 'a\udc00b', 'x'.repeat(2049), 'é'.repeat(1025)]) expect(scan.id?.(bad), String(bad)).toBe(false);
    expect(tag.id?.('x'.repeat(1025))).toBe(false);
    for (const bad of ['12', 1.5, 2 ** 53, Number.NaN, Infinity, null]) expect(chunk.chunk?.(bad), String(bad)).toBe(false);
  });

  it('pin the queried partition to the request’s value', () => {
    expect(startKeyFields(tables.clients, CLIENTS_BY_TAG, 'vip').tag?.('vip')).toBe(true);
    expect(startKeyFields(tables.clients, CLIENTS_BY_TAG, 'vip').tag?.('gold')).toBe(false);
    expect(startKeyFields(tables.messages, undefined, '1').campaignId?.('2')).toBe(false);
    // The table's own key in an index is any id: only the queried partition is pinned.
    expect(startKeyFields(tables.campaigns, CAMPAIGNS_BY_RECURRING, '7').id?.('8')).toBe(true);
  });
});

describe('a list cursor', () => {
  it('round-trips every key it issues', () => {
    fc.assert(
      fc.property(keyString, keyString, fc.string({ minLength: 1, maxLength: 30 }), fc.nat(), (id, tag, occurrence, chunk) => {
        for (const [cursor, key] of [
          [clients, { id }],
          [byTag(tag), { id, tag }],
          [byOperator(tag), { operatorCode: tag, id }],
          [runsOf(tag), { id, recurringId: tag, occurrence }],
          [chunks(id), { campaignId: id, chunk }],
        ] as const) {
          const issued = cursor.encode(key as never) as string;
          expect(issued).toMatch(/^[A-Za-z0-9_-]+$/);
          expect(decoded(cursor as never, issued)).toEqual(key);
        }
      }),
      run,
    );
    expect(clients.encode(undefined)).toBeNull();
    expect(clients.decode(undefined)).toBeUndefined();
  });

  it('refuses forged ones: the issue’s example, a raw key, a bare position, and Herald’s form with a wrong field', () => {
    for (const forged of [
      'eyJhIjoxfQ',
      'not-ours',
      base64url('{"id":"x"}'),
      base64url('["clients",{"id":"x"},1]'),
      base64url('["clients"]'),
      base64url('["clients",["x"]]'),
      base64url('["clients",{}]'),
      base64url('["clients",{"id":""}]'),
      base64url('["clients",{"id":7}]'),
      base64url('["clients",{"id":"x","tag":"vip"}]'),
      base64url('["clients",{"ID":"x"}]'),
      base64url('["clients",{"id":"x","__proto__":{"id":"y"}}]'),
      base64url('["clients",{"id":"\\ud800"}]'),
      base64url('null'),
      '',
    ]) {
      expect(decoded(clients, forged), forged).toEqual(refused);
    }
  });

  it('refuses one that was changed, unless the change names another well-formed key of the same list and partition', () => {
    const cursor = byTag('vip');
    const issued = cursor.encode({ id: 'k3Jd9sQ0aB1xYz2w', tag: 'vip' }) as string;
    const alphabet = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. '];
    let taken = 0;
    fc.assert(
      fc.property(fc.nat(issued.length - 1), fc.constantFrom(...alphabet), fc.nat(3), (at, character, extra) => {
        const changed = issued.slice(0, at) + character + issued.slice(at + 1 + (extra % 2)) + (extra === 3 ? character : '');
        fc.pre(changed !== issued);
        const answer = decoded(cursor, changed);
        if ('refused' in answer) {
          expect(answer).toEqual(refused);
          return;
        }
        // Taken back: then it is a key this list issues for this partition, a place the caller could page to.
        taken += 1;
        expect(answer).toEqual({ id: expect.any(String), tag: 'vip' });
        expect(Object.keys(answer).sort()).toEqual(['id', 'tag']);
      }),
      { ...run, numRuns: 300 },
    );
    // Nearly every change breaks the spelling; those that do not only move the start within the tag's list.
    expect(taken).toBeLessThan(30);
  });

  it('refuses every truncation and every non-canonical spelling of an issued one', () => {
    const issued = runsOf('7').encode({ id: '9', recurringId: '7', occurrence: '2030-01-01T09:00:00.000Z' }) as string;
    for (let length = 0; length < issued.length; length++) expect(decoded(runsOf('7'), issued.slice(0, length)), `first ${length}`).toEqual(refused);
    const json = Buffer.from(issued, 'base64url').toString('utf8');
    for (const respelled of [
      `${issued}=`,
      `${issued}.`,
      ` ${issued}`,
      Buffer.from(json).toString('base64'),
      base64url(` ${json}`),
      base64url(json.replace('"9"', '"\\u0039"')),
      base64url(json.replace(',"recurringId":"7"', ',"recurringId":"7","recurringId":"7"')),
    ]) {
      expect(decoded(runsOf('7'), respelled), respelled).toEqual(refused);
    }
  });

  it('refuses another list’s cursor and another partition’s', () => {
    const scanned = clients.encode({ id: 'k3Jd9sQ0aB1xYz2w' }) as string;
    const tagged = byTag('vip').encode({ id: 'k3Jd9sQ0aB1xYz2w', tag: 'vip' }) as string;
    const coded = byOperator('900').encode({ id: 'k3Jd9sQ0aB1xYz2w', operatorCode: '900' }) as string;
    const listed = campaigns.encode({ id: '12' }) as string;
    const run7 = runsOf('7').encode({ id: '9', recurringId: '7', occurrence: '2030-01-01T09:00:00.000Z' }) as string;
    expect(decoded(campaigns, scanned)).toEqual(refused);
    expect(decoded(clients, listed)).toEqual(refused);
    expect(decoded(byTag('vip'), scanned)).toEqual(refused);
    expect(decoded(byTag('vip'), coded)).toEqual(refused);
    expect(decoded(byOperator('900'), tagged)).toEqual(refused);
    expect(decoded(clients, tagged)).toEqual(refused);
    expect(decoded(byTag('gold'), tagged)).toEqual(refused);
    expect(decoded(byOperator('901'), coded)).toEqual(refused);
    expect(decoded(runsOf('8'), run7)).toEqual(refused);
    expect(decoded(campaigns, run7)).toEqual(refused);
    // The controls: each is taken back where it was issued.
    expect(decoded(byTag('vip'), tagged)).toEqual({ id: 'k3Jd9sQ0aB1xYz2w', tag: 'vip' });
    expect(decoded(runsOf('7'), run7)).toEqual({ id: '9', recurringId: '7', occurrence: '2030-01-01T09:00:00.000Z' });
  });

  it('refuses whatever else fast-check makes of one', () => {
    const anything = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue().map((value) => base64url(JSON.stringify(value) ?? 'null')),
      fc.jsonValue().map((value) => base64url(JSON.stringify(['clients.byTag', value]))),
      fc.dictionary(fc.constantFrom('id', 'tag', 'operatorCode', 'x'), fc.jsonValue()).map((key) => base64url(JSON.stringify(['clients.byTag', key]))),
    );
    fc.assert(
      fc.property(anything, (text) => {
        const answer = decoded(byTag('vip'), text);
        if ('refused' in answer) {
          expect(answer).toEqual(refused);
          return;
        }
        expect(answer).toEqual({ id: expect.any(String), tag: 'vip' });
        expect(startKeyFields(tables.clients, CLIENTS_BY_TAG, 'vip').id?.(answer.id)).toBe(true);
      }),
      { ...run, numRuns: 300 },
    );
  });
});

describe('a start key DynamoDB still refuses', () => {
  const validation = new DynamoDBServiceException({
    name: 'ValidationException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'The provided starting key is invalid',
  });

  it('is the caller’s cursor (400), when the request carried one', async () => {
    const error = await fromStartKey({ id: 'x' }, () => Promise.reject(validation)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields).toEqual([{ field: 'cursor', message: expect.any(String) }]);
  });

  it('is left as it is without a cursor, and so is any other error', async () => {
    await expect(fromStartKey(undefined, () => Promise.reject(validation))).rejects.toBe(validation);
    const throttled = new DynamoDBServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {}, message: 'slow' });
    await expect(fromStartKey({ id: 'x' }, () => Promise.reject(throttled))).rejects.toBe(throttled);
    await expect(fromStartKey({ id: 'x' }, async () => 'page')).resolves.toBe('page');
  });
});
