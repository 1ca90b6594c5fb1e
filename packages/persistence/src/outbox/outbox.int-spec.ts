import { randomUUID } from 'node:crypto';
import { TributaryError, type DomainEvent } from '@tributary/contracts';
import type { EventEncoder } from '@tributary/kafka';
import pg from 'pg';
import { waitFor } from '@tributary/testkit';
import { namesFor, Outbox } from '../index.js';
import { createTestSchema, type TestSchema } from '../../test/support/database.js';
import { testRecord } from '../../test/support/records.js';

describe('Outbox', () => {
  let db: TestSchema;
  let listener: pg.Client;
  const notifications: string[] = [];
  const outbox = new Outbox();

  beforeAll(async () => {
    db = await createTestSchema('outbox');
    listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    listener.on('notification', (message) => notifications.push(message.channel));
    await listener.query(`LISTEN "${namesFor(db.schema).channel}"`);
  });
  afterAll(async () => {
    await listener?.end();
    await db?.dispose();
  });
  beforeEach(async () => {
    await db.admin.query(`TRUNCATE "${db.schema}".outbox`);
    // A round trip on the listening connection delivers the notifications still queued for it (from the
    // previous test's commits) before we start counting.
    await listener.query('SELECT 1');
    notifications.length = 0;
  });

  const rows = async () =>
    (
      await db.admin.query(
        `SELECT id, topic, key, value, headers, event_id, aggregate_id, published_at FROM "${db.schema}".outbox ORDER BY id`,
      )
    ).rows;

  it('stores records in the given order, inside the caller transaction', async () => {
    const records = [
      testRecord('t.a.v1', 'a', 0),
      testRecord('t.a.v1', 'b', 0),
      testRecord('t.b.v1', 'a', 1),
    ];
    await db.dataSource.transaction(async (manager) => {
      await outbox.add(manager, records);
      // Not visible to others before commit.
      expect(await rows()).toHaveLength(0);
    });
    const stored = await rows();
    expect(stored.map((row) => row.event_id)).toEqual(records.map((record) => record.eventId));
    expect(stored[0]).toMatchObject({ topic: 't.a.v1', key: 'a', aggregate_id: 'a', published_at: null });
    expect(stored[0].value.equals(records[0]!.value)).toBe(true);
    expect(stored[0].headers).toEqual(records[0]!.headers);
  });

  it('notifies the relay channel on commit, once per transaction', async () => {
    await db.dataSource.transaction(async (manager) => {
      await outbox.add(manager, testRecord('t.a.v1', 'a', 0));
      await outbox.add(manager, testRecord('t.a.v1', 'a', 1));
      expect(notifications).toHaveLength(0);
    });
    await waitFor(() => notifications.length === 1, { message: 'NOTIFY after commit' });
    // Notifications arrive in commit order: once the next transaction's has come, no second one from the
    // first transaction can still be on its way.
    await db.dataSource.transaction((manager) => outbox.add(manager, testRecord('t.a.v1', 'z', 0)));
    await waitFor(() => notifications.length >= 2);
    expect(notifications).toEqual([namesFor(db.schema).channel, namesFor(db.schema).channel]);
  });

  it('writes nothing and notifies nobody when the transaction rolls back', async () => {
    await expect(
      db.dataSource.transaction(async (manager) => {
        await outbox.add(manager, testRecord('t.a.v1', 'a', 0));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    // A later committed notification proves the channel works and that the rolled back one never came.
    await db.dataSource.transaction((manager) => outbox.add(manager, testRecord('t.a.v1', 'b', 0)));
    await waitFor(() => notifications.length >= 1);
    expect(notifications).toHaveLength(1);
    expect((await rows()).map((row) => row.key)).toEqual(['b']);
  });

  it('refuses to write outside a transaction', async () => {
    await expect(outbox.add(db.dataSource.manager, testRecord('t.a.v1', 'a', 0))).rejects.toMatchObject({
      code: 'OUTBOX_REQUIRES_TRANSACTION',
      retriable: false,
    });
  });

  it('rejects a second record with the same event id', async () => {
    const record = testRecord('t.a.v1', 'a', 0);
    await db.dataSource.transaction((manager) => outbox.add(manager, record));
    await expect(db.dataSource.transaction((manager) => outbox.add(manager, record))).rejects.toMatchObject({
      code: 'OUTBOX_DUPLICATE_EVENT',
      retriable: false,
    });
  });

  describe('statement (one statement with the caller state change, no transaction)', () => {
    beforeAll(async () => {
      await db.admin.query(`CREATE TABLE "${db.schema}".things (id text PRIMARY KEY)`);
    });

    /** Inserts things, deduplicating on id, and the records of the things that were new: one statement. */
    const writeThings = async (things: Array<{ id: string; record: ReturnType<typeof testRecord> }>) => {
      const statement = outbox.statement(
        db.dataSource,
        things.map((t) => t.record),
        { firstParam: 2, gate: { relation: 'fresh', column: 'id', keys: things.map((t) => t.id) } },
      );
      return (await db.dataSource.query(
        `WITH fresh AS (
           INSERT INTO "${db.schema}".things (id) SELECT * FROM unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING id
         ), ${statement.ctes}
         SELECT id FROM fresh WHERE ${statement.evaluate}`,
        [things.map((t) => t.id), ...statement.params],
      )) as Array<{ id: string }>;
    };

    it('writes the records of the new rows only, in order, and notifies once', async () => {
      const first = await writeThings([
        { id: 'x1', record: testRecord('t.a.v1', 'x1', 0) },
        { id: 'x2', record: testRecord('t.a.v1', 'x2', 0) },
      ]);
      expect(first.map((r) => r.id).sort()).toEqual(['x1', 'x2']);
      await waitFor(() => notifications.length === 1, { message: 'NOTIFY after the statement' });
      // x1 again (a duplicate) next to a new x3: only x3's record is written.
      const second = await writeThings([
        { id: 'x1', record: testRecord('t.a.v1', 'x1', 1) },
        { id: 'x3', record: testRecord('t.a.v1', 'x3', 0) },
      ]);
      expect(second.map((r) => r.id)).toEqual(['x3']);
      expect((await rows()).map((row) => row.key)).toEqual(['x1', 'x2', 'x3']);
    });

    it('writes nothing, the state change included, when a record fails', async () => {
      const record = testRecord('t.a.v1', 'y1', 0);
      await writeThings([{ id: 'y1', record }]);
      // The same event id again under a new thing: the whole statement fails, the thing is not kept.
      await expect(writeThings([{ id: 'y2', record }])).rejects.toThrow();
      const things = await db.admin.query(`SELECT id FROM "${db.schema}".things WHERE id = 'y2'`);
      expect(things.rows).toHaveLength(0);
    });
  });

  it('does not notify when told not to', async () => {
    const quiet = new Outbox({ notify: false });
    await db.dataSource.transaction((manager) => quiet.add(manager, testRecord('t.a.v1', 'a', 0)));
    await db.dataSource.transaction((manager) => outbox.add(manager, testRecord('t.a.v1', 'b', 0)));
    await waitFor(() => notifications.length >= 1);
    expect(notifications).toHaveLength(1);
    expect(await rows()).toHaveLength(2);
  });

  describe('publishEvent', () => {
    const event = (data: unknown): DomainEvent => ({
      id: randomUUID(),
      type: 'commerce.order.placed',
      source: '/test',
      subject: 'order-7',
      time: new Date().toISOString(),
      data,
    });
    // The encoder seam of @tributary/kafka: this one "validates" that data is an object with an amount.
    const encoder: EventEncoder = {
      async encode(e) {
        const data = e.data as { amount?: unknown };
        if (typeof data?.amount !== 'number') {
          throw new TributaryError('SCHEMA_VALIDATION_FAILED', 'amount missing', { retriable: false });
        }
        return {
          topic: 'commerce.order.v1',
          key: e.subject,
          value: Buffer.from(JSON.stringify(e.data)),
          headers: { ce_id: e.id, ce_subject: e.subject, ce_type: e.type },
          eventId: e.id,
        };
      },
    };
    const typed = new Outbox({ encoder });

    it('encodes and stores the event', async () => {
      const placed = event({ amount: 42 });
      const record = await db.dataSource.transaction((manager) => typed.publishEvent(manager, placed));
      expect(record.eventId).toBe(placed.id);
      expect(await rows()).toEqual([expect.objectContaining({ event_id: placed.id, key: 'order-7' })]);
    });

    it('fails before commit when the event does not validate, so the business change rolls back too', async () => {
      await db.admin.query(`CREATE TABLE IF NOT EXISTS "${db.schema}".orders (id text PRIMARY KEY)`);
      await expect(
        db.dataSource.transaction(async (manager) => {
          await manager.query(`INSERT INTO orders (id) VALUES ('order-7')`);
          await typed.publishEvent(manager, event({ amount: 'lots' }));
        }),
      ).rejects.toMatchObject({ code: 'SCHEMA_VALIDATION_FAILED' });
      expect(await rows()).toHaveLength(0);
      expect((await db.admin.query(`SELECT * FROM "${db.schema}".orders`)).rows).toHaveLength(0);
    });

    it('needs an encoder', async () => {
      await expect(
        db.dataSource.transaction((manager) => outbox.publishEvent(manager, event({ amount: 1 }))),
      ).rejects.toMatchObject({ code: 'OUTBOX_NO_ENCODER' });
    });
  });
});
