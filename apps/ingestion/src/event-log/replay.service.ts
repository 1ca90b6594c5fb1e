import { Inject, Injectable } from '@nestjs/common';
import type { DomainEvent } from '@tributary/contracts';
import type { EncodedRecord } from '@tributary/kafka';
import { metrics } from '@tributary/observability';
import { AuditLog, Outbox } from '@tributary/persistence';
import { mapProviderEvent } from '@tributary/webhooks';
import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ProblemError, actorOf } from '@tributary/service-kit';
import type { ApiPrincipal } from '@tributary/service-kit';
import { DATA_SOURCE, SERVICE_CONFIG } from '@tributary/service-kit/nest';
import { ProblemCode } from '../http/problem.js';
import type { IngestionConfig } from '../ingestion.config.js';
import { RATE_LIMITERS } from '../rate-limit/rate-limiters.js';
import type { RateLimiters } from '../rate-limit/rate-limiters.js';
import { ProviderRefs } from '../webhooks/provider-refs.js';
import { webhookSource } from '../webhooks/webhook-intake.service.js';
import type { EntryStatus } from './domain/event-log.js';
import type { EventLogRepository, StoredEntry } from './event-log.repository.js';
import type { ReplayResponse } from './event-log.routes.js';
import { EVENT_LOG_REPOSITORY, EVENT_LOG_WRITER } from './event-log.tokens.js';
import type { EventLogWriter } from './event-log.writer.js';

export type ReplaySelection =
  { readonly id: string } | { readonly provider: string; readonly from: Date; readonly to: Date };

/** Header on every republished record; consumers and tools can tell a replay from the first delivery. */
export const REPLAY_HEADER = 'tributary-replay-id';

const remappable: ReadonlySet<EntryStatus> = new Set(['unknown_type', 'unresolved', 'invalid', 'failed']);

/**
 * Replays event log entries (scope `events:replay`, its own low rate limit, audited: who, when, why, what).
 *
 * - An entry that produced events sends them again with their original ce_id. Consumers that processed them
 *   skip them in their inbox; a consumer that lost its state, or a new one, gets them. The outbox row gets a
 *   fresh id (the outbox keeps one row per publication), the record keeps ce_id and gains `tributary-replay-id`.
 * - A webhook entry that produced nothing (unknown type, unresolved reference, invalid, failed) is mapped
 *   again with today's definition: once its mapping or reference exists, it now produces its events.
 * - An `ignored` entry stays as it is.
 * All of it, and the audit entry, in one transaction with the entries locked.
 */
