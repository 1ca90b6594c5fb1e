import {
  REPLAY_TOPIC_HEADER,
  RetryHeaders,
  headerInteger,
  headerText,
  parseConsumerTopic,
} from '@tributary/kafka';
import type { RawHeaders } from '@tributary/kafka';

/**
 * `replaying`: accepted for replay, queued or sent, outcome not known yet. `replay_stalled`: sent, and neither
 * resolved nor dead-lettered again within the stall bound (the record may be lost, e.g. with a deleted tier).
 */
export const DEAD_LETTER_STATUSES = [
  'pending',
  'replaying',
  'replay_stalled',
  'resolved',
  'discarded',
] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

/**
 * Every status change of a dead letter: from which statuses it may happen, and to which status it leads. The
 * repository's statements take their status lists from here, so a rule changes in one place.
 */
export const DEAD_LETTER_TRANSITIONS = {
  /** An operator asks for a replay: again after an outcome that never came, too. */
  replay: { from: ['pending', 'replaying', 'replay_stalled'], to: 'replaying' },
  /** The replay could not be sent (its tier topic does not exist): back to pending, with the error. */
  replayFailed: { from: ['replaying'], to: 'pending' },
  /** Sent, and no outcome within the stall bound. */
  stall: { from: ['replaying'], to: 'replay_stalled' },
  /** The consumer group reports the replayed record processed; a late report still counts. */
  resolve: { from: ['replaying', 'replay_stalled'], to: 'resolved' },
  /** The record is back on the DLQ. An operator's discard stands. */
  failAgain: { from: ['pending', 'replaying', 'replay_stalled', 'resolved'], to: 'pending' },
  discard: { from: ['pending', 'replaying', 'replay_stalled'], to: 'discarded' },
} as const satisfies Record<
  string,
  { readonly from: readonly DeadLetterStatus[]; readonly to: DeadLetterStatus }
>;
export type DeadLetterTransition = keyof typeof DEAD_LETTER_TRANSITIONS;

export function statusesAllowing(transition: DeadLetterTransition): readonly DeadLetterStatus[] {
  return DEAD_LETTER_TRANSITIONS[transition].from;
}

/** The status after `transition`, or undefined when a row in `status` may not take it. */
export function nextStatus(
  status: DeadLetterStatus,
  transition: DeadLetterTransition,
): DeadLetterStatus | undefined {
  const { from, to } = DEAD_LETTER_TRANSITIONS[transition];
  return (from as readonly DeadLetterStatus[]).includes(status) ? to : undefined;
}

/**
 * Why an operator's replay or discard leaves a row as it is (`undefined`: it does not). A row whose replay is
 * queued and not sent yet takes neither: cancelling or repeating it half-way would make its outcome ambiguous.
 * A row whose payload retention removed has nothing left to replay, whatever its status.
 */
export function refusalOf(
  action: 'replay' | 'discard',
  row:
    | {
        readonly status: DeadLetterStatus;
        readonly replayQueued: boolean;
        readonly scrubReason?: string | null;
      }
    | undefined,
):
  | {
      readonly code: 'DEAD_LETTER_NOT_FOUND' | 'DEAD_LETTER_STATE_CONFLICT' | 'DEAD_LETTER_PAYLOAD_SCRUBBED';
      readonly reason: string;
    }
  | undefined {
  if (row === undefined) return { code: 'DEAD_LETTER_NOT_FOUND', reason: 'no dead letter has this id' };
  if (action === 'replay' && row.scrubReason) {
    return { code: 'DEAD_LETTER_PAYLOAD_SCRUBBED', reason: `its ${row.scrubReason}` };
  }
  if (nextStatus(row.status, action) === undefined) {
    return {
      code: 'DEAD_LETTER_STATE_CONFLICT',
      reason: `it is ${row.status}: only ${statusesAllowing(action).join(', ')} dead letters can be ${action === 'replay' ? 'replayed' : 'discarded'}`,
    };
  }
  if (row.replayQueued) {
    return {
      code: 'DEAD_LETTER_STATE_CONFLICT',
      reason: 'its replay is queued and not sent yet',
    };
  }
  return undefined;
}

/** Set on every replayed record: the consumer's resolution signal names the row it settles. */
export const DEAD_LETTER_ID_HEADER = 'tributary-dead-letter-id';

/**
 * A header value as stored: text when the bytes are valid UTF-8, base64 otherwise, so that replay can write
 * back exactly the bytes that were consumed. Repeated headers keep every value in order.
 */
export interface StoredHeader {
  readonly name: string;
  readonly value: string;
  readonly encoding: 'utf8' | 'base64';
}

/** One record read from a `<group>.dlq` topic, in the shape the repository stores. Pure data. */
export interface DeadLetterCapture {
  readonly consumerGroup: string;
  readonly dlqTopic: string;
  readonly dlqPartition: number;
  readonly dlqOffset: string;
  readonly originalTopic: string;
  readonly originalPartition: number;
  readonly originalOffset: string;
  readonly originalTimestamp: Date | null;
  readonly eventId: string | null;
  readonly eventType: string | null;
  readonly errorCode: string;
  readonly errorClass: string | null;
  readonly errorMessage: string | null;
  readonly errorStack: string | null;
  /** Delivery attempts that failed before the record reached the DLQ. */
  readonly attempts: number;
  readonly failedAt: Date;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly StoredHeader[];
  /** Present when the record was replayed by this handler before and failed again. */
  readonly deadLetterId: string | null;
  /** Where a replay goes, as the consumer wrote it on the DLQ hop (one of the group's own tiers only). */
  readonly replayTopic: string | null;
}

