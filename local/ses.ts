/**
 * A local SES v2 endpoint: the npm package aws-ses-v2-local, in this process on a free loopback
 * port, or the one at HERALD_SES_ENDPOINT when that is set (local/settings.ts).
 *
 * `startLocalSes({ endpoint? })` -> `LocalSes`
 *   - `endpoint`: SES's API for an SESv2Client (`localSesClient(endpoint)`).
 *   - `viewerUrl`: its mail viewer, a page listing every e-mail it took (the banner prints it).
 *   - `emails(since?)`: what it stored (`GET /store`), each with its headers and both bodies;
 *     `since` in epoch seconds. It keeps neither tags nor the configuration set.
 *   - `clear()`: forgets every e-mail (`POST /clear-store`); `stop()` stops the one it started.
 *   The package keeps its e-mails in module state: every endpoint this process starts shares
 *   one store, so a test reads back only the addresses it sent to.
 *
 * `simulateMailbox(sender, publish, clock)` wraps the e-mail sender: each e-mail it sends yields
 * the event SES's mailbox simulator would (functions/domain/channels/email-events.ts), handed
 * to `publish` as EventBridge would hand it to the SES event function.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { emailTagsOf, type EmailMessage } from '../functions/domain/channels/email.js';
import { simulatedEvent, type SesEmailEvent } from '../functions/domain/channels/email-events.js';
import type { ChannelSender, Clock } from '../functions/ports.js';
import { sesClient } from '../functions/adapters/ses-sender.js';
import { LOOPBACK } from './ports.js';

/** An e-mail as the local endpoint stored it. */
export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
  /** Epoch seconds. */
  at: number;
}

export interface LocalSes {
  endpoint: string;
  viewerUrl: string;
  /** False when HERALD_SES_ENDPOINT named one already running. */
  started: boolean;
  emails(since?: number): Promise<StoredEmail[]>;
  clear(): Promise<void>;
  stop(): Promise<void>;
}

type StartServer = (config?: { host?: string; port?: number }) => Promise<Server>;

/** The package is CommonJS with its server as `exports.default`: an ESM import sees `module.exports`, a bundler the function itself. */
async function loadServer(): Promise<StartServer> {
  const loaded = (await import('aws-ses-v2-local')) as unknown as { default: StartServer | { default: StartServer } };
  return typeof loaded.default === 'function' ? loaded.default : loaded.default.default;
}

export async function startLocalSes(options: { endpoint?: string } = {}): Promise<LocalSes> {
  let server: Server | undefined;
  let endpoint = options.endpoint?.replace(/\/+$/, '');
  if (!endpoint) {
    server = await (await loadServer())({ host: LOOPBACK, port: 0 });
    endpoint = `http://${LOOPBACK}:${(server.address() as AddressInfo).port}`;
  }
  const base = endpoint;
  return {
    endpoint: base,
    viewerUrl: `${base}/`,
    started: server !== undefined,
    async emails(since) {
      const response = await fetch(`${base}/store${since !== undefined ? `?since=${since}` : ''}`);
      if (!response.ok) throw new Error(`GET ${base}/store answered ${response.status}`);
      return ((await response.json()) as { emails: StoredEmail[] }).emails;
    },
    async clear() {
      const response = await fetch(`${base}/clear-store`, { method: 'POST' });
      if (!response.ok) throw new Error(`POST ${base}/clear-store answered ${response.status}`);
    },
    async stop() {
      if (!server) return;
      const stopping = server;
      server = undefined;
      stopping.closeAllConnections();
      await new Promise<void>((resolve, reject) => stopping.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A client for a local endpoint (aws-ses-v2-local wants some AWS signature, any will do). */
export function localSesClient(endpoint: string): SESv2Client {
  return sesClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

/** The e-mail sender, with the mailbox simulator's event after every e-mail it sent. */
export function simulateMailbox(
  sender: ChannelSender<EmailMessage>,
  settings: { from: string; configurationSetName: string },
  publish: (event: SesEmailEvent) => void,
  clock: Clock,
): ChannelSender<EmailMessage> {
  return {
    channel: 'email',
    async send(message, timeoutMs, tags) {
      const outcome = await sender.send(message, timeoutMs, tags);
      if (outcome.kind === 'sent') {
        const mail = { eventId: randomUUID(), sesMessageId: randomUUID(), from: settings.from, to: message.to, tags: emailTagsOf(message.id, tags?.eventId) };
        publish(simulatedEvent({ ...mail, configurationSetName: settings.configurationSetName }, clock.now()));
      }
      return outcome;
    },
  };
}
