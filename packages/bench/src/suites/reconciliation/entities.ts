import { createHash, randomUUID } from 'node:crypto';
import { ownedFieldsOf, reconciledEntities } from '@tributary/contracts';
import type { OwnerFields } from '@tributary/contracts';
import type { BenchEntityName } from './names.js';

export { BENCH_ENTITIES } from './names.js';
export type { BenchEntityName } from './names.js';

/** A provider's documented request limit: `requests` per `perSeconds`. */
export interface DocumentedLimit {
  readonly requests: number;
  readonly perSeconds: number;
  /** Printed in the goal line, e.g. "Stripe's test-mode limit (25/s)". */
  readonly name: string;
  /** Where the figure comes from. */
  readonly source: string;
}

/** One row of the reconciler's `projections` table, as the platform's events would have left it. */
export interface ProjectionRow {
  readonly entityId: string;
  readonly fields: OwnerFields;
  readonly hash: string;
  readonly rank: number;
  readonly externalId: string | null;
  readonly lastEventType: string;
  /** Epoch ms: when the platform last applied an event about it (and last agreed with the owner). */
  readonly lastEventAt: number;
}

/** A row of the connector's `external_refs`, as its handler records them (provider: the connector's). */
export interface ExternalRefRow {
  readonly externalType: string;
  readonly externalId: string;
  readonly internalId: string;
}

/** What the platform holds before the run: the reconciler's projection, and the connector's own mappings. */
export interface LocalState {
  readonly projections: readonly ProjectionRow[];
  readonly externalRefs: readonly ExternalRefRow[];
}

/** The owner's copy of one object as the raw read (the ceiling) normalises it, for the SQL comparison. */
export interface OwnerRow {
  readonly externalId: string;
  readonly entityId: string | null;
  readonly fields: OwnerFields;
}

/** `POST /__admin/seed` for Stripe: what the platform holds for each seeded PaymentIntent. */
export interface SeededIntent {
  readonly id: string;
  readonly paymentId: string;
  readonly orderId: string;
  readonly customerId: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: string;
  /** Seconds. */
  readonly created: number;
}

/** `POST /__admin/seed` for HubSpot: what the platform holds for each seeded contact. */
export interface SeededContact {
  readonly id: string;
  readonly contactId: string;
  readonly email: string;
  readonly lifecyclestage: string;
  readonly lastmodifieddate: string;
}

/** `POST /__admin/seed` for EasyPost: what the platform holds for each seeded shipment. */
export interface SeededShipment {
  readonly id: string;
  readonly reference: string;
  readonly trackerId: string;
  readonly trackingCode: string;
  readonly status: string;
}

export interface SeedAnswer<O> {
  readonly count: number;
  readonly drifted: number;
  readonly objects: readonly O[];
  readonly drift: readonly { readonly id: string }[];
}

/** sha256 of the owned fields in the entity's field order: the reconciler's `ownedHash`, from the same contract. */
export function ownedHashOf(entity: BenchEntityName, fields: OwnerFields): string {
  return createHash('sha256')
    .update(JSON.stringify(ownedFieldsOf(entity, fields)))
    .digest('hex');
}

/**
 * Our status of a PaymentIntent status, as the payment handler's events state it: a confirmed intent is
 * succeeded, one back at requires_payment_method after a decline failed (the seed's drifted intents are those).
 */
export function paymentStatusOf(stripeStatus: string, declined: boolean): string {
  if (stripeStatus === 'succeeded') return 'succeeded';
  if (stripeStatus === 'canceled') return 'canceled';
  if (stripeStatus === 'requires_payment_method' && declined) return 'failed';
  return 'pending';
}

/**
 * A seeded intent as the projection holds it after `payments.payment.requested` and then
 * `payments.payment.succeeded` (its PaymentIntent id linked) or `payments.payment.failed` (no id: the failed
 * event names none, so the reconciler finds it by our id in the intent's metadata). Last agreed with Stripe
 * when that event was applied, at the intent's creation.
 */
