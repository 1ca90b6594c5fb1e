import { headerText } from '@tributary/kafka';
import type { RawHeaders } from '@tributary/kafka';
import { DEAD_LETTER_ID_HEADER, isUuid } from './dead-letter.js';

/**
 * The positive signal that closes a replay: the original consumer group processed a replayed record.
 *
 * The contract `ReliableConsumer` (packages/kafka) implements: after the handler of a
 * record carrying `tributary-dead-letter-id` resolved, and before its offset is committed, the consumer
 * produces one record to `<group>.dlq.resolved` — key = the dead-letter id, headers `tributary-dead-letter-id`,
 * `kafka_dlt-original-consumer-group` = the group and `ce_id`, value = JSON of `ResolutionSignal`. A crash between
 * handler and produce redelivers the record: the inbox skips the effect and the signal is sent then; a duplicate
 * signal changes nothing here. The topic is created with the tiers and the DLQ.
 */
export interface ResolutionSignal {
  readonly deadLetterId: string;
  readonly consumerGroup: string;
  readonly eventId?: string;
}

export interface ConsumedResolution {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: RawHeaders;
}

/** Reads a `<group>.dlq.resolved` record; undefined for one that names no dead letter (logged, skipped). */
export function parseResolution(record: ConsumedResolution): ResolutionSignal | undefined {
  let body: Partial<ResolutionSignal> = {};
  try {
    if (record.value !== null) body = JSON.parse(record.value.toString('utf8')) as Partial<ResolutionSignal>;
  } catch {
    body = {};
  }
  const id =
    headerText(record.headers, DEAD_LETTER_ID_HEADER) ?? body.deadLetterId ?? record.key?.toString('utf8');
  const group =
    headerText(record.headers, 'kafka_dlt-original-consumer-group') ??
    body.consumerGroup ??
    record.topic.replace(/\.dlq\.resolved$/, '');
  if (id === undefined || !isUuid(id) || !group) return undefined;
  const eventId = headerText(record.headers, 'ce_id') ?? body.eventId;
  return { deadLetterId: id.toLowerCase(), consumerGroup: group, ...(eventId ? { eventId } : {}) };
}
