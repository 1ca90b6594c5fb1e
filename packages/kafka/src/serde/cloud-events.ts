import { randomBytes } from 'node:crypto';
import { TributaryError } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import { activeTraceparent } from '@tributary/observability';
import { KafkaErrorCodes } from '../error-codes.js';
import { headerText } from '../headers.js';
import type { RawHeaders } from '../headers.js';

/**
 * Header names of the CloudEvents Kafka protocol binding, binary content mode (docs/architecture.md#topics).
 */
export const CeHeaders = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  time: 'ce_time',
  subject: 'ce_subject',
  contentType: 'content-type',
  traceparent: 'traceparent',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
} as const;

export const AVRO_CONTENT_TYPE = 'application/avro';

const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A fresh W3C trace context (version 00, sampled), for events that arrive without one. */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

export function isValidTraceparent(value: string): boolean {
  return TRACEPARENT.test(value);
}

/**
 * String headers for an event. A root event correlates with itself; `causation-id` is only set when the
 * event was caused by another one. An event without a traceparent of its own belongs to the active span's
 * trace (the request or handler that writes it, so the relay publishes it as that span's child); outside
 * any span, or with an invalid one, a new trace starts, as W3C Trace Context asks.
 */
export function cloudEventHeaders(event: DomainEvent): Record<string, string> {
  const headers: Record<string, string> = {
    [CeHeaders.specversion]: '1.0',
    [CeHeaders.id]: event.id,
    [CeHeaders.source]: event.source,
    [CeHeaders.type]: event.type,
    [CeHeaders.time]: event.time,
    [CeHeaders.subject]: event.subject,
    [CeHeaders.contentType]: AVRO_CONTENT_TYPE,
    [CeHeaders.traceparent]:
      event.traceparent && isValidTraceparent(event.traceparent)
        ? event.traceparent
        : (activeTraceparent() ?? newTraceparent()),
    [CeHeaders.correlationId]: event.correlationId ?? event.id,
  };
  if (event.causationId) headers[CeHeaders.causationId] = event.causationId;
  return headers;
}

/** The event envelope from headers; `subject` falls back to the record key. Data is decoded separately. */
export function envelopeFromHeaders(
  headers: RawHeaders | undefined,
  key: Buffer | null,
): Omit<DomainEvent, 'data'> {
  const read = (name: string) => headerText(headers, name);
  const required = [
    CeHeaders.specversion,
    CeHeaders.id,
    CeHeaders.source,
    CeHeaders.type,
    CeHeaders.time,
  ] as const;
  const missing: string[] = required.filter((name) => !read(name));
  const subject = read(CeHeaders.subject) ?? key?.toString('utf8');
  if (!subject) missing.push(CeHeaders.subject);
  if (missing.length > 0) {
    throw new TributaryError(
      KafkaErrorCodes.DECODE_MISSING_HEADERS,
      `record lacks CloudEvents header(s) ${missing.join(', ')}`,
    );
  }
  const correlationId = read(CeHeaders.correlationId);
  const causationId = read(CeHeaders.causationId);
  const traceparent = read(CeHeaders.traceparent);
  return {
    id: read(CeHeaders.id)!,
    type: read(CeHeaders.type)!,
    source: read(CeHeaders.source)!,
    subject: subject!,
    time: read(CeHeaders.time)!,
    ...(correlationId ? { correlationId } : {}),
    ...(causationId ? { causationId } : {}),
    ...(traceparent ? { traceparent } : {}),
  };
}
