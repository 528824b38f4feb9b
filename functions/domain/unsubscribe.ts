/**
 * One-click unsubscribe tokens (RFC 8058): `{base}/unsubscribe/{token}` in every e-mail's
 * `List-Unsubscribe` header and in `{{ unsubscribeUrl }}`. A token is opaque and URL-safe,
 * names a client and a channel, and is signed with HMAC-SHA256 under a key only Herald holds;
 * it does not expire, so a link in an old e-mail still works. The MAC itself is computed behind
 * the TokenSigner port (functions/ports/signing.ts, functions/adapters/hmac-signer.ts): the
 * domain does no cryptography of its own, only the constant-time comparison.
 */
import { CHANNELS, type Channel } from './channels/channel.js';

/** HMAC-SHA256 of `data` under Herald's key, base64url without padding (43 characters). */
export interface TokenSigner {
  sign(data: string): string;
}

export interface UnsubscribeSubject {
  clientId: string;
  channel: Channel;
}

/** A new format gets a new version; tokens already in mailboxes keep theirs. */
const VERSION = '1';
/** Signed with the payload, so a signature made for anything else under the same key is no token. */
const PURPOSE = 'herald-unsubscribe';
const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;
const PAYLOAD = /^[A-Za-z0-9_-]{1,200}$/;

const utf8ToBase64url = (text: string): string => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

function base64urlToText(encoded: string): string | undefined {
  try {
    return atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return undefined;
  }
}

/** Equal strings take as long to compare as unequal ones: a MAC is not guessed a character at a time. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** `{payload}.{mac}`: the payload is `1.{channel}.{clientId}` in base64url, the MAC is over the encoded payload. */
export function unsubscribeToken(signer: TokenSigner, subject: UnsubscribeSubject): string {
  if (!CLIENT_ID.test(subject.clientId)) throw new Error(`not a client id: ${subject.clientId}`);
  const payload = utf8ToBase64url(`${VERSION}.${subject.channel}.${subject.clientId}`);
  return `${payload}.${signer.sign(`${PURPOSE}.${payload}`)}`;
}

/** The client and channel a token names, or undefined when it is not one Herald signed (tampered, forged, cut short, another key's). */
export function readUnsubscribeToken(signer: TokenSigner, token: string): UnsubscribeSubject | undefined {
  const dot = token.indexOf('.');
  if (dot < 0) return undefined;
  const payload = token.slice(0, dot);
  const mac = token.slice(dot + 1);
  if (!PAYLOAD.test(payload) || !MAC.test(mac)) return undefined;
  if (!constantTimeEqual(signer.sign(`${PURPOSE}.${payload}`), mac)) return undefined;
  // Signed by Herald, so well formed; read strictly all the same.
  const [version, channel, clientId, ...rest] = (base64urlToText(payload) ?? '').split('.');
  if (version !== VERSION || rest.length > 0 || clientId === undefined || !CLIENT_ID.test(clientId)) return undefined;
  if (!(CHANNELS as readonly string[]).includes(channel as string)) return undefined;
  return { clientId, channel: channel as Channel };
}

/** `https://herald.example/` + token -> `https://herald.example/unsubscribe/{token}`. */
export function unsubscribeUrl(base: string, token: string): string {
  return `${base.replace(/\/+$/, '')}/unsubscribe/${token}`;
}
