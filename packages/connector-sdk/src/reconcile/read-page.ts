import { TributaryError, classifyError, readableFieldsOf } from '@tributary/contracts';
import type { EventOf, ReconciledEntityName } from '@tributary/contracts';
import { ConnectorErrorCode } from '../errors.js';
import { withRequestPriority } from '../http/request-priority.js';
import type { ConnectorReader, ReadPage, ReadRecord, ReadRequest, ReaderContext } from './reader.js';

export type ReadRequested = EventOf<'reconciliation.read.requested'>['data'];
export type ReadCompleted = EventOf<'reconciliation.read.completed'>['data'];

/** The longest failure message an answer carries: a finding's note, not a log. */
const MAX_FAILURE_MESSAGE = 500;

/** The request as a reader gets it: optional wire fields resolved. */
export function toReadRequest(wire: ReadRequested & { entity: ReconciledEntityName }): ReadRequest {
  return {
    runId: wire.runId,
    pageNo: wire.pageNo,
    entity: wire.entity,
    mode: wire.mode,
    cursor: wire.cursor ?? null,
    changedFrom: wire.changedFrom ?? null,
    changedTo: wire.changedTo ?? null,
    ids: wire.ids ?? [],
    pageSize: wire.pageSize,
  };
}

/**
 * Reads one page with `reader` and turns the outcome into the answer: the page normalised to the entity's
 * owned fields, or a failed page carrying the error's stable code (`classifyError`). Every provider call the
 * reader makes is low priority. Throws only when the read was aborted (shutdown): then nothing is answered
 * and the request is read again after the restart.
 *
 * A failed page's `nextCursor` is the cursor it was asked with (the page to ask for again) and its
 * `complete` is false; its records are empty, so nothing in it is judged.
 */
export async function readPage<TClient, TConfig>(
  reader: ConnectorReader<TClient, TConfig>,
  wire: ReadRequested & { entity: ReconciledEntityName },
  context: ReaderContext<TClient, TConfig>,
  now: () => number = Date.now,
): Promise<ReadCompleted> {
  const readStartedAt = now();
  const head = { runId: wire.runId, pageNo: wire.pageNo, provider: wire.provider, entity: wire.entity };
  try {
    const page = await withRequestPriority('low', () => reader(toReadRequest(wire), context));
    const { records, nextCursor, complete } = checkedPage(wire.entity, page);
    return {
      ...head,
      records,
      nextCursor,
      complete,
      failureCode: null,
      failureMessage: null,
      readStartedAt,
      readCompletedAt: now(),
    };
  } catch (error) {
    if (context.signal.aborted) throw error;
    const { code, retriable } = classifyError(error);
    context.logger.warn(
      { runId: wire.runId, pageNo: wire.pageNo, entity: wire.entity, code, retriable, err: error },
      'reconciliation page not read: answering with the failure',
    );
    return {
      ...head,
      records: [],
      nextCursor: wire.cursor ?? null,
      complete: false,
      failureCode: code,
      failureMessage: messageOf(error),
      readStartedAt,
      readCompletedAt: now(),
    };
  }
}

/**
 * What the answer's schema and the reconciler need of a page, checked before it is published: an Avro
 * encode failure would otherwise send the request round the retry tiers to the DLQ for a reader bug.
 */
function checkedPage(
  entity: ReconciledEntityName,
  page: ReadPage,
): Pick<ReadCompleted, 'records' | 'nextCursor' | 'complete'> {
  const invalid = (what: string) =>
    new TributaryError(ConnectorErrorCode.readerAnswerInvalid, `${entity} reader: ${what}`);
  if (!page || !Array.isArray(page.records)) throw invalid('no records array');
  if (!page.complete && !page.nextCursor) throw invalid('an incomplete page without nextCursor');
  const readable = readableFieldsOf(entity);
  const records = page.records.map((record: ReadRecord, i) => {
    if (typeof record.externalId !== 'string' || record.externalId === '')
      throw invalid(`record ${i} without externalId`);
    if (!Number.isSafeInteger(record.ownerUpdatedAt))
      throw invalid(`record ${record.externalId} without an integer ownerUpdatedAt`);
    const given = record.fields ?? {};
    const fields = Object.fromEntries(readable.map((name) => [name, given[name] ?? null]));
    for (const name of readable) {
      const value = fields[name];
      if (value !== null && typeof value !== 'string')
        throw invalid(`record ${record.externalId}: field ${name} is not a string or null`);
    }
    return {
      externalId: record.externalId,
      internalId: record.internalId ?? null,
      ownerUpdatedAt: record.ownerUpdatedAt,
      deleted: record.deleted === true,
      fields,
    };
  });
  return { records, nextCursor: page.complete ? null : page.nextCursor, complete: page.complete };
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > MAX_FAILURE_MESSAGE ? `${message.slice(0, MAX_FAILURE_MESSAGE - 1)}…` : message;
}
