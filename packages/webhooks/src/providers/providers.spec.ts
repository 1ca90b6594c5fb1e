import { eventCatalogue, isEventType } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import avro from 'avsc';
import { mapProviderEvent, producedEventTypes } from '../definition.js';
import type { ExternalRefResolver, MappingContext, WebhookDefinition } from '../definition.js';
import { WebhookErrorCode } from '../errors.js';
import type { WebhookRequest } from '../request.js';
import { EASYPOST_REFS, easypostWebhook } from './easypost.webhook.js';
import { githubWebhook } from './github.webhook.js';
import { HUBSPOT_CONTACT_REF, hubspotWebhook } from './hubspot.webhook.js';
import { webhookDefinitions } from './index.js';
import { STRIPE_METADATA, stripeWebhook } from './stripe.webhook.js';

/** An in-memory external_refs table. */
function memoryRefs(
  initial: Record<string, string> = {},
): ExternalRefResolver & { readonly rows: Map<string, string> } {
  const rows = new Map(Object.entries(initial));
  let next = 0;
  return {
    rows,
    find: async (type, id) => rows.get(`${type}/${id}`),
    getOrCreate: async (type, id) => {
      const key = `${type}/${id}`;
      if (!rows.has(key)) rows.set(key, `00000000-0000-7000-8000-${String(++next).padStart(12, '0')}`);
      return rows.get(key)!;
    },
  };
}

