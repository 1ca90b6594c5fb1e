import { placeOrder } from '../../orders/domain/order.js';
import { onPaymentFailed, onPaymentSucceeded, onShipmentProgress, requestPayment } from './checkout.js';
import type { CheckoutOrder } from './checkout.js';

const shipTo = {
  recipientName: 'Ada Lovelace',
  line1: 'Main St 1',
  line2: null,
  postalCode: '10115',
  city: 'Berlin',
  region: null,
  countryCode: 'DE',
};
const order = (overrides: Partial<CheckoutOrder> = {}): CheckoutOrder => ({
  orderId: 'o-1',
  customerId: 'c-1',
  status: 'payment_requested',
  paymentId: 'p-1',
  shipmentId: null,
  shipTo,
  lines: [{ sku: 'A', quantity: 2 }],
  ...overrides,
});
const now = new Date('2026-11-27T10:00:00.000Z');
const paid = { paymentId: 'p-1', eventId: 'e-paid' };
const next = { shipmentId: 's-1', eventId: 'e-ship' };

describe('checkout', () => {
  it('requests the payment of the whole order, caused by its OrderPlaced', () => {
    const placed = placeOrder(
      { customerId: 'c-1', currency: 'EUR', lines: [{ sku: 'A', quantity: 2, unitPriceMinor: 500 }] },
      { orderId: 'o-1', eventId: 'e-1', orderNumber: 'TR-000001' },
      now,
      'corr-1',
    );
    expect(requestPayment(placed, { paymentId: 'p-1', eventId: 'e-2' })).toMatchObject({
      id: 'e-2',
      type: 'payments.payment.requested',
      subject: 'p-1',
      correlationId: 'corr-1',
      causationId: 'e-1',
      data: { paymentId: 'p-1', orderId: 'o-1', customerId: 'c-1', amountMinor: 1000, currency: 'EUR' },
    });
  });

  it('asks for the shipment once the order is paid', () => {
    const transition = onPaymentSucceeded(order(), paid, next, now);
    expect(transition).toMatchObject({ kind: 'moved', status: 'shipment_requested', shipmentId: 's-1' });
    expect(transition.kind === 'moved' && transition.events).toEqual([
      expect.objectContaining({
        type: 'logistics.shipment.requested',
        subject: 's-1',
        causationId: 'e-paid',
        data: expect.objectContaining({
          shipmentId: 's-1',
          orderId: 'o-1',
          recipientContactId: 'c-1',
          destination: shipTo,
          items: [{ sku: 'A', quantity: 2 }],
        }),
      }),
    ]);
  });

  it('requests no second shipment when the same payment is reported again (webhook next to the connector)', () => {
    const shipped = order({ status: 'shipment_requested', shipmentId: 's-1' });
    expect(onPaymentSucceeded(shipped, { paymentId: 'p-1', eventId: 'e-webhook' }, next, now)).toEqual({
      kind: 'unchanged',
      reason: 'order is already shipment_requested',
    });
  });

  it('ignores a payment that is not the order’s', () => {
    expect(onPaymentSucceeded(order(), { paymentId: 'p-2', eventId: 'x' }, next, now).kind).toBe('unchanged');
    expect(onPaymentFailed(order(), 'p-2').kind).toBe('unchanged');
  });

  it('completes a paid order without an address without a shipment', () => {
    expect(onPaymentSucceeded(order({ shipTo: null }), paid, next, now)).toEqual({
      kind: 'moved',
      status: 'shipment_requested',
      events: [],
    });
  });

  it('marks a failed payment once, and not after the order moved on', () => {
    expect(onPaymentFailed(order(), 'p-1')).toMatchObject({ kind: 'moved', status: 'payment_failed' });
    expect(onPaymentFailed(order({ status: 'shipment_requested' }), 'p-1').kind).toBe('unchanged');
  });

  it('moves shipments forward only, whatever order the carrier reports arrive in', () => {
    const requested = order({ status: 'shipment_requested', shipmentId: 's-1' });
    expect(onShipmentProgress(requested, 's-1', 'shipped')).toMatchObject({ status: 'shipped' });
    expect(onShipmentProgress(requested, 's-1', 'delivered')).toMatchObject({ status: 'delivered' });
    const delivered = order({ status: 'delivered', shipmentId: 's-1' });
    expect(onShipmentProgress(delivered, 's-1', 'shipped').kind).toBe('unchanged');
    expect(onShipmentProgress(requested, 's-2', 'delivered').kind).toBe('unchanged');
  });
});