export function paymentRow(intent: SeededIntent): ProjectionRow {
  // A seeded intent the platform believes at requires_payment_method was declined: the seed's drifted ones.
  const status = paymentStatusOf(intent.status, true);
  const fields: OwnerFields = {
    status,
    amountMinor: String(intent.amount),
    currency: intent.currency.toUpperCase(),
    orderId: intent.orderId,
    customerId: intent.customerId,
  };
  const succeeded = status === 'succeeded';
  return {
    entityId: intent.paymentId,
    fields,
    hash: ownedHashOf('payment', fields),
    // The projection's forward-only ranks: pending 1, failed 2, succeeded 3.
    rank: succeeded ? 3 : 2,
    externalId: succeeded ? intent.id : null,
    lastEventType: succeeded ? 'payments.payment.succeeded' : 'payments.payment.failed',
    lastEventAt: intent.created * 1000,
  };
}

/**
 * The name the seeder gives contact `index` (its position in `objects`): `firstname` "Seed", `lastname`
 * "Contact <index>". The seed's `objects` do not carry the names, which the platform holds (givenName,
 * familyName); connector-crm's reader int-spec relies on the same convention.
 */
export function seededContactName(index: number): { givenName: string; familyName: string } {
  return { givenName: 'Seed', familyName: `Contact ${index}` };
}

/**
 * A seeded contact as the projection holds it after `crm.contact.upserted` (which names no HubSpot id: the
 * reconciler finds it by `tributary_contact_id`), ranked by its change time like the projection ranks them.
 */
export function contactRow(contact: SeededContact, index: number): ProjectionRow {
  const modified = Date.parse(contact.lastmodifieddate);
  const fields: OwnerFields = {
    email: contact.email,
    ...seededContactName(index),
    phone: null,
    marketingConsent: 'false',
  };
  return {
    entityId: contact.contactId,
    fields,
    hash: ownedHashOf('contact', fields),
    rank: modified,
    externalId: null,
    lastEventType: 'crm.contact.upserted',
    lastEventAt: modified,
  };
}

/**
 * The owned field a drifted contact gets in HubSpot's UI. The seeder's own drift changes `lifecyclestage`,
 * which the platform does not reconcile (not in `reconciledEntities.contact.ownedFields`): without this edit
 * no drifted contact could disagree.
 */
export const CONTACT_DRIFT = { phone: '+1 555 0100' } as const;

/**
 * The carrier of every seeded shipment: the seeder buys each one's first rate, USPS GroundAdvantage, and its
 * `objects` do not name the carrier, which the platform holds (logistics.shipment.created).
 */
export const SEEDED_CARRIER = 'USPS';

/**
 * A seeded shipment as the projection holds it after `logistics.shipment.created` (bought: its tracking code,
 * its carrier, the `shp_…` id linked), and the two rows its handler records in the connector's
 * `external_refs` (`shipment` → our shipment id, `shipment_order` → our order id: EasyPost holds no order id of
 * ours, the reader takes it from there). The seed knows no order: `orderId` is made up here, the same on both
 * sides. Last agreed at `seededAt` (the seed's objects carry no time; the simulator's clock was set back).
 */
export function shipmentState(
  shipment: SeededShipment,
  orderId: string,
  seededAt: number,
): { row: ProjectionRow; refs: ExternalRefRow[] } {
  const fields: OwnerFields = {
    status: 'created',
    carrier: SEEDED_CARRIER,
    trackingNumber: shipment.trackingCode,
    orderId,
  };
  return {
    row: {
      entityId: shipment.reference,
      fields,
      hash: ownedHashOf('shipment', fields),
      // The projection's forward-only ranks: requested 1, created 2, delivered 3.
      rank: 2,
      externalId: shipment.id,
      lastEventType: 'logistics.shipment.created',
      lastEventAt: seededAt,
    },
    refs: [
      { externalType: 'shipment', externalId: shipment.id, internalId: shipment.reference },
      { externalType: 'shipment_order', externalId: shipment.id, internalId: orderId },
    ],
  };
}

/** EasyPost's Shipment as the raw read sees it (only what the normalisation needs). */
interface RawShipment {
  id: string;
  reference?: string | null;
  tracking_code?: string | null;
  selected_rate?: { carrier?: string | null } | null;
  tracker?: { status?: string | null; tracking_code?: string | null; carrier?: string | null } | null;
}

