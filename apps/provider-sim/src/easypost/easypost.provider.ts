import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type { Answer } from '../core/http.js';
import { parseJson } from '../core/http.js';
import { effectRoute, NO_KEY, queryRoute } from '../core/provider.js';
import type { Provider, SimCore } from '../core/provider.js';
import { easypostDrift } from './drift.js';
import { easypostError, notFound } from './errors.js';
import { easypostSeeder } from './seed.js';
import { isAnswer, parsePaging } from './listing.js';
import { buySchema, createShipmentSchema, ShipmentStore } from './shipments.js';
import type { CreateShipment, Shipment, TrackerStatus } from './shipments.js';
import { trackerUpdated } from './tracking-events.js';

export const EASYPOST_CREATE_SHIPMENT = 'POST /v2/shipments';
export const EASYPOST_BUY = 'POST /v2/shipments/:id/buy';

export interface EasypostOptions {
  /** Time between the tracker's statuses after a buy (in_transit, out_for_delivery, delivered). */
  trackingStepMs: number;
}

/** EasyPost takes the API key as the Basic-auth user name, with an empty password. */
function hasApiKey(req: IncomingMessage): boolean {
  const match = /^Basic (\S+)$/.exec(req.headers.authorization ?? '');
  if (!match) return false;
  const [user] = Buffer.from(match[1]!, 'base64').toString('utf8').split(':');
  return Boolean(user);
}

function parseWith<T>(schema: z.ZodType<T>, body: string) {
  const parsed = schema.safeParse(parseJson(body));
  if (parsed.success) return { ok: true as const, params: parsed.data };
  const errors = parsed.error.issues.map((issue) => ({
    field: issue.path.join('.'),
    message: issue.message,
  }));
  return {
    ok: false as const,
    answer: easypostError(422, 'PARAMETER.INVALID', 'Missing or invalid parameters.', errors),
  };
}

const TRACKING: readonly TrackerStatus[] = ['in_transit', 'out_for_delivery', 'delivered'];

/**
 * EasyPost shipping (https://api.easypost.com): create a shipment (rates quoted), buy one rate (the effect:
 * postage, tracking code, a tracker), and `tracker.updated` events as the parcel moves, signed with
 * `X-Hmac-Signature`. `Idempotency-Key` is honoured like Stripe's, a simulator convenience.
 */
