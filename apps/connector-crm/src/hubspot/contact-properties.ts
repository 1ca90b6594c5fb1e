import { HUBSPOT_CONTACT_REF } from '@tributary/webhooks';

/**
 * Custom contact properties the portal must define (Settings → Properties): our contact id as a unique-value
 * property (what the upsert matches on), and the order that last made the contact a paying customer.
 */
export const HUBSPOT_PROPERTIES = {
  contactId: 'tributary_contact_id',
  lastPaidOrderId: 'tributary_last_paid_order_id',
} as const;

/**
 * The external_refs type of a HubSpot contact id, `(hubspot, contact, <HubSpot id>)` → our contactId: the one
 * `hubspotWebhook` resolves contact webhooks with, so ingestion keys crm.contact.changed by the id this
 * connector recorded.
 */
export const CONTACT_REF = HUBSPOT_CONTACT_REF;

/** HubSpot sends an unset property as null or "". */
export function present(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** HubSpot's checkboxes and booleans are strings: "true"/"false", sometimes "yes"/"no" or "1"/"0". */
export function truthy(value: string | null | undefined): boolean {
  return ['true', 'yes', '1', 'on', 'checked'].includes(value?.trim().toLowerCase() ?? '');
}

/** HubSpot's date properties: ISO strings, older ones epoch milliseconds. */
export function epochMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const at = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(at) ? at : undefined;
}

/**
 * HubSpot's lifecycle stages after `customer`: a contact there has been a paying customer, which is all the
 * platform states, so reconciliation reads them as `customer` (a sales rep promoting a customer is no drift).
 */
const STAGES_PAST_CUSTOMER = new Set(['evangelist']);

/** A contact's `lifecyclestage` in the platform's vocabulary (`reconciledEntities.contact.platformOwned`). */
export function platformStage(value: string | null | undefined): string | null {
  const stage = present(value);
  return stage && STAGES_PAST_CUSTOMER.has(stage) ? 'customer' : stage;
}
