import type { ContactChangeKind, EventOf } from '@tributary/contracts';
import type { EndpointDeclaration } from '@tributary/provider-shapes';
import { z } from 'zod';
import { defineMapping, defineWebhook } from '../definition.js';
import type { MappingOutcome } from '../definition.js';
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
 * The external_refs type of a HubSpot contact id: `(hubspot, contact, <objectId>)` → our contactId. The CRM
 * connector records the same row when it upserts a contact (its spec checks that both agree).
 */
export const HUBSPOT_CONTACT_REF = 'contact';

const contactEvent = subscriptionEvent.extend({ subscriptionType: z.string().startsWith('contact.') });

/**
 * A HubSpot contact webhook names one changed property (and its value), while `crm.contact.upserted` carries
 * the whole contact ("the latest event per contactId is the contact"): an upsert built from one property
 * would erase the others downstream. So each becomes `crm.contact.changed`, a notice without values (the
 * value can be personal data and stays in the event log only), and the CRM connector answers it by reading
 * the full contact from HubSpot's API. The contact's internal id is the one the connector recorded, or a new
 * one for a contact made in HubSpot itself: recorded now, so every later event about it has the same key.
 */
function contactChanged(changeKind: ContactChangeKind) {
  return defineMapping(
    contactEvent,
    ['crm.contact.changed'],
    async (event, context): Promise<MappingOutcome> => {
      const providerContactId = String(event.objectId);
      const contactId = await context.refs.getOrCreate(HUBSPOT_CONTACT_REF, providerContactId);
      const changed: EventOf<'crm.contact.changed'> = {
        id: context.newEventId(),
        type: 'crm.contact.changed',
        source: context.source,
        subject: contactId,
        time: new Date(event.occurredAt).toISOString(),
        ...(context.correlationId ? { correlationId: context.correlationId } : {}),
        data: {
          contactId,
          provider: 'hubspot',
          providerContactId,
          changeKind,
          changedProperty: changeKind === 'PROPERTY_CHANGED' ? (event.propertyName ?? null) : null,
          changeSource: event.changeSource ?? null,
          occurredAt: event.occurredAt,
        },
      };
      return { kind: 'mapped', events: [changed] };
    },
  );
}

const EVENTS = 'webhooks: src/providers/hubspot.webhook.ts hubspotWebhook.events';
const MAPPING = 'webhooks: src/providers/hubspot.webhook.ts contactChanged';

/**
 * What the dedupe key and contactChanged read of one contact event. `changeSource` is passed on as HubSpot
 * says it, but its values are HubSpot's closed set: a new one is worth seeing.
 */
function contactShape(type: string, extra: EndpointDeclaration = {}): EndpointDeclaration {
  return {
    enums: ['$.changeSource'],
    reliesOn: [
      { path: '$.subscriptionType', values: [type], usedBy: EVENTS },
      { path: '$.portalId', usedBy: EVENTS },
      { path: '$.eventId', usedBy: EVENTS },
      { path: '$.objectId', usedBy: EVENTS },
      { path: '$.objectId', usedBy: MAPPING },
      { path: '$.occurredAt', usedBy: MAPPING },
      { path: '$.changeSource', usedBy: MAPPING },
      ...(extra.reliesOn ?? []),
    ],
    ...(extra.personalData ? { personalData: extra.personalData } : {}),
  };
}

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
    'contact.creation': contactChanged('CREATED'),
    'contact.propertyChange': contactChanged('PROPERTY_CHANGED'),
  },
  shapes: {
    'contact.creation': contactShape('contact.creation'),
    // The new value of any property, an email or a name as much as a stage.
    'contact.propertyChange': contactShape('contact.propertyChange', {
      reliesOn: [{ path: '$.propertyName', usedBy: MAPPING }],
      personalData: ['propertyValue'],
    }),
  },
});
