/** The client directory (the API's writes and reads), the audience a campaign reaches, and the suppression list. */
import type { CampaignFilter } from '../domain/campaigns.js';
import type { Channel } from '../domain/channels/channel.js';
import type { Client, ClientPatch, NewClient, SuppressibleChannel } from '../domain/clients.js';
import type { ConflictError } from '../domain/errors.js';
import type { AudienceMember } from '../domain/messages.js';
import type { Page, PageRequest } from './common.js';

/** The clients as the API keeps them: one at a time, or a batch of new ones. */
export interface ClientDirectory {
  /** Throws ConflictError when another client has the phone or the e-mail address. */
  create(input: NewClient): Promise<Client>;
  /**
   * Up to 50 new clients at once, each as `create` would make it: the result at each position
   * is the client, or the ConflictError `create` would have thrown (phone or e-mail address taken).
   */
  createMany(inputs: NewClient[]): Promise<(Client | ConflictError)[]>;
  get(id: string): Promise<Client | undefined>;
  /** The client that has this phone (phones are unique), through the phone's reservation. */
  findByPhone(phone: string): Promise<Client | undefined>;
  /** The client that has this e-mail address (lower-cased; addresses are unique), through the address's reservation. */
  findByEmail(email: string): Promise<Client | undefined>;
  /** Throws NotFoundError, or ConflictError when the new phone or e-mail address belongs to another client. */
  update(id: string, patch: ClientPatch): Promise<Client>;
  /**
   * Opts the client out of one channel (its `optOuts` gains it, its address for it goes on the
   * suppression list), as an unsubscribe link or a complaint does. Doing it again changes nothing.
   * Throws NotFoundError.
   */
  optOut(id: string, channel: Channel): Promise<Client>;
  /** Throws NotFoundError. */
  delete(id: string): Promise<void>;
  list(request: PageRequest & { tag?: string; operatorCode?: string }): Promise<Page<Client>>;
}

/** The clients a campaign's filter matches, as the fan-out reads them and the API counts them. */
export interface AudienceReader {
  /**
   * One page of the clients a filter matches: a Query on an index, a Scan only without a filter.
   * Opted-out clients are included, marked `optedOut`; an opt-out stored before the page was
   * read is reflected even when the index has not caught up yet.
   */
  audience(filter: CampaignFilter, request: PageRequest, part?: AudienceStream): Promise<Page<AudienceMember>>;
  /** True once every stored client carries its shard (the sharded indexes hold the whole directory). */
  shardsReady(): Promise<boolean>;
  /** How many clients a filter matches, counted on its index (Select COUNT: no item is returned). */
  countAudience(filter: CampaignFilter): Promise<number>;
}

/** Both sides of the clients table, as the handlers' stores hold them. */
export interface ClientStore extends ClientDirectory, AudienceReader {}

/** One of a campaign's parallel fan-out streams (functions/domain/shards.ts): which, of how many, and on which indexes. */
export interface AudienceStream {
  stream: number;
  streams: number;
  /** Read the unsharded indexes and keep the clients whose id hashes to this stream. */
  unsharded?: boolean;
}

/**
 * Addresses that get nothing on their channel: a phone or e-mail address whose client opted out
 * of it, an e-mail address that bounced or complained. Kept when a client is deleted.
 */
export interface SuppressionList {
  /** `channel` defaults to `sms` (the address is a phone). */
  isSuppressed(address: string, channel?: SuppressibleChannel): Promise<boolean>;
}

/** The suppression list as a fan-out page checks it in bulk and the e-mail events function writes it. */
export interface SuppressionStore extends SuppressionList {
  /** Which of `addresses` are on the list. */
  suppressedAmong(addresses: readonly string[], channel: SuppressibleChannel): Promise<Set<string>>;
  /** Puts the address on the list (a bounce or a complaint), whether or not a client holds it. */
  suppress(address: string, channel: SuppressibleChannel): Promise<void>;
}
