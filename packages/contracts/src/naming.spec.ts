import { eventTypeFor, namespaceFor, schemaTextOf, subjectFor, topicNameFor } from './naming.js';

describe('naming', () => {
  it('names subjects with TopicRecordNameStrategy', () => {
    expect(subjectFor('payments.payment.v1', 'tributary.payments.payment.PaymentSucceeded')).toBe(
      'payments.payment.v1-tributary.payments.payment.PaymentSucceeded',
    );
  });

  it('names topics and namespaces by domain, aggregate and major', () => {
    expect(topicNameFor('logistics', 'shipment', 1)).toBe('logistics.shipment.v1');
    expect(namespaceFor('logistics', 'shipment', 1)).toBe('tributary.logistics.shipment');
    expect(namespaceFor('logistics', 'shipment', 3)).toBe('tributary.logistics.shipment.v3');
  });

  it('derives ce_type from the record name', () => {
    expect(eventTypeFor('payments', 'payment', 1, 'PaymentSucceeded')).toBe('payments.payment.succeeded');
    expect(eventTypeFor('crm', 'contact', 1, 'ContactAddressChanged')).toBe('crm.contact.address_changed');
    expect(eventTypeFor('crm', 'contact', 2, 'ContactUpserted')).toBe('crm.contact.upserted.v2');
    expect(() => eventTypeFor('crm', 'contact', 1, 'PersonUpserted')).toThrow(/<Aggregate><PastTenseVerb>/);
  });

  it('registers compact JSON so that every registrant sends identical text', () => {
    expect(schemaTextOf({ type: 'record', name: 'A', fields: [] })).toBe(
      '{"type":"record","name":"A","fields":[]}',
    );
  });
});
