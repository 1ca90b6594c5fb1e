import { metrics } from '@tributary/observability';
import type { EntityManager } from 'typeorm';
import { waitFor } from '@tributary/testkit';
import { Outbox, withInbox, withInboxBatch } from '../index.js';
import { createTestSchema, type TestSchema } from '../../test/support/database.js';
import { gate } from '../../test/support/env.js';
import { testRecord } from '../../test/support/records.js';

describe('withInbox', () => {
  let db: TestSchema;
  const outbox = new Outbox();
  const group = 'connector-test';

  beforeAll(async () => {
    db = await createTestSchema('inbox');
    await db.admin.query(`CREATE TABLE "${db.schema}".effects (event_id text NOT NULL, by text NOT NULL)`);
  });
  afterAll(async () => {
    await db?.dispose();
  });

  /** The handler's state change: counted afterwards, never assumed. */
  const applyEffect = (eventId: string, by: string) => async (manager: EntityManager) => {
    await manager.query(`INSERT INTO effects (event_id, by) VALUES ($1, $2)`, [eventId, by]);
    return by;
  };

  async function effects(eventId: string): Promise<string[]> {
    const { rows } = await db.admin.query(`SELECT by FROM "${db.schema}".effects WHERE event_id = $1`, [
      eventId,
    ]);
    return rows.map((row) => row.by);
  }

  /** True once some backend of this database waits for a lock: the second delivery is blocked. */
  async function someoneWaitsForALock(): Promise<boolean> {
    const { rows } = await db.admin.query(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid)
       WHERE NOT l.granted AND a.datname = current_database() AND a.query ILIKE '%' || $1 || '%'`,
      [`"${db.schema}"."inbox"`],
    );
    return rows[0].n > 0;
  }

  const duplicates = async () =>
    (await metrics.inboxDuplicates.get()).values.find((value) => value.labels['consumer_group'] === group)
      ?.value ?? 0;

  it('runs the handler once and reports a redelivery as a duplicate', async () => {
    const before = await duplicates();
    expect(await withInbox(db.dataSource, group, 'evt-1', applyEffect('evt-1', 'first'))).toEqual({
      outcome: 'processed',
      value: 'first',
    });
    expect(await withInbox(db.dataSource, group, 'evt-1', applyEffect('evt-1', 'again'))).toEqual({
      outcome: 'duplicate',
    });
    expect(await effects('evt-1')).toEqual(['first']);
    expect((await duplicates()) - before).toBe(1);
  });

  it('keeps consumer groups apart', async () => {
    await withInbox(db.dataSource, group, 'evt-2', applyEffect('evt-2', 'a'));
    expect(await withInbox(db.dataSource, 'other-group', 'evt-2', applyEffect('evt-2', 'b'))).toMatchObject({
      outcome: 'processed',
    });
    expect((await effects('evt-2')).sort()).toEqual(['a', 'b']);
  });

  it('lets a concurrent second delivery wait for the first and then skip it', async () => {
    const release = gate();
    const entered = gate();
    const first = withInbox(db.dataSource, group, 'evt-3', async (manager) => {
      entered.open();
      await release.promise;
      return applyEffect('evt-3', 'first')(manager);
    });
    await entered.promise;
    let secondDone = false;
    const second = withInbox(db.dataSource, group, 'evt-3', applyEffect('evt-3', 'second')).finally(() => {
      secondDone = true;
    });
    await waitFor(someoneWaitsForALock, { message: 'second delivery blocked on the inbox row' });
    expect(secondDone).toBe(false);
    release.open();
    expect(await first).toEqual({ outcome: 'processed', value: 'first' });
    expect(await second).toEqual({ outcome: 'duplicate' });
    expect(await effects('evt-3')).toEqual(['first']);
  });

  it('lets the waiting delivery run the handler when the first one rolls back', async () => {
    const release = gate();
    const entered = gate();
    const first = withInbox(db.dataSource, group, 'evt-4', async (manager) => {
      await applyEffect('evt-4', 'first')(manager);
      entered.open();
      await release.promise;
      throw new Error('provider call failed');
    });
    await entered.promise;
    const second = withInbox(db.dataSource, group, 'evt-4', applyEffect('evt-4', 'second'));
    await waitFor(someoneWaitsForALock, { message: 'second delivery blocked on the inbox row' });
    release.open();
    await expect(first).rejects.toThrow('provider call failed');
    expect(await second).toEqual({ outcome: 'processed', value: 'second' });
    expect(await effects('evt-4')).toEqual(['second']);
  });

  it('applies the effect exactly once under many concurrent duplicate deliveries', async () => {
    const deliveries = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        withInbox(db.dataSource, group, 'evt-5', applyEffect('evt-5', `d${i}`)),
      ),
    );
    expect(deliveries.filter((d) => d.outcome === 'processed')).toHaveLength(1);
    expect(deliveries.filter((d) => d.outcome === 'duplicate')).toHaveLength(11);
    expect(await effects('evt-5')).toHaveLength(1);
  });

  it('rolls the inbox row and the outbox rows back with a failing handler, so a redelivery runs again', async () => {
    const record = testRecord('orders.v1', 'order-6', 0);
    await expect(
      withInbox(db.dataSource, group, 'evt-6', async (manager) => {
        await applyEffect('evt-6', 'first')(manager);
        await outbox.add(manager, record);
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    const inboxRows = await db.admin.query(`SELECT 1 FROM "${db.schema}".inbox WHERE event_id = 'evt-6'`);
    expect(inboxRows.rowCount).toBe(0);
    const outboxRows = async () =>
      (
        await db.admin.query(`SELECT event_id FROM "${db.schema}".outbox WHERE event_id = $1`, [
          record.eventId,
        ])
      ).rowCount;
    expect(await outboxRows()).toBe(0);

    const redelivered = await withInbox(db.dataSource, group, 'evt-6', async (manager) => {
      await outbox.add(manager, record);
      return applyEffect('evt-6', 'redelivery')(manager);
    });
    expect(redelivered).toEqual({ outcome: 'processed', value: 'redelivery' });
    expect(await effects('evt-6')).toEqual(['redelivery']);
    expect(await outboxRows()).toBe(1);
  });

  it('rejects an empty group or event id with a stable code', async () => {
    await expect(withInbox(db.dataSource, '', 'x', async () => 1)).rejects.toMatchObject({
      code: 'INBOX_INVALID_KEY',
    });
    await expect(withInbox(db.dataSource, group, '', async () => 1)).rejects.toMatchObject({
      code: 'INBOX_INVALID_KEY',
    });
  });
});

describe('withInboxBatch', () => {
  let db: TestSchema;
  const group = 'batch-test';

  beforeAll(async () => {
    db = await createTestSchema('inbox_batch');
    await db.admin.query(`CREATE TABLE "${db.schema}".effects (event_id text NOT NULL)`);
  });
  afterAll(async () => {
    await db?.dispose();
  });

  const effects = async () =>
    (await db.admin.query(`SELECT event_id FROM "${db.schema}".effects ORDER BY event_id`)).rows.map(
      (row: { event_id: string }) => row.event_id,
    );
  const apply = (ids: readonly string[]) => async (manager: EntityManager, fresh: ReadonlySet<string>) => {
    const once = [...new Set(ids)].filter((id) => fresh.has(id));
    for (const id of once) await manager.query(`INSERT INTO effects (event_id) VALUES ($1)`, [id]);
    return once;
  };

  it('applies the events not seen before in one transaction, each once, and skips the others', async () => {
    await withInbox(db.dataSource, group, 'b-2', async () => 'seen before');
    const ids = ['b-1', 'b-2', 'b-3', 'b-1'];
    const result = await withInboxBatch(db.dataSource, group, ids, apply(ids));
    expect([...result.fresh].sort()).toEqual(['b-1', 'b-3']);
    expect(result.value).toEqual(['b-1', 'b-3']);
    expect(await effects()).toEqual(['b-1', 'b-3']);
  });

  it('keeps nothing of a batch whose handler throws, so each event can be applied on its own', async () => {
    const ids = ['c-1', 'c-2'];
    await expect(
      withInboxBatch(db.dataSource, group, ids, async (manager, fresh) => {
        await apply(ids)(manager, fresh);
        throw new Error('one of them is bad');
      }),
    ).rejects.toThrow('one of them is bad');
    const inbox = await db.admin.query(`SELECT 1 FROM "${db.schema}".inbox WHERE event_id = ANY($1)`, [ids]);
    expect(inbox.rowCount).toBe(0);
    expect((await effects()).filter((id) => id.startsWith('c-'))).toEqual([]);
    expect(await withInbox(db.dataSource, group, 'c-1', async () => 'alone')).toEqual({
      outcome: 'processed',
      value: 'alone',
    });
  });

  it('rejects an empty group or event id with a stable code', async () => {
    await expect(withInboxBatch(db.dataSource, '', ['x'], async () => 1)).rejects.toMatchObject({
      code: 'INBOX_INVALID_KEY',
    });
    await expect(withInboxBatch(db.dataSource, group, ['x', ''], async () => 1)).rejects.toMatchObject({
      code: 'INBOX_INVALID_KEY',
    });
  });
});
