import { Inject, Injectable, Logger } from '@nestjs/common';
import { metrics } from '@tributary/observability';
import { WebhookErrorCode, isWebhookError, mapProviderEvent, signatureErrorCodes } from '@tributary/webhooks';
import type { MappingResult, ProviderEvent, WebhookDefinition, WebhookRequest } from '@tributary/webhooks';
import type { ShapeObserver } from '@tributary/provider-shapes';
import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ProblemError } from '@tributary/service-kit';
import {
  JsonBodyErrorCode,
  isJsonBodyError,
  jsonBodyProblem,
  parseStrictJson,
} from '@tributary/service-kit/http';
import { DATA_SOURCE } from '@tributary/service-kit/nest';
import type { EncodedEntry, EventLogWriter } from '../event-log/event-log.writer.js';
import { GroupCommitWriter } from '../event-log/domain/group-commit.js';
import { EVENT_LOG_WRITER, EVENT_LOG_REPOSITORY } from '../event-log/event-log.tokens.js';
import type { EventLogRepository } from '../event-log/event-log.repository.js';
import { ProblemCode } from '../http/problem.js';
import { RATE_LIMITERS } from '../rate-limit/rate-limiters.js';
import type { RateLimiters } from '../rate-limit/rate-limiters.js';
import { ProviderRefs } from './provider-refs.js';
import { WebhookProviders } from './domain/webhook-providers.js';
import type { WebhookEntry } from './webhooks.routes.js';

export interface IntakeResult {
  /** `accepted` when at least one provider event was new; `duplicate` when all were seen before. */
  readonly outcome: 'accepted' | 'duplicate';
  readonly entries: WebhookEntry[];
  readonly rateLimitHeaders: Readonly<Record<string, string>>;
}

export const webhookSource = (provider: string) => `/tributary/ingestion/webhooks/${provider}`;

/** The ShapeObserver verified payloads are sampled into; undefined when PROVIDER_SHAPES=off. */
export const WEBHOOK_SHAPES = Symbol('WEBHOOK_SHAPES');

/**
 * One webhook delivery, start to finish: provider → signature → rate limit → JSON → provider events →
 * mapping → one transaction writing the event log entries and their outbox records, shared with the
 * deliveries that arrived meanwhile (group commit). Every refusal happens before the transaction, so a
 * refused request leaves no row anywhere; a duplicate's insert finds the existing row and writes nothing.
 */
