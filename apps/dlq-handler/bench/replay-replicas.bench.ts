/**
 * Replay throughput with 1, 2 and 4 dispatchers on one table, and what the claims cost: each dispatcher as a
 * replica runs it (own pool, producer, owner id), with a bucket that never limits, over `rows` dead letters
 * accepted in one bulk selection into a 6-partition tier. Prints rows/s per replica count and the records per
 * dead-letter id found in the tier (duplicates must be 0). Replicas share this process and the machine's
 * cores with Kafka and Postgres: figures are for this machine; the ratios and the duplicate count carry over.
 * Prints figures, asserts nothing.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.base.json node --import tsx --conditions=source \
 *     apps/dlq-handler/bench/replay-replicas.bench.ts [rows]
 * (connection details from KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL, as the integration tests.)
 * Ends with one stdout line, `BENCH_RESULT ` and the figures as JSON.
 */
import { KafkaEventProducer, createKafkaClient, headerText, silentLogger } from '@tributary/kafka';
import { createDataSource } from '@tributary/persistence';
import { TokenBucket } from '@tributary/service-kit';
import { createTestDatabase, createTopics, stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import { CaptureStore } from '../src/dead-letters/capture-store.js';
import { DEAD_LETTER_ID_HEADER, captureOf } from '../src/dead-letters/domain/dead-letter.js';
import { deadLetterMigrations } from '../src/dead-letters/migrations.js';
import { OperatorCommands } from '../src/dead-letters/operator-commands.js';
import { ReplayQueue } from '../src/dead-letters/replay-queue.js';
import { findReplayed } from '../src/dead-letters/replay-recovery.js';
import { ReplayDispatcher } from '../src/dead-letters/replay.dispatcher.js';
import { TopicDirectory } from '../src/dead-letters/topic-directory.js';

export interface ReplicaFigures {
  readonly replicas: number;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  /** Records in the tier beyond one per dead letter. */
  readonly duplicates: number;
  /** Rows each replica sent. */
  readonly perReplica: readonly number[];
}

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(rows: number): Promise<ReplicaFigures[]> {
  const brokers = stackFromEnv().kafka.brokers;
  const kafka = createKafkaClient({ clientId: 'replay-replicas-bench', brokers, logger: silentLogger });
  const admin = kafka.admin();
  await admin.connect();
  const db = await createTestDatabase({ prefix: 'dlq_bench' });
  const seeding = await createDataSource({
    url: db.url,
    migrationsRun: true,
    migrations: deadLetterMigrations,
  }).initialize();
  const figures: ReplicaFigures[] = [];
  try {
    for (const replicas of [1, 2, 4]) {
      figures.push(await phase(replicas));
      const last = figures.at(-1)!;
      log(
        `${replicas} replica(s): ${last.rows} replays in ${last.seconds.toFixed(2)} s = ${last.rowsPerSecond.toFixed(0)}/s` +
          ` (per replica ${last.perReplica.join(' / ')}), duplicates in the tier: ${last.duplicates}`,
      );
    }
    return figures;
  } finally {
    await seeding.destroy();
    await admin.disconnect();
    await db.drop();
  }

  async function seed(group: string, tier: string): Promise<void> {
    // One captured row, cloned in SQL: seeding is not what is measured.
    const capture = captureOf({
      topic: `${group}.dlq`,
      partition: 0,
      offset: '0',
      timestamp: String(Date.now()),
      key: Buffer.from('key'),
      value: Buffer.alloc(512, 1),
      headers: { 'tributary-error-code': 'X', 'tributary-replay-topic': tier },
    });
    await new CaptureStore(seeding).capture(capture, { kind: 'none', reason: 'bench' });
    const columns = (
      (await seeding.query(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'dead_letters'
         AND table_schema = current_schema()`,
      )) as { column_name: string }[]
    ).map((c) => c.column_name);
    const cloned = columns.map((c) =>
      c === 'id'
        ? 'gen_random_uuid()'
        : c === 'original_offset'
          ? 'g'
          : c === 'raw_key'
            ? `convert_to('key-' || (g % 997), 'UTF8')`
            : c,
    );
    await seeding.query(
      `INSERT INTO dead_letters (${columns.join(', ')})
       SELECT ${cloned.join(', ')} FROM dead_letters, generate_series(1, $2) AS g WHERE consumer_group = $1`,
      [group, rows - 1],
    );
  }

  async function phase(replicas: number): Promise<ReplicaFigures> {
    const group = uniqueName('bench');
    const tier = `${group}.retry.1s`;
    await createTopics(brokers, [{ topic: tier, partitions: 6 }]);
    await seed(group, tier);
    await seeding.transaction((manager) =>
      new OperatorCommands().markForReplay(manager, { filter: { group } }, 'bench', 'bench'),
    );
    const started = await Promise.all(Array.from({ length: replicas }, () => replica()));
    const t0 = performance.now();
    for (const r of started) r.dispatcher.start();
    await waitFor(
      async () => {
        const [row] = (await seeding.query(
          `SELECT count(*) AS n FROM dead_letters WHERE consumer_group = $1 AND replay_pending`,
          [group],
        )) as { n: string }[];
        return Number(row!.n) === 0;
      },
      { timeoutMs: 600_000, intervalMs: 50, message: 'every replay sent' },
    );
    const seconds = (performance.now() - t0) / 1000;
    await Promise.all(started.map((r) => r.close()));
    return {
      replicas,
      rows,
      seconds,
      rowsPerSecond: rows / seconds,
      duplicates: await duplicatesIn(tier),
      perReplica: started.map((r) => r.sent()),
    };
  }

  async function replica() {
    const dataSource = await createDataSource({ url: db.url }).initialize();
    const producer = new KafkaEventProducer(kafka);
    await producer.connect();
    let sent = 0;
    const dispatcher = new ReplayDispatcher({
      queue: new ReplayQueue(dataSource, { owner: uniqueName('bench-owner'), leaseMs: 30_000 }),
      sink: {
        sendMessages: async (batch) => {
          sent += batch.length;
          return producer.sendMessages(batch);
        },
      },
      topics: new TopicDirectory(admin),
      bucket: new TokenBucket({ ratePerSecond: 1_000_000, burst: 200 }),
      batchSize: 200,
      findReplayed: (topic, since, wanted) => findReplayed(kafka, topic, since, wanted),
      logger: silentLogger,
      idleMs: 50,
    });
    return {
      dispatcher,
      sent: () => sent,
      async close() {
        await dispatcher.stop();
        await producer.disconnect();
        await dataSource.destroy();
      },
    };
  }

  async function duplicatesIn(topic: string): Promise<number> {
    const total = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    const ids = new Set<string>();
    let read = 0;
    const reader = kafka.consumer({ groupId: uniqueName('bench-reader') });
    await reader.connect();
    try {
      await reader.subscribe({ topics: [topic], fromBeginning: true });
      await reader.run({
        eachMessage: async ({ message }) => {
          ids.add(headerText(message.headers, DEAD_LETTER_ID_HEADER) ?? '');
          read += 1;
        },
      });
      await waitFor(() => read >= total, { timeoutMs: 120_000, message: `${topic} read` });
      return read - ids.size;
    } finally {
      await reader.disconnect();
    }
  }
}

const rows = Number(process.argv[2] ?? 5_000);
const figures = await main(rows);
const base = figures[0]!.rowsPerSecond;
for (const f of figures.slice(1)) log(`${f.replicas} replicas vs 1: ${(f.rowsPerSecond / base).toFixed(2)}×`);
log(`BENCH_RESULT ${JSON.stringify(figures)}`);
// The platform's goal line format (packages/bench/src/goals.ts), one per goal, last.
const goal = (what: string, figure: string, target: string, met: boolean) =>
  log(`goal ${what}: ${figure} (target ${target}): ${met ? 'MET' : 'NOT MET'}`);
const duplicates = figures.reduce((sum, f) => sum + f.duplicates, 0);
goal('replays duplicated in the tier, every row', String(duplicates), '0', duplicates === 0);
const two = figures.find((f) => f.replicas === 2);
const twoRatio = two ? two.rowsPerSecond / base : Number.NaN;
goal(
  'replay rate with 2 dispatchers vs 1',
  two ? `${twoRatio.toFixed(2)}×` : 'n/a',
  '≥ 1.5×',
  twoRatio >= 1.5,
);
process.exit(0);
