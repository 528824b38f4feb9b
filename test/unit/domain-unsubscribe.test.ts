/** Unsubscribe tokens (functions/domain/unsubscribe.ts) signed by the HMAC-SHA256 signer (functions/adapters/hmac-signer.ts). */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacSigner } from '../../functions/adapters/hmac-signer.js';
import { CHANNELS } from '../../functions/domain/channels/channel.js';
import { constantTimeEqual, readUnsubscribeToken, unsubscribeToken, unsubscribeUrl } from '../../functions/domain/unsubscribe.js';

const key = 'k'.repeat(32);
const signer = hmacSigner(key);
const otherSigner = hmacSigner('o'.repeat(32));
const subject = { clientId: 'AbC-123_xyz', channel: 'email' as const };

describe('unsubscribe tokens', () => {
  it('name the client and the channel, and read back', () => {
    const token = unsubscribeToken(signer, subject);
    expect(readUnsubscribeToken(signer, token)).toEqual(subject);
  });

  it('are URL-safe and do not show the client id in the clear', () => {
    const token = unsubscribeToken(signer, subject);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(token).not.toContain(subject.clientId);
  });

  it('are HMAC-SHA256 of the payload under the key', () => {
    const token = unsubscribeToken(signer, subject);
    const [payload, mac] = token.split('.') as [string, string];
    expect(mac).toBe(createHmac('sha256', key).update(`herald-unsubscribe.${payload}`).digest('base64url'));
  });

  it('do not expire: the same subject always gets the same token', () => {
    expect(unsubscribeToken(signer, subject)).toBe(unsubscribeToken(hmacSigner(key), subject));
  });

  it('read back for every channel and client ids of every length and character', () => {
    const ids = ['a', '-', '_', 'A'.repeat(64), 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_', 'x'.repeat(2), 'xy', 'xyz'];
    for (const channel of CHANNELS)
      for (const clientId of ids) expect(readUnsubscribeToken(signer, unsubscribeToken(signer, { clientId, channel }))).toEqual({ clientId, channel });
  });

  it('refuses a token signed under another key', () => {
    expect(readUnsubscribeToken(signer, unsubscribeToken(otherSigner, subject))).toBeUndefined();
  });

  it('refuses a token whose payload names another client or channel (forged with the old MAC)', () => {
    const [, mac] = unsubscribeToken(signer, subject).split('.');
    const [otherPayload] = unsubscribeToken(signer, { clientId: 'someone-else', channel: 'email' }).split('.');
    const [smsPayload] = unsubscribeToken(signer, { ...subject, channel: 'sms' }).split('.');
    expect(readUnsubscribeToken(signer, `${otherPayload}.${mac}`)).toBeUndefined();
    expect(readUnsubscribeToken(signer, `${smsPayload}.${mac}`)).toBeUndefined();
  });

  it('refuses the token with any one character changed', () => {
    const token = unsubscribeToken(signer, subject);
    for (let at = 0; at < token.length; at++) {
      for (const char of 'AZaz09-_.x') {
        if (token[at] === char) continue;
        expect(readUnsubscribeToken(signer, `${token.slice(0, at)}${char}${token.slice(at + 1)}`)).toBeUndefined();
      }
    }
  });

  it('refuses a token cut short or grown', () => {
    const token = unsubscribeToken(signer, subject);
    for (let length = 0; length < token.length; length++) expect(readUnsubscribeToken(signer, token.slice(0, length))).toBeUndefined();
    expect(readUnsubscribeToken(signer, `${token}A`)).toBeUndefined();
    expect(readUnsubscribeToken(signer, `A${token}`)).toBeUndefined();
  });

  it('refuses what is not a token at all', () => {
    for (const junk of ['', '.', 'abc', 'a.b', `${'A'.repeat(10)}.${'B'.repeat(43)}`, '../../etc/passwd', '%2e%2e', `${'A'.repeat(5000)}.${'B'.repeat(43)}`]) {
      expect(readUnsubscribeToken(signer, junk)).toBeUndefined();
    }
  });

  it('refuses a payload Herald signed but that names no channel or client (defence in depth)', () => {
    const sign = (text: string) => {
      const payload = btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      return `${payload}.${signer.sign(`herald-unsubscribe.${payload}`)}`;
    };
    expect(readUnsubscribeToken(signer, sign('1.email.AbC'))).toEqual({ clientId: 'AbC', channel: 'email' });
    for (const text of ['2.email.AbC', '1.fax.AbC', '1.email.', '1.email.a.b', '1.email.a/b', '1.email'])
      expect(readUnsubscribeToken(signer, sign(text))).toBeUndefined();
  });

  it('refuses to make a token for what is not a client id', () => {
    expect(() => unsubscribeToken(signer, { clientId: 'a.b', channel: 'email' })).toThrow();
  });
});

describe('hmacSigner', () => {
  it('refuses a key shorter than 32 bytes', () => {
    expect(() => hmacSigner('short')).toThrow(/at least 32/);
    expect(() => hmacSigner(new Uint8Array(31))).toThrow(/at least 32/);
    expect(() => hmacSigner(new Uint8Array(32))).not.toThrow();
  });
});

describe('constantTimeEqual', () => {
  it('compares', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'ab')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});

describe('unsubscribeUrl', () => {
  it('joins the base and the token with one slash', () => {
    expect(unsubscribeUrl('https://herald.example/', 't.k')).toBe('https://herald.example/unsubscribe/t.k');
    expect(unsubscribeUrl('https://herald.example/prod', 't.k')).toBe('https://herald.example/prod/unsubscribe/t.k');
  });
});
