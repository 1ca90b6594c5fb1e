import type { AnyEvent } from '@tributary/contracts';
import { applyChange, platformStatementOf, projectionChangeOf } from './projection.js';

const event = (type: string, data: Record<string, unknown>) =>
  ({ id: 'e', type, source: '/t', subject: 's', time: '2026-12-06T00:00:00Z', data }) as unknown as AnyEvent;

describe('projection', () => {
  it("states a payment's owned fields from its events, and keeps the customer for repairs", () => {
    expect(
      projectionChangeOf(
        event('payments.payment.requested', {
          paymentId: 'p',
          orderId: 'o',
          customerId: 'c',
          amountMinor: 100,
          currency: 'eur',
        }),
      ),
    ).toMatchObject({
      entity: 'payment',
      entityId: 'p',
      fields: { status: 'pending', amountMinor: '100', currency: 'EUR', customerId: 'c' },
    });
    expect(
      projectionChangeOf(
        event('payments.payment.failed', {
          paymentId: 'p',
          orderId: 'o',
          failureCode: 'PAYMENT_CANCELED',
          failedAt: 5,
        }),
      ),
    ).toMatchObject({ fields: { status: 'canceled' }, ownerChangedAt: 5 });
  });

  it('never moves a state back: a late created after delivered changes nothing', () => {
    const delivered = projectionChangeOf(
      event('logistics.shipment.delivered', {
        shipmentId: 's',
        orderId: 'o',
        carrier: 'USPS',
        trackingNumber: '9',
        deliveredAt: 9,
      }),
    )!;
    const created = projectionChangeOf(
      event('logistics.shipment.created', {
        shipmentId: 's',
        orderId: 'o',
        carrier: 'USPS',
        carrierShipmentId: 'shp',
        trackingNumber: '9',
        createdAt: 1,
      }),
    )!;
    const stored = applyChange(undefined, delivered)!;
    expect(applyChange(stored, created)).toBeUndefined();
    expect(applyChange(stored, delivered)).toEqual(stored);
  });

  it('orders contact states by the owner change time, and ignores notices that state nothing', () => {
    const newer = projectionChangeOf(
      event('crm.contact.upserted', { contactId: 'c', email: 'new@x', updatedAt: 20 }),
    )!;
    const older = projectionChangeOf(
      event('crm.contact.upserted', { contactId: 'c', email: 'old@x', updatedAt: 10 }),
    )!;
    expect(applyChange(applyChange(undefined, newer), older)).toBeUndefined();
    expect(projectionChangeOf(event('crm.contact.changed', { contactId: 'c' }))).toBeUndefined();
  });
});

describe('platform statements', () => {
  it("state a payment's order from its request, and a paying customer's stage and order from its success", () => {
    expect(
      platformStatementOf(
        event('payments.payment.requested', {
          paymentId: 'p',
          orderId: 'o',
          customerId: 'c',
          requestedAt: 7,
        }),
      ),
    ).toEqual({ entity: 'payment', entityId: 'p', fields: { orderId: 'o' }, statedAt: 7 });
    expect(
      platformStatementOf(
        event('payments.payment.succeeded', {
          paymentId: 'p',
          orderId: 'o',
          customerId: 'c',
          succeededAt: 9,
        }),
      ),
    ).toEqual({
      entity: 'contact',
      entityId: 'c',
      fields: { lifecycleStage: 'customer', lastPaidOrderId: 'o' },
      statedAt: 9,
    });
  });

  it('state nothing for a guest payment, or for what the owner decides', () => {
    expect(
      platformStatementOf(
        event('payments.payment.succeeded', { paymentId: 'p', orderId: 'o', customerId: null }),
      ),
    ).toBeUndefined();
    expect(platformStatementOf(event('crm.contact.upserted', { contactId: 'c' }))).toBeUndefined();
  });
});
