import { ConnectorErrorCode, ProviderError, ProviderHttpClient } from '@tributary/connector-sdk';
import { fakeHandlerContext } from '@tributary/connector-sdk/testing';
import type { EventOf } from '@tributary/contracts';
import { EasyPostClient } from './easypost/easypost.client.js';
import type { EasyPostRate, EasyPostShipment } from './easypost/easypost.client.js';
import { chooseRate, gramsToOunces, logisticsConnector } from './logistics.connector.js';

type Config = Parameters<typeof logisticsConnector.http>[0];

const config: Config = {
  EASYPOST_API_BASE: 'http://easypost.invalid',
  EASYPOST_API_KEY: 'EZTK_test',
  EASYPOST_FROM_NAME: 'Tributary Depot',
  EASYPOST_FROM_STREET1: 'Dock 2',
  EASYPOST_FROM_CITY: 'Hamburg',
  EASYPOST_FROM_ZIP: '20095',
  EASYPOST_FROM_COUNTRY: 'DE',
  EASYPOST_RECONCILE_LOOKBACK_DAYS: 14,
};

const requested: EventOf<'logistics.shipment.requested'> = {
  id: '0190a0b0-0000-7000-8000-000000000001',
  type: 'logistics.shipment.requested',
  source: '/test',
  subject: 'ship-1',
  time: new Date().toISOString(),
  data: {
    shipmentId: 'ship-1',
    orderId: 'order-1',
    recipientContactId: 'contact-1',
    destination: {
      recipientName: 'Ada Lovelace',
      line1: 'Main St 1',
      line2: null,
      postalCode: '10115',
      city: 'Berlin',
      region: null,
      countryCode: 'DE',
    },
    items: [{ sku: 'sku-1', quantity: 1 }],
    serviceLevel: 'express',
    weightGrams: 1000,
    requestedAt: 0,
  },
};

const rate = (id: string, service: string, price: string, days?: number): EasyPostRate => ({
  id,
  carrier: 'DHLExpress',
  service,
  rate: price,
  currency: 'EUR',
  delivery_days: days ?? null,
});

const rates = [
  rate('rate_ground', 'Ground', '4.10', 4),
  rate('rate_express', 'Express', '12.00', 1),
  rate('rate_express_saver', 'EXPRESS_SAVER', '9.50', 2),
];

const created: EasyPostShipment = {
  id: 'shp_1',
  object: 'Shipment',
  reference: 'ship-1',
  status: 'unknown',
  rates,
  selected_rate: null,
  tracking_code: null,
  tracker: null,
  created_at: '2025-01-01T10:00:00Z',
  updated_at: '2025-01-01T10:00:00Z',
};

const bought = (selected: EasyPostRate): EasyPostShipment => ({
  ...created,
  selected_rate: { ...selected, delivery_date: '2025-01-03T18:00:00Z' },
  tracking_code: 'EZ1000000001',
  postage_label: { label_url: 'https://labels.invalid/1.png', created_at: '2025-01-01T10:00:05Z' },
  tracker: {
    id: 'trk_1',
    object: 'Tracker',
    status: 'pre_transit',
    tracking_code: 'EZ1000000001',
    carrier: 'DHLExpress',
    public_url: 'https://track.easypost.com/djE6dHJrXzE',
    est_delivery_date: '2025-01-02T18:00:00Z',
  },
  updated_at: '2025-01-01T10:00:05Z',
});

const providerError = (status: number, body: unknown, code: string = ConnectorErrorCode.providerRejected) =>
  new ProviderError(code as ConnectorErrorCode, `easypost answered ${status}`, {
    provider: 'easypost',
    operation: 'shipments.buy',
    retriable: code !== ConnectorErrorCode.providerRejected,
    status,
    body,
  });

/** A scripted EasyPost client: each method answers from `script`, and every call is recorded. */
function fakeEasyPost(script: {
  found?: EasyPostShipment;
  create?: EasyPostShipment;
  buy?: EasyPostShipment | Error;
  retrieve?: EasyPostShipment;
}) {
  const calls: { method: string; args: unknown[] }[] = [];
  class ScriptedEasyPost extends EasyPostClient {
    override async findShipment(...args: Parameters<EasyPostClient['findShipment']>) {
      calls.push({ method: 'findShipment', args });
      return script.found;
    }

    override async createShipment(...args: Parameters<EasyPostClient['createShipment']>) {
      calls.push({ method: 'createShipment', args });
      return script.create ?? created;
    }

    override async buyShipment(...args: Parameters<EasyPostClient['buyShipment']>) {
      calls.push({ method: 'buyShipment', args });
      if (script.buy instanceof Error) throw script.buy;
      return script.buy ?? bought(rates[2]!);
    }

    override async retrieveShipment(...args: Parameters<EasyPostClient['retrieveShipment']>) {
      calls.push({ method: 'retrieveShipment', args });
      if (!script.retrieve) throw new Error('retrieveShipment was not scripted');
      return script.retrieve;
    }
  }
  // Every method the handler calls is scripted: the HTTP client underneath never sends anything.
  const client = new ScriptedEasyPost(
    new ProviderHttpClient({ provider: 'easypost', baseUrl: config.EASYPOST_API_BASE }),
  );
  return { client, calls };
}