/**
 * The owned fields of a shipment the way the shipment reader normalises them, for the SQL ceiling. The order
 * id is the connector's (its `external_refs`), which the caller fills in as the reader would.
 */
export function ownerShipment(shipment: RawShipment, orderId: string | null): OwnerRow {
  const trackingNumber = shipment.tracking_code ?? shipment.tracker?.tracking_code ?? null;
  const status =
    shipment.tracker?.status === 'delivered' ? 'delivered' : trackingNumber ? 'created' : 'requested';
  return {
    externalId: shipment.id,
    entityId: shipment.reference ?? null,
    fields: {
      status,
      carrier: shipment.selected_rate?.carrier ?? shipment.tracker?.carrier ?? null,
      trackingNumber,
      orderId,
    },
  };
}

/** Stripe's PaymentIntent as the raw read sees it (only what the normalisation needs). */
interface RawIntent {
  id: string;
  status: string;
  amount: number;
  amount_received?: number | null;
  currency: string;
  metadata?: Record<string, string> | null;
  last_payment_error?: unknown;
}

/** The seed's metadata key for our order id (`STRIPE_METADATA.orderId` of `@tributary/webhooks`). */
const STRIPE_ORDER_ID = 'tributary_order_id';
const STRIPE_PAYMENT_ID = 'tributary_payment_id';

/** The owned fields of an intent the way the payment reader normalises them, for the SQL ceiling. */
export function ownerPayment(intent: RawIntent): OwnerRow {
  const status = paymentStatusOf(intent.status, Boolean(intent.last_payment_error));
  return {
    externalId: intent.id,
    entityId: intent.metadata?.[STRIPE_PAYMENT_ID] ?? null,
    fields: {
      status,
      amountMinor: String(status === 'succeeded' ? (intent.amount_received ?? intent.amount) : intent.amount),
      currency: intent.currency.toUpperCase(),
      orderId: intent.metadata?.[STRIPE_ORDER_ID] ?? null,
    },
  };
}

/** The properties a contact read asks for (the reader's `readProperties` with the default consent property). */
export const CONTACT_PROPERTIES = [
  'email',
  'firstname',
  'lastname',
  'phone',
  'tributary_marketing_consent',
  'tributary_contact_id',
  'lastmodifieddate',
] as const;

interface RawContact {
  id: string;
  properties: Record<string, string | null | undefined>;
}

const present = (value: string | null | undefined): string | null => value?.trim() || null;
const truthy = (value: string | null | undefined): boolean =>
  ['true', 'yes', '1', 'on', 'checked'].includes(value?.trim().toLowerCase() ?? '');

/** The owned fields of a contact the way the contact reader normalises them, for the SQL ceiling. */
export function ownerContact(contact: RawContact): OwnerRow {
  const p = contact.properties;
  return {
    externalId: contact.id,
    entityId: present(p.tributary_contact_id),
    fields: {
      email: present(p.email),
      givenName: present(p.firstname),
      familyName: present(p.lastname),
      phone: present(p.phone),
      marketingConsent: String(truthy(p.tributary_marketing_consent)),
    },
  };
}

/** What differs between the entities: the provider, its connector, its seed, its limit and its list. */
export interface EntitySpec {
  readonly entity: BenchEntityName;
  /** The owner as the simulator names it (`/__admin/seed`, `/__admin/rate`). */
  readonly provider: 'stripe' | 'hubspot' | 'easypost';
  /** `apps/<app>`, its connector id (its database schema `connector_<id>`) and its provider env. */
  readonly connector: {
    readonly app: string;
    readonly id: string;
    env(simUrl: string): Record<string, string>;
  };
  /** What the owner calls these objects, in the goal line: "payments". */
  readonly plural: string;
  /** The documented limit of the requests a FULL walk makes, and optionally a second one printed beside it. */
  readonly limit: DocumentedLimit;
  readonly otherLimit?: DocumentedLimit;
  /** The connector's own token bucket for these requests (its definition), printed beside the limit. */
  readonly connectorBucket: string;
  /** Largest page the FULL walk's list serves, and requests a walk makes besides its full pages. */
  readonly largestPage: number;
  readonly closingRequests: number;
  /** The seed's objects in the owner's count (`GET /__admin/objects`). */
  ownerCount(objects: Record<string, Record<string, number>>): number;
  seedBody(records: number, driftRate: number): Record<string, unknown>;
  /** The platform's state for the seed's objects; `seededAt`: the simulator's clock when it seeded. */
  localState(objects: readonly unknown[], seededAt: number): LocalState;
  /** One page of the FULL walk's list, as plain fetch asks for it: the path for a cursor, then the page. */
  readonly rawList: RawList;
  /** The raw read's Authorization header (the simulator takes any key in the provider's scheme). */
  readonly rawAuthorization: string;
  /** What the reader adds from the connector's own state (the shipment's order id), for the SQL ceiling. */
  ownerWithConnectorState?(rows: readonly OwnerRow[], local: LocalState): OwnerRow[];
}