export interface ConsumedDlqRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Epoch ms as kafkajs gives it: when the consumer wrote the record to the DLQ. */
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: RawHeaders;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function storeHeaderValue(value: Buffer | string): Omit<StoredHeader, 'name'> {
  if (typeof value === 'string') return { value, encoding: 'utf8' };
  try {
    return { value: utf8.decode(value), encoding: 'utf8' };
  } catch {
    return { value: value.toString('base64'), encoding: 'base64' };
  }
}

export function storedHeaders(headers: RawHeaders | undefined): StoredHeader[] {
  const stored: StoredHeader[] = [];
  for (const [name, raw] of Object.entries(headers ?? {})) {
    if (raw === undefined) continue;
    const values = typeof raw === 'string' || Buffer.isBuffer(raw) ? [raw] : raw;
    for (const value of values) stored.push({ name, ...storeHeaderValue(value) });
  }
  return stored;
}

/** Back to Kafka header bytes, repeated headers as arrays (kafkajs writes one header per element). */
export function kafkaHeaders(headers: readonly StoredHeader[]): Record<string, Buffer | Buffer[]> {
  const out: Record<string, Buffer[]> = {};
  for (const header of headers) {
    const bytes = Buffer.from(header.value, header.encoding);
    (out[header.name] ??= []).push(bytes);
  }
  return Object.fromEntries(
    Object.entries(out).map(([name, values]) => [name, values.length === 1 ? values[0]! : values]),
  );
}

/**
 * Reads the context a reliable consumer wrote on the DLQ hop (Spring Kafka header names). A record someone
 * put on a DLQ by hand, without those headers, is still kept: its DLQ position stands in for its origin, so
 * it is findable and unique all the same.
 */
export function captureOf(record: ConsumedDlqRecord): DeadLetterCapture {
  const h = record.headers;
  const parsed = parseConsumerTopic(record.topic);
  const group =
    headerText(h, RetryHeaders.originalConsumerGroup) ??
    (parsed?.kind === 'dlq' ? parsed.group : record.topic);
  const originalTopic = headerText(h, RetryHeaders.originalTopic);
  const originalPartition = headerInteger(h, RetryHeaders.originalPartition);
  const originalOffset = headerInteger(h, RetryHeaders.originalOffset);
  const hasOrigin =
    originalTopic !== undefined && originalPartition !== undefined && originalOffset !== undefined;
  const originalTimestamp = headerInteger(h, RetryHeaders.originalTimestamp);
  const failedAt = Number(record.timestamp);
  const nextAttempt = headerInteger(h, RetryHeaders.attempts);
  return {
    consumerGroup: group,
    dlqTopic: record.topic,
    dlqPartition: record.partition,
    dlqOffset: record.offset,
    originalTopic: hasOrigin ? originalTopic : record.topic,
    originalPartition: hasOrigin ? originalPartition : record.partition,
    originalOffset: hasOrigin ? String(originalOffset) : record.offset,
    originalTimestamp: originalTimestamp !== undefined ? new Date(originalTimestamp) : null,
    eventId: headerText(h, 'ce_id') ?? null,
    eventType: headerText(h, 'ce_type') ?? null,
    errorCode: headerText(h, RetryHeaders.errorCode) ?? 'UNKNOWN',
    errorClass: headerText(h, RetryHeaders.exceptionFqcn) ?? null,
    errorMessage: headerText(h, RetryHeaders.exceptionMessage) ?? null,
    errorStack: headerText(h, RetryHeaders.exceptionStacktrace) ?? null,
    // The header holds the attempt the next read would be; the ones before it failed.
    attempts: nextAttempt !== undefined && nextAttempt > 1 ? nextAttempt - 1 : 1,
    failedAt: Number.isFinite(failedAt) ? new Date(failedAt) : new Date(),
    key: record.key,
    value: record.value,
    headers: storedHeaders(h),
    deadLetterId: validUuid(headerText(h, DEAD_LETTER_ID_HEADER)),
    replayTopic: ownRetryTopic(headerText(h, REPLAY_TOPIC_HEADER), group),
  };
}

/**
 * A replay produces to the topic a DLQ record names: only a retry tier of the record's own group is taken,
 * never a source topic that every other group would read again.
 */
function ownRetryTopic(topic: string | undefined, group: string): string | null {
  if (topic === undefined) return null;
  const parsed = parseConsumerTopic(topic);
  return parsed?.kind === 'retry' && parsed.group === group ? topic : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function validUuid(text: string | undefined): string | null {
  return text !== undefined && UUID.test(text) ? text.toLowerCase() : null;
}

export function isUuid(text: string): boolean {
  return UUID.test(text);
}
