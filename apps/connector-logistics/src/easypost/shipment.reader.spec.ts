import type { EasyPostShipment } from './easypost.client.js';
import { shipmentFields, shipmentStatus, versionOf } from './shipment.reader.js';

const shipment = (overrides: Partial<EasyPostShipment>): EasyPostShipment => ({
  id: 'shp_1',
  object: 'Shipment',
  reference: 'ship-1',
  rates: [],
  selected_rate: null,
  tracking_code: null,
  tracker: null,
  created_at: '2026-01-01T10:00:00Z',
  updated_at: '2026-01-01T10:00:00Z',
  ...overrides,
});

const rate = { id: 'rate_1', carrier: 'USPS', service: 'Priority', rate: '7.58', currency: 'USD' };
const tracker = (status: string, updatedAt: string) => ({
  id: 'trk_1',
  object: 'Tracker' as const,
  status,
  tracking_code: '9400100000000000000001',
  carrier: 'USPS',
  updated_at: updatedAt,
});

describe('shipment reader mapping', () => {
  it('is requested until a label is bought, created with a tracking code, delivered when the tracker says so', () => {
    expect(shipmentStatus(shipment({}))).toBe('requested');
    expect(
      shipmentStatus(
        shipment({
          tracking_code: '9400100000000000000001',
          tracker: tracker('in_transit', '2026-01-02T00:00:00Z'),
        }),
      ),
    ).toBe('created');
    expect(shipmentStatus(shipment({ tracker: tracker('delivered', '2026-01-03T00:00:00Z') }))).toBe(
      'delivered',
    );
    // Returned or lost parcels stay `created`: ours has no word for them.
    expect(shipmentStatus(shipment({ tracker: tracker('return_to_sender', '2026-01-03T00:00:00Z') }))).toBe(
      'created',
    );
  });

  it('takes carrier and tracking number from the rate and tracker, the order id from what the handler recorded', () => {
    expect(
      shipmentFields(
        shipment({
          selected_rate: rate,
          tracking_code: 'TC1',
          tracker: tracker('in_transit', '2026-01-02T00:00:00Z'),
        }),
        'order-1',
      ),
    ).toEqual({ status: 'created', carrier: 'USPS', trackingNumber: 'TC1', orderId: 'order-1' });
    expect(shipmentFields(shipment({}), null)).toEqual({
      status: 'requested',
      carrier: null,
      trackingNumber: null,
      orderId: null,
    });
  });

  it("versions a shipment by the later of its own and its tracker's updated_at", () => {
    expect(versionOf(shipment({}))).toBe(Date.parse('2026-01-01T10:00:00Z'));
    expect(versionOf(shipment({ tracker: tracker('delivered', '2026-01-05T08:00:00Z') }))).toBe(
      Date.parse('2026-01-05T08:00:00Z'),
    );
    expect(() => versionOf(shipment({ updated_at: 'never' }))).toThrow(
      expect.objectContaining({ code: 'PROVIDER_ANSWER_MALFORMED' }),
    );
  });
});
