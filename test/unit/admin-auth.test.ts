/**
 * The admin app's sign-in and signing module (web/src/auth/): PKCE against RFC 7636's vector,
 * the authorize URL, the sign-in flow with a stand-in Cognito token endpoint (Cognito cannot
 * run here: the exact requests are asserted), and the signing fetch over real HTTP, its
 * signature recomputed by an independent SigV4 implementation proven on AWS's published vector.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminConfig } from '../../web/src/auth/config.js';
import * as auth from '../../web/src/auth/index.js';
import { authorizeUrl, base64Url, challengeOf, logoutUrl, randomToken } from '../../web/src/auth/pkce.js';
import { accessOf, accessOrRefuse, PENDING_KEY, signIn, SignInError, TOKENS_KEY, type BrowserSurroundings } from '../../web/src/auth/session.js';
import { ApiError, NOT_ALLOWED, unwrap } from '../../web/src/api/client.js';
import { cachedCredentials, signingFetch, type TemporaryCredentials } from '../../web/src/auth/signing.js';

const config: AdminConfig = {
  apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/',
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_AbCdEf',
  userPoolClientId: 'client123',
  identityPoolId: 'eu-west-1:0000-1111',
  authDomain: 'herald-admin-1a2b3c4d.auth.eu-west-1.amazoncognito.com',
};

describe('PKCE (RFC 7636)', () => {
  it('matches the RFC 7636 appendix B vector: the verifier from its octets, the S256 challenge from the verifier', async () => {
    const octets = [
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    expect(base64Url(new Uint8Array(octets))).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    expect(await challengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(await challengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj')).not.toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 43-character random verifiers of the unreserved alphabet, never the same twice', () => {
    const tokens = Array.from({ length: 50 }, randomToken);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(tokens).size).toBe(50);
  });

  it('sends the browser to the Cognito domain with the code flow, the client, the scopes, the state and the S256 challenge', () => {
    const url = new URL(authorizeUrl(config, { redirectUri: 'https://d1.cloudfront.net/admin/', state: 'st', challenge: 'ch' }));
    expect(`${url.origin}${url.pathname}`).toBe('https://herald-admin-1a2b3c4d.auth.eu-west-1.amazoncognito.com/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client123',
      redirect_uri: 'https://d1.cloudfront.net/admin/',
      scope: 'openid email profile',
      state: 'st',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
  });

  it('signs out at the Cognito domain and comes back to the app', () => {
    const url = new URL(logoutUrl(config, 'https://d1.cloudfront.net/admin/'));
    expect(`${url.origin}${url.pathname}`).toBe('https://herald-admin-1a2b3c4d.auth.eu-west-1.amazoncognito.com/logout');
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: 'client123', logout_uri: 'https://d1.cloudfront.net/admin/' });
  });
});

/** A JWT as Cognito issues one, unsigned here (the page never verifies it; the identity pool does). */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'k' })}.${part(claims)}.c2lnbmF0dXJl`;
}

interface TokenCall {
  url: string;
  method: string;
  contentType: string | null;
  form: Record<string, string>;
}

/** The page's pieces as plain objects, and a stand-in for Cognito's token endpoint that records each call. */
function surroundings(url: string, nowIso: string, answer: (form: Record<string, string>) => { status: number; body: unknown }) {
  const stored = new Map<string, string>();
  const calls: TokenCall[] = [];
  const navigations: string[] = [];
  const replacements: string[] = [];
  let now = new Date(nowIso);
  const page: BrowserSurroundings = {
    storage: {
      getItem: (key) => stored.get(key) ?? null,
      setItem: (key, value) => void stored.set(key, value),
      removeItem: (key) => void stored.delete(key),
    },
    currentUrl: () => url,
    replaceUrl: (next) => void replacements.push(next),
    navigate: (next) => void navigations.push(next),
    fetch: async (input, init) => {
      const form = Object.fromEntries(new URLSearchParams(String(init?.body)));
      calls.push({ url: String(input), method: init?.method ?? 'GET', contentType: new Headers(init?.headers).get('content-type'), form });
      const { status, body } = answer(form);
      return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    },
    now: () => now,
  };
  return { page, stored, calls, navigations, replacements, setNow: (iso: string) => (now = new Date(iso)) };
}

const TOKEN_ENDPOINT = 'https://herald-admin-1a2b3c4d.auth.eu-west-1.amazoncognito.com/oauth2/token';
const at = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);

describe('signing in (authorization code with PKCE)', () => {
  it('without a session: stores verifier, state and the current address, goes to sign in with the matching challenge, and returns null', async () => {
    const page = surroundings('https://d1.cloudfront.net/admin/campaigns/42?tab=messages', '2030-01-01T00:00:00Z', () => {
      throw new Error('no token request expected');
    });
    expect(await signIn(config, page.page)).toBeNull();
    expect(page.navigations).toHaveLength(1);
    const pending = JSON.parse(page.stored.get(PENDING_KEY)!) as { verifier: string; state: string; returnTo: string };
    expect(pending.returnTo).toBe('/admin/campaigns/42?tab=messages');
    const params = new URL(page.navigations[0]!).searchParams;
    expect(params.get('redirect_uri')).toBe('https://d1.cloudfront.net/admin/');
    expect(params.get('state')).toBe(pending.state);
    expect(params.get('code_challenge')).toBe(await challengeOf(pending.verifier));
    expect(page.calls).toEqual([]);
  });

  it('back with ?code=: trades it (with the verifier) for tokens, keeps only those in session storage, and clears the code from the address', async () => {
    const idToken = jwt({ email: 'ops@example.com', 'cognito:username': 'ops', exp: at('2030-01-01T01:00:00Z') });
    const page = surroundings('https://d1.cloudfront.net/admin/?code=the-code&state=s1', '2030-01-01T00:00:00Z', () => ({
      status: 200,
      body: { id_token: idToken, access_token: 'access', refresh_token: 'refresh', expires_in: 3600, token_type: 'Bearer' },
    }));
    page.stored.set(PENDING_KEY, JSON.stringify({ verifier: 'v'.repeat(43), state: 's1', returnTo: '/admin/campaigns/42' }));
    const user = await signIn(config, page.page);
    expect(page.calls).toEqual([
      {
        url: TOKEN_ENDPOINT,
        method: 'POST',
        contentType: 'application/x-www-form-urlencoded',
        form: {
          grant_type: 'authorization_code',
          client_id: 'client123',
          code: 'the-code',
          redirect_uri: 'https://d1.cloudfront.net/admin/',
          code_verifier: 'v'.repeat(43),
        },
      },
    ]);
    expect(page.replacements).toEqual(['/admin/campaigns/42']);
    expect(page.navigations).toEqual([]);
    expect([...page.stored.keys()]).toEqual([TOKENS_KEY]);
    expect(JSON.parse(page.stored.get(TOKENS_KEY)!)).toEqual({ idToken, refreshToken: 'refresh' });
    expect(user!.userName).toBe('ops@example.com');
    expect(await user!.idToken()).toBe(idToken);
  });

  it('refuses a code whose state it did not issue, before any token request', async () => {
    const page = surroundings('https://d1.cloudfront.net/admin/?code=stolen&state=other', '2030-01-01T00:00:00Z', () => {
      throw new Error('no token request expected');
    });
    page.stored.set(PENDING_KEY, JSON.stringify({ verifier: 'v'.repeat(43), state: 's1', returnTo: '/admin/' }));
    await expect(signIn(config, page.page)).rejects.toThrow(SignInError);
    expect(page.calls).toEqual([]);
    expect(page.replacements).toEqual(['/admin/']);
    expect(page.stored.has(TOKENS_KEY)).toBe(false);
  });

  it('reports a sign-in Cognito refused, and clears it from the address', async () => {
    const page = surroundings('https://d1.cloudfront.net/admin/?error=access_denied&error_description=User+is+disabled', '2030-01-01T00:00:00Z', () => {
      throw new Error('no token request expected');
    });
    await expect(signIn(config, page.page)).rejects.toThrow(/User is disabled/);
    expect(page.replacements).toEqual(['/admin/']);
  });

  it('refreshes an id token about to expire with the refresh token, keeping the refresh token', async () => {
    const old = jwt({ email: 'ops@example.com', exp: at('2030-01-01T00:01:00Z') });
    const renewed = jwt({ email: 'ops@example.com', exp: at('2030-01-01T01:00:00Z') });
    const page = surroundings('https://d1.cloudfront.net/admin/', '2030-01-01T00:00:00Z', () => ({
      status: 200,
      body: { id_token: renewed, access_token: 'a' },
    }));
    page.stored.set(TOKENS_KEY, JSON.stringify({ idToken: old, refreshToken: 'refresh' }));
    const user = await signIn(config, page.page);
    expect(page.calls.map((call) => call.form)).toEqual([{ grant_type: 'refresh_token', client_id: 'client123', refresh_token: 'refresh' }]);
    expect(await user!.idToken()).toBe(renewed);
    expect(JSON.parse(page.stored.get(TOKENS_KEY)!)).toEqual({ idToken: renewed, refreshToken: 'refresh' });
  });

  it('starts a new sign-in when the refresh token is refused', async () => {
    const old = jwt({ exp: at('2029-12-31T00:00:00Z') });
    const page = surroundings('https://d1.cloudfront.net/admin/', '2030-01-01T00:00:00Z', () => ({ status: 400, body: { error: 'invalid_grant' } }));
    page.stored.set(TOKENS_KEY, JSON.stringify({ idToken: old, refreshToken: 'revoked' }));
    expect(await signIn(config, page.page)).toBeNull();
    expect(page.stored.has(TOKENS_KEY)).toBe(false);
    expect(page.navigations[0]).toMatch(/\/oauth2\/authorize\?/);
  });

  it('signing out forgets the tokens and ends the hosted session', async () => {
    const idToken = jwt({ email: 'ops@example.com', exp: at('2030-01-01T01:00:00Z') });
    const page = surroundings('https://d1.cloudfront.net/admin/', '2030-01-01T00:00:00Z', () => {
      throw new Error('no token request expected');
    });
    page.stored.set(TOKENS_KEY, JSON.stringify({ idToken, refreshToken: 'refresh' }));
    const user = await signIn(config, page.page);
    user!.signOut();
    expect(page.stored.size).toBe(0);
    expect(page.navigations).toEqual([logoutUrl(config, 'https://d1.cloudfront.net/admin/')]);
  });

  it("reads what the user may do from the id token's groups: operators over viewers, viewers, or nothing", () => {
    expect(accessOf({ 'cognito:groups': ['operators'] })).toBe('operate');
    expect(accessOf({ 'cognito:groups': ['viewers', 'operators'] })).toBe('operate');
    expect(accessOf({ 'cognito:groups': ['viewers'] })).toBe('view');
    expect(accessOf({ 'cognito:groups': ['admins'] })).toBeUndefined();
    expect(accessOf({ 'cognito:groups': 'operators' })).toBeUndefined();
    expect(accessOf({})).toBeUndefined();
  });

  it('a viewer is signed in as one; a user in no group is refused with what to do, and the tab forgets the tokens', async () => {
    const page = surroundings('https://d1.cloudfront.net/admin/', '2030-01-01T00:00:00Z', () => {
      throw new Error('no token request expected');
    });
    const exp = at('2030-01-01T01:00:00Z');
    page.stored.set(TOKENS_KEY, JSON.stringify({ idToken: jwt({ email: 'look@example.com', 'cognito:groups': ['viewers'], exp }) }));
    expect(accessOrRefuse((await signIn(config, page.page))!)).toBe('view');
    expect(page.stored.has(TOKENS_KEY)).toBe(true);

    page.stored.set(TOKENS_KEY, JSON.stringify({ idToken: jwt({ email: 'new@example.com', exp }) }));
    const user = (await signIn(config, page.page))!;
    expect(user.access).toBeUndefined();
    expect(() => accessOrRefuse(user)).toThrow(
      new SignInError(
        'new@example.com is in neither the operators nor the viewers group, so it may not use Herald. Ask an administrator to add it to one, then reload this page.',
      ),
    );
    expect(page.stored.has(TOKENS_KEY)).toBe(false);
    expect(page.navigations).toEqual([]);
  });

  it('the module the app loads exports startSession and SignInError', () => {
    expect(typeof auth.startSession).toBe('function');
    expect(auth.SignInError).toBe(SignInError);
  });
});

// --- SigV4, independently: the canonical request and signature as AWS documents them. ---

const hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const rfc3986 = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

interface Received {
  method: string;
  /** Path and query as they arrived on the wire. */
  target: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The signature AWS expects for a request as received (path segments encoded once more, as for every service but S3). */
function expectedSignature(request: Received, secretAccessKey: string, region: string, service: string): { signature: string; signedHeaders: string } {
  const authorization = String(request.headers.authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)![1]!;
  const amzDate = String(request.headers['x-amz-date']);
  const date = amzDate.slice(0, 8);
  const url = new URL(request.target, 'http://placeholder');
  const canonicalUri = url.pathname
    .split('/')
    .map((segment) => rfc3986(segment))
    .join('/');
  const canonicalQuery = [...url.searchParams]
    .map(([key, value]) => [rfc3986(key), rfc3986(value)])
    .sort(([a, x], [b, y]) => (a! < b! ? -1 : a! > b! ? 1 : x! < y! ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((name) => `${name}:${String(request.headers[name]).trim()}\n`)
    .join('');
  const canonicalRequest = [request.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, hex(request.body)].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  return { signature: createHmac('sha256', key).update(stringToSign).digest('hex'), signedHeaders };
}

const credentials: TemporaryCredentials = {
  accessKeyId: 'ASIAEXAMPLEKEY',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-from-the-identity-pool',
};

describe('SigV4 check used below', () => {
  it("reproduces AWS's published get-vanilla vector (so it can judge the signing fetch)", () => {
    const request: Received = {
      method: 'GET',
      target: '/',
      headers: {
        host: 'example.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=x',
      },
      body: Buffer.alloc(0),
    };
    expect(expectedSignature(request, 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'us-east-1', 'service').signature).toBe(
      '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });
});

describe('the signing fetch', () => {
  let server: Server;
  let base: string;
  const received: Received[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ method: request.method!, target: request.url!, headers: request.headers, body: Buffer.concat(chunks) });
        response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const signed = signingFetch({ region: 'eu-west-1', credentials: async () => credentials, now: () => new Date('2030-01-02T03:04:05Z') });

  it('signs a POST over the exact host, path, query, headers and body, with the execute-api scope', async () => {
    received.length = 0;
    const body = JSON.stringify({ phone: '79001234567', timezone: 'Europe/Moscow', name: 'Зоя' });
    const response = await signed(`${base}/v1/clients/batch?dryRun=true&tag=a%20b&tag=vip`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'key-1', Accept: 'application/json' },
      body,
    });
    expect(await response.json()).toEqual({ ok: true });
    const [request] = received;
    const authorization = String(request!.headers.authorization);
    expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEKEY\/20300102\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=/);
    const { signature, signedHeaders } = expectedSignature(request!, credentials.secretAccessKey, 'eu-west-1', 'execute-api');
    expect(signedHeaders).toBe('content-type;host;idempotency-key;x-amz-date;x-amz-security-token');
    expect(authorization).toContain(`Signature=${signature}`);
    expect(request!.headers['x-amz-date']).toBe('20300102T030405Z');
    expect(request!.headers['x-amz-security-token']).toBe(credentials.sessionToken);
    expect(request!.headers['x-amz-content-sha256']).toBeUndefined();
    expect(request!.headers.accept).toBe('application/json');
    expect(request!.body.toString('utf8')).toBe(body);

    // Negative controls: the same check fails for another body, path or secret.
    expect(expectedSignature({ ...request!, body: Buffer.from(`${body} `) }, credentials.secretAccessKey, 'eu-west-1', 'execute-api').signature).not.toBe(
      signature,
    );
    expect(expectedSignature({ ...request!, target: '/v1/clients?dryRun=true' }, credentials.secretAccessKey, 'eu-west-1', 'execute-api').signature).not.toBe(
      signature,
    );
    expect(expectedSignature(request!, 'another-secret', 'eu-west-1', 'execute-api').signature).not.toBe(signature);
  });

  it('signs a GET without a body, its path encoded once more as AWS expects for execute-api', async () => {
    received.length = 0;
    await signed(`${base}/v1/clients/a%20b/messages?limit=10`);
    const [request] = received;
    expect(request!.method).toBe('GET');
    expect(request!.target).toBe('/v1/clients/a%20b/messages?limit=10');
    const { signature, signedHeaders } = expectedSignature(request!, credentials.secretAccessKey, 'eu-west-1', 'execute-api');
    expect(signedHeaders).toBe('host;x-amz-date;x-amz-security-token');
    expect(String(request!.headers.authorization)).toContain(`Signature=${signature}`);
  });

  it('sends a Request object as given (method, headers, body)', async () => {
    received.length = 0;
    await signed(new Request(`${base}/v1/campaigns/c1/pause`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }));
    const [request] = received;
    expect(request!.method).toBe('POST');
    expect(request!.body.toString()).toBe('{}');
    expect(String(request!.headers.authorization)).toContain(
      `Signature=${expectedSignature(request!, credentials.secretAccessKey, 'eu-west-1', 'execute-api').signature}`,
    );
  });
});

describe('credentials cache', () => {
  it('asks the identity pool once while the credentials last, again 5 minutes before they expire, and after a failure', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    let calls = 0;
    let fail = false;
    const provider = cachedCredentials(
      async () => {
        calls += 1;
        if (fail) throw new Error('Cognito unavailable');
        return { ...credentials, expiration: new Date(now.getTime() + 60 * 60_000) };
      },
      () => now,
    );
    await Promise.all([provider(), provider(), provider()]);
    expect(calls).toBe(1);
    now = new Date('2030-01-01T00:54:00Z');
    await provider();
    expect(calls).toBe(1);
    now = new Date('2030-01-01T00:55:01Z');
    await provider();
    expect(calls).toBe(2);
    now = new Date('2030-01-01T02:00:00Z');
    fail = true;
    await expect(provider()).rejects.toThrow('Cognito unavailable');
    fail = false;
    await provider();
    expect(calls).toBe(4);
  });
});

describe('a call the signed-in role may not make', () => {
  const refused = (status: number, problem: Record<string, unknown>) => {
    try {
      unwrap({ error: problem, response: new Response(null, { status }) });
    } catch (error) {
      return error as ApiError;
    }
    throw new Error('unwrap accepted a refused call');
  };

  it("says so plainly when the gateway refuses the viewer's role (ACCESS_DENIED), keeping the status and type", () => {
    const detail =
      'User: arn:aws:sts::123456789012:assumed-role/Herald-AdminViewerRole/CognitoIdentityCredentials is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/POST/campaigns';
    const error = refused(403, { type: 'about:blank', title: 'ACCESS_DENIED', detail, requestId: 'r1' });
    expect(error.message).toBe(NOT_ALLOWED);
    expect(error.status).toBe(403);
    expect(error.problem).toMatchObject({ title: 'ACCESS_DENIED', requestId: 'r1' });
  });

  it('keeps the text of any other refusal: an expired signature, a 404, a field error', () => {
    expect(refused(403, { title: 'INVALID_SIGNATURE', detail: 'Signature expired: 20300101T000000Z is now earlier than 20300101T000500Z' }).message).toMatch(
      /Signature expired/,
    );
    expect(refused(404, { title: 'Not Found', detail: 'campaign 9 not found' }).message).toBe('campaign 9 not found');
    expect(refused(400, { title: 'Bad Request', detail: 'text: required' }).message).toBe('text: required');
  });
});