@Injectable()
export class ReplayService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly refs: ProviderRefs,
    @Inject(EVENT_LOG_REPOSITORY) private readonly repository: EventLogRepository,
    @Inject(EVENT_LOG_WRITER) private readonly writer: EventLogWriter,
    private readonly outbox: Outbox,
    private readonly audit: AuditLog,
    @Inject(RATE_LIMITERS) private readonly limiters: RateLimiters,
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
  ) {}

  async replay(principal: ApiPrincipal, selection: ReplaySelection, reason: string): Promise<ReplayResponse> {
    const limiter = this.limiters.replay;
    const decision = limiter.take(principal.keyId);
    if (!decision.allowed) {
      metrics.rateLimitedRequests.inc({ limiter: limiter.name });
      throw new ProblemError(
        ProblemCode.rateLimited,
        'Replays are rate limited; retry later.',
        limiter.headers(decision),
      );
    }
    if ('provider' in selection) {
      const count = await this.repository.countInRange(selection.provider, selection.from, selection.to);
      if (count > this.config.replayMaxEntries) {
        throw new ProblemError(
          ProblemCode.replayRangeTooLarge,
          `${count} entries in range; replay at most ${this.config.replayMaxEntries} at a time (narrow the range).`,
        );
      }
    }
    const replayId = uuidv7();
    return this.dataSource.transaction(async (manager) => {
      const entries = await this.repository.lockForReplay(manager, selection, this.config.replayMaxEntries);
      if ('id' in selection && entries.length === 0) {
        throw new ProblemError(ProblemCode.eventLogEntryNotFound, 'No event log entry with this id.');
      }
      const result = {
        replayId,
        entries: entries.length,
        republished: 0,
        remapped: 0,
        skipped: 0,
        eventIds: [] as string[],
      };
      for (const entry of entries) {
        const outcome = await this.replayEntry(manager, entry, replayId);
        result[outcome.result]++;
        result.eventIds.push(...outcome.eventIds);
        metrics.eventLogReplays.inc({ provider: entry.provider, result: outcome.result });
      }
      await this.audit.record(
        {
          actor: actorOf(principal),
          action: 'event_log.replay',
          reason,
          target:
            'id' in selection
              ? `event-log/${selection.id}`
              : `event-log/${selection.provider}?from=${selection.from.toISOString()}&to=${selection.to.toISOString()}`,
          details: {
            ...result,
            entryIds: entries.map((e) => e.id).slice(0, 1000),
            eventIds: result.eventIds.slice(0, 1000),
          },
        },
        manager,
      );
      return result;
    });
  }

  /**
   * Maps again, without anyone asking, the webhooks that named an object before its reference existed: a
   * carrier's callback can overtake the commit of the connector that recorded the shipment. Entries that
   * resolve now publish their events (audited as the system); the others stay as they are.
   */
  async retryUnresolved(since: Date, limit: number): Promise<{ remapped: number; pending: number }> {
    return this.dataSource.transaction(async (manager) => {
      const entries = await this.repository.lockUnresolved(manager, since, limit);
      const remapped: StoredEntry[] = [];
      const eventIds: string[] = [];
      for (const entry of entries) {
        const outcome = await this.replayEntry(manager, entry, uuidv7(), { recordUnchanged: false });
        if (outcome.result !== 'remapped') continue;
        remapped.push(entry);
        eventIds.push(...outcome.eventIds);
        metrics.eventLogReplays.inc({ provider: entry.provider, result: 'remapped' });
      }
      if (remapped.length > 0) {
        await this.audit.record(
          {
            actor: 'system:unresolved-retry',
            action: 'event_log.remap_unresolved',
            reason: 'the references these webhooks name were recorded after they arrived',
            target: 'event-log?status=unresolved',
            details: { entryIds: remapped.map((e) => e.id), eventIds },
          },
          manager,
        );
      }
      return { remapped: remapped.length, pending: entries.length - remapped.length };
    });
  }

  private async replayEntry(
    manager: EntityManager,
    entry: StoredEntry,
    replayId: string,
    options: { recordUnchanged: boolean } = { recordUnchanged: true },
  ): Promise<{ result: 'republished' | 'remapped' | 'skipped'; eventIds: string[] }> {
    if (entry.events.length > 0) {
      const encoded = await this.writer.encode(entry.events.map((e) => e.event as DomainEvent));
      if (!encoded.ok) return { result: 'skipped', eventIds: [] };
      await this.outbox.add(
        manager,
        encoded.events.flat().map((record) => asReplay(record, replayId)),
      );
      await this.repository.markReplayed(manager, entry.id);
      return { result: 'republished', eventIds: encoded.events.map(([own]) => own.eventId) };
    }
    // The boot's definitions, configured sources included: a source removed since is skipped, not guessed.
    const definitions = this.config.webhookDefinitions;
    const definition = Object.hasOwn(definitions, entry.provider) ? definitions[entry.provider] : undefined;
    if (entry.source !== 'webhook' || !definition || !remappable.has(entry.status))
      return { result: 'skipped', eventIds: [] };
    const mapped = await mapProviderEvent(
      definition,
      {
        dedupeKey: entry.dedupeKey,
        type: entry.eventType,
        payload: entry.payload,
        ...(entry.occurredAt ? { occurredAt: new Date(entry.occurredAt) } : {}),
      },
      {
        provider: entry.provider,
        source: webhookSource(entry.provider),
        receivedAt: new Date(entry.receivedAt),
        refs: this.refs.resolver(entry.provider, manager),
        correlationId: entry.id,
        newEventId: () => uuidv7(),
        ...(entry.rawBody ? { rawBody: entry.rawBody } : {}),
      },
    );
    if (mapped.status !== 'mapped') {
      // The automatic retry leaves a still-unresolved entry untouched: its replay count stays a count of people.
      if (!options.recordUnchanged && mapped.status === entry.status)
        return { result: 'skipped', eventIds: [] };
      await this.repository.markReplayed(manager, entry.id, {
        status: mapped.status,
        ...('reason' in mapped ? { reason: mapped.reason } : {}),
        events: [],
      });
      return { result: 'skipped', eventIds: [] };
    }
    const encoded = await this.writer.encode(mapped.events);
    if (!encoded.ok) {
      await this.repository.markReplayed(manager, entry.id, {
        status: 'failed',
        reason: `${encoded.code}: ${encoded.message}`,
        events: [],
      });
      return { result: 'skipped', eventIds: [] };
    }
    await this.repository.markReplayed(manager, entry.id, {
      status: 'mapped',
      events: mapped.events.map((event, i) => ({ event, topic: encoded.events[i]![0].topic })),
    });
    await this.outbox.add(manager, encoded.events.flat());
    return { result: 'remapped', eventIds: mapped.events.map((e) => e.id) };
  }
}

/** Same ce_id and bytes; a new outbox row id, because the outbox holds one row per publication. */
function asReplay(record: EncodedRecord, replayId: string): EncodedRecord {
  return { ...record, eventId: uuidv7(), headers: { ...record.headers, [REPLAY_HEADER]: replayId } };
}
