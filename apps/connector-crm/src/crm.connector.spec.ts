import { ConnectorErrorCode, ProviderError, ProviderHttpClient } from '@tributary/connector-sdk';
import { fakeHandlerContext } from '@tributary/connector-sdk/testing';
import type { EventOf } from '@tributary/contracts';
import { hubspotWebhook, mapProviderEvent } from '@tributary/webhooks';
import { CONTACT_REF, bcp47, crmConnector, toContactUpserted, truthy } from './crm.connector.js';
import { HubSpotClient } from './hubspot/hubspot.client.js';
import type { BatchUpsertResponse, HubSpotContact } from './hubspot/hubspot.client.js';

type Config = Parameters<typeof crmConnector.http>[0];

const config: Config = {
  HUBSPOT_API_BASE: 'http://hubspot.invalid',
  HUBSPOT_ACCESS_TOKEN: 'pat-test',
  HUBSPOT_MARKETING_CONSENT_PROPERTY: 'tributary_marketing_consent',
};

const succeeded: EventOf<'payments.payment.succeeded'> = {
  id: '0190a0b0-0000-7000-8000-000000000002',
  type: 'payments.payment.succeeded',
  source: '/test',
  subject: 'pay-1',
  time: new Date().toISOString(),
  data: {
    paymentId: 'pay-1',
    orderId: 'order-1',
    customerId: 'cust-1',
    amountMinor: 1999,
    currency: 'EUR',
    provider: 'stripe',
    providerPaymentId: 'pi_1',
    feeAmountMinor: null,
    succeededAt: 0,
  },
};
const key = `tributary:crm:${succeeded.id}`;

/** The contact as the simulator answers an upsert: every current property. */
const fullContact: HubSpotContact = {
  id: '101',
  properties: {
    email: 'ada@example.com',
    phone: '+4930123456',
    firstname: 'Ada',
    lastname: 'Lovelace',
    hs_language: 'pt-br',
    lifecyclestage: 'customer',
    tributary_marketing_consent: 'true',
    tributary_contact_id: 'cust-1',
    tributary_last_paid_order_id: 'order-1',
    hs_object_id: '101',
  },
  createdAt: '2025-01-01T09:00:00.000Z',
  updatedAt: '2025-01-01T10:00:00.000Z',
  archived: false,
  new: false,
  objectWriteTraceId: key,
};

/** The real HubSpot answers a write with a default few properties only. */
const sparseContact: HubSpotContact = {
  id: '101',
  properties: {
    lifecyclestage: 'customer',
    tributary_contact_id: 'cust-1',
    tributary_last_paid_order_id: 'order-1',
    hs_object_id: '101',
    lastmodifieddate: '2025-01-01T10:00:00.000Z',
  },
  createdAt: '2025-01-01T09:00:00.000Z',
  updatedAt: '2025-01-01T10:00:00.000Z',
  objectWriteTraceId: key,
};

const complete = (...results: HubSpotContact[]): BatchUpsertResponse => ({ status: 'COMPLETE', results });

/** A scripted HubSpot client: each method answers from `script`, and every call is recorded. */
function fakeHubSpot(script: { upsert?: BatchUpsertResponse | Error; get?: HubSpotContact | Error }) {
  const calls: { method: string; args: unknown[] }[] = [];
  class ScriptedHubSpot extends HubSpotClient {
    override async upsertContacts(...args: Parameters<HubSpotClient['upsertContacts']>) {
      calls.push({ method: 'upsertContacts', args });
      if (script.upsert instanceof Error) throw script.upsert;
      return script.upsert ?? complete(fullContact);
    }

    override async getContact(...args: Parameters<HubSpotClient['getContact']>) {
      calls.push({ method: 'getContact', args });
      if (script.get instanceof Error) throw script.get;
      return script.get;
    }
  }
  // Both methods the handlers call are scripted: the HTTP client underneath never sends anything.
  const client = new ScriptedHubSpot(
    new ProviderHttpClient({ provider: 'hubspot', baseUrl: config.HUBSPOT_API_BASE }),
  );
  return { client, calls };
}

