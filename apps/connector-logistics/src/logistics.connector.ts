import { defineConnector } from '@tributary/connector-sdk';
import type { HandlerContext } from '@tributary/connector-sdk';
import { TributaryError } from '@tributary/contracts';
import type { EventOf } from '@tributary/contracts';
import { EASYPOST_REFS, easypostWebhook } from '@tributary/webhooks';
import { z } from 'zod';
import { EasyPostClient, basicAuth, isPostageExists } from './easypost/easypost.client.js';
import type { EasyPostAddress, EasyPostRate, EasyPostShipment } from './easypost/easypost.client.js';
import { easypostShapes } from './easypost/easypost.shapes.js';
import { shipmentReader } from './easypost/shipment.reader.js';

const text = z.string().trim().min(1);

const config = z.object({
  // EasyPost itself, or the simulator: pointing the connector at either is this variable (and the key).
  EASYPOST_API_BASE: z.url().default('https://api.easypost.com'),
  // EZTK… (test mode) or EZAK… (production); sent as the Basic user name. Checked against TRIBUTARY_ENV.
  EASYPOST_API_KEY: text,
  // The warehouse every parcel leaves from: the event carries only the destination.
  EASYPOST_FROM_NAME: text,
  EASYPOST_FROM_COMPANY: text.optional(),
  EASYPOST_FROM_STREET1: text,
  EASYPOST_FROM_STREET2: text.optional(),
  EASYPOST_FROM_CITY: text,
  EASYPOST_FROM_STATE: text.optional(),
  EASYPOST_FROM_ZIP: text,
  EASYPOST_FROM_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as DE')
    .default('US'),
  EASYPOST_FROM_PHONE: text.optional(),
  EASYPOST_FROM_EMAIL: z.email().optional(),
  // Used when a ShipmentRequested has no weightGrams; unset, such a request goes to the DLQ (a carrier
  // label with a made-up weight is a surcharge or a returned parcel).
  EASYPOST_DEFAULT_WEIGHT_GRAMS: z.coerce.number().int().positive().optional(),
  // Reconciliation: how far before an incremental window the reader lists shipments whose trackers may
  // still move (EasyPost filters by creation only). Parcels still moving after it are seen by FULL runs.
  EASYPOST_RECONCILE_LOOKBACK_DAYS: z.coerce.number().int().min(0).max(90).default(14),
});

type LogisticsConfig = z.output<typeof config>;
type Context = HandlerContext<EasyPostClient, LogisticsConfig>;

/** Stable codes of the connector's own failures (the SDK's ProviderError codes cover HTTP). */
export const LogisticsErrorCode = {
  /** No weightGrams and no EASYPOST_DEFAULT_WEIGHT_GRAMS: not retriable. */
  weightMissing: 'SHIPMENT_WEIGHT_MISSING',
  /** EasyPost offered no rate for the addresses and parcel: not retriable, a human looks at it. */
  noRates: 'EASYPOST_NO_RATES',
  /** The bought shipment has no tracking code or rate yet: retriable, a later read finds them. */
  incomplete: 'EASYPOST_SHIPMENT_INCOMPLETE',
} as const;

/**
 * Logistics on EasyPost's API. A ShipmentRequested becomes one bought EasyPost Shipment: created with our
 * shipmentId as `reference`, the rate chosen from EasyPost's offer, then bought with the event's idempotency
 * key. The answer becomes ShipmentCreated through the outbox, in the transaction that records the event in
 * the inbox, with the `shp_…` id mapped to our shipment and order ids (EASYPOST_REFS) so that ingestion can
 * turn EasyPost's tracker webhooks (same `easypostWebhook` definition) into ShipmentDelivered.
 */
