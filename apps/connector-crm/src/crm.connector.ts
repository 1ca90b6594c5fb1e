import { ConnectorErrorCode, ProviderError, defineConnector } from '@tributary/connector-sdk';
import type { HandlerContext } from '@tributary/connector-sdk';
import type { EventOf } from '@tributary/contracts';
import { hubspotWebhook } from '@tributary/webhooks';
import { z } from 'zod';
import { CONTACT_REF, HUBSPOT_PROPERTIES, epochMs, present, truthy } from './hubspot/contact-properties.js';
import { contactReader } from './hubspot/contact.reader.js';
import { HubSpotClient } from './hubspot/hubspot.client.js';
import type { BatchUpsertResponse, HubSpotContact } from './hubspot/hubspot.client.js';
import { hubspotShapes } from './hubspot/hubspot.shapes.js';

export { CONTACT_REF, HUBSPOT_PROPERTIES, truthy } from './hubspot/contact-properties.js';

/** The definition's provider, and the `provider` of the ContactChanged notices this connector reads. */
const PROVIDER = 'hubspot';

const config = z.object({
  // HubSpot itself, or the simulator: pointing the connector at either is this variable (and the token).
  HUBSPOT_API_BASE: z.url().default('https://api.hubapi.com'),
  // A private app's access token (pat-…) with crm.objects.contacts.read and .write.
  HUBSPOT_ACCESS_TOKEN: z.string().trim().min(1),
  // A checkbox-like contact property ("true"/"false"); unset or empty reads as no consent.
  HUBSPOT_MARKETING_CONSENT_PROPERTY: z
    .string()
    .regex(/^[a-z0-9_]+$/, 'a HubSpot internal property name')
    .default('tributary_marketing_consent'),
});

type CrmConfig = z.output<typeof config>;
type Context = HandlerContext<HubSpotClient, CrmConfig>;

/**
 * CRM on HubSpot's API. A PaymentSucceeded marks the paying customer's HubSpot contact as a customer (batch
 * upsert by our contact id, so the contact is created if HubSpot has none yet), and the contact as HubSpot
 * then holds it becomes ContactUpserted through the outbox, in the transaction that records the event in
 * the inbox, with HubSpot's record id mapped to our contact id. Changes made in HubSpot arrive as webhooks,
 * which ingestion serves with the same `hubspotWebhook` definition and publishes as ContactChanged; this
 * connector answers each by reading the contact (never writing: a write would make HubSpot send another
 * webhook) and publishing it as ContactUpserted.
 */
export const crmConnector = defineConnector({
  id: 'crm',
  provider: PROVIDER,
  description:
    'Marks paying customers in HubSpot and publishes the contact as HubSpot holds it, also when HubSpot reports a change.',
  config,
  // Declared so the boot log says it was not checked: a private app token (pat-<region>-…) reads the same in
  // a developer test account as in a production portal.
  credentials: {
    HUBSPOT_ACCESS_TOKEN: {
      classify: () => 'unknown',
      unknownBecause: 'HubSpot private app tokens carry no live/test marker',
    },
  },
  http: (c) => ({
    baseUrl: c.HUBSPOT_API_BASE,
    defaultHeaders: { authorization: `Bearer ${c.HUBSPOT_ACCESS_TOKEN}` },
    // HubSpot ignores this header; the SDK sends every effectful call's key, and it shows up in proxies.
    idempotencyHeader: 'Idempotency-Key',
  }),
  client: (http) => new HubSpotClient(http),
  limits: {
    timeoutMs: 10_000,
    // Private apps get ~190 requests per rolling 10 s, shared by every app of the portal. A bucket of rate r
    // and burst b lets through at most b + 10·r in any 10 s: 20 + 170 = 190. One event costs one or two calls.
    rateLimit: { requestsPerSecond: 17, burst: 20, maxWaitMs: 1_000 },
    breaker: { consecutiveFailures: 5, halfOpenAfterMs: 15_000 },
    // HubSpot's own name for the remaining requests of its window (the SDK's gauge).
    remainingHeaders: ['x-hubspot-ratelimit-remaining'],
    // HubSpot reports its rolling window rather than sending Retry-After: at 0 remaining, and on a bare 429,
    // every call holds for the window instead of collecting a 429 each second.
    rateLimitWindow: {
      remainingHeader: 'x-hubspot-ratelimit-remaining',
      intervalMsHeader: 'x-hubspot-ratelimit-interval-milliseconds',
    },
    // 409 CONFLICT: a unique value (e.g. an email) held by another contact. A retry cannot fix it.
    nonRetriableStatuses: [409],
    // HubSpot's search allows five requests a second per token on top of the window: 4/s with a burst of 1
    // never has more than five in any second, so no search collects a 429 that would slow the upserts.
    operationLimits: { 'contacts.search': { requestsPerSecond: 4, burst: 1 } },
  },
  webhook: hubspotWebhook,
  // HubSpot honours no idempotency key, so there is none to forget: every write is a batch upsert by our
  // unique id property, and a repeat at any age writes the same values onto the same contact.
  idempotency: {
    idempotentBy:
      'HubSpot batch upsert by the unique property tributary_contact_id: a repeat writes the same values to the same contact',
  },
  handlers: {
    'payments.payment.succeeded': markCustomer,
    'crm.contact.changed': readChangedContact,
    'crm.contact.write_back_requested': writeBack,
  },
  // Reconciliation reads contacts as HubSpot holds them (hubspot/contact.reader.ts), at low priority.
  reconcile: { contact: contactReader },
  // What this connector reads of HubSpot's answers (hubspot/hubspot.shapes.ts): reconciliation reports
  // a change to it as an error.
  shapes: hubspotShapes,
});

