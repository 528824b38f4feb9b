/** How many e-mails a second the SES account takes, over every sender (SES's MaxSendRate): what the e-mail senders' shared rate gate is set to. */
export interface SendQuota {
  maxPerSecond(): Promise<number>;
}
