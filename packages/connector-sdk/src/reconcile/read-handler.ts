import { isReconciledEntity } from '@tributary/contracts';
import type { DomainEvent, EventOf } from '@tributary/contracts';
import type { EventHandlerContext } from '@tributary/kafka';
import { activeTraceparent, metrics } from '@tributary/observability';
import type { Logger } from '@tributary/observability';
import { ExternalRefRepository, namesFor, schemaOf, withInbox } from '@tributary/persistence';
import type { Outbox } from '@tributary/persistence';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { readPage } from './read-page.js';
import type { ReadRequested } from './read-page.js';
import type { ConnectorReaders, ExternalRefLookup, ReaderContext } from './reader.js';

/** The consumer group of a connector's reads: next to its event group, with its own tiers and DLQ. */
export function reconciliationGroupOf(group: string): string {
  return `${group}.reconciliation`;
}

export interface ReadHandlerDeps<TConfig, TClient> {
  definition: {
    readonly id: string;
    readonly provider: string;
    readonly reconcile: ConnectorReaders<TClient, TConfig>;
  };
  /** The reads' consumer group (`reconciliationGroupOf`): the inbox rows are its. */
  group: string;
  connectorConfig: TConfig;
  dataSource: DataSource;
  outbox: Outbox;
  client: TClient;
  logger: Logger;
}

/**
 * Answers `reconciliation.read.requested` for this connector's provider and entities, exactly once per
 * request: a request already in the inbox is skipped before any provider call; otherwise the page is read
 * (at low priority; a failed read is an answer, see `readPage`), and the request's inbox row and its
 * `reconciliation.read.completed` (same topic, keyed by the run) commit in one transaction. Requests for
 * another provider or entity, and the answers on the same topic, are not this connector's: skipped, not
 * recorded. Only Postgres and Kafka failures throw, to the consumer's retries.
 */
export function connectorReadHandler<TConfig, TClient>(deps: ReadHandlerDeps<TConfig, TClient>) {
  const { definition, group, dataSource, outbox } = deps;
  const refs = new ExternalRefRepository(dataSource);
  const { inboxTable } = namesFor(schemaOf(dataSource));
  const source = `/tributary/connector-${definition.id}`;
  const { provider } = definition;
  const externalRefs: ExternalRefLookup = {
    find: (externalType, externalId) => refs.find({ provider, externalType, externalId }),
    findMany: async (externalType, externalIds) =>
      new Map(
        (await refs.findMany({ provider, externalType }, externalIds)).map((ref) => [ref.externalId, ref]),
      ),
    findByInternalId: async (externalType, internalId) =>
      (await refs.findByInternalId(internalId)).filter(
        (ref) => ref.provider === provider && ref.externalType === externalType,
      ),
  };

  return async (event: DomainEvent, kafkaContext: EventHandlerContext): Promise<void> => {
    if (event.type !== 'reconciliation.read.requested') return;
    const request = event.data as ReadRequested;
    if (request.provider !== provider || !isReconciledEntity(request.entity)) return;
    const reader = definition.reconcile[request.entity];
    if (!reader) return;
    const seen = (await dataSource.query(
      `SELECT 1 FROM ${inboxTable} WHERE consumer_group = $1 AND event_id = $2`,
      [group, event.id],
    )) as unknown[];
    if (seen.length > 0) return;

    const logger = deps.logger.child({
      eventId: event.id,
      runId: request.runId,
      pageNo: request.pageNo,
      entity: request.entity,
      correlationId: event.correlationId,
    });
    const context: ReaderContext<TClient, TConfig> = {
      connectorId: definition.id,
      provider: deps.client,
      config: deps.connectorConfig,
      externalRefs,
      logger,
      signal: kafkaContext.signal,
      heartbeat: () => kafkaContext.heartbeat(),
    };
    const answer = await readPage(reader, { ...request, entity: request.entity }, context);
    // The handler's span (a child of the request's), so the reconciler's handling continues this trace.
    const traceparent = activeTraceparent() ?? event.traceparent;
    const completed: EventOf<'reconciliation.read.completed'> = {
      id: uuidv7(),
      type: 'reconciliation.read.completed',
      source,
      subject: request.runId,
      time: new Date().toISOString(),
      data: answer,
      correlationId: event.correlationId ?? event.id,
      causationId: event.id,
      ...(traceparent ? { traceparent } : {}),
    };
    const result = await withInbox(dataSource, group, event.id, (manager) =>
      outbox.publishEvent(manager, completed),
    );
    if (result.outcome !== 'processed') return;
    const labels = { provider, entity: request.entity };
    metrics.reconciliationReads.inc({ ...labels, outcome: answer.failureCode ? 'failed' : 'ok' });
    metrics.reconciliationReadRecords.inc(labels, answer.records.length);
  };
}