export function easypostProvider(core: SimCore, options: EasypostOptions): Provider {
  const shipments = new ShipmentStore(core.clock);
  // Answers are snapshots: a stored or replayed answer must not change when the shipment does later.
  const answer = (status: number, shipment: Shipment): Answer => ({
    status,
    body: structuredClone(shipment),
  });

  const track = (shipment: Shipment) => {
    if (!core.webhooks.enabled('easypost')) return;
    let previous: TrackerStatus = 'pre_transit';
    core.webhooks.emit(
      'easypost',
      TRACKING.map((status, index) => ({
        afterMs: (index + 1) * options.trackingStepMs,
        produce: () => {
          const tracker = shipments.advance(shipment, status);
          const event = trackerUpdated(tracker, previous);
          previous = status;
          return event;
        },
      })),
    );
  };

  return {
    name: 'easypost',
    drift: easypostDrift(core, shipments),
    seed: easypostSeeder(shipments),
    counts: () => ({ shipments: shipments.size, trackers: shipments.trackerCount }),
    prefixes: ['/v2/'],
    authorized: hasApiKey,
    errors: {
      unauthorized: () =>
        easypostError(401, 'APIKEY.REQUIRED', 'No API key provided; send it as the Basic auth user name.'),
      notFound,
      invalid: (message) => easypostError(422, 'PARAMETER.INVALID', message),
      serverError: (status) => easypostError(status, 'INTERNAL_SERVER_ERROR', 'Simulated provider failure.'),
      rateLimited: () =>
        easypostError(429, 'RATE_LIMITED', 'You have exceeded the rate limit. Please slow down.'),
      idempotencyMismatch: () =>
        easypostError(
          400,
          'IDEMPOTENCY.MISMATCH',
          'Idempotency-Key was already used with other parameters for this request.',
        ),
      idempotencyInProgress: () =>
        easypostError(
          409,
          'IDEMPOTENCY.IN_PROGRESS',
          'Another request with this Idempotency-Key is in progress.',
        ),
    },
    routes: [
      {
        method: 'POST',
        path: '/v2/shipments',
        handler: effectRoute<{ shipment: CreateShipment }>({
          parse: (body) => parseWith(createShipmentSchema, body),
          apply(params, _ctx, [key = NO_KEY]) {
            const shipment = shipments.create(params.shipment);
            return {
              kind: 'applied',
              answer: answer(201, shipment),
              effects: [{ key, count: 1, objectId: shipment.id }],
            };
          },
        }),
      },
      {
        method: 'POST',
        path: '/v2/shipments/:id/buy',
        handler: effectRoute<{ rate: { id: string } }>({
          parse: (body) => parseWith(buySchema, body),
          validate(params, { params: path }) {
            const shipment = shipments.get(path.id!);
            if (!shipment) return notFound();
            if (shipment.selected_rate)
              return easypostError(
                422,
                'SHIPMENT.POSTAGE.EXISTS',
                'Postage already exists for this shipment.',
              );
            if (!shipment.rates.some((rate) => rate.id === params.rate.id))
              return easypostError(
                422,
                'SHIPMENT.RATE.INVALID',
                `Rate ${params.rate.id} is not a rate of this shipment.`,
              );
            return undefined;
          },
          apply(params, { params: path }, [key = NO_KEY]) {
            const shipment = shipments.get(path.id!)!;
            const rate = shipment.rates.find((candidate) => candidate.id === params.rate.id)!;
            shipments.buy(shipment, rate);
            const bought = answer(200, shipment);
            track(shipment);
            return { kind: 'applied', answer: bought, effects: [{ key, count: 1, objectId: shipment.id }] };
          },
        }),
      },
      {
        method: 'GET',
        path: '/v2/shipments/:id',
        handler: queryRoute(({ params }) => {
          const shipment = shipments.find(params.id!);
          return shipment ? answer(200, shipment) : notFound();
        }),
      },
      {
        method: 'GET',
        path: '/v2/shipments',
        handler: queryRoute(({ query }): Answer => {
          const paging = parsePaging(query, (id) => shipments.shipmentStamp(id));
          if (isAnswer(paging)) return paging;
          const purchased = query.get('purchased') ?? 'true';
          if (purchased !== 'true' && purchased !== 'false')
            return easypostError(422, 'PARAMETER.INVALID', 'Invalid parameter: purchased', [
              { field: 'purchased', message: 'must be true or false' },
            ]);
          // EasyPost's `purchased` (default true) restricts to bought shipments; false lifts the restriction.
          const accept =
            purchased === 'true' ? (id: string) => shipments.get(id)!.selected_rate !== null : undefined;
          const { page, shipments: found } = shipments.listShipments({
            ...paging,
            ...(accept ? { accept } : {}),
          });
          return { status: 200, body: { shipments: found, has_more: page.hasMore } };
        }),
      },
      {
        method: 'GET',
        path: '/v2/trackers/:id',
        handler: queryRoute(({ params }) => {
          const tracker = shipments.byTracker(params.id!)?.tracker;
          return tracker ? { status: 200, body: tracker } : notFound();
        }),
      },
      {
        method: 'GET',
        path: '/v2/trackers',
        handler: queryRoute(({ query }): Answer => {
          const paging = parsePaging(query, (id) => shipments.trackerStamp(id));
          if (isAnswer(paging)) return paging;
          const codes = [
            ...query.getAll('tracking_codes[]'),
            ...query.getAll('tracking_codes'),
            ...query.getAll('tracking_code'),
          ].flatMap((value) => value.split(','));
          const carrier = query.get('carrier')?.toLowerCase();
          const accept =
            carrier === undefined
              ? undefined
              : (id: string) => shipments.byTracker(id)!.tracker!.carrier.toLowerCase() === carrier;
          const { page, trackers } = shipments.listTrackers(
            { ...paging, ...(accept ? { accept } : {}) },
            codes,
          );
          return { status: 200, body: { trackers, has_more: page.hasMore } };
        }),
      },
    ],
  };
}