async function handle(
  script: Parameters<typeof fakeHubSpot>[0],
  event:
    | EventOf<'payments.payment.succeeded'>
    | EventOf<'crm.contact.changed'>
    | EventOf<'crm.contact.write_back_requested'> = succeeded,
) {
  const { client, calls } = fakeHubSpot(script);
  const ctx = fakeHandlerContext(crmConnector, { event, provider: client, config });
  let error: unknown;
  try {
    if (event.type === 'crm.contact.changed') await crmConnector.handlers['crm.contact.changed']!(event, ctx);
    else if (event.type === 'crm.contact.write_back_requested')
      await crmConnector.handlers['crm.contact.write_back_requested']!(event, ctx);
    else await crmConnector.handlers['payments.payment.succeeded']!(event, ctx);
  } catch (caught) {
    error = caught;
  }
  return {
    calls,
    published: ctx.published.map(({ type, subject, data }) => ({ type, subject, data })),
    refs: ctx.upserted.map((ref) => [ref.externalType, ref.externalId, ref.internalId]),
    logs: ctx.logs.map((line) => (line.level === 'info' ? line.msg : `${line.level}: ${line.msg}`)),
    commits: ctx.commits,
    error,
    ctx,
  };
}

/** The one upsert that marks cust-1 a customer paid by order-1, traced by `traceKey`. */
const markedCustomer = (traceKey: string) => ({
  method: 'upsertContacts',
  args: [
    [
      {
        idProperty: 'tributary_contact_id',
        id: 'cust-1',
        properties: { lifecyclestage: 'customer', tributary_last_paid_order_id: 'order-1' },
        objectWriteTraceId: traceKey,
      },
    ],
    expect.objectContaining({ idempotencyKey: traceKey }),
  ],
});

