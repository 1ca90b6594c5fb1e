import type { AnyEvent, EventOf } from './catalogue.js';
import { findEventDefinition, isEventType } from './catalogue.js';
import { eventCatalogue } from './generated/events.js';
import type { EventDataMap } from './generated/events.js';
import { loadSchemaFiles } from './tooling/schema-files.js';

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
