import type { EventOf } from '@tributary/contracts';
import type { ShapeDeclarations } from '@tributary/provider-shapes';
import { z } from 'zod';
import { defineMapping, defineWebhook } from '../definition.js';
import type { MappingOutcome } from '../definition.js';
import { hmacScheme } from '../schemes/hmac.scheme.js';
import { parseEnvelope } from './envelope.js';

/**
 * EasyPost: `X-Hmac-Signature: hmac-sha256-hex=<hex HMAC-SHA256 of the body>`, keyed with the webhook secret
 * after Unicode NFKD normalization (as EasyPost's own client libraries do). No timestamp is signed, so
 * replays are stopped by deduplicating on the event id.
 */
export const easypostScheme = hmacScheme({
  name: 'easypost',
  signatureHeader: 'X-Hmac-Signature',
  algorithm: 'sha256',
  encoding: 'hex',
  hexCase: 'lower',
  prefix: 'hmac-sha256-hex=',
  secretEncoding: 'utf8-nfkd',
});

/**
 * External refs the logistics connector records when it buys a shipment, so that tracking callbacks (which
 * name only EasyPost's `shp_...` id) find our ids: `(easypost, shipment, shp_...)` → shipmentId and
 * `(easypost, shipment_order, shp_...)` → orderId.
 */
export const EASYPOST_REFS = { shipment: 'shipment', order: 'shipment_order' } as const;

const envelope = z.object({
  id: z.string().min(1),
  object: z.literal('Event'),
  description: z.string().min(1),
  created_at: z.iso.datetime({ offset: true }),
  result: z.record(z.string(), z.unknown()),
});

const tracker = z.object({
  id: z.string().min(1),
  object: z.literal('Tracker'),
  status: z.string(),
  tracking_code: z.string().min(1),
  carrier: z.string().min(1),
  shipment_id: z.string().nullish(),
  updated_at: z.iso.datetime({ offset: true }),
  tracking_details: z
    .array(z.object({ status: z.string(), datetime: z.iso.datetime({ offset: true }).nullish() }))
    .default([]),
});

const trackerUpdated = envelope.extend({ description: z.literal('tracker.updated'), result: tracker });

/**
 * EasyPost's tracker statuses: the mapping acts on `delivered` and ignores the others. One outside this set
 * could be a delivery under a new name, ignored like a parcel still on its way.
 */
export const EASYPOST_TRACKER_STATUSES: readonly string[] = [
  'unknown',
  'pre_transit',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'available_for_pickup',
  'return_to_sender',
  'failure',
  'cancelled',
  'error',
];

const EVENTS = 'webhooks: src/providers/easypost.webhook.ts easypostWebhook.events';
const MAPPING = 'webhooks: src/providers/easypost.webhook.ts easypostWebhook tracker.updated';

const shapes: ShapeDeclarations = {
  'tracker.updated': {
    reliesOn: [
      { path: '$.id', usedBy: EVENTS },
      { path: '$.description', values: ['tracker.updated'], usedBy: EVENTS },
      { path: '$.created_at', usedBy: EVENTS },
      { path: '$.result.object', values: ['Tracker'], usedBy: MAPPING },
      { path: '$.result.id', usedBy: MAPPING },
      { path: '$.result.status', values: EASYPOST_TRACKER_STATUSES, usedBy: MAPPING },
      { path: '$.result.shipment_id', usedBy: MAPPING },
      { path: '$.result.tracking_code', usedBy: MAPPING },
      { path: '$.result.carrier', usedBy: MAPPING },
      { path: '$.result.updated_at', usedBy: MAPPING },
      { path: '$.result.tracking_details[].status', values: EASYPOST_TRACKER_STATUSES, usedBy: MAPPING },
      { path: '$.result.tracking_details[].datetime', usedBy: MAPPING },
    ],
    // Whoever signed for the parcel.
    personalData: ['signed_by'],
  },
};

/**
 * EasyPost (logistics): tracking updates. One event per delivery, deduplicated on the event id (`evt_...`).
 * Chosen over Shippo because EasyPost signs every webhook with an HMAC; the same definition shape fits any
 * carrier API with an HMAC over the body.
 */
export const easypostWebhook = defineWebhook({
  provider: 'easypost',
  domain: 'logistics',
  description: 'EasyPost events (trackers) signed with X-Hmac-Signature.',
  scheme: easypostScheme,
  secretsEnv: 'EASYPOST_WEBHOOK_SECRETS',
  retryHorizonSeconds: 3 * 24 * 3600,
  events(body) {
    const event = parseEnvelope('EasyPost', envelope, body);
    return [
      { dedupeKey: event.id, type: event.description, occurredAt: new Date(event.created_at), payload: body },
    ];
  },
  mappings: {
    'tracker.updated': defineMapping(
      trackerUpdated,
      ['logistics.shipment.delivered'],
      async (event, context): Promise<MappingOutcome> => {
        const result = event.result;
        if (result.status !== 'delivered')
          return { kind: 'ignored', reason: `tracker status ${result.status}` };
        const shipmentRef = result.shipment_id;
        const shipmentId = shipmentRef
          ? await context.refs.find(EASYPOST_REFS.shipment, shipmentRef)
          : undefined;
        const orderId = shipmentRef ? await context.refs.find(EASYPOST_REFS.order, shipmentRef) : undefined;
        if (!shipmentId || !orderId) {
          return {
            kind: 'unresolved',
            reason: `tracker ${result.id}: no shipment/order ref for ${shipmentRef ?? 'a missing shipment_id'}`,
          };
        }
        const delivered = result.tracking_details.findLast((detail) => detail.status === 'delivered');
        const deliveredAt = new Date(delivered?.datetime ?? result.updated_at);
        const event_: EventOf<'logistics.shipment.delivered'> = {
          id: context.newEventId(),
          type: 'logistics.shipment.delivered',
          source: context.source,
          subject: shipmentId,
          time: deliveredAt.toISOString(),
          ...(context.correlationId ? { correlationId: context.correlationId } : {}),
          data: {
            shipmentId,
            orderId,
            carrier: result.carrier,
            trackingNumber: result.tracking_code,
            deliveryLocation: null,
            deliveredAt: deliveredAt.getTime(),
          },
        };
        return { kind: 'mapped', events: [event_] };
      },
    ),
  },
  shapes,
});
