import { beforeAll, describe, expect, it } from 'vitest';
import { SES_DETAIL_TYPES, SES_EVENT_TYPES } from '../../../lib/email.js';
import { createHeraldApp } from '../../../lib/app.js';
import { ADMIN_SITE_FIXTURE, functionIdByName, logicalId, resourcesOfType, type Json, type SynthesizedHerald } from '../fixture.js';

/** Registered by stack.test.ts, which synthesizes the stack once for all of them. */
export function emailCases(synthesized: () => SynthesizedHerald): void {
  describe('e-mail: SES configuration set, its events through EventBridge, the sender', () => {
    let herald: SynthesizedHerald;
    beforeAll(() => {
      herald = synthesized();
    });
    const only = (type: string): Json => {
      const found = resourcesOfType(herald.resources, type);
      expect(found, type).toHaveLength(1);
      return found[0]![1].Properties as Json;
    };

    it('one SES v2 configuration set, named as the stack, TLS required', () => {
      expect(only('AWS::SES::ConfigurationSet')).toMatchObject({ Name: 'herald', DeliveryOptions: { TlsPolicy: 'REQUIRE' } });
    });

    it("its one event destination is EventBridge's default bus, for bounces, complaints and deliveries only", () => {
      const destination = only('AWS::SES::ConfigurationSetEventDestination');
      expect(destination.ConfigurationSetName).toEqual({ Ref: logicalId(herald.stack.email.configurationSet) });
      expect(destination.EventDestination).toEqual({
        Name: 'eventbridge',
        Enabled: true,
        MatchingEventTypes: SES_EVENT_TYPES,
        EventBridgeDestination: {
          EventBusArn: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':event-bus/default']],
          },
        },
      });
      expect(SES_EVENT_TYPES).toEqual(['BOUNCE', 'COMPLAINT', 'DELIVERY']);
    });

    it("an EventBridge rule sends that configuration set's bounces, complaints and deliveries to emailEvents, with retries and a DLQ", () => {
      const rule = only('AWS::Events::Rule');
      expect(rule.EventPattern).toEqual({
        source: ['aws.ses'],
        'detail-type': SES_DETAIL_TYPES,
        detail: { mail: { tags: { 'ses:configuration-set': ['herald'] } } },
      });
      expect(rule.Targets).toHaveLength(1);
      expect(rule.Targets[0]).toMatchObject({
        Arn: { 'Fn::GetAtt': [functionIdByName(herald.resources, 'herald-email-events'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(herald.stack.email.eventsDeadLetterQueue), 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 6 * 3600, MaximumRetryAttempts: 8 },
      });
    });

    it('the sender is told its From, its configuration set, the unsubscribe key by name and the base of the links (the API)', () => {
      const variables = herald.resources[functionIdByName(herald.resources, 'herald-send-email')]!.Properties.Environment.Variables as Json;
      expect(variables).toMatchObject({
        EMAIL_FROM: 'herald@example.com',
        SES_CONFIGURATION_SET: 'herald',
        UNSUBSCRIBE_KEY_SECRET: 'herald/unsubscribe-key',
        SEND_EMAIL_QUEUE_URL: { Ref: logicalId(herald.stack.delivery.queues.sendEmail.queue) },
      });
      expect(JSON.stringify(variables.PUBLIC_BASE_URL)).toContain(logicalId(herald.stack.api.restApi));
      expect(JSON.stringify(variables.PUBLIC_BASE_URL)).toContain('/v1');
    });

    it('refuses an emailFrom that is not an address, at synth', () => {
      expect(() => createHeraldApp({}, { adminAssetPath: ADMIN_SITE_FIXTURE, emailFrom: 'not an address' })).toThrow(/emailFrom/);
    });
  });
}
