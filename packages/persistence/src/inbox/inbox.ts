import { metrics, withSpan } from '@tributary/observability';
import type { DataSource, EntityManager } from 'typeorm';
import { schemaOf } from '../data-source.js';
import { invalid, PersistenceErrorCode } from '../errors.js';
import { namesFor } from '../names.js';

export type InboxOutcome<T> =
  { readonly outcome: 'processed'; readonly value: T } | { readonly outcome: 'duplicate' };

/**
 * Runs `handler` at most once per (consumer group, event id), in one transaction with the inbox row
 * (docs/architecture.md#exactly-once): whatever the handler writes through `manager` — state, outbox rows —
 * commits with the inbox row or not at all.
 *
 * The inbox row is inserted first. A concurrent delivery of the same event blocks on that insert until the
 * first transaction ends: after a commit it finds the row and reports a duplicate; after a rollback its own
 * insert succeeds and it runs the handler. A handler that throws rolls the inbox row back too, so a
 * redelivery runs it again.
 */
export async function withInbox<T>(
  dataSource: DataSource,
  consumerGroup: string,
  eventId: string,
  handler: (manager: EntityManager) => Promise<T>,
): Promise<InboxOutcome<T>> {
  if (!consumerGroup)
    throw invalid(PersistenceErrorCode.inboxInvalidKey, 'withInbox needs a consumer group.');
  if (!eventId) throw invalid(PersistenceErrorCode.inboxInvalidKey, 'withInbox needs an event id.');
  const schema = schemaOf(dataSource);
  const { inboxTable } = namesFor(schema);
  return withSpan('inbox transaction', transactionSpan(schema, consumerGroup), (span) =>
    dataSource.transaction(async (manager): Promise<InboxOutcome<T>> => {
      const inserted = (await manager.query(
        `INSERT INTO ${inboxTable} (consumer_group, event_id) VALUES ($1, $2)
       ON CONFLICT (consumer_group, event_id) DO NOTHING
       RETURNING 1 AS fresh`,
        [consumerGroup, eventId],
      )) as unknown[];
      if (inserted.length === 0) {
        metrics.inboxDuplicates.inc({ consumer_group: consumerGroup });
        span.setAttribute('tributary.inbox.outcome', 'duplicate');
        return { outcome: 'duplicate' };
      }
      span.setAttribute('tributary.inbox.outcome', 'processed');
      return { outcome: 'processed', value: await handler(manager) };
    }),
  );
}

/**
 * The inbox for a batch of events in one transaction (docs/architecture.md#inbox): the inbox rows of all
 * `eventIds` are inserted at once, and `handler` applies the events whose row is new (`fresh`), writing
 * through `manager`. It commits once for the whole batch; if anything throws, nothing of the batch is kept,
 * and the caller handles the events one by one (each with `withInbox`) to isolate the failing one. An id
 * given twice (a redelivery inside the batch) is in `fresh` once: apply it once.
 * Concurrent deliveries of the same event wait on each other exactly as with `withInbox`; ids are inserted in
 * sorted order so that two overlapping batches lock in the same order.
 */
export async function withInboxBatch<T>(
  dataSource: DataSource,
  consumerGroup: string,
  eventIds: readonly string[],
  handler: (manager: EntityManager, fresh: ReadonlySet<string>) => Promise<T>,
): Promise<{ readonly fresh: ReadonlySet<string>; readonly value: T }> {
  if (!consumerGroup)
    throw invalid(PersistenceErrorCode.inboxInvalidKey, 'withInboxBatch needs a consumer group.');
  if (eventIds.some((id) => !id))
    throw invalid(PersistenceErrorCode.inboxInvalidKey, 'withInboxBatch needs an id for every event.');
  const schema = schemaOf(dataSource);
  const { inboxTable } = namesFor(schema);
  const ids = [...new Set(eventIds)].sort();
  return withSpan('inbox batch transaction', transactionSpan(schema, consumerGroup), (span) =>
    dataSource.transaction(async (manager) => {
      const inserted = (await manager.query(
        `INSERT INTO ${inboxTable} (consumer_group, event_id)
       SELECT $1, id FROM unnest($2::text[]) AS id
       ON CONFLICT (consumer_group, event_id) DO NOTHING
       RETURNING event_id`,
        [consumerGroup, ids],
      )) as { event_id: string }[];
      const fresh = new Set(inserted.map((row) => row.event_id));
      const duplicates = eventIds.length - fresh.size;
      if (duplicates > 0) metrics.inboxDuplicates.inc({ consumer_group: consumerGroup }, duplicates);
      span.setAttribute('tributary.inbox.fresh', fresh.size);
      return { fresh, value: await handler(manager, fresh) };
    }),
  );
}

/**
 * The transaction's span (attributes of the semantic conventions' database spans): one per transaction
 * rather than per statement, since the transaction is what commits or not.
 */
function transactionSpan(schema: string, consumerGroup: string) {
  return {
    kind: 'client' as const,
    attributes: {
      'db.system.name': 'postgresql',
      'db.namespace': schema,
      'db.operation.name': 'transaction',
      'messaging.consumer.group.name': consumerGroup,
    },
  };
}