@Injectable()
export class WebhookIntakeService {
  private readonly logger = new Logger(WebhookIntakeService.name);
  private readonly log: GroupCommitWriter<EncodedEntry>;

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly refs: ProviderRefs,
    private readonly providers: WebhookProviders,
    @Inject(EVENT_LOG_WRITER) private readonly writer: EventLogWriter,
    @Inject(EVENT_LOG_REPOSITORY) private readonly repository: EventLogRepository,
    @Inject(RATE_LIMITERS) private readonly limiters: RateLimiters,
    @Inject(WEBHOOK_SHAPES) private readonly shapes: ShapeObserver | undefined,
  ) {
    // One statement per group (see EventLogWriter.write): atomic on its own, no BEGIN/COMMIT round trips.
    this.log = new GroupCommitWriter((entries) => writer.write(dataSource.manager, entries));
  }

  async receive(
    provider: string,
    request: WebhookRequest,
    contentType: string | undefined,
  ): Promise<IntakeResult> {
    const label = this.providers.isKnown(provider) ? provider : 'unknown';
    try {
      const result = await this.intake(provider, request, contentType);
      metrics.webhooksReceived.inc({ provider, outcome: result.outcome });
      return result;
    } catch (error) {
      metrics.webhooksReceived.inc({ provider: label, outcome: outcomeOf(error) });
      throw error;
    }
  }

  private async intake(
    provider: string,
    request: WebhookRequest,
    contentType: string | undefined,
  ): Promise<IntakeResult> {
    const { definition, verifier } = this.providers.get(provider);
    if (contentType?.split(';')[0]?.trim().toLowerCase() !== 'application/json') {
      throw new ProblemError(ProblemCode.unsupportedMediaType, 'Webhooks are accepted as application/json.');
    }
    const receivedAt = new Date();
    try {
      verifier.verify(request, receivedAt);
    } catch (error) {
      if (isWebhookError(error) && signatureErrorCodes.has(error.code)) {
        metrics.webhookSignatureFailures.inc({ provider, code: error.code });
        // The body is never logged: it is unauthenticated and may be large or hostile.
        this.logger.warn('webhook signature refused', {
          provider,
          code: error.code,
          bytes: request.body.length,
        });
      }
      throw error;
    }

    const limiter = this.limiters.webhook;
    const decision = limiter.take(provider);
    const rateLimitHeaders = limiter.headers(decision);
    if (!decision.allowed) {
      metrics.rateLimitedRequests.inc({ limiter: `webhook:${provider}` });
      throw new ProblemError(
        ProblemCode.rateLimited,
        `Too many webhooks from ${provider}; retry later.`,
        rateLimitHeaders,
      );
    }

    // Strict: a lossy decode or a last-wins duplicate would store and publish something other than what
    // the provider signed (docs/architecture.md#strict-input).
    let body: unknown;
    try {
      body = parseStrictJson(request.body);
    } catch (error) {
      throw isJsonBodyError(error) ? jsonBodyProblem(error, ProblemCode.payloadMalformed) : error;
    }
    const events = definition.events(body, request);
    // Verified, so what the provider really sends (docs/architecture.md#provider-shapes); a redelivery is
    // one more sample of the same shape.
    for (const event of events) this.shapes?.observe(provider, event.type, null, event.payload);

    // Mapping reads refs outside the write transaction; a ref a mapping creates (a first sighting) is an
    // idempotent fact about the provider's id, kept even if the write then fails and the provider retries.
    const encoded: EncodedEntry[] = [];
    for (const event of events)
      encoded.push(await this.entryFor(definition, event, receivedAt, request.body, this.dataSource.manager));
    const written = { entries: encoded, fresh: await this.log.write(encoded) };

    const duplicates = written.entries.filter((entry) => !written.fresh.has(entry.id));
    const stored = duplicates.length
      ? await this.repository.findByDedupeKeys(
          provider,
          duplicates.map((entry) => entry.dedupeKey),
        )
      : [];
    const entries = written.entries.map((entry): WebhookEntry => {
      if (written.fresh.has(entry.id)) {
        metrics.webhookEvents.inc({ provider, status: entry.status });
        return {
          id: entry.id,
          dedupeKey: entry.dedupeKey,
          status: entry.status,
          duplicate: false,
          eventIds: entry.events.map((e) => e.event.id),
        };
      }
      metrics.webhookEvents.inc({ provider, status: 'duplicate' });
      const original = stored.find((s) => s.dedupeKey === entry.dedupeKey);
      return {
        id: original?.id ?? entry.id,
        dedupeKey: entry.dedupeKey,
        status: original?.status ?? entry.status,
        duplicate: true,
        eventIds: original?.eventIds ?? [],
      };
    });
    const accepted = entries.some((entry) => !entry.duplicate);
    return { outcome: accepted ? 'accepted' : 'duplicate', entries, rateLimitHeaders };
  }

  /** Maps and encodes one provider event into an entry; what cannot be mapped is kept with its reason. */
  private async entryFor(
    definition: WebhookDefinition,
    event: ProviderEvent,
    receivedAt: Date,
    rawBody: Buffer,
    manager: EntityManager,
  ): Promise<EncodedEntry> {
    const { provider } = definition;
    const id = uuidv7();
    const mapped = await mapProviderEvent(definition, event, {
      provider,
      source: webhookSource(provider),
      receivedAt,
      refs: this.refs.resolver(provider, manager),
      correlationId: id,
      newEventId: () => uuidv7(),
      // What the provider signed, for mappings that forward it (configured sources) rather than re-serialize.
      rawBody,
    });
    const base = {
      id,
      source: 'webhook' as const,
      provider,
      dedupeKey: event.dedupeKey,
      eventType: event.type,
      payload: event.payload,
      rawBody,
      ...(event.occurredAt ? { occurredAt: event.occurredAt } : {}),
    };
    if (mapped.status !== 'mapped') {
      return { ...base, status: mapped.status, ...reasonOf(mapped), events: [], records: [] };
    }
    // Encoded inside the request's server span, so each record's traceparent continues the webhook's trace.
    const encoded = await this.writer.encode(mapped.events);
    if (!encoded.ok) {
      this.logger.error('mapped webhook event fails its schema', {
        provider,
        type: event.type,
        code: encoded.code,
      });
      return {
        ...base,
        status: 'failed',
        statusReason: `${encoded.code}: ${encoded.message}`,
        events: [],
        records: [],
      };
    }
    return {
      ...base,
      status: 'mapped',
      events: mapped.events.map((e, i) => ({ event: e, topic: encoded.events[i]![0].topic })),
      records: encoded.events.flat(),
    };
  }
}

function reasonOf(result: Exclude<MappingResult, { status: 'mapped' }>): { statusReason?: string } {
  return 'reason' in result ? { statusReason: result.reason } : {};
}

function outcomeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && signatureErrorCodes.has(code)) return 'rejected_signature';
  switch (code) {
    case WebhookErrorCode.providerUnknown:
      return 'unknown_provider';
    case WebhookErrorCode.providerNotConfigured:
      return 'not_configured';
    case WebhookErrorCode.payloadMalformed:
    case JsonBodyErrorCode.notUtf8:
    case JsonBodyErrorCode.duplicateKey:
    case JsonBodyErrorCode.forbiddenMember:
      return 'malformed';
    case WebhookErrorCode.payloadInvalid:
      return 'invalid';
    case ProblemCode.unsupportedMediaType:
      return 'unsupported_media_type';
    case ProblemCode.rateLimited:
      return 'rate_limited';
    default:
      return 'failed';
  }
}
