/** Notice ids and chunk keys, apart from notices.ts so that code which only moves messages (the dead-letter function) loads no template engine. */

/**
 * Notice ids are the provider's msgId, from a sequence of their own: 1 to 2^31 - 1. Campaign
 * message ids are `campaignSeq * 2^31 + chunk * 16 + position` with campaign numbers from 1
 * (messages.ts, messageId), so they start at 2^31 and this block, the one campaign number 0
 * would have, is never theirs: notices and campaigns cannot collide, and notices use up no
 * campaign number. Two billion notices; the sequence refuses more (ConflictError).
 */
export const FIRST_NOTICE_ID = 1;
export const MAX_NOTICE_ID = 2 ** 31 - 1;

/** What every notice's chunk key begins with, and no campaign's (campaign ids are numbers). */
export const NOTICE_KEY_PREFIX = 'notice#';
const NOTICE_KEY = /^notice#([1-9]\d{0,9})$/;

/** The messages table's partition key of a notice's chunk. */
export function noticeKey(id: number): string {
  return `${NOTICE_KEY_PREFIX}${id}`;
}

/** The notice id a chunk key names, or undefined when the key is a campaign's. */
export function noticeIdOfKey(key: string): number | undefined {
  const match = NOTICE_KEY.exec(key);
  if (!match) return undefined;
  const id = Number(match[1]);
  return id >= FIRST_NOTICE_ID && id <= MAX_NOTICE_ID ? id : undefined;
}

export function isNoticeKey(key: string): boolean {
  return noticeIdOfKey(key) !== undefined;
}

/** Why a notice closed unsent: its client opted out between the POST and the send (its status is `cancelled`). */
export const NOTICE_OPTED_OUT = 'opted out before the send';
