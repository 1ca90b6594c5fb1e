import { eventCatalogue } from '@tributary/contracts';
import type { EventOf } from '@tributary/contracts';
import { AvroEventEncoder, KafkaEventProducer, SchemaRegistryClient } from '@tributary/kafka';
import { stackFromEnv, waitFor } from '@tributary/testkit';
import { v7 as uuidv7 } from 'uuid';
import type { ExampleServiceFixture } from './support.js';
import { exampleService } from './support.js';

const shipTo = {
  recipientName: 'Ada Lovelace',
  line1: 'Main St 1',
  postalCode: '10115',
  city: 'Berlin',
  countryCode: 'DE',
};

describe('checkout on the real stack', () => {
  let service: ExampleServiceFixture;
  let producer: KafkaEventProducer;
  beforeAll(async () => {
    service = await exampleService();
    producer = new KafkaEventProducer(service.kafka, {
      encoder: new AvroEventEncoder({
        registry: new SchemaRegistryClient({ url: stackFromEnv().registry.url }),
        definitions: Object.values(eventCatalogue),
      }),
    });
    await producer.connect();
    await service.start();
  });
  afterAll(async () => {
    await producer.disconnect();
    await service.close();
  });

  const orderStatus = async (orderId: string) =>
    (await (await fetch(`${service.url}/v1/orders/${orderId}`)).json()) as {
      status: string;
      paymentId: string;
      shipmentId: string | null;
    };
  const succeeded = (orderId: string, paymentId: string): EventOf<'payments.payment.succeeded'> => ({
    id: uuidv7(),
    type: 'payments.payment.succeeded',
    source: '/tributary/test',
    subject: paymentId,
    time: new Date().toISOString(),
    data: {
      paymentId,
      orderId,
      customerId: 'customer-1',
      amountMinor: 1000,
      currency: 'EUR',
      provider: 'stripe',
      providerPaymentId: `pi_${paymentId.slice(0, 8)}`,
      feeAmountMinor: null,
      succeededAt: Date.now(),
    },
  });
  const shipmentEvent = <T extends 'logistics.shipment.created' | 'logistics.shipment.delivered'>(
    type: T,
    orderId: string,
    shipmentId: string,
  ) =>
    ({
      id: uuidv7(),
      type,
      source: '/tributary/test',
      subject: shipmentId,
      time: new Date().toISOString(),
      data:
        type === 'logistics.shipment.created'
          ? {
              shipmentId,
              orderId,
              carrier: 'USPS',
              carrierShipmentId: 'shp_1',
              trackingNumber: '9400',
              trackingUrl: null,
              estimatedDeliveryAt: null,
              createdAt: Date.now(),
            }
          : {
              shipmentId,
              orderId,
              carrier: 'USPS',
              trackingNumber: '9400',
              deliveryLocation: null,
              deliveredAt: Date.now(),
            },
    }) as EventOf<T>;

  it('places an order with its payment request, ships it once however often the payment is reported, and follows its delivery in any order', async () => {
    const response = await fetch(`${service.url}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerId: 'customer-1',
        currency: 'EUR',
        lines: [{ sku: 'SKU-1', quantity: 2, unitPriceMinor: 500 }],
        shipTo,
      }),
    });
    expect(response.status).toBe(202);
    const { orderId, paymentId } = (await response.json()) as { orderId: string; paymentId: string };
    expect(await orderStatus(orderId)).toMatchObject({ status: 'payment_requested', paymentId });
    const requested = await service.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM outbox WHERE topic = 'payments.payment.v1' AND key = $1`,
      [paymentId],
    );
    expect(Number(requested.rows[0]!.n)).toBe(1);

    // The connector's answer and Stripe's webhook: two events, one payment. Plus another service's payment.
    await Promise.all([
      producer.publish(succeeded(orderId, paymentId)),
      producer.publish(succeeded(orderId, paymentId)),
      producer.publish(succeeded(uuidv7(), uuidv7())),
    ]);
    const paid = await waitFor(
      async () => {
        const order = await orderStatus(orderId);
        return order.status === 'shipment_requested' && order;
      },
      { timeoutMs: 30_000, message: 'order moved to shipment_requested' },
    );
    const shipments = await service.pool.query<{ key: string }>(
      `SELECT key FROM outbox WHERE topic = 'logistics.shipment.v1'`,
    );
    expect(shipments.rows.map((row) => row.key)).toEqual([paid.shipmentId]);

    // Delivered reported before created (out of order): the order ends delivered and stays there.
    const shipmentId = paid.shipmentId!;
    const delivered = shipmentEvent('logistics.shipment.delivered', orderId, shipmentId);
    const created = shipmentEvent('logistics.shipment.created', orderId, shipmentId);
    await producer.publish(delivered);
    await producer.publish(created);
    // The topics are shared with other tests and runs: wait for these two events, not for a row count.
    await waitFor(
      async () => {
        const inbox = await service.pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM inbox WHERE consumer_group = $1 AND event_id = ANY($2::text[])',
          [service.group, [delivered.id, created.id]],
        );
        return Number(inbox.rows[0]!.n) === 2;
      },
      { timeoutMs: 30_000, message: 'both shipment events applied' },
    );
    expect((await orderStatus(orderId)).status).toBe('delivered');
  }, 90_000);

  it('answers 404 for an unknown order and 400 for an id that is no UUID, as problem documents', async () => {
    const missing = await fetch(`${service.url}/v1/orders/${uuidv7()}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(await missing.json()).toMatchObject({ code: 'ORDER_NOT_FOUND' });
    const malformed = await fetch(`${service.url}/v1/orders/not-a-uuid`);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'ORDER_INVALID' });
  });
});
