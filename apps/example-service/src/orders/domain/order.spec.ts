import { placeOrder } from './order.js';

describe('placeOrder', () => {
  const ids = { orderId: 'o-1', eventId: 'e-1', orderNumber: 'TR-000001' };
  const now = new Date('2026-11-27T10:00:00.000Z');

  it('records the order as an OrderPlaced event keyed by the order id', () => {
    const event = placeOrder(
      {
        customerId: 'c-1',
        currency: 'EUR',
        lines: [
          { sku: 'A', quantity: 2, unitPriceMinor: 1250 },
          { sku: 'B', quantity: 1, unitPriceMinor: 99 },
        ],
      },
      ids,
      now,
      'corr-1',
    );
    expect(event).toMatchObject({
      id: 'e-1',
      type: 'commerce.order.placed',
      subject: 'o-1',
      time: '2026-11-27T10:00:00.000Z',
      correlationId: 'corr-1',
      data: {
        orderId: 'o-1',
        totalAmountMinor: 2599,
        currency: 'EUR',
        channel: null,
        placedAt: now.getTime(),
      },
    });
  });

  it('leaves the correlation id out when there is none', () => {
    const event = placeOrder({ customerId: 'c', currency: 'EUR', lines: [] }, ids, now);
    expect('correlationId' in event).toBe(false);
    expect(event.data.totalAmountMinor).toBe(0);
  });
});