export const logisticsConnector = defineConnector({
  id: 'logistics',
  provider: 'easypost',
  description: 'Books parcels through EasyPost Shipments (create, choose a rate, buy).',
  config,
  // EasyPost's production keys start EZAK, its test keys EZTK.
  credentials: {
    EASYPOST_API_KEY: {
      classify: (key) => (key.startsWith('EZAK') ? 'live' : key.startsWith('EZTK') ? 'test' : 'unknown'),
      unknownBecause: 'not an EasyPost API key (EZAK… production, EZTK… test)',
    },
  },
  http: (c) => ({
    baseUrl: c.EASYPOST_API_BASE,
    defaultHeaders: { authorization: basicAuth(c.EASYPOST_API_KEY) },
    idempotencyHeader: 'Idempotency-Key',
  }),
  client: (http) => new EasyPostClient(http),
  limits: {
    // A buy waits on the carrier; EasyPost's own client libraries allow far longer than 10 s.
    timeoutMs: 30_000,
    // EasyPost publishes no fixed quota (it answers 429 under load, which pauses the partition); the bucket
    // keeps one connector from bursting at it. One event costs three or four calls.
    rateLimit: { requestsPerSecond: 20, burst: 20, maxWaitMs: 1_000 },
    // Four, not five: one event makes several calls, and every successful one (the lookup, the create) resets
    // the count. Four failed attempts of one call (the first and the client's three retries) must open it.
    breaker: { consecutiveFailures: 4, halfOpenAfterMs: 15_000 },
  },
  webhook: easypostWebhook,
  // EasyPost documents no idempotency keys (the simulator's are a convenience), so a key protects nothing at
  // any age: lifetime 0 makes every delivery look its shipment up by our reference before creating it.
  idempotency: { keyLifetimeMs: 0, lateReplay: { 'logistics.shipment.requested': 'lookup' } },
  handlers: {
    'logistics.shipment.requested': bookShipment,
  },
  // Reconciliation reads shipments as EasyPost holds them (easypost/shipment.reader.ts), at low priority.
  reconcile: { shipment: shipmentReader },
  // What this connector reads of EasyPost's answers (easypost/easypost.shapes.ts): reconciliation reports
  // a change to it as an error.
  shapes: easypostShapes,
});

async function bookShipment(event: EventOf<'logistics.shipment.requested'>, ctx: Context): Promise<void> {
  const request = event.data;
  const weightGrams = request.weightGrams ?? ctx.config.EASYPOST_DEFAULT_WEIGHT_GRAMS;
  if (weightGrams === undefined || weightGrams === null) {
    throw new TributaryError(
      LogisticsErrorCode.weightMissing,
      `shipment ${request.shipmentId} has no weightGrams and EASYPOST_DEFAULT_WEIGHT_GRAMS is not set`,
    );
  }

  // Real EasyPost ignores Idempotency-Key on create: a redelivery would create a second shipment and buy a
  // second label. Looking our reference up first finds the shipment an earlier delivery created.
  let shipment = await ctx.lookupBeforeCall(() => ctx.provider.findShipment(request.shipmentId, ctx.signal));
  if (shipment?.reference !== request.shipmentId) {
    shipment = await ctx.provider.createShipment(
      {
        reference: request.shipmentId,
        toAddress: toEasyPostAddress(request.destination),
        fromAddress: fromAddress(ctx.config),
        weightOz: gramsToOunces(weightGrams),
      },
      { idempotencyKey: ctx.idempotencyKeyFor('create'), signal: ctx.signal },
    );
  }
  await ctx.heartbeat();

  // A shipment bought before keeps its rate: the same buy with the same key must carry the same body.
  const rate = shipment.selected_rate ?? chooseRate(shipment.rates, request.serviceLevel);
  if (!rate) {
    throw new TributaryError(
      LogisticsErrorCode.noRates,
      `EasyPost offered no rate for shipment ${request.shipmentId} (${shipment.id})`,
    );
  }

  let bought: EasyPostShipment;
  try {
    bought = await ctx.provider.buyShipment(shipment.id, rate.id, {
      idempotencyKey: ctx.idempotencyKey,
      signal: ctx.signal,
    });
  } catch (error) {
    // Buying is idempotent by EasyPost's own state: a shipment gets postage once, and a second buy answers
    // 422 SHIPMENT.POSTAGE.EXISTS. So a redelivery after a crash (or a retry whose first answer was lost)
    // reads the bought shipment and carries on. This and the lookup by reference above, not the
    // Idempotency-Key header (which the simulator honours but the real EasyPost ignores), are what keep the
    // real provider at one label per shipment.
    if (!isPostageExists(error)) throw error;
    ctx.logger.info(
      { shipmentId: request.shipmentId, easypostShipmentId: shipment.id },
      'shipment already bought; reading it',
    );
    bought = await ctx.provider.retrieveShipment(shipment.id, ctx.signal);
  }

  const selected = bought.selected_rate;
  const trackingNumber = bought.tracking_code ?? bought.tracker?.tracking_code;
  if (!selected || !trackingNumber) {
    throw new TributaryError(
      LogisticsErrorCode.incomplete,
      `EasyPost shipment ${bought.id} has no ${selected ? 'tracking code' : 'selected rate'} yet`,
      { retriable: true },
    );
  }

  await ctx.commit(async (tx) => {
    await tx.externalRefs.upsert(EASYPOST_REFS.shipment, bought.id, request.shipmentId);
    await tx.externalRefs.upsert(EASYPOST_REFS.order, bought.id, request.orderId);
    await tx.publish(
      ctx.newEvent('logistics.shipment.created', request.shipmentId, {
        shipmentId: request.shipmentId,
        orderId: request.orderId,
        carrier: selected.carrier,
        carrierShipmentId: bought.id,
        trackingNumber,
        trackingUrl: bought.tracker?.public_url ?? null,
        estimatedDeliveryAt: epochMs(bought.tracker?.est_delivery_date ?? selected.delivery_date) ?? null,
        createdAt: epochMs(bought.postage_label?.created_at ?? bought.updated_at) ?? Date.now(),
      }),
    );
  });
}

