import { createDataSource } from '@tributary/persistence';
import { createTestDatabase } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import type { DataSource } from 'typeorm';
import { lagExporterMigrations } from './history.migration.js';
import { PostgresOffsetHistory } from './postgres-offset-history.js';

describe('PostgresOffsetHistory', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let history: PostgresOffsetHistory;

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'lag_history' });
    dataSource = await createDataSource({
      url: database.url,
      schema: 'lag_exporter',
      migrationsRun: true,
      migrations: lagExporterMigrations,
    }).initialize();
    history = new PostgresOffsetHistory(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  beforeEach(() => dataSource.query('TRUNCATE lag_exporter.lag_offset_runs'));

  const byOffset = async () => (await history.load()).sort((a, b) => a.offset - b.offset);

  it('keeps one run per log end: first and last time seen, to the millisecond', async () => {
    await history.record([{ topic: 't', partition: 0, offset: 10 }], 1_796_000_000_001);
    await history.record([{ topic: 't', partition: 0, offset: 10 }], 1_796_000_005_002);
    await history.record([{ topic: 't', partition: 0, offset: 25 }], 1_796_000_010_003);

    expect(await byOffset()).toEqual([
      { topic: 't', partition: 0, offset: 10, firstSeenMs: 1_796_000_000_001, lastSeenMs: 1_796_000_005_002 },
      { topic: 't', partition: 0, offset: 25, firstSeenMs: 1_796_000_010_003, lastSeenMs: 1_796_000_010_003 },
    ]);
  });

  it('prunes runs last seen before the window and keeps the current one of an idle partition', async () => {
    await history.record([{ topic: 't', partition: 0, offset: 1 }], 1_000_000);
    await history.record([{ topic: 't', partition: 0, offset: 2 }], 2_000_000);
    await history.record([{ topic: 'idle', partition: 0, offset: 7 }], 1_000_000);
    await history.record([{ topic: 'idle', partition: 0, offset: 7 }], 3_000_000);

    expect(await history.prune(2_000_000)).toBe(1);

    expect(await byOffset()).toEqual([
      { topic: 't', partition: 0, offset: 2, firstSeenMs: 2_000_000, lastSeenMs: 2_000_000 },
      { topic: 'idle', partition: 0, offset: 7, firstSeenMs: 1_000_000, lastSeenMs: 3_000_000 },
    ]);
  });

  it('forgets the runs above a log end that went back (a recreated topic)', async () => {
    await history.record([{ topic: 't', partition: 0, offset: 500 }], 1_000_000);
    await history.record(
      [
        { topic: 't', partition: 0, offset: 3 },
        { topic: 't', partition: 1, offset: 9 },
      ],
      2_000_000,
    );

    expect((await byOffset()).map((r) => [r.partition, r.offset])).toEqual([
      [0, 3],
      [1, 9],
    ]);
  });
});
