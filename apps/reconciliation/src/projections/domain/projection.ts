import type { AnyEvent, EntityName, OwnerFields, ReconciledEntityName } from '@tributary/contracts';

/**
 * What one domain event tells about its entity, in the vocabulary the owner's snapshot uses
 * (reconciledEntities[entity].ownedFields), so the two compare field by field. Pure: the consumer stores
 * what this returns.
 */
export interface ProjectionChange {
  readonly entity: EntityName;
  readonly entityId: string;
  /** Only the fields this event states; the others keep their stored value. */
  readonly fields: OwnerFields;
  /** The owner's id of the object, when the event names it. */
  readonly externalId?: string;
  /** When the owner made the change the event reports: the apply lag is measured from it. */
  readonly ownerChangedAt?: number;
  /** Rank of the state the event moves to; a change ranked below the stored state is not applied. */
  readonly rank: number;
  /** The owner no longer holds the object. */
  readonly deleted?: boolean;
}

/** The failure code of a PaymentFailed that reports a payment the owner canceled. */
export const PAYMENT_CANCELED = 'PAYMENT_CANCELED';

/** Later states never go back: a late or repeated event about an earlier step changes nothing. */
const paymentRank = { pending: 1, failed: 2, canceled: 2, succeeded: 3 } as const;
const shipmentRank = { requested: 1, created: 2, delivered: 3 } as const;

const text = (value: number | string | boolean | null | undefined): string | null =>
  value === null || value === undefined ? null : String(value);

export function projectionChangeOf(event: AnyEvent): ProjectionChange | undefined {
  switch (event.type) {
    case 'payments.payment.requested':
      return {
        entity: 'payment',
        entityId: event.data.paymentId,
        fields: {
          status: 'pending',
          amountMinor: text(event.data.amountMinor),
          currency: event.data.currency.toUpperCase(),
          orderId: event.data.orderId,
          // Not the owner's, but a repair's PaymentSucceeded carries it on.
          customerId: event.data.customerId,
        },
        rank: paymentRank.pending,
      };
    case 'payments.payment.succeeded':
      return {
        entity: 'payment',
        entityId: event.data.paymentId,
        fields: {
          status: 'succeeded',
          amountMinor: text(event.data.amountMinor),
          currency: event.data.currency.toUpperCase(),
          orderId: event.data.orderId,
        },
        externalId: event.data.providerPaymentId,
        ownerChangedAt: event.data.succeededAt,
        rank: paymentRank.succeeded,
      };
    case 'payments.payment.failed':
      return {
        entity: 'payment',
        entityId: event.data.paymentId,
        fields: {
          status: event.data.failureCode === PAYMENT_CANCELED ? 'canceled' : 'failed',
          orderId: event.data.orderId,
        },
        ownerChangedAt: event.data.failedAt,
        rank: paymentRank.failed,
      };
    case 'crm.contact.upserted':
      return {
        entity: 'contact',
        entityId: event.data.contactId,
        fields: {
          email: event.data.email ?? null,
          givenName: event.data.givenName ?? null,
          familyName: event.data.familyName ?? null,
          phone: event.data.phone ?? null,
          marketingConsent: text(event.data.marketingConsent ?? false),
        },
        ownerChangedAt: event.data.updatedAt,
        // Contacts have no forward-only states: the owner's change time orders them.
        rank: event.data.updatedAt,
      };
    case 'crm.contact.archived':
      return {
        entity: 'contact',
        entityId: event.data.contactId,
        fields: {},
        ...(event.data.providerContactId ? { externalId: event.data.providerContactId } : {}),
        ownerChangedAt: event.data.archivedAt,
        rank: event.data.archivedAt,
        deleted: true,
      };
    case 'logistics.shipment.requested':
      return {
        entity: 'shipment',
        entityId: event.data.shipmentId,
        fields: { status: 'requested', orderId: event.data.orderId },
        rank: shipmentRank.requested,
      };
    case 'logistics.shipment.created':
      return {
        entity: 'shipment',
        entityId: event.data.shipmentId,
        fields: {
          status: 'created',
          carrier: event.data.carrier,
          trackingNumber: event.data.trackingNumber,
          orderId: event.data.orderId,
        },
        externalId: event.data.carrierShipmentId,
        ownerChangedAt: event.data.createdAt,
        rank: shipmentRank.created,
      };
    case 'logistics.shipment.delivered':
      return {
        entity: 'shipment',
        entityId: event.data.shipmentId,
        fields: {
          status: 'delivered',
          carrier: event.data.carrier,
          trackingNumber: event.data.trackingNumber,
          orderId: event.data.orderId,
        },
        ownerChangedAt: event.data.deliveredAt,
        rank: shipmentRank.delivered,
      };
    case 'commerce.order.placed':
      return {
        entity: 'order',
        entityId: event.data.orderId,
        fields: {
          status: 'placed',
          totalAmountMinor: text(event.data.totalAmountMinor),
          currency: event.data.currency,
        },
        rank: 1,
      };
    case 'commerce.order.cancelled':
      return { entity: 'order', entityId: event.data.orderId, fields: { status: 'cancelled' }, rank: 2 };
    default:
      // Refunds, change notices and reconciliation's own reads state nothing the owner controls.
      return undefined;
  }
}

/**
 * The stored fields after a change: the change's fields over the stored ones, unless the change is ranked
 * below what is stored (a late event about an earlier state), when nothing changes. Equal ranks apply:
 * a redelivered or corrective event of the same state may carry the owner's newer values.
 */
export function applyChange(
  stored: { fields: OwnerFields; rank: number } | undefined,
  change: ProjectionChange,
): { fields: OwnerFields; rank: number } | undefined {
  if (stored && change.rank < stored.rank) return undefined;
  return { fields: { ...stored?.fields, ...change.fields }, rank: Math.max(change.rank, stored?.rank ?? 0) };
}

/**
 * What the platform itself decided about an object its connector writes onto the owner: the values of the
 * entity's `platformOwned` fields, in the owner's vocabulary. Reconciliation compares them with what the
 * owner holds and, where the owner differs, asks the connector to write them back.
 */
export interface PlatformStatement {
  readonly entity: ReconciledEntityName;
  readonly entityId: string;
  readonly fields: OwnerFields;
  /** When the platform decided it: a statement older than the stored one changes nothing. */
  readonly statedAt: number;
}

/**
 * A payment request names the order the payment is for (the payment connector writes it into the
 * provider's metadata); a succeeded payment of a known customer makes the customer's CRM contact a
 * customer, marked with the order (what the CRM connector writes on it).
 */
export function platformStatementOf(event: AnyEvent): PlatformStatement | undefined {
  switch (event.type) {
    case 'payments.payment.requested':
      return {
        entity: 'payment',
        entityId: event.data.paymentId,
        fields: { orderId: event.data.orderId },
        statedAt: event.data.requestedAt,
      };
    case 'payments.payment.succeeded':
      if (!event.data.customerId) return undefined;
      return {
        entity: 'contact',
        entityId: event.data.customerId,
        fields: { lifecycleStage: 'customer', lastPaidOrderId: event.data.orderId },
        statedAt: event.data.succeededAt,
      };
    default:
      return undefined;
  }
}