async function handle(
  script: Parameters<typeof fakeEasyPost>[0],
  event: EventOf<'logistics.shipment.requested'> = requested,
  overrides: Partial<Config> = {},
) {
  const { client, calls } = fakeEasyPost(script);
  const ctx = fakeHandlerContext(logisticsConnector, {
    event,
    provider: client,
    config: { ...config, ...overrides },
  });
  let error: unknown;
  try {
    await logisticsConnector.handlers['logistics.shipment.requested']!(event, ctx);
  } catch (caught) {
    error = caught;
  }
  return {
    calls,
    published: ctx.published.map(({ type, subject, data }) => ({ type, subject, data })),
    refs: ctx.upserted.map((ref) => [ref.externalType, ref.externalId, ref.internalId]),
    commits: ctx.commits,
    error,
    ctx,
  };
}

const withData = (data: Partial<EventOf<'logistics.shipment.requested'>['data']>) => ({
  ...requested,
  data: { ...requested.data, ...data },
});

describe('logistics connector', () => {
  it('creates the shipment with our reference and addresses, buys the chosen rate with the event key, and publishes ShipmentCreated', async () => {
    const { calls, published, refs, commits, error, ctx } = await handle({});
    expect(error).toBeUndefined();
    expect(calls.map((call) => call.method)).toEqual(['findShipment', 'createShipment', 'buyShipment']);
    expect(ctx.idempotencyKeys).toEqual([
      `tributary:logistics:${requested.id}:create`,
      `tributary:logistics:${requested.id}`,
    ]);
    expect(calls[0]!.args[0]).toBe('ship-1');
    expect(calls[1]!.args).toEqual([
      {
        reference: 'ship-1',
        toAddress: {
          name: 'Ada Lovelace',
          street1: 'Main St 1',
          city: 'Berlin',
          zip: '10115',
          country: 'DE',
        },
        fromAddress: {
          name: 'Tributary Depot',
          street1: 'Dock 2',
          city: 'Hamburg',
          zip: '20095',
          country: 'DE',
        },
        weightOz: 35.3,
      },
      expect.objectContaining({ idempotencyKey: `tributary:logistics:${requested.id}:create` }),
    ]);
    // serviceLevel express: the cheapest express service, not the cheapest overall (Ground).
    expect(calls[2]!.args.slice(0, 2)).toEqual(['shp_1', 'rate_express_saver']);
    expect(calls[2]!.args[2]).toMatchObject({ idempotencyKey: `tributary:logistics:${requested.id}` });
    expect(commits).toBe(1);
    expect(refs).toEqual([
      ['shipment', 'shp_1', 'ship-1'],
      ['shipment_order', 'shp_1', 'order-1'],
    ]);
    expect(published).toEqual([
      {
        type: 'logistics.shipment.created',
        subject: 'ship-1',
        data: {
          shipmentId: 'ship-1',
          orderId: 'order-1',
          carrier: 'DHLExpress',
          carrierShipmentId: 'shp_1',
          trackingNumber: 'EZ1000000001',
          trackingUrl: 'https://track.easypost.com/djE6dHJrXzE',
          estimatedDeliveryAt: Date.parse('2025-01-02T18:00:00Z'),
          createdAt: Date.parse('2025-01-01T10:00:05Z'),
        },
      },
    ]);
  });

  it('on 422 SHIPMENT.POSTAGE.EXISTS reads the bought shipment and carries on', async () => {
    const postageExists = providerError(422, {
      error: { code: 'SHIPMENT.POSTAGE.EXISTS', message: 'already has postage', errors: [] },
    });
    const { calls, published, error } = await handle({ buy: postageExists, retrieve: bought(rates[1]!) });
    expect(error).toBeUndefined();
    expect(calls.map((call) => call.method)).toEqual([
      'findShipment',
      'createShipment',
      'buyShipment',
      'retrieveShipment',
    ]);
    expect(calls[3]!.args[0]).toBe('shp_1');
    // What EasyPost says was bought wins over what this delivery would have chosen.
    expect(published[0]!.data).toMatchObject({ carrierShipmentId: 'shp_1', trackingNumber: 'EZ1000000001' });
  });

  it('reuses the shipment an earlier delivery created (found by reference) and its bought rate', async () => {
    const earlier = bought(rates[1]!);
    const { calls, published } = await handle({ found: earlier, buy: bought(rates[1]!) });
    expect(calls.map((call) => call.method)).toEqual(['findShipment', 'buyShipment']);
    expect(calls[1]!.args.slice(0, 2)).toEqual(['shp_1', 'rate_express']);
    expect(published).toHaveLength(1);
  });

  it('ignores a lookup hit that is not ours (another reference) and creates', async () => {
    const { calls } = await handle({ found: { ...created, id: 'shp_9', reference: 'someone-else' } });
    expect(calls.map((call) => call.method)).toEqual(['findShipment', 'createShipment', 'buyShipment']);
  });

  it('lets any other provider failure through unchanged, committing nothing', async () => {
    const unavailable = providerError(503, 'down', ConnectorErrorCode.providerUnavailable);
    const { error, commits } = await handle({ buy: unavailable });
    expect(error).toBe(unavailable);
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retriable: true });
    expect(commits).toBe(0);
    const rejected = providerError(422, { error: { code: 'SHIPMENT.RATE.NOT_FOUND' } });
    expect((await handle({ buy: rejected })).error).toMatchObject({
      code: 'PROVIDER_REJECTED',
      retriable: false,
    });
  });

  it('sends a request without weight to the DLQ unless a default weight is configured', async () => {
    const noWeight = withData({ weightGrams: null });
    const refused = await handle({}, noWeight);
    expect(refused.error).toMatchObject({ code: 'SHIPMENT_WEIGHT_MISSING', retriable: false });
    expect(refused.calls).toEqual([]);
    const defaulted = await handle({}, noWeight, { EASYPOST_DEFAULT_WEIGHT_GRAMS: 500 });
    expect(defaulted.error).toBeUndefined();
    expect(defaulted.calls[1]!.args[0]).toMatchObject({ weightOz: 17.7 });
  });

  it('sends a shipment without any rate to the DLQ without buying', async () => {
    const { error, calls } = await handle({ create: { ...created, rates: [] } });
    expect(error).toMatchObject({ code: 'EASYPOST_NO_RATES', retriable: false });
    expect(calls.map((call) => call.method)).not.toContain('buyShipment');
  });

  it('retries a bought shipment that has no tracking code yet', async () => {
    const { error, commits } = await handle({
      buy: { ...bought(rates[2]!), tracking_code: null, tracker: null },
    });
    expect(error).toMatchObject({ code: 'EASYPOST_SHIPMENT_INCOMPLETE', retriable: true });
    expect(commits).toBe(0);
  });
});

