/** The tally reads the messages table's stream: notices' chunk writes must move no campaign counter. */
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { chunkChangeOf } from '../../functions/adapters/dynamo/message-store.js';

const record = (campaignId: string): DynamoDBRecord => ({
  dynamodb: {
    SequenceNumber: '100',
    Keys: { campaignId: { S: campaignId }, chunk: { N: '0' } },
    OldImage: { m: { L: [{ M: { s: { S: 'queued' } } }] } },
    NewImage: { m: { L: [{ M: { s: { S: 'sent' } } }] } },
  },
});

describe('the tally and notices', () => {
  it("reads a notice's chunk write as no campaign's change", () => {
    expect(chunkChangeOf(record('notice#5'))).toBeUndefined();
  });

  it("negative control: the same write to a campaign's chunk is a change", () => {
    expect(chunkChangeOf(record('5'))).toEqual({ campaignId: '5', sequence: '100', before: ['queued'], after: ['sent'] });
  });
});
