import { describe, expect, it } from '@jest/globals';
import { eventCatalogue, eventTypes } from '@tributary/contracts';
import type { EventType } from '@tributary/contracts';
import avro from 'avsc';
import { TestingErrorCode, sampleEvent } from './sample-event.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('sampleEvent', () => {
  it.each(eventTypes.map((type) => [type]))('builds a %s that its Avro schema encodes', (type: EventType) => {
    const event = sampleEvent(type, { id: 'event-1', subject: 'subject-1' });
    expect(event).toMatchObject({ id: 'event-1', type, subject: 'subject-1', source: '/tributary/sample' });
    expect(Number.isNaN(Date.parse(event.time))).toBe(false);
    const schema = avro.Type.forSchema(eventCatalogue[type].schema as avro.Schema);
    // Round trip: what a producer would write, a consumer reads back unchanged.
    expect(schema.fromBuffer(schema.toBuffer(event.data))).toEqual(event.data);
  });

  it('puts the subject into the key field and sane values into the others', () => {
    const event = sampleEvent('payments.payment.requested', { subject: 'pay-1' });
    expect(event.id).toMatch(uuid);
    expect(event.data).toMatchObject({
      paymentId: 'pay-1',
      amountMinor: 4200,
      currency: 'EUR',
      paymentMethod: null,
      description: null,
    });
    expect(event.data.orderId).toMatch(uuid);
    expect(event.data.customerId).toMatch(uuid);
    expect(Math.abs(event.data.requestedAt - Date.now())).toBeLessThan(60_000);
  });

  it('fills nested records, arrays and enums', () => {
    const shipment = sampleEvent('logistics.shipment.requested');
    expect(shipment.data.shipmentId).toBe(shipment.subject);
    expect(shipment.data.destination).toMatchObject({ countryCode: 'DE', line2: null });
    expect(shipment.data.items).toEqual([{ sku: 'sample sku', quantity: 1 }]);
    expect(sampleEvent('commerce.order.cancelled').data.reason).toBe('OTHER');
  });

  it('takes payload overrides, the key field included', () => {
    const event = sampleEvent('commerce.order.placed', { subject: 'o-1', data: { currency: 'USD' } });
    expect(event.data).toMatchObject({ orderId: 'o-1', currency: 'USD' });
  });

  it('refuses a type outside the catalogue and a payload its schema refuses, with codes', () => {
    expect(() => sampleEvent('nope.nothing.happened' as EventType)).toThrow(
      expect.objectContaining({ code: TestingErrorCode.unknownEventType }),
    );
    expect(() =>
      sampleEvent('commerce.order.placed', { data: { totalAmountMinor: 'lots' as unknown as number } }),
    ).toThrow(expect.objectContaining({ code: TestingErrorCode.sampleInvalid }));
  });
});
