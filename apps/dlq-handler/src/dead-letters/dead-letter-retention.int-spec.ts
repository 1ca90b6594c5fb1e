import { RetentionJob, createDataSource } from '@tributary/persistence';
import { silentLogger } from '@tributary/kafka';
import { ProblemError } from '@tributary/service-kit';
import { createTestDatabase } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import type { DataSource } from 'typeorm';
import { CaptureStore } from './capture-store.js';
import { deadLetterRetentionPolicies } from './dead-letter-retention.js';
import { DeadLettersService } from './dead-letters.service.js';
import { captureOf } from './domain/dead-letter.js';
import type { ConsumedDlqRecord } from './domain/dead-letter.js';
import { deadLetterMigrations } from './migrations.js';
import { OperatorCommands } from './operator-commands.js';
import { DeadLetterReadModel } from './read-model.js';
import type { ReplayTopics } from './topic-directory.js';

const day = 24 * 60 * 60 * 1000;
// The fake clock the horizons are measured from.
const now = new Date('2031-03-01T12:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * day);
const json = { kind: 'json', json: { email: 'ada@example.com' } } as const;

function dlqRecord(originalOffset: number, dlqOffset = originalOffset): ConsumedDlqRecord {
  return {
    topic: 'connector-crm.dlq',
    partition: 0,
    offset: String(dlqOffset),
    timestamp: String(now.getTime()),
    key: Buffer.from('contact-1'),
    value: Buffer.from(JSON.stringify({ email: 'ada@example.com' })),
    headers: {
      'kafka_original-topic': 'crm.contact.v1',
      'kafka_original-partition': '0',
      'kafka_original-offset': String(originalOffset),
      'kafka_dlt-original-consumer-group': 'connector-crm',
      'retry_topic-attempts': '3',
      'tributary-error-code': 'PROVIDER_REJECTED',
      'kafka_exception-message': 'invalid email ada@example.com',
      ce_id: `e-${originalOffset}`,
    },
  };
}

describe('retention of dead letters (real Postgres, fake clock)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let capture: CaptureStore;
  let readModel: DeadLetterReadModel;
  let job: RetentionJob;

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'dlq_retention' });
    dataSource = await createDataSource({
      url: db.url,
      migrationsRun: true,
      migrations: deadLetterMigrations,
    }).initialize();
    capture = new CaptureStore(dataSource);
    readModel = new DeadLetterReadModel(dataSource);
    job = new RetentionJob({
      dataSource,
      policies: deadLetterRetentionPolicies({ scrubAfterMs: 30 * day, deleteAfterMs: 90 * day }),
      intervalMs: 60_000,
      batchSize: 2,
      batchPauseMs: 0,
      now: () => now,
    });
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  /** A stored dead letter, then closed (or not) at the given time. */
  async function deadLetter(
    offset: number,
    state: { status: 'pending' | 'resolved' | 'discarded'; closedDaysAgo?: number; signalOwed?: boolean },
  ): Promise<string> {
    const { id } = await capture.capture(captureOf(dlqRecord(offset)), json);
    const at = state.closedDaysAgo === undefined ? null : ago(state.closedDaysAgo);
    await dataSource.query(
      `UPDATE dead_letters SET status = $2, first_failed_at = $3, last_failed_at = $3,
         resolved_at = CASE WHEN $2 = 'resolved' THEN $4::timestamptz END,
         discarded_at = CASE WHEN $2 = 'discarded' THEN $4::timestamptz END,
         discard_signal_pending = $5
       WHERE id = $1`,
      [id, state.status, ago(400), at, state.signalOwed ?? false],
    );
    return id;
  }

  it('scrubs closed ones past 30 days, deletes them past 90, and never touches pending ones', async () => {
    const pending = await deadLetter(1, { status: 'pending' });
    const resolvedRecently = await deadLetter(2, { status: 'resolved', closedDaysAgo: 29 });
    const resolvedOld = await deadLetter(3, { status: 'resolved', closedDaysAgo: 31 });
    // A failed replay's error may quote the record it sent.
    await dataSource.query(
      `UPDATE dead_letters SET replay_error_code = 'REPLAY_FAILED', replay_error_message = $2,
         replay_error_at = now() WHERE id = $1`,
      [resolvedOld, 'record {"email":"ada@example.com"} refused'],
    );
    const discardedOld = await deadLetter(4, { status: 'discarded', closedDaysAgo: 60 });
    const discardedGone = await deadLetter(5, { status: 'discarded', closedDaysAgo: 91 });
    const resolvedGone = await deadLetter(6, { status: 'resolved', closedDaysAgo: 120 });
    const signalOwed = await deadLetter(7, { status: 'discarded', closedDaysAgo: 120, signalOwed: true });

    const run = await job.runOnce();

    // The scrub goes first, so the rows about to be deleted are scrubbed on their way out too.
    expect(run).toEqual({ dead_letters_scrubbed: 4, dead_letters: 2 });
    const ids = (await dataSource.query(`SELECT id FROM dead_letters ORDER BY id`)) as { id: string }[];
    expect(ids.map((row) => row.id)).not.toContain(discardedGone);
    expect(ids.map((row) => row.id)).not.toContain(resolvedGone);
    expect(ids.map((row) => row.id).sort()).toEqual(
      [pending, resolvedRecently, resolvedOld, discardedOld, signalOwed].sort(),
    );

    for (const id of [pending, resolvedRecently, signalOwed]) {
      const intact = await readModel.get(id);
      expect(intact?.payloadScrubbed).toBeNull();
      expect(intact?.value?.decoded).toEqual({ email: 'ada@example.com' });
    }
    const scrubbed = await readModel.get(resolvedOld);
    expect(scrubbed).toMatchObject({
      status: 'resolved',
      errorCode: 'PROVIDER_REJECTED',
      key: null,
      value: null,
      headers: [],
      errorMessage: null,
      replayError: { code: 'REPLAY_FAILED', message: '' },
      payloadScrubbed: {
        at: now.toISOString(),
        reason: 'payload removed 30 days after the dead letter was resolved (DLQ_SCRUB_AFTER_DAYS)',
      },
    });
    expect(JSON.stringify(await readModel.get(discardedOld))).not.toContain('ada@example.com');

    // A second run finds nothing more to do.
    expect(await job.runOnce()).toEqual({ dead_letters_scrubbed: 0, dead_letters: 0 });
  });

  it('refuses to replay a scrubbed dead letter with its own code, and a new failure brings the bytes back', async () => {
    const id = await deadLetter(20, { status: 'resolved', closedDaysAgo: 45 });
    await job.runOnce();
    const replayTopics: ReplayTopics = {
      firstRetryTiers: () => Promise.reject(new Error('not asked for a scrubbed row')),
      existingTopics: () => Promise.reject(new Error('not asked for a scrubbed row')),
    };
    const service = new DeadLettersService({
      dataSource,
      capture,
      commands: new OperatorCommands(),
      schemas: { schemaById: () => Promise.reject(new Error('unused')) } as never,
      logger: silentLogger,
      bulkLimit: 100,
      replayTopics,
      onReplayAccepted: () => undefined,
    });

    const refused = await service
      .replay({ ids: [id] }, 'ops', 'retry', { one: true })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProblemError);
    expect(refused).toMatchObject({ code: 'DEAD_LETTER_PAYLOAD_SCRUBBED' });
    const bulk = await service.replay({ ids: [id] }, 'ops', 'retry');
    expect(bulk.skipped).toEqual([
      expect.objectContaining({ id, status: 'resolved', code: 'DEAD_LETTER_PAYLOAD_SCRUBBED' }),
    ]);

    // The replayed record fails again later: the row is pending with the record's bytes, replayable again.
    const again = await capture.capture(captureOf(dlqRecord(20, 21)), json);
    expect(again).toEqual({ id, outcome: 'failed_again' });
    const revived = await readModel.get(id);
    expect(revived).toMatchObject({ status: 'pending', payloadScrubbed: null });
    expect(revived?.value?.decoded).toEqual({ email: 'ada@example.com' });
  });
});