function context(refs: ExternalRefResolver = memoryRefs()): MappingContext {
  let n = 0;
  return {
    provider: 'test',
    source: '/tributary/ingestion/test',
    receivedAt: new Date('2026-11-27T10:00:00Z'),
    refs,
    correlationId: 'delivery-1',
    newEventId: () => `01900000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  };
}

const request = (headers: WebhookRequest['headers'] = {}): WebhookRequest => ({
  method: 'POST',
  url: 'https://ingestion.example/webhooks/x',
  headers,
  body: Buffer.alloc(0),
});

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'ok';
};

/** Mapped events must be what the encoder accepts: the payload valid against the type's Avro schema. */
function expectValidAvro(event: DomainEvent): void {
  if (!isEventType(event.type)) throw new Error(`${event.type} is not a catalogue type`);
  const type = avro.Type.forSchema(eventCatalogue[event.type].schema as avro.Schema);
  const problems: string[] = [];
  type.isValid(event.data, { errorHook: (path) => problems.push(path.join('.')) });
  expect(problems).toEqual([]);
}

async function mapOne(definition: WebhookDefinition, body: unknown, ctx = context(), headers = {}) {
  const [event] = definition.events(body, request(headers));
  const result = await mapProviderEvent(definition, event!, ctx);
  if (result.status === 'mapped') result.events.forEach(expectValidAvro);
  return result;
}

const paymentId = '0190a6c2-1111-7000-8000-000000000001';
const orderId = '0190a6c2-2222-7000-8000-000000000002';
const customerId = '0190a6c2-3333-7000-8000-000000000003';

const stripeEvent = (type: string, object: Record<string, unknown>) => ({
  id: 'evt_1QX',
  object: 'event',
  type,
  created: 1_795_000_000,
  livemode: false,
  data: { object },
});

const intent = (overrides: Record<string, unknown> = {}) => ({
  id: 'pi_3Ab',
  object: 'payment_intent',
  amount: 2599,
  amount_received: 2599,
  currency: 'eur',
  metadata: {
    [STRIPE_METADATA.paymentId]: paymentId,
    [STRIPE_METADATA.orderId]: orderId,
    [STRIPE_METADATA.customerId]: customerId,
  },
  ...overrides,
});

describe('stripe definition', () => {
  it('dedupes on the event id and maps payment_intent.succeeded to payments.payment.succeeded', async () => {
    const body = stripeEvent('payment_intent.succeeded', intent());
    expect(stripeWebhook.events(body, request())).toEqual([
      {
        dedupeKey: 'evt_1QX',
        type: 'payment_intent.succeeded',
        occurredAt: new Date(1_795_000_000_000),
        payload: body,
      },
    ]);
    const result = await mapOne(stripeWebhook, body);
    expect(result).toEqual({
      status: 'mapped',
      events: [
        {
          id: '01900000-0000-7000-8000-000000000001',
          type: 'payments.payment.succeeded',
          source: '/tributary/ingestion/test',
          subject: paymentId,
          time: new Date(1_795_000_000_000).toISOString(),
          correlationId: 'delivery-1',
          data: {
            paymentId,
            orderId,
            customerId,
            amountMinor: 2599,
            currency: 'EUR',
            provider: 'stripe',
            providerPaymentId: 'pi_3Ab',
            feeAmountMinor: null,
            succeededAt: 1_795_000_000_000,
          },
        },
      ],
    });
  });

  it('maps a failed PaymentIntent with a provider-independent failure code', async () => {
    const body = stripeEvent(
      'payment_intent.payment_failed',
      intent({
        last_payment_error: {
          code: 'card_declined',
          decline_code: 'insufficient_funds',
          message: 'Declined.',
        },
      }),
    );
    const result = await mapOne(stripeWebhook, body);
    expect(result.status === 'mapped' && result.events[0]!.data).toMatchObject({
      failureCode: 'INSUFFICIENT_FUNDS',
      providerFailureCode: 'insufficient_funds',
      failureMessage: 'Declined.',
    });
  });

  it('falls back to external refs, and reports an intent nobody knows as unresolved', async () => {
    const withoutPaymentId = intent({ metadata: { [STRIPE_METADATA.orderId]: orderId } });
    const refs = memoryRefs({ 'payment_intent/pi_3Ab': paymentId });
    const viaRef = await mapOne(
      stripeWebhook,
      stripeEvent('payment_intent.succeeded', withoutPaymentId),
      context(refs),
    );
    expect(viaRef.status === 'mapped' && viaRef.events[0]!.subject).toBe(paymentId);
    const unknown = await mapOne(stripeWebhook, stripeEvent('payment_intent.succeeded', withoutPaymentId));
    expect(unknown).toMatchObject({ status: 'unresolved' });
  });

  it('keeps unknown types and invalid payloads apart, and refuses what is not a Stripe event', async () => {
    expect(await mapOne(stripeWebhook, stripeEvent('customer.created', { id: 'cus_1' }))).toEqual({
      status: 'unknown_type',
    });
    const invalid = await mapOne(
      stripeWebhook,
      stripeEvent('payment_intent.succeeded', intent({ amount: 'lots' })),
    );
    expect(invalid).toMatchObject({
      status: 'invalid',
      reason: expect.stringContaining('data.object.amount'),
    });
    expect(invalid.status === 'invalid' && invalid.reason).not.toContain('lots');
    expect(codeOf(() => stripeWebhook.events({ id: 'evt_1' }, request()))).toBe(
      WebhookErrorCode.payloadInvalid,
    );
    expect(codeOf(() => stripeWebhook.events([], request()))).toBe(WebhookErrorCode.payloadInvalid);
  });
});

describe('hubspot definition', () => {
  const event = (eventId: number, subscriptionType: string, extra: Record<string, unknown> = {}) => ({
    eventId,
    subscriptionId: 7,
    portalId: 62515,
    appId: 1,
    occurredAt: 1_795_000_000_123,
    subscriptionType,
    attemptNumber: 0,
    objectId: 123,
    changeSource: 'CRM',
    ...extra,
  });

  it('splits a batch into events with their own dedupe keys', () => {
    const body = [
      event(1, 'contact.creation'),
      event(2, 'contact.propertyChange', { propertyName: 'email' }),
    ];
    const events = hubspotWebhook.events(body, request());
    expect(events.map((e) => e.dedupeKey)).toEqual([
      '62515:contact.creation:123:1:1795000000123',
      '62515:contact.propertyChange:123:2:1795000000123',
    ]);
    expect(events[1]!.payload).toBe(body[1]);
    expect(codeOf(() => hubspotWebhook.events({ eventId: 1 }, request()))).toBe(
      WebhookErrorCode.payloadInvalid,
    );
  });

  it('maps a creation to crm.contact.changed keyed by a contact id it records for the HubSpot id', async () => {
    const refs = memoryRefs();
    const result = await mapOne(hubspotWebhook, [event(1, 'contact.creation')], context(refs));
    expect([...refs.rows.keys()]).toEqual([`${HUBSPOT_CONTACT_REF}/123`]);
    const contactId = refs.rows.get(`${HUBSPOT_CONTACT_REF}/123`)!;
    expect(result).toEqual({
      status: 'mapped',
      events: [
        {
          id: '01900000-0000-7000-8000-000000000001',
          type: 'crm.contact.changed',
          source: '/tributary/ingestion/test',
          subject: contactId,
          time: new Date(1_795_000_000_123).toISOString(),
          correlationId: 'delivery-1',
          data: {
            contactId,
            provider: 'hubspot',
            providerContactId: '123',
            changeKind: 'CREATED',
            changedProperty: null,
            changeSource: 'CRM',
            occurredAt: 1_795_000_000_123,
          },
        },
      ],
    });
  });

  it('maps a property change to the same contact id, naming the property but never its value', async () => {
    const known = '0190a6c2-4444-7000-8000-000000000004';
    const refs = memoryRefs({ [`${HUBSPOT_CONTACT_REF}/123`]: known });
    const secret = 'ada.lovelace@example.com';
    const result = await mapOne(
      hubspotWebhook,
      [event(2, 'contact.propertyChange', { propertyName: 'email', propertyValue: secret })],
      context(refs),
    );
    expect(result.status === 'mapped' && result.events[0]).toMatchObject({
      type: 'crm.contact.changed',
      subject: known,
      data: { contactId: known, changeKind: 'PROPERTY_CHANGED', changedProperty: 'email' },
    });
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(refs.rows.size).toBe(1);

    // Fields HubSpot leaves out (no propertyName, no changeSource) are null, not invented.
    const bare = await mapOne(
      hubspotWebhook,
      [event(3, 'contact.propertyChange', { changeSource: undefined })],
      context(refs),
    );
    expect(bare.status === 'mapped' && bare.events[0]!.data).toMatchObject({
      changedProperty: null,
      changeSource: null,
    });
  });

  it('keeps other object types as unknown and refuses contact events without an object id', async () => {
    expect(await mapOne(hubspotWebhook, [event(3, 'deal.creation')])).toEqual({ status: 'unknown_type' });
    expect(
      codeOf(() => hubspotWebhook.events([event(4, 'contact.creation', { objectId: 'x' })], request())),
    ).toBe(WebhookErrorCode.payloadInvalid);
  });
});

describe('easypost definition', () => {
  const trackerEvent = (status: string) => ({
    id: 'evt_ep1',
    object: 'Event',
    description: 'tracker.updated',
    mode: 'test',
    created_at: '2026-11-27T09:59:00Z',
    result: {
      id: 'trk_1',
      object: 'Tracker',
      status,
      tracking_code: 'EZ4000000004',
      carrier: 'USPS',
      shipment_id: 'shp_9',
      updated_at: '2026-11-27T09:58:00Z',
      tracking_details: [
        { status: 'in_transit', datetime: '2026-11-26T09:00:00Z' },
        { status: 'delivered', datetime: '2026-11-27T09:30:00Z' },
      ],
    },
  });
  const shipmentId = '0190a6c2-3333-7000-8000-000000000003';
  const refs = () =>
    memoryRefs({
      [`${EASYPOST_REFS.shipment}/shp_9`]: shipmentId,
      [`${EASYPOST_REFS.order}/shp_9`]: orderId,
    });

  it('maps a delivered tracker to logistics.shipment.delivered keyed by our shipment id', async () => {
    const result = await mapOne(easypostWebhook, trackerEvent('delivered'), context(refs()));
    expect(result.status).toBe('mapped');
    const [event] = result.status === 'mapped' ? result.events : [];
    expect(event).toMatchObject({
      type: 'logistics.shipment.delivered',
      subject: shipmentId,
      data: {
        shipmentId,
        orderId,
        carrier: 'USPS',
        trackingNumber: 'EZ4000000004',
        deliveredAt: Date.parse('2026-11-27T09:30:00Z'),
      },
    });
  });

  it('ignores other tracker states and leaves unknown shipments unresolved', async () => {
    expect(await mapOne(easypostWebhook, trackerEvent('in_transit'), context(refs()))).toMatchObject({
      status: 'ignored',
    });
    expect(await mapOne(easypostWebhook, trackerEvent('delivered'))).toMatchObject({ status: 'unresolved' });
  });
});

describe('github definition', () => {
  it('dedupes on X-GitHub-Delivery and types events by header and action', async () => {
    const headers = {
      'X-GitHub-Delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'X-GitHub-Event': 'issues',
    };
    expect(githubWebhook.events({ action: 'opened' }, request(headers))).toEqual([
      { dedupeKey: headers['X-GitHub-Delivery'], type: 'issues.opened', payload: { action: 'opened' } },
    ]);
    expect(
      await mapOne(githubWebhook, { zen: 'Keep it logically awesome.' }, context(), {
        ...headers,
        'X-GitHub-Event': 'ping',
      }),
    ).toMatchObject({
      status: 'ignored',
    });
    expect(codeOf(() => githubWebhook.events({}, request({ 'X-GitHub-Event': 'push' })))).toBe(
      WebhookErrorCode.payloadInvalid,
    );
  });
});

describe('the definitions together', () => {
  it('are registered under their provider names and produce only catalogue events', () => {
    expect(Object.keys(webhookDefinitions).sort()).toEqual(['easypost', 'github', 'hubspot', 'stripe']);
    for (const type of producedEventTypes(Object.values(webhookDefinitions)))
      expect(eventCatalogue[type]).toBeDefined();
    expect(producedEventTypes(Object.values(webhookDefinitions))).toEqual([
      'crm.contact.changed',
      'logistics.shipment.delivered',
      'payments.payment.failed',
      'payments.payment.succeeded',
    ]);
  });

  it('remember deliveries at least as long as the providers retry', () => {
    for (const definition of Object.values(webhookDefinitions)) {
      expect(definition.retryHorizonSeconds).toBeLessThanOrEqual(7 * 24 * 3600);
      expect(definition.secretsEnv).toMatch(/^[A-Z][A-Z0-9_]+$/);
    }
  });
});
