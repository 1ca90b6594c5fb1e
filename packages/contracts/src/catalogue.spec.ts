import type { AnyEvent, EventOf } from './catalogue.js';
import {
  deprecationWindowProblems,
  eventTranslations,
  findEventDefinition,
  isEventType,
} from './catalogue.js';
import { eventCatalogue } from './generated/events.js';
import type { EventDataMap } from './generated/events.js';
import { loadSchemaFiles } from './tooling/schema-files.js';
import { topicCatalogue, topics } from './topics.js';
import type { TopicDefinition } from './topics.js';

describe('event catalogue', () => {
  it('inlines each schema exactly as the .avsc file has it, on the topic its path names', () => {
    for (const file of loadSchemaFiles()) {
      const definition = findEventDefinition(file.eventType);
      expect(definition).toEqual({
        type: file.eventType,
        topic: file.topic,
        recordName: file.recordFullName,
        schema: file.schema,
      });
    }
  });

  it('recognises catalogued ce_types only', () => {
    expect(isEventType('payments.payment.succeeded')).toBe(true);
    expect(isEventType('payments.payment.teleported')).toBe(false);
    expect(isEventType('toString')).toBe(false);
    expect(findEventDefinition('nope')).toBeUndefined();
  });

  it('types payloads by ce_type', () => {
    const data: EventDataMap['payments.payment.succeeded'] = {
      paymentId: 'pay_1',
      orderId: 'ord_1',
      amountMinor: 1999,
      currency: 'EUR',
      provider: 'stripe',
      providerPaymentId: 'pi_123',
      succeededAt: Date.UTC(2025, 0, 1),
    };
    const event: EventOf<'payments.payment.succeeded'> = {
      id: '0190b6b0-0000-7000-8000-000000000000',
      type: 'payments.payment.succeeded',
      source: '/tributary/test',
      subject: data.paymentId,
      time: new Date(data.succeededAt).toISOString(),
      data,
    };
    const any: AnyEvent = event;
    const amount = any.type === 'payments.payment.succeeded' ? any.data.amountMinor : undefined;
    expect(amount).toBe(1999);
    expect(eventCatalogue[event.type].topic).toBe('payments.payment.v1');
  });
});

describe('deprecation windows', () => {
  const day = 24 * 3600 * 1000;
  const topic = (deprecation: TopicDefinition['deprecation'], retentionDays = 14): TopicDefinition => ({
    ...topicCatalogue['commerce.order.v1'],
    retentionMs: retentionDays * day,
    ...(deprecation ? { deprecation } : {}),
  });
  const guide = 'docs/migrations/commerce-order-v2.md';

  it('holds every catalogue topic and translation to the rules of CHANGELOG.md', () => {
    for (const t of topics) expect(deprecationWindowProblems(t)).toEqual([]);
    for (const translation of eventTranslations) {
      const from = findEventDefinition(translation.from);
      const to = findEventDefinition(translation.to);
      const old = topics.find((t) => t.name === to?.topic);
      expect(old?.deprecation?.replacedBy).toBe(from?.topic);
    }
  });

  it('asks for max(30 days, retention) of dual publication and a retention more before removal', () => {
    const dates = { replacedBy: 'commerce.order.v2', guide };
    expect(
      deprecationWindowProblems(
        topic({ ...dates, announced: '2027-01-01', sunset: '2027-01-31', removeAfter: '2027-02-14' }),
      ),
    ).toEqual([]);
    expect(
      deprecationWindowProblems(
        topic({ ...dates, announced: '2027-01-01', sunset: '2027-01-31', removeAfter: '2027-03-20' }, 45),
      ),
    ).toEqual(['commerce.order.v1: sunset is less than max(30 days, retention) after announced']);
    expect(
      deprecationWindowProblems(
        topic({ ...dates, announced: '2027-01-01', sunset: '2027-01-20', removeAfter: '2027-01-25' }),
      ),
    ).toEqual([
      'commerce.order.v1: sunset is less than max(30 days, retention) after announced',
      'commerce.order.v1: removeAfter is less than the retention after sunset',
    ]);
    expect(
      deprecationWindowProblems(
        topic({ ...dates, announced: 'soon', sunset: '2027-01-31', removeAfter: '2027-02-14', guide: 'x' }),
      ),
    ).toEqual(['commerce.order.v1: deprecation.announced is not a YYYY-MM-DD date']);
  });
});