/** A list walk: the next request's path from the previous page (undefined: the walk is over). */
export interface RawList {
  first(): string;
  /** Parses one page: its owner rows and the path of the next, if any. */
  page(body: unknown, path: string): { rows: OwnerRow[]; next: string | undefined };
}

const stripeList: RawList = {
  first: () => '/v1/payment_intents?limit=100&expand%5B%5D=data.latest_charge',
  page(body) {
    const list = body as { has_more: boolean; data: RawIntent[] };
    const rows = list.data.map(ownerPayment);
    const last = list.data.at(-1);
    return {
      rows,
      next:
        list.has_more && last
          ? `/v1/payment_intents?limit=100&expand%5B%5D=data.latest_charge&starting_after=${encodeURIComponent(last.id)}`
          : undefined,
    };
  },
};

const contactsPath = (archived: boolean, after?: string) =>
  `/crm/v3/objects/contacts?archived=${archived}&limit=100&properties=${CONTACT_PROPERTIES.join(',')}${
    after ? `&after=${encodeURIComponent(after)}` : ''
  }`;

/** Live contacts in id order, then the recycling bin, like the reader's FULL walk. */
const hubspotList: RawList = {
  first: () => contactsPath(false),
  page(body, path) {
    const page = body as { results: RawContact[]; paging?: { next?: { after?: string } } };
    const archived = path.includes('archived=true');
    const after = page.paging?.next?.after;
    return {
      rows: page.results.map(ownerContact),
      next: after ? contactsPath(archived, after) : archived ? undefined : contactsPath(true),
    };
  },
};

const shipmentsPath = (before?: string) =>
  `/v2/shipments?page_size=100&purchased=false${before ? `&before_id=${encodeURIComponent(before)}` : ''}`;

/** Every shipment, bought or not, newest first, like the reader's FULL walk. */
const easypostList: RawList = {
  first: () => shipmentsPath(),
  page(body) {
    const page = body as { has_more: boolean; shipments: RawShipment[] };
    const last = page.shipments.at(-1);
    return {
      rows: page.shipments.map((shipment) => ownerShipment(shipment, null)),
      next: page.has_more && last ? shipmentsPath(last.id) : undefined,
    };
  },
};

const EASYPOST_KEY = 'EZTKbench';

