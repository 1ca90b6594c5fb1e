import type { IHeaders } from 'kafkajs';
import { headerInteger } from '../headers.js';
import type { RawHeaders } from '../headers.js';

/**
 * Header names on retry and DLQ hops. Spring Kafka's, written as decimal strings
 * (docs/architecture.md#retries-and-dead-letters), so Java tooling and people with kcat can read them, plus
 * our stable error code.
 */
/** Set by the dlq-handler on a replayed record; the consumer echoes it on `<group>.dlq.resolved` once handled. */
export const DEAD_LETTER_ID_HEADER = 'tributary-dead-letter-id';

/**
 * Set by the dlq-handler on the signal it sends to the group's first tier when a dead letter is discarded
 * (value null, the dead letter's headers): the consumer runs no handler, and releases the key the dead letter
 * headed under the `block` policy.
 */
export const DEAD_LETTER_DISCARDED_HEADER = 'tributary-dead-letter-discarded';

/**
 * Written on the DLQ hop: the retry tier a replay of the record must go to (the group's first). The consumer
 * knows its tiers; a replaying tool that guessed them from the topics that happen to exist would send a
 * replay to the next tier when someone deleted the first one.
 */
export const REPLAY_TOPIC_HEADER = 'tributary-replay-topic';

export const RetryHeaders = {
  originalTopic: 'kafka_original-topic',
  originalPartition: 'kafka_original-partition',
  originalOffset: 'kafka_original-offset',
  originalTimestamp: 'kafka_original-timestamp',
  originalConsumerGroup: 'kafka_dlt-original-consumer-group',
  exceptionFqcn: 'kafka_exception-fqcn',
  exceptionMessage: 'kafka_exception-message',
  exceptionStacktrace: 'kafka_exception-stacktrace',
  attempts: 'retry_topic-attempts',
  backoffTimestamp: 'retry_topic-backoff-timestamp',
  errorCode: 'tributary-error-code',
} as const;

/** On a dead-lettered head (ordering by key): the records parked behind it, and whether they went ahead. */
export const ParkingHeaders = {
  /** How many records were parked behind the head when it was dead-lettered. */
  parkedBehind: 'tributary-parked-behind',
  /** `topic/partition/offset` of the first of them, comma-separated (the first 50). */
  parkedOrigins: 'tributary-parked-origins',
  /** `released` under `skip` (they went ahead), `blocked` under `block` (they wait for this record). */
  parkedFate: 'tributary-parked-fate',
} as const;

/** Where the record first failed: written on the first hop, kept on every later one. */
const ORIGIN_HEADERS = [
  RetryHeaders.originalTopic,
  RetryHeaders.originalPartition,
  RetryHeaders.originalOffset,
  RetryHeaders.originalTimestamp,
  RetryHeaders.originalConsumerGroup,
] as const;

// Headers count against the broker's record size limit; a stack trace of a deep async chain can be large.
const MAX_MESSAGE_CHARS = 2_000;
const MAX_STACK_CHARS = 8_000;

/** Delivery attempt of a record, 1 on its original topic; each hop writes the attempt the next read will be. */
export function deliveryAttempt(headers: RawHeaders | undefined): number {
  const attempts = headerInteger(headers, RetryHeaders.attempts);
  return attempts !== undefined && attempts >= 1 ? attempts : 1;
}

/** When a retry-tier record is due (epoch ms); undefined when the header is absent or malformed: due now. */
export function retryDueAt(headers: RawHeaders | undefined): number | undefined {
  return headerInteger(headers, RetryHeaders.backoffTimestamp);
}

export interface ForwardingInput {
  /** The consumed record's headers, forwarded byte for byte except the ones rewritten here. */
  headers: RawHeaders | undefined;
  topic: string;
  partition: number;
  offset: string;
  /** The consumed record's timestamp, epoch ms as kafkajs gives it. */
  timestamp: string;
  groupId: string;
  error: unknown;
  code: string;
  /** Delivery attempt that just failed. */
  attempt: number;
  /** Set for a retry tier; absent for the DLQ. */
  dueAt?: number;
  /** For the DLQ: where a replay of the record goes (`REPLAY_TOPIC_HEADER`). */
  replayTopic?: string;
  /** Headers of this hop only (what waits behind the record, on its DLQ hop), replacing earlier ones. */
  extra?: Readonly<Record<string, string>>;
}

export function forwardingHeaders(input: ForwardingInput): IHeaders {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (value !== undefined)
      headers[name] = typeof value === 'string' || Buffer.isBuffer(value) ? value : [...value];
  }
  const origin: Record<(typeof ORIGIN_HEADERS)[number], string> = {
    [RetryHeaders.originalTopic]: input.topic,
    [RetryHeaders.originalPartition]: String(input.partition),
    [RetryHeaders.originalOffset]: input.offset,
    [RetryHeaders.originalTimestamp]: input.timestamp,
    [RetryHeaders.originalConsumerGroup]: input.groupId,
  };
  for (const name of ORIGIN_HEADERS) {
    if (headers[name] === undefined) headers[name] = origin[name];
  }
  const { fqcn, message, stack } = describeError(input.error);
  headers[RetryHeaders.exceptionFqcn] = fqcn;
  headers[RetryHeaders.exceptionMessage] = truncate(message, MAX_MESSAGE_CHARS);
  headers[RetryHeaders.exceptionStacktrace] = truncate(stack, MAX_STACK_CHARS);
  headers[RetryHeaders.errorCode] = input.code;
  headers[RetryHeaders.attempts] = String(input.attempt + 1);
  if (input.dueAt !== undefined) headers[RetryHeaders.backoffTimestamp] = String(input.dueAt);
  else {
    // A stale due time on a DLQ record would only mislead whoever replays it.
    delete headers[RetryHeaders.backoffTimestamp];
    if (input.replayTopic !== undefined) headers[REPLAY_TOPIC_HEADER] = input.replayTopic;
  }
  // What waited behind the record belongs to the hop that wrote it.
  for (const name of Object.values(ParkingHeaders)) delete headers[name];
  for (const [name, value] of Object.entries(input.extra ?? {})) headers[name] = value;
  return headers;
}

function describeError(error: unknown): { fqcn: string; message: string; stack: string } {
  if (error instanceof Error) {
    return {
      fqcn: error.constructor.name || error.name,
      message: error.message,
      stack: error.stack ?? error.message,
    };
  }
  const text = typeof error === 'string' ? error : safeJson(error);
  return { fqcn: typeof error, message: text, stack: text };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 15)}…[truncated]`;
}
