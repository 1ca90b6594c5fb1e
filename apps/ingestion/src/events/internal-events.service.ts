import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { eventCatalogue, isEventType, topicCatalogue } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import type { EncodedRecord } from '@tributary/kafka';
import { activeTraceparent, metrics } from '@tributary/observability';
import { describeIssues } from '@tributary/webhooks';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ProblemError } from '@tributary/service-kit';
import type { ApiPrincipal } from '@tributary/service-kit';
import { DATA_SOURCE } from '@tributary/service-kit/nest';
import { API_PROVIDER } from '../event-log/domain/event-log.js';
import type { EventLogRepository, StoredEntry } from '../event-log/event-log.repository.js';
import { EVENT_LOG_REPOSITORY, EVENT_LOG_WRITER } from '../event-log/event-log.tokens.js';
import type { EventLogWriter } from '../event-log/event-log.writer.js';
import { ProblemCode } from '../http/problem.js';
import { idempotencyKeyPattern, publishEventRequest } from './publish-event.request.js';
import type { PublishEventRequest, PublishEventResponse } from './publish-event.request.js';

export interface PublishInput {
  readonly principal: ApiPrincipal;
  readonly idempotencyKey: string | undefined;
  readonly body: unknown;
  /** The raw request bytes: what "the same request" means for an Idempotency-Key. */
  readonly rawBody: Buffer;
  readonly traceparent?: string;
}

/**
 * `POST /v1/events`: an internal service publishes a catalogue event. The Idempotency-Key is scoped to the
 * client name (so it survives key rotation) and stored in the event log with a hash of the request: the
 * same key and body answer the first answer again, the same key with another body is refused (422).
 */
