import { TributaryError } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import { KafkaErrorCodes } from '@tributary/kafka';
import type { EncodedRecord, EventEncoder } from '@tributary/kafka';
import type { Outbox } from '@tributary/persistence';
import type { EntityManager } from 'typeorm';
import type { EventLogRepository } from './event-log.repository.js';
import { EventLogWriter } from './event-log.writer.js';
import type { EncodedEntry } from './event-log.writer.js';

function event(id: string, type: string): DomainEvent {
  return { id, type, source: '/test', subject: `agg-${id}`, time: '2026-01-01T00:00:00Z', data: {} };
}

function recordOf(e: DomainEvent, topic: string): EncodedRecord {
  return { topic, key: e.subject, value: Buffer.from(topic), headers: { ce_id: e.id }, eventId: e.id };
}

/** `widget.v2` is translated to the deprecated `widget.v1` topic; everything else has its own topic only. */
const dualPublishing: EventEncoder = {
  encode: async (e) => {
    if (e.type === 'bad') throw new TributaryError(KafkaErrorCodes.SCHEMA_VALIDATION_FAILED, 'bad payload');
    return recordOf(e, `${e.type}.topic`);
  },
  encodeAll: async (e) => {
    const own = await dualPublishing.encode(e);
    return e.type === 'widget.v2' ? [own, recordOf(e, 'widget.v1.topic')] : [own];
  },
};

interface StatementCall {
  readonly records: readonly EncodedRecord[];
  readonly gateKeys: readonly string[];
}

/** A writer over stand-ins: the repository runs the outbox callback as its insert would; statements are kept. */
function writer(encoder: EventEncoder, statements: StatementCall[] = []) {
  const repository = {
    insert: async (_manager: unknown, entries: readonly EncodedEntry[], outbox?: (n: number) => unknown) => {
      outbox?.(1);
      return new Set(entries.map((e) => e.id));
    },
  } as unknown as EventLogRepository;
  const outbox = {
    statement: (_ds: unknown, records: readonly EncodedRecord[], options: { gate: { keys: string[] } }) => {
      statements.push({ records, gateKeys: options.gate.keys });
      return { ctes: '', params: [], evaluate: 'true' };
    },
  } as unknown as Outbox;
  return new EventLogWriter(repository, encoder, outbox);
}

describe('EventLogWriter', () => {
  it('groups each event with its translated records, its own record first', async () => {
    const events = [event('e1', 'widget.v2'), event('e2', 'gadget'), event('e3', 'widget.v2')];
    const result = await writer(dualPublishing).encode(events);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.events.map((records) => records.map((r) => `${r.eventId}@${r.topic}`))).toEqual([
      ['e1@widget.v2.topic', 'e1@widget.v1.topic'],
      ['e2@gadget.topic'],
      ['e3@widget.v2.topic', 'e3@widget.v1.topic'],
    ]);
  });

  it('falls back to encode for an encoder without encodeAll', async () => {
    const result = await writer({ encode: dualPublishing.encode }).encode([event('e1', 'widget.v2')]);
    expect(result.ok && result.events.map((records) => records.map((r) => r.topic))).toEqual([
      ['widget.v2.topic'],
    ]);
  });

  it('returns a permanent encoding failure instead of throwing', async () => {
    const result = await writer(dualPublishing).encode([event('e1', 'widget.v2'), event('e2', 'bad')]);
    expect(result).toEqual({
      ok: false,
      code: KafkaErrorCodes.SCHEMA_VALIDATION_FAILED,
      message: 'bad payload',
    });
  });

  it('writes every record of an entry, translations included, gated on that entry', async () => {
    const statements: StatementCall[] = [];
    const log = writer(dualPublishing, statements);
    const encoded = await log.encode([event('e1', 'widget.v2')]);
    if (!encoded.ok) throw new Error('expected the event to encode');
    const entry = { id: 'log-1', records: encoded.events.flat() } as unknown as EncodedEntry;
    const manager = { connection: {} } as unknown as EntityManager;
    await log.write(manager, [entry, { id: 'log-2', records: [] } as unknown as EncodedEntry]);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.records.map((r) => r.topic)).toEqual(['widget.v2.topic', 'widget.v1.topic']);
    expect(statements[0]!.gateKeys).toEqual(['log-1', 'log-1']);
  });
});