/** The properties ContactUpserted is made of: asked for explicitly when the upsert answer lacks any. */
export function contactProperties(c: Pick<CrmConfig, 'HUBSPOT_MARKETING_CONSENT_PROPERTY'>): string[] {
  return [
    'email',
    'phone',
    'firstname',
    'lastname',
    'hs_language',
    'lifecyclestage',
    c.HUBSPOT_MARKETING_CONSENT_PROPERTY,
    HUBSPOT_PROPERTIES.contactId,
    HUBSPOT_PROPERTIES.lastPaidOrderId,
  ];
}

async function markCustomer(event: EventOf<'payments.payment.succeeded'>, ctx: Context): Promise<void> {
  const payment = event.data;
  const customerId = payment.customerId ?? null;
  if (!customerId) {
    // Recorded in the inbox when the handler returns, so it is not read again.
    ctx.logger.info(
      { paymentId: payment.paymentId, orderId: payment.orderId },
      'payment without customerId (published before the field existed, or a guest checkout): no contact to mark',
    );
    return;
  }

  await upsertAndPublish(
    customerId,
    { lifecyclestage: 'customer', [HUBSPOT_PROPERTIES.lastPaidOrderId]: payment.orderId },
    ctx,
  );
}

/**
 * Reconciliation found values the platform owns changed in HubSpot (a stage moved back in HubSpot's UI, or
 * the payment's upsert never arrived): the same upsert writes ours back. A null field is left as HubSpot
 * holds it. Idempotent like the payment's: the same values again change nothing at HubSpot.
 */
async function writeBack(event: EventOf<'crm.contact.write_back_requested'>, ctx: Context): Promise<void> {
  const command = event.data;
  if (command.provider !== PROVIDER) {
    ctx.logger.info(
      { contactId: command.contactId, provider: command.provider },
      'write-back for another CRM',
    );
    return;
  }
  const properties: Record<string, string> = {};
  if (command.lifecycleStage) properties.lifecyclestage = command.lifecycleStage;
  if (command.lastPaidOrderId) properties[HUBSPOT_PROPERTIES.lastPaidOrderId] = command.lastPaidOrderId;
  if (Object.keys(properties).length === 0) return;
  ctx.logger.info(
    { contactId: command.contactId, findingId: command.findingId, properties: Object.keys(properties) },
    'writing back what reconciliation found changed in HubSpot',
  );
  await upsertAndPublish(command.contactId, properties, ctx);
}

/**
 * Upserts our contact by our id property (HubSpot creates it when it has none) and publishes the contact as
 * HubSpot then holds it, with its HubSpot id mapped to ours.
 */
async function upsertAndPublish(
  customerId: string,
  properties: Record<string, string>,
  ctx: Context,
): Promise<void> {
  const answer = await ctx.provider.upsertContacts(
    [
      {
        idProperty: HUBSPOT_PROPERTIES.contactId,
        id: customerId,
        properties,
        objectWriteTraceId: ctx.idempotencyKey,
      },
    ],
    { idempotencyKey: ctx.idempotencyKey, signal: ctx.signal },
  );
  let contact = ourResult(answer, customerId, ctx.idempotencyKey);

  // The real HubSpot answers a write with a default few properties; the simulator with all. Read the ones
  // the event needs only when some are missing, so the event is the contact as HubSpot holds it.
  const wanted = contactProperties(ctx.config);
  if (wanted.some((name) => !(name in contact.properties))) {
    await ctx.heartbeat();
    contact =
      (await ctx.provider.getContact(customerId, {
        idProperty: HUBSPOT_PROPERTIES.contactId,
        properties: wanted,
        signal: ctx.signal,
      })) ?? contact;
  }

  await ctx.commit(async (tx) => {
    await tx.externalRefs.upsert(CONTACT_REF, contact.id, customerId);
    await tx.publish(
      ctx.newEvent(
        'crm.contact.upserted',
        customerId,
        toContactUpserted(customerId, contact, ctx.config.HUBSPOT_MARKETING_CONSENT_PROPERTY),
      ),
    );
  });
}