type Destination = EventOf<'logistics.shipment.requested'>['data']['destination'];

export function toEasyPostAddress(destination: Destination): EasyPostAddress {
  return withoutEmpty({
    name: destination.recipientName,
    street1: destination.line1,
    street2: destination.line2,
    city: destination.city,
    state: destination.region,
    zip: destination.postalCode,
    country: destination.countryCode,
  });
}

export function fromAddress(c: LogisticsConfig): EasyPostAddress {
  return withoutEmpty({
    name: c.EASYPOST_FROM_NAME,
    company: c.EASYPOST_FROM_COMPANY,
    street1: c.EASYPOST_FROM_STREET1,
    street2: c.EASYPOST_FROM_STREET2,
    city: c.EASYPOST_FROM_CITY,
    state: c.EASYPOST_FROM_STATE,
    zip: c.EASYPOST_FROM_ZIP,
    country: c.EASYPOST_FROM_COUNTRY,
    phone: c.EASYPOST_FROM_PHONE,
    email: c.EASYPOST_FROM_EMAIL,
  });
}

const GRAMS_PER_OUNCE = 28.349523125;

/**
 * EasyPost weighs parcels in ounces. Rounded up to a tenth: a declared weight below the real one earns a
 * carrier surcharge or a returned parcel, a tenth of an ounce over costs nothing.
 */
export function gramsToOunces(grams: number): number {
  // The epsilon keeps float noise (10.000000000000002 oz) from rounding an exact tenth up.
  return Math.max(0.1, Math.ceil((grams / GRAMS_PER_OUNCE) * 10 - 1e-9) / 10);
}

/**
 * The cheapest rate whose service matches the requested service level (case and punctuation ignored, so
 * `express` matches `Express`, `PriorityExpress`, `EXPRESS_SAVER`), else the cheapest of all. Ties go to the
 * faster, then to the lower id, so a repeated choice over the same offer is the same rate.
 */
export function chooseRate(
  rates: readonly EasyPostRate[],
  serviceLevel: string | null | undefined,
): EasyPostRate | undefined {
  const wanted = serviceLevel ? normalise(serviceLevel) : '';
  const matching = wanted ? rates.filter((rate) => normalise(rate.service).includes(wanted)) : [];
  return cheapest(matching.length > 0 ? matching : rates);
}

function cheapest(rates: readonly EasyPostRate[]): EasyPostRate | undefined {
  return [...rates]
    .filter((rate) => Number.isFinite(Number(rate.rate)))
    .sort(
      (a, b) =>
        Number(a.rate) - Number(b.rate) ||
        (a.delivery_days ?? Infinity) - (b.delivery_days ?? Infinity) ||
        a.id.localeCompare(b.id),
    )[0];
}

function normalise(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function epochMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}

function withoutEmpty<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== undefined && field !== null && field !== ''),
  ) as T;
}
