/**
 * E-mail end to end on the local runtime: a campaign on the e-mail channel to a mixed audience
 * (with an address, without one, opted out of e-mail, and the SES mailbox simulator's bounce and
 * complaint addresses) goes through the fan-out, the e-mail send queue and the e-mail sender to
 * the local SES endpoint (aws-ses-v2-local), whose store shows each mail as SES took it; a notice
 * by e-mail address goes the same way.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import type { StoredEmail } from '../../local/ses.js';
import { callApi as call, runtimePerTest, waitFor } from '../support/e2e.js';

const start = runtimePerTest();

interface CampaignView {
  id: string;
  channel: string;
  status: string;
  counts: Record<string, number>;
  audience?: number;
  suppressed: number;
  unreachable: number;
  emailEvents?: { delivered: number; bounced: number; complained: number };
}
interface Problem {
  status: number;
  detail: string;
  errors: { field: string; message: string }[];
}

let phoneSeq = Math.floor(Math.random() * 1_000_000);
const nextPhone = () => `7912${String(phoneSeq++ % 10_000_000).padStart(7, '0')}`;

async function addClient(runtime: LocalRuntime, fields: Record<string, unknown>): Promise<{ id: string; email?: string }> {
  const created = await call<{ id: string; email?: string }>(runtime, 'POST', '/clients', { timezone: 'Europe/Moscow', ...fields });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

/** The mails the local endpoint took for these addresses (its store is shared by every runtime of the run). */
async function mailsTo(runtime: LocalRuntime, addresses: string[]): Promise<StoredEmail[]> {
  return (await runtime.ses.emails()).filter((mail) => mail.destination.to.some((to) => addresses.includes(to)));
}

const oneClick = { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } };

const headerOf = (mail: StoredEmail, name: string) => mail.headers?.find((header) => header.name.toLowerCase() === name.toLowerCase())?.value;