/**
 * HubSpot said a contact changed (ingestion's ContactChanged): read it and publish it whole. Only reads, so
 * the loop upsert → webhook → ContactChanged → read → ContactUpserted ends here. The HubSpot id is what the
 * contact is read by (a contact made in HubSpot has no id property of ours).
 */
async function readChangedContact(event: EventOf<'crm.contact.changed'>, ctx: Context): Promise<void> {
  const notice = event.data;
  const ids = { contactId: notice.contactId, providerContactId: notice.providerContactId };
  if (notice.provider !== PROVIDER) {
    // Another CRM's notice on the shared topic: its own connector reads it.
    ctx.logger.info({ ...ids, provider: notice.provider }, 'contact change of another CRM: not ours');
    return;
  }
  const contact = await ctx.provider.getContact(notice.providerContactId, {
    properties: contactProperties(ctx.config),
    signal: ctx.signal,
  });
  if (!contact) {
    // Deleted (or merged away) since the webhook: there is no state to publish; a deletion has its own webhook.
    ctx.logger.info(ids, 'changed contact no longer in HubSpot: nothing to publish');
    return;
  }
  // Our id property is what the payment handler's upsert matched on, so HubSpot's value is the contact's key.
  // It differs from the notice's only when ingestion saw the webhook before this connector recorded the ref
  // (and minted an id of its own): publish under HubSpot's, and point the ref back at it.
  const held = present(contact.properties[HUBSPOT_PROPERTIES.contactId]);
  const contactId = held ?? notice.contactId;
  if (contactId !== notice.contactId) {
    ctx.logger.warn(
      { ...ids, heldContactId: contactId },
      'HubSpot holds another contact id than the change notice: publishing under HubSpot’s',
    );
  }
  await ctx.commit(async (tx) => {
    await tx.externalRefs.upsert(CONTACT_REF, contact.id, contactId);
    await tx.publish(
      ctx.newEvent(
        'crm.contact.upserted',
        contactId,
        toContactUpserted(contactId, contact, ctx.config.HUBSPOT_MARKETING_CONSENT_PROPERTY),
      ),
    );
  });
}

/**
 * Our input's result: matched by the trace id HubSpot echoes, or by our id property; a batch of one answers
 * with one result. A 207 without it (HubSpot listed our input under `errors`) is not retriable.
 */
function ourResult(answer: BatchUpsertResponse, customerId: string, traceId: string): HubSpotContact {
  const results = answer.results ?? [];
  const result =
    results.find((r) => r.objectWriteTraceId === traceId) ??
    results.find((r) => r.properties?.[HUBSPOT_PROPERTIES.contactId] === customerId) ??
    (results.length === 1 && !answer.errors?.length ? results[0] : undefined);
  if (result) return result;
  const category = answer.errors?.[0]?.category ?? 'NO_RESULT';
  throw new ProviderError(
    ConnectorErrorCode.providerRejected,
    `hubspot batch upsert returned no result for our contact: ${category}`,
    { provider: 'hubspot', operation: 'contacts.batch_upsert', retriable: false, body: answer },
  );
}

export function toContactUpserted(
  contactId: string,
  contact: HubSpotContact,
  consentProperty: string,
): EventOf<'crm.contact.upserted'>['data'] {
  const p = contact.properties;
  return {
    contactId,
    email: present(p.email),
    phone: present(p.phone),
    givenName: present(p.firstname),
    familyName: present(p.lastname),
    locale: bcp47(present(p.hs_language)),
    marketingConsent: truthy(p[consentProperty]),
    updatedAt: epochMs(contact.updatedAt) ?? epochMs(present(p.lastmodifieddate)) ?? Date.now(),
  };
}

/** HubSpot stores languages lower case (`de`, `pt-br`); the event wants BCP 47 (`de`, `pt-BR`). */
export function bcp47(language: string | null): string | null {
  if (!language) return null;
  const [lang, ...rest] = language.replace(/_/g, '-').split('-');
  // Regions upper case, scripts title case, the rest lower case (RFC 5646 §2.1.1 conventions).
  const subtags = rest.map((tag) =>
    /^[a-z]{2}$/i.test(tag)
      ? tag.toUpperCase()
      : /^[a-z]{4}$/i.test(tag)
        ? tag[0]!.toUpperCase() + tag.slice(1).toLowerCase()
        : tag.toLowerCase(),
  );
  return [lang!.toLowerCase(), ...subtags].join('-');
}
