import { metrics } from '@tributary/observability';
import { createTestSchema, type TestSchema } from '../../test/support/database.js';
import { gate } from '../../test/support/env.js';
import {
  RetentionJob,
  platformRetentionPolicies,
  retentionConfigFrom,
  withClusterLock,
  type RetentionJobOptions,
} from '../index.js';

const day = 24 * 60 * 60 * 1000;
// The fake clock: every horizon is measured from here, far from the database's own time.
const now = new Date('2031-03-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);

describe('retention of the platform tables', () => {
  let db: TestSchema;
  const config = retentionConfigFrom({ INBOX_RETENTION_DAYS: '40', AUDIT_LOG_RETENTION_DAYS: '400' });

  beforeAll(async () => {
    db = await createTestSchema('retention');
  });
  afterAll(async () => {
    await db?.dispose();
  });
  beforeEach(async () => {
    await db.admin.query(`TRUNCATE "${db.schema}".inbox, "${db.schema}".audit_log`);
  });

  function job(options: Partial<RetentionJobOptions> = {}): RetentionJob {
    return new RetentionJob({
      dataSource: db.dataSource,
      policies: platformRetentionPolicies(db.dataSource, config),
      intervalMs: 60_000,
      batchSize: 2,
      batchPauseMs: 0,
      now: () => now,
      ...options,
    });
  }

  async function inboxRow(eventId: string, processedAt: Date): Promise<void> {
    await db.admin.query(
      `INSERT INTO "${db.schema}".inbox (consumer_group, event_id, processed_at) VALUES ('orders', $1, $2)`,
      [eventId, processedAt],
    );
  }
  async function auditRow(target: string, at: Date): Promise<void> {
    await db.admin.query(
      `INSERT INTO "${db.schema}".audit_log (actor, action, reason, target, at) VALUES ('ops', 'dlq.replay', 'test', $1, $2)`,
      [target, at],
    );
  }
  async function remaining(table: 'inbox' | 'audit_log', column: string): Promise<string[]> {
    const { rows } = await db.admin.query<{ v: string }>(
      `SELECT ${column} AS v FROM "${db.schema}".${table} ORDER BY ${column}`,
    );
    return rows.map((row) => row.v);
  }
  async function deletedCounter(table: string): Promise<number> {
    const metric = await metrics.retentionRowsDeleted.get();
    return metric.values.find((value) => value.labels.table === table)?.value ?? 0;
  }

  it('deletes rows past their horizon in batches and keeps the others', async () => {
    // Five inbox rows past 40 days (more than two batches of 2), two inside it, one a minute short of it.
    for (const [i, age] of [41, 50, 60, 90, 365].entries()) await inboxRow(`old-${i}`, ago(age * day));
    await inboxRow('young-1', ago(1 * day));
    await inboxRow('young-39', ago(39 * day));
    await inboxRow('edge', ago(40 * day - 60_000));
    await auditRow('old-audit', ago(401 * day));
    await auditRow('kept-audit', ago(399 * day));
    const inboxBefore = await deletedCounter('inbox');
    const auditBefore = await deletedCounter('audit_log');

    const run = await job().runOnce();

    expect(run).toEqual({ inbox: 5, audit_log: 1 });
    expect(await remaining('inbox', 'event_id')).toEqual(['edge', 'young-1', 'young-39']);
    expect(await remaining('audit_log', 'target')).toEqual(['kept-audit']);
    expect((await deletedCounter('inbox')) - inboxBefore).toBe(5);
    expect((await deletedCounter('audit_log')) - auditBefore).toBe(1);
  });

  it('follows the clock it is given: the same rows go once it has moved on', async () => {
    let clock = now;
    await inboxRow('a', ago(30 * day));
    const retention = job({ now: () => clock });

    expect(await retention.runOnce()).toEqual({ inbox: 0, audit_log: 0 });
    expect(await remaining('inbox', 'event_id')).toEqual(['a']);

    clock = new Date(now.getTime() + 11 * day);
    expect(await retention.runOnce()).toEqual({ inbox: 1, audit_log: 0 });
    expect(await remaining('inbox', 'event_id')).toEqual([]);
  });

  it('runs once per cluster: a replica finding the lock held skips the table and deletes nothing', async () => {
    await inboxRow('old', ago(100 * day));
    const inside = gate();
    const release = gate();
    const holder = withClusterLock(db.dataSource, 'retention:inbox', async () => {
      inside.open();
      await release.promise;
    });
    await inside.promise;

    const run = await job().runOnce();
    release.open();
    await holder;

    expect(run).toEqual({ inbox: 'skipped', audit_log: 0 });
    expect(await remaining('inbox', 'event_id')).toEqual(['old']);
    expect(await job().runOnce()).toEqual({ inbox: 1, audit_log: 0 });
  });

  it('never waits behind a writer holding an old row: that row is left for the next run', async () => {
    await inboxRow('held', ago(100 * day));
    await inboxRow('free', ago(100 * day));
    const locked = gate();
    const release = gate();
    const writer = db.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT 1 FROM "${db.schema}".inbox WHERE event_id = 'held' FOR UPDATE`);
      locked.open();
      await release.promise;
    });
    await locked.promise;

    const run = await job().runOnce();
    release.open();
    await writer;

    expect(run.inbox).toBe(1);
    expect(await remaining('inbox', 'event_id')).toEqual(['held']);
  });
});
