/**
 * The topic catalogue (docs/architecture.md#topics) and the names of the per-consumer-group retry and
 * dead-letter topics (docs/architecture.md#retries-and-dead-letters). Topic creation, ACLs and dashboards
 * read from here rather than repeating names.
 */
import type { EventTopic, EventType } from './generated/events.js';
import type { TeamLabel } from './ownership.js';

const day = 24 * 60 * 60 * 1000;

export interface TopicDefinition {
  readonly name: EventTopic;
  readonly description: string;
  /** Several event types share a topic so that per-aggregate order holds. */
  readonly eventTypes: readonly EventType[];
  /** Enough for the expected consumer parallelism; raising it later reshuffles keys, so it starts generous. */
  readonly partitions: number;
  /** Also the replay window: a consumer down for longer loses events, so it is well above any outage we plan for. */
  readonly retentionMs: number;
  readonly key: {
    /** Payload field that carries the key in every event of the topic; also ce_subject. */
    readonly field: string;
    readonly description: string;
  };
  /** Team whose alerts fire for this topic (the `team` label). */
  readonly owningTeam: TeamLabel;
  /**
   * Set when a newer major replaces this topic (CHANGELOG.md, docs/migrations/). Dates are ISO 8601 days.
   * From `announced` to `sunset` producers publish both majors (each v2 event translated, `eventTranslations`
   * in catalogue.ts) and consumers move at their pace; after `sunset` nothing new is published here, and the
   * topic and its schemas may go once `removeAfter` (at least the retention later) has passed.
   */
  readonly deprecation?: {
    readonly replacedBy: string;
    readonly announced: string;
    /** The last day of dual publication: at least max(30 days, retention) after `announced`. */
    readonly sunset: string;
    readonly removeAfter: string;
    /** The migration guide, docs/migrations/<file>.md. */
    readonly guide: string;
  };
}

export const topicCatalogue: { readonly [T in EventTopic]: TopicDefinition & { readonly name: T } } = {
  'commerce.order.v1': {
    name: 'commerce.order.v1',
    description: 'Lifecycle of customer orders, published by the commerce service.',
    eventTypes: ['commerce.order.placed', 'commerce.order.cancelled'],
    partitions: 6,
    retentionMs: 14 * day,
    key: { field: 'orderId', description: 'Internal order id (UUID).' },
    owningTeam: 'commerce',
  },
  'payments.payment.v1': {
    name: 'payments.payment.v1',
    description: 'Payment requests and what the payment providers made of them.',
    eventTypes: [
      'payments.payment.requested',
      'payments.payment.succeeded',
      'payments.payment.failed',
      'payments.payment.refunded',
    ],
    partitions: 6,
    retentionMs: 30 * day,
    key: {
      field: 'paymentId',
      description: 'Internal payment id (UUID), also the provider idempotency key.',
    },
    owningTeam: 'payments',
  },
  'crm.contact.v1': {
    name: 'crm.contact.v1',
    description:
      'Contacts as the CRM holds them (upserted: the full current state; archived: the CRM no longer holds it), the CRM reporting that one changed (changed: a notification to read it), and reconciliation asking the CRM connector to write back what the platform owns (write_back_requested). Personal data: short retention.',
    // One topic, so a contact's change notice and the state read because of it keep their order per contact.
    eventTypes: [
      'crm.contact.upserted',
      'crm.contact.changed',
      'crm.contact.archived',
      'crm.contact.write_back_requested',
    ],
    partitions: 6,
    // Personal data: kept no longer than consumers need to catch up, so erasure takes effect within a week.
    retentionMs: 7 * day,
    key: { field: 'contactId', description: 'Internal contact id (UUID); never an email or phone number.' },
    owningTeam: 'crm',
  },
  'logistics.shipment.v1': {
    name: 'logistics.shipment.v1',
    description: 'Shipment bookings with carriers and their delivery.',
    eventTypes: [
      'logistics.shipment.requested',
      'logistics.shipment.created',
      'logistics.shipment.delivered',
    ],
    partitions: 6,
    retentionMs: 14 * day,
    key: {
      field: 'shipmentId',
      description: 'Internal shipment id (UUID), also the carrier idempotency key.',
    },
    owningTeam: 'logistics',
  },
  'reconciliation.read.v1': {
    name: 'reconciliation.read.v1',
    description:
      "Reconciliation's page requests to a provider's connector and the pages the connector read from the provider's owner data.",
    // Requests and their answers share the topic and the run's key, so a run's pages stay in order.
    eventTypes: ['reconciliation.read.requested', 'reconciliation.read.completed'],
    partitions: 3,
    // Pages are consumed within seconds; a week covers a reconciler that was down for days.
    retentionMs: 7 * day,
    key: { field: 'runId', description: 'The reconciliation run (UUID).' },
    owningTeam: 'platform',
  },
  'integrations.provider.v1': {
    name: 'integrations.provider.v1',
    description:
      "The shapes of providers' responses and webhooks as connectors and ingestion see them, one endpoint's window per record, for reconciliation to find what a provider changed. Examples are redacted: no personal data.",
    eventTypes: ['integrations.provider.shapes_observed'],
    partitions: 3,
    // Read within seconds; a week covers a reconciliation service that was down for days.
    retentionMs: 7 * day,
    key: {
      field: 'endpointKey',
      description: "`<provider>/<surface>/<endpoint>`: one endpoint's windows stay in order.",
    },
    owningTeam: 'platform',
  },
  'integrations.webhook.v1': {
    name: 'integrations.webhook.v1',
    description:
      'Verified webhooks of sources declared by configuration that map to no domain event: the signed JSON as received, with provider, event type and ids. May hold personal data.',
    eventTypes: ['integrations.webhook.received'],
    partitions: 6,
    // The payload is a third party's data that nobody has classified: kept as briefly as the CRM's.
    retentionMs: 7 * day,
    key: {
      field: 'subject',
      description:
        "`<source>:<provider object id>` when the source declares where that id is (an object's webhooks keep their order), else `<source>:<dedupe id>` (spread evenly, no order promised).",
    },
    owningTeam: 'platform',
  },
};

export const topics: readonly TopicDefinition[] = Object.values(topicCatalogue);
