/**
 * Who owns what (docs/architecture.md#topics). Reconciliation reads the source of truth from here, alert
 * rules the team label, caches their maximum age, the DLQ tool and admin endpoints the actions they must
 * audit, and log redaction the personal data fields.
 */
import type { EventTopic } from './generated/events.js';

/** Value of the `team` label on alerts; routes pages to the team that can act. */
export type TeamLabel = 'commerce' | 'payments' | 'crm' | 'logistics' | 'platform';

export type EntityName = 'order' | 'payment' | 'contact' | 'shipment';

export interface CachePolicy {
  readonly data: string;
  /** 0: never cache, read the source of truth each time. */
  readonly maxAgeMs: number;
  readonly why: string;
}

export interface EntityOwnership {
  readonly entity: EntityName;
  readonly topic: EventTopic;
  /** The system whose answer wins when copies disagree. */
  readonly sourceOfTruth: { readonly system: string; readonly scope: string };
  /** Systems holding copies; reconciliation compares them with the source of truth. */
  readonly replicas: readonly string[];
  /** Owns the entity's failures: its DLQ entries, mismatches and alerts. */
  readonly owningTeam: TeamLabel;
  readonly cache: readonly CachePolicy[];
  /** Manual actions recorded in the audit log (who, when, why, what). */
  readonly auditedActions: readonly string[];
  /** Payload field paths holding personal data: redacted in logs, never used as keys. */
  readonly personalDataFields: readonly string[];
}

const minute = 60_000;
const hour = 60 * minute;

export const ownershipMap: { readonly [E in EntityName]: EntityOwnership & { readonly entity: E } } = {
  order: {
    entity: 'order',
    topic: 'commerce.order.v1',
    sourceOfTruth: { system: 'commerce service', scope: 'order contents, totals and status' },
    replicas: ['payment provider (order reference on the payment)', 'CRM (order timeline of the contact)'],
    owningTeam: 'commerce',
    cache: [
      {
        data: 'order summary (lines, totals) in connectors',
        maxAgeMs: 5 * minute,
        why: 'an order does not change after placement; cancellation arrives as an event',
      },
    ],
    auditedActions: ['order.cancel_manual', 'reconciliation.repair'],
    personalDataFields: [],
  },
  payment: {
    entity: 'payment',
    topic: 'payments.payment.v1',
    sourceOfTruth: {
      system: 'payment provider, through its connector',
      scope: 'whether and how much money moved; the payments service owns only the request',
    },
    replicas: ['payments service ledger', 'commerce order payment status'],
    owningTeam: 'payments',
    cache: [
      { data: 'payment status shown to customers and support', maxAgeMs: minute, why: 'display only' },
      {
        data: 'payment status used to decide a capture or refund',
        maxAgeMs: 0,
        why: 'money moves on it: ask the provider',
      },
    ],
    auditedActions: [
      'payment.refund_manual',
      'payment.capture_manual',
      'payment.cancel_manual',
      'reconciliation.repair',
    ],
    personalDataFields: [],
  },
  contact: {
    entity: 'contact',
    topic: 'crm.contact.v1',
    sourceOfTruth: {
      system: 'CRM provider, through its connector',
      scope: 'contact details and marketing consent',
    },
    replicas: ['commerce customer profile', 'email service audience'],
    owningTeam: 'crm',
    cache: [
      {
        data: 'contact details (name, email, locale)',
        maxAgeMs: 15 * minute,
        why: 'changes are rare and arrive as events',
      },
      {
        data: 'marketing consent',
        maxAgeMs: 0,
        why: 'messaging without current consent is a legal breach',
      },
    ],
    auditedActions: ['contact.export', 'contact.erase', 'contact.consent_override', 'reconciliation.repair'],
    personalDataFields: ['email', 'phone', 'givenName', 'familyName'],
  },
  shipment: {
    entity: 'shipment',
    topic: 'logistics.shipment.v1',
    sourceOfTruth: {
      system: 'carrier, through its connector',
      scope: 'booking, tracking number and delivery status',
    },
    replicas: ['commerce order fulfilment status'],
    owningTeam: 'logistics',
    cache: [
      {
        data: 'tracking status shown to customers',
        maxAgeMs: 10 * minute,
        why: 'carriers update a few times a day',
      },
      {
        data: 'booking details (carrier, tracking number)',
        maxAgeMs: 24 * hour,
        why: 'fixed once the carrier booked',
      },
    ],
    auditedActions: ['shipment.cancel_manual', 'shipment.rebook_manual', 'reconciliation.repair'],
    personalDataFields: ['destination.recipientName', 'destination.line1', 'destination.line2'],
  },
};

/**
 * Actions on the platform itself rather than on one entity (docs/architecture.md#retries-and-dead-letters):
 * every DLQ and replay action is audited, owned by the platform team.
 */
export const platformAuditedActions: readonly string[] = [
  'dlq.replay',
  'dlq.discard',
  'dlq.bulk_replay',
  'dlq.bulk_discard',
  'event_log.replay',
];

/** The entity whose events travel on `topic`, if any. */
export function ownershipOfTopic(topic: string): EntityOwnership | undefined {
  return Object.values(ownershipMap).find((o) => o.topic === topic);
}
