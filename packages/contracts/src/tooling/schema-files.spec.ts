import { defaultSchemasDir, loadSchemaFiles, parseSchemaFile, subjectOf } from './schema-files.js';

const record = (name: string, namespace: string) =>
  JSON.stringify({ type: 'record', name, namespace, fields: [{ name: 'orderId', type: 'string' }] });

describe('schema files', () => {
  it('derive topic, record name, event type and subject from the path', () => {
    const file = parseSchemaFile(
      'commerce/order/v1/OrderPlaced.avsc',
      record('OrderPlaced', 'tributary.commerce.order'),
    );
    expect(file).toMatchObject({
      domain: 'commerce',
      aggregate: 'order',
      major: 1,
      topic: 'commerce.order.v1',
      recordFullName: 'tributary.commerce.order.OrderPlaced',
      eventType: 'commerce.order.placed',
    });
    expect(subjectOf(file)).toBe('commerce.order.v1-tributary.commerce.order.OrderPlaced');
    expect(subjectOf(file, 'it-42.')).toBe('it-42.commerce.order.v1-tributary.commerce.order.OrderPlaced');
  });

  it('put the major into namespace and event type from v2 on', () => {
    const file = parseSchemaFile(
      'commerce/order/v2/OrderPlaced.avsc',
      record('OrderPlaced', 'tributary.commerce.order.v2'),
    );
    expect([file.topic, file.eventType, file.recordFullName]).toEqual([
      'commerce.order.v2',
      'commerce.order.placed.v2',
      'tributary.commerce.order.v2.OrderPlaced',
    ]);
  });

  it.each([
    [
      'commerce/order/OrderPlaced.avsc',
      record('OrderPlaced', 'tributary.commerce.order'),
      /expected <domain>/,
    ],
    [
      'commerce/order/v1/OrderPlaced.avsc',
      record('OrderPlaced', 'tributary.commerce'),
      /namespace "tributary.commerce" must be "tributary.commerce.order"/,
    ],
    [
      'commerce/order/v1/OrderPlaced.avsc',
      record('OrderSubmitted', 'tributary.commerce.order'),
      /must equal the file name/,
    ],
    [
      'commerce/order/v1/Placed.avsc',
      record('Placed', 'tributary.commerce.order'),
      /must be named <Aggregate><PastTenseVerb>/,
    ],
    ['commerce/order/v1/OrderPlaced.avsc', '{ nope', /not JSON/],
    [
      'commerce/order/v1/OrderPlaced.avsc',
      JSON.stringify({
        type: 'record',
        name: 'OrderPlaced',
        namespace: 'tributary.commerce.order',
        fields: [{ name: 'a', type: 'int', default: 'x' }],
      }),
      /not a valid Avro schema/,
    ],
  ])('refuse %s when it is not where its content says it belongs', (path, text, reason) => {
    expect(() => parseSchemaFile(path, text)).toThrow(reason);
  });

  it('load the repository schemas: the entity events, reconciliation reads and write-backs, received webhooks, provider shapes', () => {
    const types = loadSchemaFiles(defaultSchemasDir).map((f) => f.eventType);
    expect(types.sort()).toEqual([
      'commerce.order.cancelled',
      'commerce.order.placed',
      'crm.contact.archived',
      'crm.contact.changed',
      'crm.contact.upserted',
      'crm.contact.write_back_requested',
      'integrations.provider.shapes_observed',
      'integrations.webhook.received',
      'logistics.shipment.created',
      'logistics.shipment.delivered',
      'logistics.shipment.requested',
      'payments.payment.failed',
      'payments.payment.refunded',
      'payments.payment.requested',
      'payments.payment.succeeded',
      'reconciliation.read.completed',
      'reconciliation.read.requested',
    ]);
  });
});
