import { z } from 'zod';
import { defineMapping, defineWebhook } from '../definition.js';
import { hmacScheme } from '../schemes/hmac.scheme.js';
import { parseEnvelope } from './envelope.js';

/**
 * HubSpot signature v3: `X-HubSpot-Signature-v3` = base64 HMAC-SHA256 of method + full URL + body +
 * `X-HubSpot-Request-Timestamp` (Unix milliseconds), keyed with the app's client secret. The URL is the one
 * HubSpot called (set ingestion's PUBLIC_BASE_URL behind a proxy).
 */
export const hubspotSignatureV3 = hmacScheme({
  name: 'hubspot-v3',
  signatureHeader: 'X-HubSpot-Signature-v3',
  algorithm: 'sha256',
  encoding: 'base64',
  signedContent: '{method}{url}{body}{timestamp}',
  timestampHeader: 'X-HubSpot-Request-Timestamp',
  timestampUnit: 'milliseconds',
});

const subscriptionEvent = z.object({
  eventId: z.number().int(),
  subscriptionId: z.number().int(),
  portalId: z.number().int(),
  occurredAt: z.number().int().positive(),
  subscriptionType: z.string().min(1),
  objectId: z.number().int(),
  attemptNumber: z.number().int().optional(),
  propertyName: z.string().optional(),
  propertyValue: z.string().optional(),
  changeSource: z.string().optional(),
});

// HubSpot batches up to 100 events per request.
const batch = z.array(subscriptionEvent).min(1).max(100);

/**
 * Why contact events map to nothing here: a HubSpot contact webhook names one changed property, while
 * `crm.contact.upserted` carries the whole contact ("the latest event per contactId is the contact"). An
 * upsert built from one property would erase the others downstream. The CRM connector reads the full contact
 * from HubSpot's API instead; the event log keeps these events (status `ignored`) for it and for replay.
 */
const needsFullContact =
  'HubSpot sends one changed property; crm.contact.upserted needs the full contact, which the CRM connector reads from the API';

const contactEvent = subscriptionEvent.extend({ subscriptionType: z.string().startsWith('contact.') });

/**
 * HubSpot (CRM). Deduplicated per event: HubSpot documents `eventId` as not unique on its own, so the key
 * combines portal, subscription type, object, event id and time. HubSpot retries for up to 24 hours.
 */
export const hubspotWebhook = defineWebhook({
  provider: 'hubspot',
  domain: 'crm',
  description: 'HubSpot webhook subscriptions (contacts), batched, signed with signature v3.',
  scheme: hubspotSignatureV3,
  secretsEnv: 'HUBSPOT_CLIENT_SECRETS',
  retryHorizonSeconds: 24 * 3600,
  events(body) {
    return parseEnvelope('HubSpot', batch, body).map((event, index) => ({
      dedupeKey: `${event.portalId}:${event.subscriptionType}:${event.objectId}:${event.eventId}:${event.occurredAt}`,
      type: event.subscriptionType,
      occurredAt: new Date(event.occurredAt),
      payload: (body as unknown[])[index],
    }));
  },
  mappings: {
    'contact.creation': defineMapping(contactEvent, [], async (event, context) => {
      // Recording the id now means every later event about this contact is keyed by the same internal id.
      await context.refs.getOrCreate('contact', String(event.objectId));
      return { kind: 'ignored', reason: needsFullContact };
    }),
    'contact.propertyChange': defineMapping(contactEvent, [], () => ({
      kind: 'ignored',
      reason: needsFullContact,
    })),
  },
});