export const ENTITY_SPECS: Readonly<Record<BenchEntityName, EntitySpec>> = {
  payment: {
    entity: 'payment',
    provider: 'stripe',
    connector: {
      app: 'connector-payments',
      id: 'payments',
      env: (simUrl) => ({ STRIPE_API_BASE: simUrl, STRIPE_API_KEY: 'sk_test_bench' }),
    },
    plural: 'payments',
    limit: {
      requests: 25,
      perSeconds: 1,
      name: "Stripe's test-mode limit (25/s)",
      source:
        'Stripe: 25 requests/s in test mode, 100 in live mode (apps/connector-payments/src/payments.connector.ts, whose bucket is 25/s in either mode)',
    },
    otherLimit: {
      requests: 100,
      perSeconds: 1,
      name: "Stripe's live-mode limit (100/s)",
      source: 'the same comment',
    },
    connectorBucket: '25/s, burst 25',
    largestPage: 100,
    closingRequests: 0,
    ownerCount: (objects) => objects.stripe?.payment_intents ?? Number.NaN,
    seedBody: (records, driftRate) => ({ provider: 'stripe', count: records, driftRate, seed: 1 }),
    localState: (objects) => ({
      projections: (objects as readonly SeededIntent[]).map(paymentRow),
      // The reader finds our ids in the intent's metadata: the connector's mappings are not read.
      externalRefs: [],
    }),
    rawList: stripeList,
    rawAuthorization: 'Bearer sk_test_bench_raw_read',
  },
  contact: {
    entity: 'contact',
    provider: 'hubspot',
    connector: {
      app: 'connector-crm',
      id: 'crm',
      env: (simUrl) => ({ HUBSPOT_API_BASE: simUrl, HUBSPOT_ACCESS_TOKEN: 'pat-bench' }),
    },
    plural: 'contacts',
    limit: {
      requests: 190,
      perSeconds: 10,
      name: "HubSpot's list limit (190/10 s)",
      source:
        "HubSpot private apps: 190 requests per rolling 10 s, which the FULL walk's list calls spend (searches, which only INCREMENTAL runs make, have 5/s on top) (apps/connector-crm/src/crm.connector.ts)",
    },
    connectorBucket: '17/s, burst 20',
    largestPage: 100,
    // The walk ends with one request of the recycling bin (archived contacts), empty here.
    closingRequests: 1,
    ownerCount: (objects) => (objects.hubspot?.contacts ?? Number.NaN) + (objects.hubspot?.archived ?? 0),
    seedBody: (records, driftRate) => ({ provider: 'hubspot', count: records, driftRate, seed: 1 }),
    localState: (objects) => ({
      projections: (objects as readonly SeededContact[]).map(contactRow),
      // The reader finds our id in the contact's tributary_contact_id: the connector's mappings are not read.
      externalRefs: [],
    }),
    rawList: hubspotList,
    rawAuthorization: 'Bearer pat-bench-raw-read',
  },
  shipment: {
    entity: 'shipment',
    provider: 'easypost',
    connector: {
      app: 'connector-logistics',
      id: 'logistics',
      env: (simUrl) => ({
        EASYPOST_API_BASE: simUrl,
        EASYPOST_API_KEY: EASYPOST_KEY,
        EASYPOST_FROM_NAME: 'Bench warehouse',
        EASYPOST_FROM_STREET1: '1 Main St',
        EASYPOST_FROM_CITY: 'Springfield',
        EASYPOST_FROM_STATE: 'IL',
        EASYPOST_FROM_ZIP: '62701',
      }),
    },
    plural: 'shipments',
    limit: {
      requests: 20,
      perSeconds: 1,
      name: "connector-logistics' limit (20/s; EasyPost publishes none)",
      source:
        "EasyPost publishes no fixed quota (it answers 429 under load), so the limit is the connector's own bucket (apps/connector-logistics/src/logistics.connector.ts)",
    },
    connectorBucket: '20/s, burst 20',
    largestPage: 100,
    closingRequests: 0,
    ownerCount: (objects) => objects.easypost?.shipments ?? Number.NaN,
    seedBody: (records, driftRate) => ({ provider: 'easypost', count: records, driftRate, seed: 1 }),
    localState(objects, seededAt) {
      const projections: ProjectionRow[] = [];
      const externalRefs: ExternalRefRow[] = [];
      for (const shipment of objects as readonly SeededShipment[]) {
        const { row, refs } = shipmentState(shipment, randomUUID(), seededAt);
        projections.push(row);
        externalRefs.push(...refs);
      }
      return { projections, externalRefs };
    },
    rawList: easypostList,
    rawAuthorization: `Basic ${Buffer.from(`${EASYPOST_KEY}:`).toString('base64')}`,
    ownerWithConnectorState(rows, local) {
      const orders = new Map(
        local.externalRefs
          .filter((ref) => ref.externalType === 'shipment_order')
          .map((ref) => [ref.externalId, ref.internalId]),
      );
      return rows.map((row) => ({
        ...row,
        fields: { ...row.fields, orderId: orders.get(row.externalId) ?? null },
      }));
    },
  },
};

/** The owned fields of an entity, in the contract's order (the SQL ceiling compares these). */
export function ownedFields(entity: BenchEntityName): readonly string[] {
  return reconciledEntities[entity].ownedFields;
}

/** A fresh event id for a projection row (the column is NOT NULL; nothing reads it here). */
export const eventId = (): string => randomUUID();
