/**
 * The import CLI's pure parts: which header it accepts, how a row becomes a client, where
 * rejected rows go, and when and how it signs (SigV4 with fixed credentials and clock).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { checkHeader, clientOf, ImportFileError, isLoopback, regionOf, rejectedPathOf, sigV4Signer } from '../../bin/import.js';

describe('header', () => {
  it.each([['phone,timezone'], ['timezone,phone,tag,operatorCode,name,attributes.city,attributes.plan_2']])('accepts %s', (header) => {
    expect(() => checkHeader('f.csv', header.split(','))).not.toThrow();
  });
  it.each([
    ['79001234567,UTC', /no header row/],
    ['phone,timezone,colour', /unknown column "colour"/],
    ['phone,timezone,attributes.City', /unknown column "attributes.City"/],
    ['phone,timezone,attributes.', /unknown column/],
    ['phone,timezone,phone', /appears twice/],
    ['phone,tag', /missing column timezone/],
  ])('refuses %s', (header, message) => {
    expect(() => checkHeader('f.csv', header.split(','))).toThrow(ImportFileError);
    expect(() => checkHeader('f.csv', header.split(','))).toThrow(message);
  });
});

describe('rows', () => {
  it('leaves empty cells out and gathers attribute columns', () => {
    const columns = ['phone', 'timezone', 'tag', 'name', 'attributes.city', 'attributes.plan'];
    expect(clientOf(columns, ['79001234567', 'UTC', '', 'Ann', 'Kazan', ''])).toEqual({
      phone: '79001234567',
      timezone: 'UTC',
      name: 'Ann',
      attributes: { city: 'Kazan' },
    });
  });
  it('sends no name or attributes when the file has no such columns', () => {
    expect(clientOf(['phone', 'timezone'], ['79001234567', 'UTC'])).toEqual({ phone: '79001234567', timezone: 'UTC' });
  });
  it('writes rejected rows beside the input', () => {
    expect(rejectedPathOf('/data/clients.csv')).toBe('/data/clients.rejected.csv');
    expect(rejectedPathOf('clients.txt')).toBe('clients.txt.rejected.csv');
  });
});

describe('signing', () => {
  it.each([
    ['http://127.0.0.1:3000', true],
    ['http://localhost:3000', true],
    ['http://[::1]:3000', true],
    ['https://abc123.execute-api.eu-west-1.amazonaws.com/prod', false],
    ['http://10.0.0.5:3000', false],
  ])('%s on loopback: %s', (url, loopback) => {
    expect(isLoopback(new URL(url))).toBe(loopback);
  });

  it('takes the region from an API Gateway host, else from AWS_REGION', () => {
    expect(regionOf(new URL('https://abc.execute-api.eu-west-1.amazonaws.com/prod'), {})).toBe('eu-west-1');
    expect(regionOf(new URL('https://api.example.com'), { AWS_REGION: 'us-east-2' })).toBe('us-east-2');
    expect(() => regionOf(new URL('https://api.example.com'), {})).toThrow(/AWS_REGION/);
  });

  it('signs for execute-api with SigV4: scope, signed headers, payload hash', async () => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z'), toFake: ['Date'] });
    try {
      const url = new URL('https://abc.execute-api.eu-west-1.amazonaws.com/prod/clients/batch');
      const sign = await sigV4Signer(url, { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
      const body = '{"clients":[]}';
      const headers = await sign({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body });
      expect(headers['x-amz-date']).toBe('20300101T000000Z');
      expect(headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20300101\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
      );
      expect(headers['x-amz-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
      // Another body is another signature: the payload is part of what is signed.
      const other = await sign({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: '{"clients":[{}]}' });
      expect(other.authorization).not.toBe(headers.authorization);
      expect(headers.host).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});
