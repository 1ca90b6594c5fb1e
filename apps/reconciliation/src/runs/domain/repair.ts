import type { AnyEvent, FindingClass, OwnerFields, ReconciledEntityName } from '@tributary/contracts';
import { reconciledEntities } from '@tributary/contracts';
import { v5 as uuidv5 } from 'uuid';
import { PAYMENT_CANCELED } from '../../projections/domain/projection.js';

/** Namespace of repair event ids: the same (entity, id, owner version, type) always gets the same id. */
const REPAIR_NAMESPACE = '7c0f5d1e-3b8a-4f62-9a51-2d7e4c1b9f30';
export const RECONCILIATION_SOURCE = '/tributary/reconciliation';

export interface RepairInput {
  readonly entity: ReconciledEntityName;
  readonly entityId: string;
  readonly externalId: string;
  readonly ownerUpdatedAt: number;
  readonly owner: OwnerFields;
  /** What the platform's copy holds besides the owned fields (a payment's customer), when known. */
  readonly local: OwnerFields;
  readonly runId: string;
  readonly findingClass: FindingClass;
  /** The finding repaired: a write-back command names it. */
  readonly findingId: string;
}

/** Whether the ownership map lets this class be repaired without a person. */
export function repairsAutomatically(entity: ReconciledEntityName, findingClass: FindingClass): boolean {
  return reconciledEntities[entity].autoRepair.includes(findingClass);
}

/** The repair's event id: idempotent per (entity, id, owner version, event type). */
export function repairEventId(
  entity: string,
  entityId: string,
  ownerUpdatedAt: number,
  type: string,
): string {
  return uuidv5(`${entity}:${entityId}:${ownerUpdatedAt}:${type}`, REPAIR_NAMESPACE);
}

/**
 * The corrective domain event that brings the platform to the owner's state through the normal event
 * path, so every consumer heals as if the owner's webhook had arrived; undefined when no event type can
 * state it (a payment the owner still has pending). For `stale_at_owner` the direction is the other one:
 * the command that has the owner's connector write the platform's values (`local`) back.
 */
export function repairEvent(input: RepairInput): AnyEvent | undefined {
  const event = build(input);
  if (!event) return undefined;
  return {
    ...event,
    id: repairEventId(input.entity, input.entityId, input.ownerUpdatedAt, event.type),
    source: RECONCILIATION_SOURCE,
    subject: input.entityId,
    time: new Date(input.ownerUpdatedAt).toISOString(),
    correlationId: input.runId,
  } as AnyEvent;
}

type Draft = Pick<AnyEvent, 'type' | 'data'>;

function build(input: RepairInput): Draft | undefined {
  if (input.findingClass === 'stale_at_owner') return writeBack(input);
  const { owner, entityId, ownerUpdatedAt } = input;
  const value = (name: string) => owner[name] ?? null;
  switch (input.entity) {
    case 'payment': {
      // The order is the platform's: the owner's copy names it only for a payment the platform never saw.
      const orderId = input.local['orderId'] ?? value('orderId') ?? null;
      if (!orderId) return undefined;
      if (value('status') === 'succeeded') {
        return {
          type: 'payments.payment.succeeded',
          data: {
            paymentId: entityId,
            orderId,
            customerId: input.local['customerId'] ?? null,
            amountMinor: Number(value('amountMinor') ?? 0),
            currency: value('currency') ?? 'EUR',
            provider: reconciledEntities.payment.owner,
            providerPaymentId: input.externalId,
            feeAmountMinor: null,
            succeededAt: ownerUpdatedAt,
          },
        } as Draft;
      }
      if (value('status') === 'failed' || value('status') === 'canceled') {
        return {
          type: 'payments.payment.failed',
          data: {
            paymentId: entityId,
            orderId,
            provider: reconciledEntities.payment.owner,
            failureCode: value('status') === 'canceled' ? PAYMENT_CANCELED : 'PROVIDER_REJECTED',
            providerFailureCode: null,
            failureMessage: 'established by reconciliation',
            failedAt: ownerUpdatedAt,
          },
        } as Draft;
      }
      return undefined;
    }
    case 'contact':
      if (input.findingClass === 'missing_at_owner') {
        return {
          type: 'crm.contact.archived',
          data: {
            contactId: entityId,
            provider: reconciledEntities.contact.owner,
            providerContactId: input.externalId || null,
            archivedAt: ownerUpdatedAt,
          },
        } as Draft;
      }
      return {
        type: 'crm.contact.upserted',
        data: {
          contactId: entityId,
          email: value('email'),
          phone: value('phone'),
          givenName: value('givenName'),
          familyName: value('familyName'),
          locale: null,
          marketingConsent: value('marketingConsent') === 'true',
          updatedAt: ownerUpdatedAt,
        },
      } as Draft;
    case 'shipment': {
      const orderId = value('orderId') ?? input.local['orderId'] ?? null;
      const carrier = value('carrier');
      const trackingNumber = value('trackingNumber');
      if (!orderId || !carrier || !trackingNumber) return undefined;
      if (value('status') === 'delivered') {
        return {
          type: 'logistics.shipment.delivered',
          data: {
            shipmentId: entityId,
            orderId,
            carrier,
            trackingNumber,
            deliveryLocation: null,
            deliveredAt: ownerUpdatedAt,
          },
        } as Draft;
      }
      if (value('status') === 'created') {
        return {
          type: 'logistics.shipment.created',
          data: {
            shipmentId: entityId,
            orderId,
            carrier,
            carrierShipmentId: input.externalId,
            trackingNumber,
            trackingUrl: null,
            estimatedDeliveryAt: null,
            createdAt: ownerUpdatedAt,
          },
        } as Draft;
      }
      return undefined;
    }
  }
}

function writeBack(input: RepairInput): Draft | undefined {
  const value = (name: string) => input.local[name] ?? null;
  switch (input.entity) {
    case 'contact':
      return {
        type: 'crm.contact.write_back_requested',
        data: {
          contactId: input.entityId,
          provider: reconciledEntities.contact.owner,
          lifecycleStage: value('lifecycleStage'),
          lastPaidOrderId: value('lastPaidOrderId'),
          findingId: input.findingId,
          ownerUpdatedAt: input.ownerUpdatedAt,
        },
      } as Draft;
    default:
      // No command writes the other entities' platform-owned fields back: a person corrects the owner.
      return undefined;
  }
}