describe('e-mail', () => {
  it('sends an e-mail campaign to the clients with an address, counting the rest, each mail with its unsubscribe headers and its html escaped', async () => {
    const runtime = await start();
    const run = randomBytes(4).toString('hex');
    const tag = `mail-${run}`;
    const anna = await addClient(runtime, { email: `Anna.${run}@Example.com`, phone: nextPhone(), tag, name: '<b>Anna</b> & Co' });
    const boris = await addClient(runtime, { email: `boris.${run}@example.com`, tag, name: 'Boris' });
    const phoneOnly = await addClient(runtime, { phone: nextPhone(), tag, name: 'Pavel' });
    const optedOut = await addClient(runtime, { email: `olga.${run}@example.com`, tag, name: 'Olga', optOuts: ['email'] });
    const bounce = await addClient(runtime, { email: `bounce+${run}@simulator.amazonses.com`, tag, name: 'Bounce' });
    const complaint = await addClient(runtime, { email: `complaint+${run}@simulator.amazonses.com`, tag, name: 'Complaint' });
    // Stored lower-cased, as SES gets it.
    expect(anna.email).toBe(`anna.${run}@example.com`);

    const now = Date.now();
    const created = await call<CampaignView>(runtime, 'POST', '/campaigns', {
      channel: 'email',
      subject: 'News for {{ name }}',
      text: 'Hello {{ name }}. Unsubscribe: {{ unsubscribeUrl }}',
      html: '<p>Hello {{ name }}</p><p><a href="{{ unsubscribeUrl }}">Unsubscribe</a></p>',
      startAt: new Date(now).toISOString(),
      endAt: new Date(now + 600_000).toISOString(),
      filter: { tags: [tag] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.channel).toBe('email');

    const done = await waitFor(
      'the e-mail campaign finished',
      async () => (await call<CampaignView>(runtime, 'GET', `/campaigns/${created.body.id}`)).body,
      (campaign) => campaign.status === 'finished',
      90_000,
    );
    // Six matched: four with an address and no opt-out are sent to, one opted out of e-mail, one without an address.
    expect(done).toMatchObject({ audience: 6, suppressed: 1, unreachable: 1 });
    expect(done.counts).toMatchObject({ queued: 0, sent: 4, failed: 0 });

    const reached = [anna, boris, bounce, complaint];
    const addresses = [...reached, phoneOnly, optedOut].flatMap((client) => client.email ?? []);
    const mails = await mailsTo(runtime, addresses);
    expect(mails.map((mail) => mail.destination.to[0]).sort()).toEqual(reached.map((client) => client.email).sort());
    for (const client of reached) {
      const mail = mails.find((sent) => sent.destination.to[0] === client.email) as StoredEmail;
      const link = runtime.unsubscribeUrl(client.id, 'email');
      expect(link.startsWith(`${runtime.url}/unsubscribe/`)).toBe(true);
      // RFC 8058: the link, and that a POST to it unsubscribes at once.
      expect(headerOf(mail, 'List-Unsubscribe')).toBe(`<${link}>`);
      expect(headerOf(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(mail.body.text).toContain(link);
      expect(mail.body.html).toContain(`href="${link}"`);
    }
    // A client's name can never inject markup: every html output is escaped, the subject and text are as rendered.
    const annas = mails.find((mail) => mail.destination.to[0] === anna.email) as StoredEmail;
    expect(annas.subject).toBe('News for <b>Anna</b> & Co');
    expect(annas.body.html).toContain('<p>Hello &lt;b&gt;Anna&lt;/b&gt; &amp; Co</p>');
    expect(annas.body.html).not.toContain('<b>Anna</b>');
    expect(annas.body.text).toContain('Hello <b>Anna</b> & Co.');

    // The link in Boris's mail: GET (a mail scanner) changes nothing; the one-click POST opts him out of e-mail.
    const borisLink = (headerOf(mails.find((mail) => mail.destination.to[0] === boris.email) as StoredEmail, 'List-Unsubscribe') ?? '').slice(1, -1);
    const optOutsOf = async (id: string) => (await call<{ optOuts?: string[] }>(runtime, 'GET', `/clients/${id}`)).body.optOuts ?? [];
    const page = await fetch(borisLink);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, expect.stringContaining('text/html')]);
    expect(await optOutsOf(boris.id)).toEqual([]);
    // A tampered token is refused and changes nothing.
    const tampered = await fetch(`${borisLink.slice(0, -2)}${borisLink.endsWith('AA') ? 'BB' : 'AA'}`, oneClick);
    expect([400, 404]).toContain(tampered.status);
    expect(await optOutsOf(boris.id)).toEqual([]);
    expect((await fetch(borisLink, oneClick)).status).toBe(200);
    expect(await optOutsOf(boris.id)).toEqual(['email']);

    // SES's events, from the mailbox simulator as on AWS: each of the four mails is counted once
    // under its fate; the bounce and the complaint put their addresses on the suppression list, and
    // the complaint opts its client out of e-mail, while the bounced client is not opted out.
    await runtime.emailEvents.settled();
    const reported = await waitFor(
      "SES's events counted on the campaign",
      async () => (await call<CampaignView>(runtime, 'GET', `/campaigns/${created.body.id}`)).body,
      (campaign) => (campaign.emailEvents?.delivered ?? 0) + (campaign.emailEvents?.bounced ?? 0) + (campaign.emailEvents?.complained ?? 0) === 4,
      60_000,
    );
    expect(reported.emailEvents).toEqual({ delivered: 2, bounced: 1, complained: 1 });
    expect(await optOutsOf(complaint.id)).toEqual(['email']);
    expect(await optOutsOf(bounce.id)).toEqual([]);
    const stats = await call<{ messages: { items: { clientId: string; delivery?: string }[] } }>(
      runtime,
      'GET',
      `/campaigns/${created.body.id}/stats?limit=100`,
    );
    const deliveryOf = (id: string) => stats.body.messages.items.find((message) => message.clientId === id)?.delivery;
    expect([anna, bounce, complaint].map((client) => deliveryOf(client.id))).toEqual(['delivered', 'bounced', 'complained']);

    // A second campaign to the same tag: the bounced and complained addresses are suppressed (with
    // the one opted out before and Boris, who unsubscribed), and only Anna is mailed again.
    const before = (await mailsTo(runtime, addresses)).length;
    const again = await call<{ id: string }>(runtime, 'POST', '/campaigns', {
      channel: 'email',
      subject: 'Again',
      text: 'Again',
      startAt: new Date().toISOString(),
      endAt: new Date(Date.now() + 3_600_000).toISOString(),
      filter: { tags: [tag] },
    });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    const second = await waitFor(
      'the second e-mail campaign finished',
      async () => (await call<CampaignView>(runtime, 'GET', `/campaigns/${again.body.id}`)).body,
      (campaign) => campaign.status === 'finished',
      90_000,
    );
    expect(second).toMatchObject({ audience: 6, suppressed: 4, unreachable: 1 });
    expect(second.counts).toMatchObject({ sent: 1 });
    const after = await mailsTo(runtime, addresses);
    expect(after.slice(before).map((mail) => mail.destination.to[0])).toEqual([anna.email]);
  });

  it('sends a notice by e-mail address; refuses one to a client opted out of e-mail (409) or without an address (409, unreachable)', async () => {
    const runtime = await start();
    const run = randomBytes(4).toString('hex');
    const client = await addClient(runtime, { email: `nina.${run}@example.com`, name: 'Nina' });
    const posted = await call<{ id: number; status: string }>(runtime, 'POST', '/notices', {
      channel: 'email',
      email: `NINA.${run}@example.com`,
      subject: 'Receipt {{ receipt }}',
      text: 'Hi {{ name }}, your receipt {{ receipt }}',
      html: '<p>{{ receipt }}</p>',
      variables: { receipt: '<R-1>' },
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const sent = await waitFor(
      'the notice sent',
      async () => (await call<{ status: string; channel: string }>(runtime, 'GET', `/notices/${posted.body.id}`)).body,
      (notice) => notice.status === 'sent',
      30_000,
    );
    expect(sent.channel).toBe('email');
    const [mail] = await mailsTo(runtime, [client.email as string]);
    expect(mail?.subject).toBe('Receipt <R-1>');
    expect(mail?.body.html).toBe('<p>&lt;R-1&gt;</p>');
    expect(headerOf(mail as StoredEmail, 'List-Unsubscribe')).toBe(`<${runtime.unsubscribeUrl(client.id, 'email')}>`);

    const optedOut = await addClient(runtime, { email: `oleg.${run}@example.com`, optOuts: ['email'] });
    const refused = await call<Problem>(runtime, 'POST', '/notices', { channel: 'email', clientId: optedOut.id, subject: 's', text: 't' });
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([{ field: 'clientId', message: expect.stringContaining('opted out') }]);

    const phoneOnly = await addClient(runtime, { phone: nextPhone() });
    const unreachable = await call<Problem>(runtime, 'POST', '/notices', { channel: 'email', clientId: phoneOnly.id, subject: 's', text: 't' });
    expect(unreachable.status).toBe(409);
    expect(unreachable.body.detail).toContain('unreachable');
    // Neither refused notice reached the endpoint.
    expect(await mailsTo(runtime, [optedOut.email as string])).toEqual([]);
  });

  it('refuses a field on the wrong channel, and an e-mail without its subject, naming the field', async () => {
    const runtime = await start();
    const times = { startAt: new Date(Date.now() + 3_600_000).toISOString(), endAt: new Date(Date.now() + 7_200_000).toISOString() };
    const wrong = await call<Problem>(runtime, 'POST', '/campaigns', { text: 'hi', subject: 'not on sms', ...times });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors.map((error) => error.field)).toEqual(['subject']);
    const noSubject = await call<Problem>(runtime, 'POST', '/campaigns', { channel: 'email', text: 'hi', ...times });
    expect(noSubject.status).toBe(400);
    expect(noSubject.body.errors.map((error) => error.field)).toEqual(['subject']);
    const title = await call<Problem>(runtime, 'POST', '/notices', { channel: 'email', email: 'a@example.com', subject: 's', title: 'in-app only' });
    expect(title.status).toBe(400);
    expect(title.body.errors.map((error) => error.field)).toEqual(['title']);
    // Control: the same campaign on its own channel is taken.
    const right = await call<CampaignView>(runtime, 'POST', '/campaigns', { channel: 'email', subject: 'Hi', text: 'hi', ...times });
    expect(right.status).toBe(201);
  });
});
