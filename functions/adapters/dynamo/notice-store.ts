import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.js';
import type { Chunk } from '../../domain/messages.js';
import { MAX_NOTICE_ID, NOTICE_KEY_PREFIX, NOTICE_CHUNK, noticeIdOfKey, noticeKey, noticeOf, type Notice } from '../../domain/notices.js';
import { channelOf, storedChannel } from '../../domain/channels/channel.js';
import type { ChunkRef, NoticeStore, Page, PageRequest } from '../../ports.js';
import { decodeCursor, encodeCursor, isRecord } from './cursor.js';
import { chunkOf, toStoredChunk, type StoredChunk } from './chunk-codec.js';

export interface NoticeTables {
  messages: string;
  uniques: string;
}

/** The notices' own sequence in the uniques table, apart from the campaigns' (`sequence#campaign`). */
const SEQUENCE_KEY = 'sequence#notice';

/**
 * Notices live in the messages table, each its own partition (`notice#<id>`, chunk 0) stored
 * exactly as a campaign's chunk, so the sender's claim and outcome writes work on them unchanged.
 */
export class DynamoNoticeStore implements NoticeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: NoticeTables,
  ) {}

  async create(build: (id: number) => Chunk, beforeWrite?: (id: number) => Promise<void>): Promise<Chunk> {
    const id = await this.nextId();
    await beforeWrite?.(id);
    const chunk = build(id);
    await this.db.send(new PutCommand({ TableName: this.tables.messages, Item: toStoredChunk(chunk), ConditionExpression: 'attribute_not_exists(chunk)' }));
    return chunk;
  }

  /** The next notice id (ConflictError when they are exhausted): also an event step's notice's (event-store.ts). */
  async nextId(): Promise<number> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tables.uniques,
        Key: { key: SEQUENCE_KEY },
        UpdateExpression: 'ADD #v :one',
        ExpressionAttributeNames: { '#v': 'value' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const id = Number(Attributes?.value);
    if (!(id <= MAX_NOTICE_ID)) throw new ConflictError('notice ids are exhausted');
    return id;
  }

  async queued(request: PageRequest): Promise<Page<ChunkRef>> {
    const output = await this.db.send(
      new ScanCommand({
        TableName: this.tables.messages,
        FilterExpression: 'begins_with(campaignId, :notice) AND #open > :zero',
        ProjectionExpression: 'campaignId, #channel',
        ExpressionAttributeNames: { '#open': 'open', '#channel': 'channel' },
        ExpressionAttributeValues: { ':notice': NOTICE_KEY_PREFIX, ':zero': 0 },
        Limit: request.limit,
        ExclusiveStartKey: decodeCursor(request.cursor, isRecord),
        ConsistentRead: true,
      }),
    );
    const refs = (output.Items ?? []).flatMap((item) =>
      noticeIdOfKey(String(item.campaignId)) !== undefined
        ? [{ campaignId: String(item.campaignId), chunk: NOTICE_CHUNK, ...storedChannel(channelOf(item)) }]
        : [],
    );
    return { items: refs, nextCursor: encodeCursor(output.LastEvaluatedKey) };
  }

  async get(id: number): Promise<Notice | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tables.messages, Key: { campaignId: noticeKey(id), chunk: NOTICE_CHUNK }, ConsistentRead: true }),
    );
    return Item ? noticeOf(chunkOf(Item as StoredChunk)) : undefined;
  }
}
