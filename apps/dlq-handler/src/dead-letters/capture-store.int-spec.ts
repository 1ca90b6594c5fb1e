import { createDataSource } from '@tributary/persistence';
import { createTestDatabase } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import type { DataSource } from 'typeorm';
import { captureOf } from './domain/dead-letter.js';
import type { ConsumedDlqRecord } from './domain/dead-letter.js';
import { CaptureStore } from './capture-store.js';
import { deadLetterMigrations } from './migrations.js';

const none = { kind: 'none', reason: 'test' } as const;

function dlqRecord(
  dlqOffset: string,
  attempts: string,
  extra: Record<string, string> = {},
): ConsumedDlqRecord {
  return {
    topic: 'connector-x.dlq',
    partition: 0,
    offset: dlqOffset,
    timestamp: String(Date.now()),
    key: Buffer.from('k'),
    value: Buffer.from([1, 2, 3]),
    headers: {
      'kafka_original-topic': 'payments.payment.v1',
      'kafka_original-partition': '1',
      'kafka_original-offset': '99',
      'kafka_dlt-original-consumer-group': 'connector-x',
      'retry_topic-attempts': attempts,
      'tributary-error-code': 'PROVIDER_REJECTED',
      ce_id: 'e-1',
      ...extra,
    },
  };
}

describe('CaptureStore.capture (real Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let repository: CaptureStore;

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'dlq_repo' });
    dataSource = await createDataSource({
      url: db.url,
      migrationsRun: true,
      migrations: deadLetterMigrations,
    }).initialize();
    repository = new CaptureStore(dataSource);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('stores a redelivered DLQ record once and a new failure of the same origin on the same row', async () => {
    const first = await repository.capture(captureOf(dlqRecord('5', '4')), none);
    expect(first.outcome).toBe('created');
    expect(await repository.capture(captureOf(dlqRecord('5', '4')), none)).toEqual({
      id: first.id,
      outcome: 'redelivered',
    });

    // Replayed, failed on the tier, back on the DLQ at a new offset, naming its row.
    const again = await repository.capture(
      captureOf(dlqRecord('9', '6', { 'tributary-dead-letter-id': first.id })),
      none,
    );
    expect(again).toEqual({ id: first.id, outcome: 'failed_again' });
    // And that one redelivered too: still nothing new.
    expect((await repository.capture(captureOf(dlqRecord('9', '6')), none)).outcome).toBe('redelivered');

    const rows = await dataSource.query(`SELECT id, attempts, dead_lettered_count, status FROM dead_letters`);
    expect(rows).toEqual([{ id: first.id, attempts: 5, dead_lettered_count: 2, status: 'pending' }]);
  });

  it('keeps concurrent captures of one origin on one row', async () => {
    const results = await Promise.all(
      ['20', '21', '22', '23'].map((offset) =>
        repository.capture(
          captureOf({
            ...dlqRecord(offset, '2'),
            headers: { ...dlqRecord(offset, '2').headers, 'kafka_original-offset': '500' },
          }),
          none,
        ),
      ),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
    const [row] = await dataSource.query(`SELECT dead_lettered_count FROM dead_letters WHERE id = $1`, [
      results[0]!.id,
    ]);
    expect(row.dead_lettered_count).toBe(4);
  });
});
