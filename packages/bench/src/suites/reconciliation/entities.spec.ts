import {
  ENTITY_SPECS,
  contactRow,
  ownedHashOf,
  ownerContact,
  ownerPayment,
  ownerShipment,
  paymentRow,
  shipmentState,
} from './entities.js';
import type { SeededContact, SeededIntent, SeededShipment } from './entities.js';

const intent: SeededIntent = {
  id: 'pi_1',
  paymentId: 'pay-1',
  orderId: 'ord-1',
  customerId: 'cus-1',
  amount: 12_345,
  currency: 'eur',
  status: 'succeeded',
  created: 1_765_000_000,
};

const contact: SeededContact = {
  id: '1001',
  contactId: 'c-1',
  email: 'c-1@example.com',
  lifecyclestage: 'customer',
  lastmodifieddate: '2026-12-01T10:00:00.000Z',
};

describe('the local state built from the seed', () => {
  it('holds a paid intent as PaymentSucceeded left it: linked, succeeded, last agreed at its creation', () => {
    const row = paymentRow(intent);
    expect(row).toEqual({
      entityId: 'pay-1',
      fields: {
        status: 'succeeded',
        amountMinor: '12345',
        currency: 'EUR',
        orderId: 'ord-1',
        customerId: 'cus-1',
      },
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      rank: 3,
      externalId: 'pi_1',
      lastEventType: 'payments.payment.succeeded',
      lastEventAt: 1_765_000_000_000,
    });
  });

  it('holds a drifted intent as PaymentFailed left it: failed and unlinked (the failed event names no intent)', () => {
    const row = paymentRow({ ...intent, status: 'requires_payment_method' });
    expect(row).toMatchObject({
      fields: { status: 'failed', amountMinor: '12345' },
      rank: 2,
      externalId: null,
      lastEventType: 'payments.payment.failed',
    });
  });

  it('agrees with the owner’s copy of an intent that did not drift, and only of those', () => {
    const paid = {
      id: 'pi_1',
      status: 'succeeded',
      amount: 12_345,
      amount_received: 12_345,
      currency: 'eur',
      metadata: { tributary_payment_id: 'pay-1', tributary_order_id: 'ord-1' },
    };
    const owner = ownerPayment(paid);
    expect(owner).toEqual({
      externalId: 'pi_1',
      entityId: 'pay-1',
      fields: { status: 'succeeded', amountMinor: '12345', currency: 'EUR', orderId: 'ord-1' },
    });
    // customerId is not an owned field: it does not enter the hash.
    expect(ownedHashOf('payment', owner.fields)).toBe(paymentRow(intent).hash);
    expect(ownedHashOf('payment', owner.fields)).not.toBe(
      paymentRow({ ...intent, status: 'requires_payment_method' }).hash,
    );
    const declined = ownerPayment({
      ...paid,
      status: 'requires_payment_method',
      last_payment_error: { code: 'card_declined' },
    });
    expect(declined.fields.status).toBe('failed');
  });

  it('holds a contact as ContactUpserted left it, named as the seeder names it', () => {
    const row = contactRow(contact, 41);
    expect(row).toEqual({
      entityId: 'c-1',
      fields: {
        email: 'c-1@example.com',
        givenName: 'Seed',
        familyName: 'Contact 41',
        phone: null,
        marketingConsent: 'false',
      },
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      rank: Date.parse(contact.lastmodifieddate),
      externalId: null,
      lastEventType: 'crm.contact.upserted',
      lastEventAt: Date.parse(contact.lastmodifieddate),
    });
    const owner = ownerContact({
      id: '1001',
      properties: {
        email: 'c-1@example.com',
        firstname: 'Seed',
        lastname: 'Contact 41',
        phone: '',
        tributary_contact_id: 'c-1',
      },
    });
    expect(owner.entityId).toBe('c-1');
    expect(ownedHashOf('contact', owner.fields)).toBe(row.hash);
    const drifted = ownerContact({
      id: '1001',
      properties: {
        ...owner.fields,
        email: 'c-1@example.com',
        firstname: 'Seed',
        lastname: 'Contact 41',
        phone: '+1 555 0100',
      },
    });
    expect(ownedHashOf('contact', drifted.fields)).not.toBe(row.hash);
  });
});

const shipment: SeededShipment = {
  id: 'shp_1',
  reference: 'shipment-1',
  trackerId: 'trk_1',
  trackingCode: '9400100000000000000001',
  status: 'in_transit',
};

