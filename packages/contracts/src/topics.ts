/**
 * The topic catalogue (DESIGN §4) and the names of the per-consumer-group retry and dead-letter topics
 * (DESIGN §6). Topic creation, ACLs and dashboards read from here rather than repeating names.
 */
import { TributaryError } from './errors.js';
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
  /** Set when a newer major replaces this topic; producers dual-publish until `removeAfter`. */
  readonly deprecation?: {
    readonly replacedBy: string;
    readonly announced: string;
    readonly removeAfter: string;
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
    description: 'Current state of contacts as the CRM holds them. Personal data: short retention.',
    eventTypes: ['crm.contact.upserted'],
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
};

export const topics: readonly TopicDefinition[] = Object.values(topicCatalogue);

/** Default retry tiers of a consumer group: 5 s, 1 min, 10 min (DESIGN §6). */
export const defaultRetryDelaysMs: readonly number[] = [5_000, 60_000, 600_000];

export interface RetryTopic {
  /** `<group>.retry.<delay>`, e.g. `connector-stripe.retry.5s` */
  readonly name: string;
  readonly delayMs: number;
  /** 1 for the first tier. */
  readonly tier: number;
}

/**
 * The retry topics of a consumer group, one per delay, in the order a failing record walks them.
 * Only that group reads them, so a retry never reaches other groups that already processed the record.
 */
export function retryTopicsFor(
  group: string,
  delaysMs: readonly number[] = defaultRetryDelaysMs,
): RetryTopic[] {
  validGroup(group);
  if (delaysMs.length === 0)
    throw new TributaryError('RETRY_TIERS_INVALID', 'at least one retry delay is needed');
  return delaysMs.map((delayMs, index) => {
    if (!Number.isInteger(delayMs) || delayMs <= 0) {
      throw new TributaryError(
        'RETRY_TIERS_INVALID',
        `retry delay ${delayMs} must be a positive whole number of ms`,
      );
    }
    const previous = delaysMs[index - 1];
    if (previous !== undefined && delayMs <= previous) {
      throw new TributaryError('RETRY_TIERS_INVALID', `retry delays must increase: ${delaysMs.join(', ')}`);
    }
    return { name: validTopicName(`${group}.retry.${formatDelay(delayMs)}`), delayMs, tier: index + 1 };
  });
}

/** `<group>.dlq`: where a group's records go when retrying cannot help. */
export function dlqTopicFor(group: string): string {
  validGroup(group);
  return validTopicName(`${group}.dlq`);
}

/** Recognises a retry or DLQ topic name and returns its group (and delay). */
export function parseConsumerTopic(
  topic: string,
): { kind: 'retry'; group: string; delayMs: number } | { kind: 'dlq'; group: string } | undefined {
  if (topic.endsWith('.dlq') && topic.length > 4) return { kind: 'dlq', group: topic.slice(0, -4) };
  const match = /^(.+)\.retry\.(\d+)(ms|s|m|h|d)$/.exec(topic);
  if (!match) return undefined;
  const [, group = '', amount = '', unit = ''] = match;
  return { kind: 'retry', group, delayMs: Number(amount) * unitMs[unit as keyof typeof unitMs] };
}

const unitMs = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;

/** The largest unit that divides the delay exactly: 5000 → `5s`, 60000 → `1m`, 90000 → `90s`, 1500 → `1500ms`. */
export function formatDelay(delayMs: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (delayMs % unitMs[unit] === 0) return `${delayMs / unitMs[unit]}${unit}`;
  }
  return `${delayMs}ms`;
}

function validGroup(group: string): void {
  if (!/^[a-zA-Z0-9._-]+$/.test(group)) {
    throw new TributaryError(
      'TOPIC_NAME_INVALID',
      `consumer group "${group}" cannot prefix a Kafka topic name`,
    );
  }
}

function validTopicName(name: string): string {
  // Kafka's own limits: 249 characters of [a-zA-Z0-9._-].
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(name) || name === '.' || name === '..') {
    throw new TributaryError('TOPIC_NAME_INVALID', `"${name}" is not a valid Kafka topic name`);
  }
  return name;
}
