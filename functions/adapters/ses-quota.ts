import { GetAccountCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Clock } from '../ports/common.js';
import type { SendQuota } from '../ports/send-quota.js';

/** A new account's rate in the SES sandbox: what is assumed until GetAccount has answered once. */
export const SANDBOX_MAX_SEND_RATE = 1;

/**
 * SES's MaxSendRate from GetAccount, read at most once per `ttlMs` per container: the quota
 * changes when AWS raises it, not between two chunks. A failed read keeps the last rate known
 * (the sandbox's before any) and is tried again at the next call, so SES's answer is never what
 * stops a send.
 */
export class SesSendQuota implements SendQuota {
  private known: { rate: number; at: number } | undefined;

  constructor(
    private readonly ses: Pick<SESv2Client, 'send'>,
    private readonly clock: Clock,
    private readonly ttlMs = 10 * 60 * 1000,
  ) {}

  async maxPerSecond(): Promise<number> {
    const now = this.clock.now().getTime();
    if (this.known && now - this.known.at < this.ttlMs) return this.known.rate;
    try {
      const account = await this.ses.send(new GetAccountCommand({}));
      const rate = account.SendQuota?.MaxSendRate;
      // The rate gate counts whole messages a second.
      if (rate !== undefined && Number.isFinite(rate) && rate > 0) this.known = { rate: Math.max(1, Math.floor(rate)), at: now };
    } catch {
      // Kept as it was: the next call asks again.
    }
    return this.known?.rate ?? SANDBOX_MAX_SEND_RATE;
  }
}