describe('the local state of a shipment', () => {
  it('holds a bought shipment as ShipmentCreated left it, with the mappings its handler records', () => {
    const { row, refs } = shipmentState(shipment, 'order-1', 1_765_000_000_000);
    expect(row).toEqual({
      entityId: 'shipment-1',
      fields: {
        status: 'created',
        carrier: 'USPS',
        trackingNumber: '9400100000000000000001',
        orderId: 'order-1',
      },
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      rank: 2,
      externalId: 'shp_1',
      lastEventType: 'logistics.shipment.created',
      lastEventAt: 1_765_000_000_000,
    });
    expect(refs).toEqual([
      { externalType: 'shipment', externalId: 'shp_1', internalId: 'shipment-1' },
      { externalType: 'shipment_order', externalId: 'shp_1', internalId: 'order-1' },
    ]);
  });

  it('agrees with the owner’s copy in transit, and not once the carrier reported it delivered', () => {
    const { row } = shipmentState(shipment, 'order-1', 0);
    const raw = {
      id: 'shp_1',
      reference: 'shipment-1',
      tracking_code: shipment.trackingCode,
      selected_rate: { carrier: 'USPS' },
      tracker: { status: 'in_transit', tracking_code: shipment.trackingCode, carrier: 'USPS' },
    };
    expect(ownedHashOf('shipment', ownerShipment(raw, 'order-1').fields)).toBe(row.hash);
    const delivered = ownerShipment({ ...raw, tracker: { ...raw.tracker, status: 'delivered' } }, 'order-1');
    expect(delivered.fields.status).toBe('delivered');
    expect(ownedHashOf('shipment', delivered.fields)).not.toBe(row.hash);
  });

  it('fills the owner copies’ order ids from the connector’s mappings, as the reader does', () => {
    const local = ENTITY_SPECS.shipment.localState([shipment], 0);
    const orderId = local.projections[0]!.fields.orderId;
    const [owner] = ENTITY_SPECS.shipment.ownerWithConnectorState!(
      [ownerShipment({ id: 'shp_1', reference: 'shipment-1' }, null)],
      local,
    );
    expect(owner!.fields.orderId).toBe(orderId);
  });
});

describe('the raw read’s walk', () => {
  it('pages EasyPost’s shipments, bought or not, with before_id until has_more is false', () => {
    const list = ENTITY_SPECS.shipment.rawList;
    expect(list.first()).toBe('/v2/shipments?page_size=100&purchased=false');
    const page = (has_more: boolean) => ({ has_more, shipments: [{ id: 'shp_9' }] });
    expect(list.page(page(true), list.first()).next).toBe(
      '/v2/shipments?page_size=100&purchased=false&before_id=shp_9',
    );
    expect(list.page(page(false), list.first()).next).toBeUndefined();
    expect(ENTITY_SPECS.shipment.rawAuthorization).toBe(
      `Basic ${Buffer.from('EZTKbench:').toString('base64')}`,
    );
  });

  it('pages Stripe’s intents with starting_after until has_more is false', () => {
    const list = ENTITY_SPECS.payment.rawList;
    expect(list.first()).toBe('/v1/payment_intents?limit=100&expand%5B%5D=data.latest_charge');
    const page = (has_more: boolean) => ({
      has_more,
      data: [{ id: 'pi_9', status: 'succeeded', amount: 1, currency: 'eur' }],
    });
    expect(list.page(page(true), list.first()).next).toBe(
      '/v1/payment_intents?limit=100&expand%5B%5D=data.latest_charge&starting_after=pi_9',
    );
    expect(list.page(page(false), list.first()).next).toBeUndefined();
  });

  it('pages HubSpot’s live contacts, then its recycling bin, then stops', () => {
    const list = ENTITY_SPECS.contact.rawList;
    const live = list.first();
    expect(live).toMatch(
      /^\/crm\/v3\/objects\/contacts\?archived=false&limit=100&properties=email,firstname,/,
    );
    const next = list.page({ results: [], paging: { next: { after: '1100' } } }, live).next!;
    expect(next).toMatch(/archived=false.*&after=1100$/);
    const bin = list.page({ results: [] }, next).next!;
    expect(bin).toMatch(/archived=true/);
    expect(bin).not.toContain('after=');
    expect(list.page({ results: [] }, bin).next).toBeUndefined();
  });
});
