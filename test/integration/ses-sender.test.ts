/**
 * The SES sender (functions/adapters/ses-sender.ts) against the local SES v2 endpoint
 * (aws-ses-v2-local, local/ses.ts), and against a fake SES on a real socket for the answers the
 * local endpoint never gives (throttling, rejections, 5xx): the real SDK parses each of them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesSender, type SesSenderSettings } from '../../functions/adapters/ses-sender.js';
import { hmacSigner } from '../../functions/adapters/hmac-signer.js';
import { createEmailRules, type EmailMessage } from '../../functions/domain/channels/email.js';
import { messageId } from '../../functions/domain/messages.js';
import { readUnsubscribeToken, unsubscribeToken, unsubscribeUrl } from '../../functions/domain/unsubscribe.js';
import { localSesClient, simulateMailbox, startLocalSes, type LocalSes } from '../../local/ses.js';
import type { SesEmailEvent } from '../../functions/domain/channels/email-events.js';
import { freePort } from '../../local/ports.js';

const settings: SesSenderSettings = { from: 'herald@example.com', configurationSetName: 'herald-local' };
const signer = hmacSigner('integration-test-key-of-32-bytes!');
const rules = createEmailRules({
  unsubscribeUrl: (clientId) => unsubscribeUrl('http://127.0.0.1:3000', unsubscribeToken(signer, { clientId, channel: 'email' })),
});
const campaign = {
  subject: 'News for {{ name }}',
  text: 'Hello {{ name }}.\nUnsubscribe: {{ unsubscribeUrl }}',
  html: '<h1>Hello {{ name }}</h1><p><a href="{{ unsubscribeUrl }}">Unsubscribe</a></p>',
};
const injection = '<script>alert(1)</script>';

/** A test's own address, so the store that every endpoint of this process shares tells its e-mails apart. */
let n = 0;
const address = (label: string) => `${label}+${process.pid}-${++n}@example.com`;

function render(to: string, id = messageId(42, 3, 1), clientId = 'client-1'): EmailMessage {
  return rules.render(campaign as never, { id, clientId, phone: '', status: 'queued', attempts: 0, email: to, vars: { name: injection } } as never);
}