describe('crm connector', () => {
  it('upserts the contact by our id as a customer, traced by the event key, and publishes it as HubSpot returned it', async () => {
    const { calls, published, refs, commits, error, ctx } = await handle({});
    expect(error).toBeUndefined();
    expect(ctx.idempotencyKeys).toEqual([key]);
    expect(calls).toEqual([markedCustomer(key)]);
    expect(commits).toBe(1);
    expect(refs).toEqual([['contact', '101', 'cust-1']]);
    expect(published).toEqual([
      {
        type: 'crm.contact.upserted',
        subject: 'cust-1',
        data: {
          contactId: 'cust-1',
          email: 'ada@example.com',
          phone: '+4930123456',
          givenName: 'Ada',
          familyName: 'Lovelace',
          locale: 'pt-BR',
          marketingConsent: true,
          updatedAt: Date.parse('2025-01-01T10:00:00.000Z'),
        },
      },
    ]);
    expect(ctx.published[0]).toMatchObject({ causationId: succeeded.id, source: '/tributary/connector-crm' });
  });

  it('reads the missing properties when the upsert answer is the sparse one of the real HubSpot', async () => {
    const { calls, published } = await handle({ upsert: complete(sparseContact), get: fullContact });
    expect(calls.map((call) => call.method)).toEqual(['upsertContacts', 'getContact']);
    expect(calls[1]!.args[0]).toBe('cust-1');
    expect(calls[1]!.args[1]).toMatchObject({
      idProperty: 'tributary_contact_id',
      properties: expect.arrayContaining(['email', 'phone', 'firstname', 'lastname', 'hs_language']),
    });
    expect(published[0]!.data).toMatchObject({ email: 'ada@example.com', givenName: 'Ada' });
  });

  it('publishes what it has when the read finds nothing, with absent properties as null and no consent', async () => {
    const { published } = await handle({ upsert: complete(sparseContact), get: undefined });
    expect(published[0]!.data).toEqual({
      contactId: 'cust-1',
      email: null,
      phone: null,
      givenName: null,
      familyName: null,
      locale: null,
      marketingConsent: false,
      updatedAt: Date.parse('2025-01-01T10:00:00.000Z'),
    });
  });

  it('records a payment without customerId and does nothing else, saying why', async () => {
    const { calls, commits, published, logs, error } = await handle(
      {},
      { ...succeeded, data: { ...succeeded.data, customerId: null } },
    );
    expect(error).toBeUndefined();
    expect(calls).toEqual([]);
    // No commit: the SDK records a handler that returns without one in the inbox.
    expect(commits).toBe(0);
    expect(published).toEqual([]);
    expect(logs).toEqual([expect.stringContaining('without customerId')]);
  });

  it('finds its result among several by the trace id HubSpot echoes', async () => {
    const other = { ...fullContact, id: '202', objectWriteTraceId: 'someone-else', properties: {} };
    const { refs } = await handle({ upsert: complete(other, fullContact) });
    expect(refs).toEqual([['contact', '101', 'cust-1']]);
  });

  it('sends a 207 that lists our input under errors to the DLQ', async () => {
    const { error, commits } = await handle({
      upsert: {
        status: 'COMPLETE',
        results: [],
        numErrors: 1,
        errors: [
          { status: 'error', category: 'VALIDATION_ERROR', message: 'Property values were not valid' },
        ],
      },
    });
    expect(error).toMatchObject({ code: 'PROVIDER_REJECTED', retriable: false });
    expect((error as Error).message).toContain('VALIDATION_ERROR');
    expect(commits).toBe(0);
  });

  it('lets provider failures through as the SDK classified them, committing nothing', async () => {
    const rejected = new ProviderError(
      ConnectorErrorCode.providerRejected,
      'hubspot rejected: VALIDATION_ERROR',
      {
        provider: 'hubspot',
        operation: 'contacts.batch_upsert',
        retriable: false,
        status: 400,
      },
    );
    const limited = new ProviderError(ConnectorErrorCode.providerRateLimited, 'hubspot answered 429', {
      provider: 'hubspot',
      operation: 'contacts.batch_upsert',
      retriable: true,
      status: 429,
      retryAfterMs: 1000,
    });
    for (const failure of [rejected, limited]) {
      const { error, commits } = await handle({ upsert: failure });
      expect(error).toBe(failure);
      expect(commits).toBe(0);
    }
  });

  it('keeps the token bucket within HubSpot private apps’ 190 requests per rolling 10 s', () => {
    const { requestsPerSecond, burst } = crmConnector.limits!.rateLimit!;
    expect((burst ?? requestsPerSecond) + 10 * requestsPerSecond).toBeLessThanOrEqual(190);
  });
});

