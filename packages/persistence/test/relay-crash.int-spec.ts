import type { Kafka } from 'kafkajs';
import type { EntityManager } from 'typeorm';
import { waitFor } from '@tributary/testkit';
import { Outbox, withInbox } from '../src/index.js';
import { createTestSchema, type TestSchema } from './support/database.js';
import { requireEnv, uniqueSuffix } from './support/env.js';
import { consumeUntil, createTopics, deleteTopics, kafkaClient } from './support/kafka.js';
import { runTs, type WorkerProcess } from './support/process.js';
import { checkPerKeyOrder, interleaved } from './support/records.js';

const worker = 'packages/persistence/test/fixtures/relay-worker.ts';

describe('a relay process killed with SIGKILL in the middle of a batch', () => {
  let db: TestSchema;
  let kafka: Kafka;
  const topic = `test.relay-crash.v1.${uniqueSuffix()}`;
  const running: WorkerProcess[] = [];

  beforeAll(async () => {
    db = await createTestSchema('relay_crash');
    kafka = kafkaClient(requireEnv('KAFKA_BROKERS'), 'persistence-crash-test');
    await createTopics(kafka, [topic], 3);
  });
  afterAll(async () => {
    for (const process of running) process.child.kill('SIGKILL');
    await Promise.all(running.map((process) => process.exited));
    if (kafka) await deleteTopics(kafka, [topic]);
    await db?.dispose();
  });

  function start(env: Record<string, string> = {}): WorkerProcess {
    const process = runTs(worker, {
      DATABASE_URL: db.url,
      OUTBOX_SCHEMA: db.schema,
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      RELAY_BATCH_SIZE: '100',
      ...env,
    });
    running.push(process);
    return process;
  }

  const events = (process: WorkerProcess, name: string) =>
    process.lines.filter((line) => line['event'] === name);

  async function isPublished(eventId: string): Promise<boolean> {
    const { rows } = await db.admin.query(
      `SELECT published_at IS NOT NULL AS published FROM "${db.schema}".outbox WHERE event_id = $1`,
      [eventId],
    );
    return rows[0].published;
  }

  it('loses nothing after a restart, keeps per-key order, and the inbox applies each effect once', async () => {
    const keys = 30;
    const perKey = 40;
    const records = interleaved(topic, keys, perKey, 1024);
    const outbox = new Outbox();
    for (let i = 0; i < records.length; i += 200) {
      await db.dataSource.transaction((manager) => outbox.add(manager, records.slice(i, i + 200)));
    }

    // Three batches go through; Kafka acknowledges the fourth and the worker pauses before marking it: the
    // kill lands exactly between produce and mark.
    const first = start({ RELAY_ACK_DELAY_MS: '60000', RELAY_ACK_DELAY_FROM_BATCH: '4' });
    await waitFor(() => events(first, 'active').length === 1, {
      message: 'worker active',
      timeoutMs: 60_000,
    });
    await waitFor(() => events(first, 'sent').length >= 4, { message: 'fourth batch acknowledged by Kafka' });
    // The third batch's mark overlaps the fourth batch's send; it has landed once the worker says so.
    await waitFor(() => events(first, 'published').length === 3, { message: 'third batch marked' });
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const acknowledged = events(first, 'sent')[3]!;
    expect(events(first, 'published')).toHaveLength(3);
    const { rows: progress } = await db.admin.query(
      `SELECT count(*) FILTER (WHERE published_at IS NOT NULL)::int AS published, count(*)::int AS total
       FROM "${db.schema}".outbox`,
    );
    expect(progress[0]).toEqual({ published: 300, total: records.length });
    expect(await isPublished(String(acknowledged['firstEventId']))).toBe(false);
    expect(await isPublished(String(acknowledged['lastEventId']))).toBe(false);

    const second = start();
    await waitFor(() => events(second, 'active').length === 1, {
      message: 'restarted worker active',
      timeoutMs: 60_000,
    });
    await waitFor(
      async () =>
        (await db.admin.query(`SELECT 1 FROM "${db.schema}".outbox WHERE published_at IS NULL LIMIT 1`))
          .rowCount === 0,
      { message: 'all rows published after restart', timeoutMs: 60_000 },
    );
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });

    // Downstream: a consumer applies effects through the inbox; duplicates from the crash must not count twice.
    await db.admin.query(
      `CREATE TABLE "${db.schema}".effects (event_id text PRIMARY KEY, applied int NOT NULL)`,
    );
    const expected = new Set(records.map((record) => record.eventId));
    const handled = new Set<string>();
    let duplicatesSkipped = 0;
    const received = await consumeUntil(
      kafka,
      [topic],
      () => handled.size === expected.size,
      async (record) => {
        const outcome = await withInbox(
          db.dataSource,
          'crash-test',
          record.eventId,
          (manager: EntityManager) =>
            manager.query(
              `INSERT INTO effects (event_id, applied) VALUES ($1, 1)
             ON CONFLICT (event_id) DO UPDATE SET applied = effects.applied + 1`,
              [record.eventId],
            ),
        );
        if (outcome.outcome === 'duplicate') duplicatesSkipped++;
        handled.add(record.eventId);
      },
    );

    const verdict = checkPerKeyOrder(
      received,
      new Map(Array.from({ length: keys }, (_, k) => [`key-${k}`, perKey] as const)),
    );
    expect(verdict.missing).toEqual([]);
    expect(verdict.outOfOrder).toEqual([]);
    // The killed batch went to Kafka twice: duplicates, never losses.
    expect(verdict.duplicates).toBeGreaterThanOrEqual(Number(acknowledged['count']));
    expect(duplicatesSkipped).toBe(verdict.duplicates);
    const { rows } = await db.admin.query(
      `SELECT count(*)::int AS events, max(applied) AS most, min(applied) AS least FROM "${db.schema}".effects`,
    );
    expect(rows[0]).toEqual({ events: records.length, most: 1, least: 1 });
  }, 180_000);
});