describe('chooseRate', () => {
  it('takes the cheapest rate whose service matches the level, ignoring case and punctuation', () => {
    expect(chooseRate(rates, 'express')?.id).toBe('rate_express_saver');
    expect(chooseRate(rates, 'Express-Saver')?.id).toBe('rate_express_saver');
    expect(chooseRate(rates, 'ground')?.id).toBe('rate_ground');
  });

  it('falls back to the cheapest of all when nothing matches or no level is asked for', () => {
    expect(chooseRate(rates, 'overnight')?.id).toBe('rate_ground');
    expect(chooseRate(rates, null)?.id).toBe('rate_ground');
  });

  it('breaks price ties by speed, then id, so a repeated choice is the same rate', () => {
    const tied = [
      rate('rate_b', 'Ground', '5.00', 3),
      rate('rate_a', 'Ground', '5.00', 3),
      rate('rate_c', 'Priority', '5.00', 1),
    ];
    expect(chooseRate(tied, null)?.id).toBe('rate_c');
    expect(chooseRate(tied, 'ground')?.id).toBe('rate_a');
  });

  it('skips unreadable prices and answers undefined for no rates', () => {
    expect(chooseRate([rate('rate_x', 'Ground', 'n/a'), rate('rate_y', 'Ground', '7.00')], null)?.id).toBe(
      'rate_y',
    );
    expect(chooseRate([], 'express')).toBeUndefined();
  });
});

describe('gramsToOunces', () => {
  it('converts to ounces rounded up to a tenth, never below a tenth', () => {
    expect(gramsToOunces(1000)).toBe(35.3);
    expect(gramsToOunces(283.49523125)).toBe(10);
    expect(gramsToOunces(1)).toBe(0.1);
  });
});

describe('logistics connector: credentials', () => {
  it("tells EasyPost's production (EZAK) and test (EZTK) keys apart (checked against TRIBUTARY_ENV at boot)", () => {
    const classify = (key: string) => logisticsConnector.credentials?.EASYPOST_API_KEY?.classify(key);
    expect(['EZAKabc', 'EZTKabc', 'abc'].map(classify)).toEqual(['live', 'test', 'unknown']);
  });
});