describe('crm connector on a HubSpot change notice', () => {
  const changed = (data: Partial<EventOf<'crm.contact.changed'>['data']> = {}) =>
    ({
      id: '0190a0b0-0000-7000-8000-000000000009',
      type: 'crm.contact.changed',
      source: '/tributary/ingestion/webhooks/hubspot',
      subject: 'cust-1',
      time: new Date().toISOString(),
      data: {
        contactId: 'cust-1',
        provider: 'hubspot',
        providerContactId: '101',
        changeKind: 'PROPERTY_CHANGED',
        changedProperty: 'email',
        changeSource: 'CRM_UI',
        occurredAt: 0,
        ...data,
      },
    }) satisfies EventOf<'crm.contact.changed'>;

  it('reads the contact by its HubSpot id, never writes, and publishes it whole under the notice’s id', async () => {
    const { calls, published, refs, commits, error } = await handle({ get: fullContact }, changed());
    expect(error).toBeUndefined();
    // Only a read: a write would make HubSpot send another webhook, and the loop would not end.
    expect(calls).toEqual([
      {
        method: 'getContact',
        args: [
          '101',
          expect.objectContaining({
            properties: expect.arrayContaining(['email', 'firstname', 'tributary_marketing_consent']),
          }),
        ],
      },
    ]);
    expect(calls[0]!.args[1]).not.toHaveProperty('idProperty');
    expect(commits).toBe(1);
    expect(refs).toEqual([[CONTACT_REF, '101', 'cust-1']]);
    expect(published).toEqual([
      {
        type: 'crm.contact.upserted',
        subject: 'cust-1',
        data: toContactUpserted('cust-1', fullContact, 'tributary_marketing_consent'),
      },
    ]);
    expect(published[0]!.data).toMatchObject({ email: 'ada@example.com', marketingConsent: true });
  });

  it('publishes under the contact id HubSpot holds when ingestion keyed the notice by one it minted', async () => {
    // The webhook reached ingestion before the payment handler's commit recorded the ref.
    const { published, refs, logs } = await handle({ get: fullContact }, changed({ contactId: 'minted-2' }));
    expect(published).toEqual([
      expect.objectContaining({ subject: 'cust-1', data: expect.objectContaining({ contactId: 'cust-1' }) }),
    ]);
    expect(refs).toEqual([[CONTACT_REF, '101', 'cust-1']]);
    expect(logs).toEqual([expect.stringMatching(/^warn: HubSpot holds another contact id/)]);
  });

  it('keeps the notice’s id for a contact made in HubSpot, which has no id property of ours', async () => {
    const madeInHubSpot = {
      ...fullContact,
      id: '303',
      properties: { ...fullContact.properties, tributary_contact_id: null, hs_object_id: '303' },
    };
    const { published, refs } = await handle(
      { get: madeInHubSpot },
      changed({ contactId: 'minted-3', providerContactId: '303', changeKind: 'CREATED' }),
    );
    expect(published.map((e) => e.subject)).toEqual(['minted-3']);
    expect(refs).toEqual([[CONTACT_REF, '303', 'minted-3']]);
  });

  it('records a notice of another CRM, or of a contact HubSpot no longer has, and publishes nothing', async () => {
    const other = await handle({ get: fullContact }, changed({ provider: 'salesforce' }));
    expect([other.calls, other.commits, other.published, other.error]).toEqual([[], 0, [], undefined]);
    expect(other.logs).toEqual([expect.stringContaining('another CRM')]);

    const gone = await handle({ get: undefined }, changed());
    expect(gone.calls.map((c) => c.method)).toEqual(['getContact']);
    expect([gone.commits, gone.published, gone.error]).toEqual([0, [], undefined]);
    expect(gone.logs).toEqual([expect.stringContaining('no longer in HubSpot')]);
  });

  it('lets a failed read through as the SDK classified it, committing nothing', async () => {
    const unavailable = new ProviderError(ConnectorErrorCode.providerUnavailable, 'hubspot answered 503', {
      provider: 'hubspot',
      operation: 'contacts.get',
      retriable: true,
      status: 503,
    });
    const { error, commits } = await handle({ get: unavailable }, changed());
    expect(error).toBe(unavailable);
    expect(commits).toBe(0);
  });

  it('records refs of the type the HubSpot webhook definition resolves contacts by', async () => {
    const asked: string[] = [];
    const refs = {
      find: async () => undefined,
      getOrCreate: async (type: string) => (asked.push(type), 'cust-1'),
    };
    const body = [
      {
        eventId: 1,
        subscriptionId: 1,
        portalId: 1,
        occurredAt: 1,
        subscriptionType: 'contact.creation',
        objectId: 101,
      },
    ];
    const [event] = hubspotWebhook.events(body, {
      method: 'POST',
      url: 'http://x',
      headers: {},
      body: Buffer.alloc(0),
    });
    const result = await mapProviderEvent(hubspotWebhook, event!, {
      provider: 'hubspot',
      source: '/test',
      receivedAt: new Date(),
      refs,
      newEventId: () => 'e1',
    });
    expect(result.status).toBe('mapped');
    expect(asked).toEqual([CONTACT_REF]);
  });
});