describe('SES sender against the local endpoint', () => {
  let ses: LocalSes;
  let client: SESv2Client;
  const requests: unknown[] = [];

  beforeAll(async () => {
    ses = await startLocalSes();
    client = localSesClient(ses.endpoint);
    // What went over the wire: the local endpoint keeps neither tags nor the configuration set.
    client.middlewareStack.add(
      (next) => async (args) => {
        requests.push(JSON.parse(String((args.request as { body?: unknown }).body)));
        return next(args);
      },
      { step: 'finalizeRequest', name: 'captureBody' },
    );
  });
  afterAll(async () => {
    client.destroy();
    await ses.stop();
  });

  it('sends one e-mail with the unsubscribe headers, the html escaped and the text as it was rendered', async () => {
    const to = address('jane');
    const message = render(to);
    expect(await new SesSender(client, settings).send(message, 5000)).toEqual({ kind: 'sent' });

    const stored = (await ses.emails()).filter((email) => email.destination.to.includes(to));
    expect(stored).toHaveLength(1);
    const [email] = stored;
    expect(email).toMatchObject({ from: 'herald@example.com', destination: { to: [to], cc: [], bcc: [] }, subject: `News for ${injection}` });
    expect(email?.body.html).toBe(`<h1>Hello &lt;script&gt;alert(1)&lt;/script&gt;</h1><p><a href="${message.unsubscribeUrl}">Unsubscribe</a></p>`);
    expect(email?.body.text).toBe(`Hello ${injection}.\nUnsubscribe: ${message.unsubscribeUrl}`);
    expect(email?.headers).toEqual([
      { name: 'List-Unsubscribe', value: `<${message.unsubscribeUrl}>` },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
    // The link names the client and the channel, signed.
    const token = message.unsubscribeUrl.split('/unsubscribe/')[1] as string;
    expect(readUnsubscribeToken(signer, token)).toEqual({ clientId: 'client-1', channel: 'email' });

    expect(requests.at(-1)).toEqual({
      FromEmailAddress: 'herald@example.com',
      Destination: { ToAddresses: [to] },
      ConfigurationSetName: 'herald-local',
      EmailTags: [
        { Name: 'campaignId', Value: '42' },
        { Name: 'messageId', Value: String(messageId(42, 3, 1)) },
      ],
      Content: {
        Simple: {
          Subject: { Data: `News for ${injection}`, Charset: 'UTF-8' },
          Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
          Headers: [
            { Name: 'List-Unsubscribe', Value: `<${message.unsubscribeUrl}>` },
            { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
          ],
        },
      },
    });
  });

  it('tags a notice with its id', async () => {
    const to = address('notice');
    expect(await new SesSender(client, settings).send(render(to, 77), 5000)).toEqual({ kind: 'sent' });
    expect((requests.at(-1) as { EmailTags: unknown }).EmailTags).toEqual([
      { Name: 'noticeId', Value: '77' },
      { Name: 'messageId', Value: '77' },
    ]);
    // An event step's notice names its event, here and in the mailbox simulator's event that comes back.
    const events: SesEmailEvent[] = [];
    const sender = simulateMailbox(new SesSender(client, settings), settings, (event) => events.push(event), { now: () => new Date() });
    expect(await sender.send(render(to, 78), 5000, { eventId: 'aB3dE5fG7hJ9kL1m' })).toEqual({ kind: 'sent' });
    expect((requests.at(-1) as { EmailTags: unknown }).EmailTags).toEqual([
      { Name: 'noticeId', Value: '78' },
      { Name: 'messageId', Value: '78' },
      { Name: 'eventId', Value: 'aB3dE5fG7hJ9kL1m' },
    ]);
    expect(events.map((event) => event.detail.mail.tags?.eventId)).toEqual([['aB3dE5fG7hJ9kL1m']]);
  });

  it('sends a text-only e-mail without an html part', async () => {
    const to = address('plain');
    const { html: _html, ...message } = render(to);
    expect(await new SesSender(client, settings).send(message, 5000)).toEqual({ kind: 'sent' });
    const [email] = (await ses.emails()).filter((stored) => stored.destination.to.includes(to));
    expect(email?.body).toEqual({ text: message.text });
  });

  it('yields the mailbox simulator event for each e-mail sent', async () => {
    const events: SesEmailEvent[] = [];
    const now = new Date('2030-01-01T00:00:00.000Z');
    const sender = simulateMailbox(new SesSender(client, settings), settings, (event) => events.push(event), { now: () => now });
    for (const to of ['bounce+x@simulator.amazonses.com', 'complaint@simulator.amazonses.com', address('delivered')]) {
      expect(await sender.send(render(to), 5000)).toEqual({ kind: 'sent' });
    }
    expect(events.map((event) => [event['detail-type'], event.detail.eventType, event.detail.mail.tags?.messageId])).toEqual([
      ['Email Bounced', 'Bounce', [String(messageId(42, 3, 1))]],
      ['Email Complaint Received', 'Complaint', [String(messageId(42, 3, 1))]],
      ['Email Delivered', 'Delivery', [String(messageId(42, 3, 1))]],
    ]);
  });

  it('reads the store since a time, and clears it', async () => {
    const to = address('later');
    await new SesSender(client, settings).send(render(to), 5000);
    const future = Math.floor(Date.now() / 1000) + 3600;
    expect(await ses.emails(future)).toEqual([]);
    expect((await ses.emails(0)).some((email) => email.destination.to.includes(to))).toBe(true);
  });
});

describe('SES sender: what each answer of SES means', () => {
  type Answer = { status: number; type?: string } | 'hang' | 'reset';
  let answer: Answer = { status: 200 };
  const bodies: unknown[] = [];
  let server: Server;
  let client: SESv2Client;
  const hanging = new Set<ServerResponse>();

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let body = '';
      request.on('data', (part: Buffer) => (body += part.toString()));
      request.on('end', () => {
        bodies.push({ method: request.method, url: request.url, body: JSON.parse(body) });
        if (answer === 'hang') return void hanging.add(response);
        if (answer === 'reset') return void request.socket.destroy();
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (answer.type) headers['x-amzn-errortype'] = `${answer.type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/`;
        response.writeHead(answer.status, headers);
        response.end(JSON.stringify(answer.status === 200 ? { MessageId: 'm-1' } : { message: `fake ${answer.type ?? 'error'}` }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = localSesClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    client.destroy();
    for (const response of hanging) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const to = 'jane@example.com';

  it.each([
    [{ status: 200 }, { kind: 'sent' }],
    [
      { status: 429, type: 'TooManyRequestsException' },
      { kind: 'retryable', error: 'TooManyRequestsException (HTTP 429)' },
    ],
    [
      { status: 400, type: 'LimitExceededException' },
      { kind: 'retryable', error: 'LimitExceededException (HTTP 400)' },
    ],
    [
      { status: 500, type: 'InternalServiceErrorException' },
      { kind: 'retryable', error: 'InternalServiceErrorException (HTTP 500)' },
    ],
    [{ status: 503 }, { kind: 'retryable', error: expect.stringMatching(/\(HTTP 503\)$/) }],
    [
      { status: 400, type: 'MessageRejected' },
      { kind: 'rejected', error: 'MessageRejected (HTTP 400)' },
    ],
    [
      { status: 400, type: 'BadRequestException' },
      { kind: 'rejected', error: 'BadRequestException (HTTP 400)' },
    ],
    [
      { status: 400, type: 'MailFromDomainNotVerifiedException' },
      { kind: 'rejected', error: 'MailFromDomainNotVerifiedException (HTTP 400)' },
    ],
    [
      { status: 400, type: 'AccountSuspendedException' },
      { kind: 'auth-failed', error: 'AccountSuspendedException (HTTP 400)' },
    ],
    [
      { status: 400, type: 'SendingPausedException' },
      { kind: 'auth-failed', error: 'SendingPausedException (HTTP 400)' },
    ],
    [
      { status: 403, type: 'AccessDeniedException' },
      { kind: 'auth-failed', error: 'AccessDeniedException (HTTP 403)' },
    ],
  ] as const)('answer %j is %j, for the exact request', async (given, outcome) => {
    answer = given;
    const message = render(to);
    expect(await new SesSender(client, settings).send(message, 5000)).toEqual(outcome);
    expect(bodies.at(-1)).toEqual({
      method: 'POST',
      url: '/v2/email/outbound-emails',
      body: {
        FromEmailAddress: 'herald@example.com',
        Destination: { ToAddresses: [to] },
        ConfigurationSetName: 'herald-local',
        EmailTags: [
          { Name: 'campaignId', Value: '42' },
          { Name: 'messageId', Value: String(messageId(42, 3, 1)) },
        ],
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
            Headers: [
              { Name: 'List-Unsubscribe', Value: `<${message.unsubscribeUrl}>` },
              { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
            ],
          },
        },
      },
    });
  });

  it('retries a call SES does not answer before the deadline', async () => {
    answer = 'hang';
    expect(await new SesSender(client, settings).send(render(to), 200)).toEqual({ kind: 'retryable', error: 'timeout' });
  });

  it('retries a connection SES drops', async () => {
    answer = 'reset';
    const outcome = await new SesSender(client, settings).send(render(to), 5000);
    expect(outcome).toEqual({ kind: 'retryable', error: 'network: ECONNRESET' });
  });

  it('retries when nothing listens', async () => {
    const closed = localSesClient(`http://127.0.0.1:${await freePort()}`);
    try {
      expect(await new SesSender(closed, settings).send(render(to), 5000)).toEqual({ kind: 'retryable', error: 'network: ECONNREFUSED' });
    } finally {
      closed.destroy();
    }
  });

  it('makes no call without time left', async () => {
    const before = bodies.length;
    expect(await new SesSender(client, settings).send(render(to), 0)).toEqual({ kind: 'retryable', error: 'no time left before the end' });
    expect(bodies).toHaveLength(before);
  });
});
