/** The client directory (the API's writes and reads), the audience a campaign reaches, and the suppression list. */
import type { CampaignFilter } from '../domain/campaigns.js';
import type { Client, ClientPatch, NewClient } from '../domain/clients.js';
import type { ConflictError } from '../domain/errors.js';
import type { AudienceMember } from '../domain/messages.js';
import type { Page, PageRequest } from './common.js';

/** The clients as the API keeps them: one at a time, or a batch of new ones. */
export interface ClientDirectory {
  /** Throws ConflictError when another client has the phone. */
  create(input: NewClient): Promise<Client>;
  /**
   * Up to 50 new clients at once, each as `create` would make it: the result at each position
   * is the client, or the ConflictError `create` would have thrown (phone taken).
   */
  createMany(inputs: NewClient[]): Promise<(Client | ConflictError)[]>;
  get(id: string): Promise<Client | undefined>;
  /** The client that has this phone (phones are unique), through the phone's reservation. */
  findByPhone(phone: string): Promise<Client | undefined>;
  /** Throws NotFoundError, or ConflictError when the new phone belongs to another client. */
  update(id: string, patch: ClientPatch): Promise<Client>;
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

/** Phones whose clients opted out (kept when a client is deleted). */
export interface SuppressionList {
  isSuppressed(phone: string): Promise<boolean>;
}