describe('crm connector on a reconciliation write-back', () => {
  const command = (
    data: Partial<EventOf<'crm.contact.write_back_requested'>['data']> = {},
  ): EventOf<'crm.contact.write_back_requested'> => ({
    id: '0190a0b0-0000-7000-8000-000000000009',
    type: 'crm.contact.write_back_requested',
    source: '/tributary/reconciliation',
    subject: 'cust-1',
    time: new Date().toISOString(),
    data: {
      contactId: 'cust-1',
      provider: 'hubspot',
      lifecycleStage: 'customer',
      lastPaidOrderId: 'order-1',
      findingId: '0190a0b0-0000-7000-8000-00000000000f',
      ownerUpdatedAt: 0,
      ...data,
    },
  });
  const traced = `tributary:crm:${command().id}`;

  it('upserts the values the platform owns by our id, traced by the command, and publishes the contact', async () => {
    const { calls, published, refs, error } = await handle(
      { upsert: complete({ ...fullContact, objectWriteTraceId: traced }) },
      command(),
    );
    expect(error).toBeUndefined();
    expect(calls).toEqual([markedCustomer(traced)]);
    expect(published).toMatchObject([{ type: 'crm.contact.upserted', subject: 'cust-1' }]);
    expect(refs).toEqual([['contact', '101', 'cust-1']]);
  });

  it('leaves a field the command has no value for as HubSpot holds it', async () => {
    const { calls } = await handle(
      { upsert: complete({ ...fullContact, objectWriteTraceId: traced }) },
      command({ lastPaidOrderId: null }),
    );
    expect((calls[0]!.args[0] as Array<{ properties: unknown }>)[0]!.properties).toEqual({
      lifecyclestage: 'customer',
    });
  });

  it('writes nothing for another CRM, or when the command states nothing', async () => {
    const other = await handle({}, command({ provider: 'salesforce' }));
    const empty = await handle({}, command({ lifecycleStage: null, lastPaidOrderId: null }));
    for (const outcome of [other, empty]) {
      expect(outcome.calls).toEqual([]);
      expect(outcome.published).toEqual([]);
    }
  });
});

describe('contact mapping', () => {
  it('reads boolean-ish consent values and defaults to false', () => {
    expect(['true', 'TRUE', 'yes', '1', 'on'].map(truthy)).toEqual([true, true, true, true, true]);
    expect(['false', '', 'no', '0', null, undefined].map(truthy)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it("turns HubSpot's language codes into BCP 47 tags", () => {
    expect(bcp47('de')).toBe('de');
    expect(bcp47('pt-br')).toBe('pt-BR');
    expect(bcp47('zh_tw')).toBe('zh-TW');
    expect(bcp47('zh-hant-tw')).toBe('zh-Hant-TW');
    expect(bcp47(null)).toBeNull();
  });

  it('falls back to lastmodifieddate (ISO or epoch ms) when the record has no updatedAt', () => {
    const at = Date.parse('2025-02-01T00:00:00Z');
    const contact = { ...sparseContact, updatedAt: '' };
    expect(
      toContactUpserted('c', { ...contact, properties: { lastmodifieddate: String(at) } }, 'x').updatedAt,
    ).toBe(at);
    expect(
      toContactUpserted('c', { ...contact, properties: { lastmodifieddate: '2025-02-01T00:00:00Z' } }, 'x')
        .updatedAt,
    ).toBe(at);
  });
});

describe('crm connector: credentials', () => {
  it('declares the HubSpot token unknown: a private app token carries no live/test marker', () => {
    const check = crmConnector.credentials?.HUBSPOT_ACCESS_TOKEN;
    expect(check?.classify('pat-na1-00000000-0000-0000-0000-000000000000')).toBe('unknown');
    expect(check?.unknownBecause).toMatch(/no live\/test marker/);
  });
});