@Injectable()
export class InternalEventsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(EVENT_LOG_WRITER) private readonly writer: EventLogWriter,
    @Inject(EVENT_LOG_REPOSITORY) private readonly repository: EventLogRepository,
  ) {}

  async publish(input: PublishInput): Promise<PublishEventResponse> {
    const idempotencyKey = input.idempotencyKey?.trim();
    if (!idempotencyKey) {
      throw new ProblemError(
        ProblemCode.idempotencyKeyMissing,
        'Send an Idempotency-Key header (e.g. a UUID).',
      );
    }
    if (!idempotencyKeyPattern.test(idempotencyKey)) {
      throw new ProblemError(
        ProblemCode.requestInvalid,
        'Idempotency-Key must be 1-255 printable ASCII characters.',
      );
    }
    const dedupeKey = `${input.principal.name}:${idempotencyKey}`;
    const requestHash = createHash('sha256').update(input.rawBody).digest('hex');
    const label = labelOf(input.body);
    try {
      let validated: { event: DomainEvent; record: EncodedRecord; translations: EncodedRecord[] };
      try {
        validated = await this.validated(input);
      } catch (error) {
        // About to refuse: a key used before answers as it did then (or 422 for another body), even if the
        // catalogue changed in between; otherwise the request's own error stands.
        const previous = await this.stored(dedupeKey);
        if (!previous) throw error;
        return this.counted(label, 'replayed_idempotent', this.answerOf(previous, requestHash));
      }
      const { event, record, translations } = validated;
      const logId = uuidv7();
      const fresh = await this.dataSource.transaction((manager) =>
        this.writer.write(manager, [
          {
            id: logId,
            source: 'api',
            provider: API_PROVIDER,
            dedupeKey,
            eventType: event.type,
            status: 'accepted',
            payload: input.body,
            requestHash,
            occurredAt: new Date(event.time),
            events: [{ event, topic: record.topic }],
            records: [record, ...translations],
          },
        ]),
      );
      if (fresh.has(logId)) {
        return this.counted(label, 'accepted', {
          eventId: event.id,
          type: event.type,
          topic: record.topic,
          logId,
        });
      }
      // A concurrent request with the same key committed first.
      return this.counted(
        label,
        'replayed_idempotent',
        this.answerOf(await this.stored(dedupeKey), requestHash),
      );
    } catch (error) {
      if (error instanceof ProblemError)
        metrics.apiEventsReceived.inc({ event_type: label, outcome: 'rejected' });
      throw error;
    }
  }

  private counted(label: string, outcome: string, answer: PublishEventResponse): PublishEventResponse {
    metrics.apiEventsReceived.inc({ event_type: label, outcome });
    return answer;
  }

  /** The request as an Avro-valid, encoded event, or a ProblemError (422) saying what is wrong with it. */
  private async validated(
    input: PublishInput,
  ): Promise<{ event: DomainEvent; record: EncodedRecord; translations: EncodedRecord[] }> {
    const parsed = publishEventRequest.safeParse(input.body);
    if (!parsed.success) throw new ProblemError(ProblemCode.requestInvalid, describeIssues(parsed.error));
    const event = this.eventOf(parsed.data, input);
    const encoded = await this.writer.encode([event]);
    if (!encoded.ok) throw new ProblemError(encoded.code as ProblemCode, encoded.message);
    // Its own record first; a translation to a deprecated major's topic follows it into the outbox.
    const [records] = encoded.events;
    return { event, record: records![0], translations: records!.slice(1) };
  }

  private eventOf(request: PublishEventRequest, input: PublishInput): DomainEvent {
    if (!isEventType(request.type)) {
      throw new ProblemError(ProblemCode.unknownEventType, `${request.type} is not a catalogue event type.`);
    }
    const definition = eventCatalogue[request.type];
    const keyField = topicCatalogue[definition.topic as keyof typeof topicCatalogue].key.field;
    // The subject is the Kafka key, and the key is the aggregate id (docs/architecture.md#topics): a subject
    // naming another aggregate would put this event in another key's order, where no consumer looks for it.
    const aggregateId = request.data[keyField];
    if (typeof aggregateId !== 'string' || aggregateId.length === 0) {
      throw new ProblemError(
        ProblemCode.requestInvalid,
        `data.${keyField} is missing: it is the aggregate id of ${definition.topic}, the event's subject and Kafka key.`,
      );
    }
    if (request.subject !== undefined && request.subject !== aggregateId) {
      throw new ProblemError(
        ProblemCode.eventKeyNotAggregateId,
        `subject ${JSON.stringify(request.subject)} is not data.${keyField} ${JSON.stringify(aggregateId)}: the subject is the Kafka key of ${definition.topic}, which is the aggregate id. Leave it out or send the same value.`,
        {},
        { field: `data.${keyField}`, subject: request.subject, aggregateId },
      );
    }
    const subject = aggregateId;
    // A traceparent in the body is the caller's statement and wins. Otherwise the event continues this
    // request's server span (itself a child of the caller's traceparent header, when one was sent).
    const traceparent = request.traceparent ?? activeTraceparent() ?? input.traceparent;
    return {
      id: uuidv7(),
      type: request.type,
      source: request.source ?? `/tributary/api/${input.principal.name}`,
      subject,
      time: request.time ? new Date(request.time).toISOString() : new Date().toISOString(),
      data: request.data,
      ...(request.correlationId ? { correlationId: request.correlationId } : {}),
      ...(request.causationId ? { causationId: request.causationId } : {}),
      ...(traceparent ? { traceparent } : {}),
    };
  }

  private async stored(dedupeKey: string): Promise<StoredEntry | undefined> {
    return (await this.repository.findByDedupeKeys(API_PROVIDER, [dedupeKey]))[0];
  }

  private answerOf(entry: StoredEntry | undefined, requestHash: string): PublishEventResponse {
    if (!entry) throw new Error('idempotency entry vanished between insert and read');
    if (entry.requestHash !== requestHash) {
      throw new ProblemError(
        ProblemCode.idempotencyKeyReused,
        'This Idempotency-Key was used with a different request body.',
      );
    }
    const [first] = entry.events;
    return { eventId: first!.eventId, type: entry.eventType, topic: first!.topic, logId: entry.id };
  }
}

/** Metric label: the catalogue type, or `unknown` (labels stay bounded whatever clients send). */
function labelOf(body: unknown): string {
  const type = typeof body === 'object' && body !== null ? (body as { type?: unknown }).type : undefined;
  return typeof type === 'string' && isEventType(type) ? type : 'unknown';
}
