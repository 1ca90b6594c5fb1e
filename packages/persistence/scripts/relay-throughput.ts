/**
 * Measures the outbox relay against a raw kafkajs producer with the same settings (idempotent, acks=all,
 * one request in flight), for 1 KiB values. Prints figures; asserts nothing.
 *
 *   DATABASE_URL=... KAFKA_BROKERS=... TSX_TSCONFIG_PATH=tsconfig.base.json ROUNDS=3 \
 *     node --import tsx --conditions=source packages/persistence/scripts/relay-throughput.ts [rows] [batch]
 *
 * (a) raw: sendBatch of `batch` messages, one after the other.
 * (b) relay: the relay publishing a preloaded backlog of `rows` rows (the preload is not timed).
 * (c) end to end: 4 writers commit transactions of 100 outbox rows while the relay runs, until Kafka
 *     acknowledged the last row.
 * Other processes may share the cores, so (a) and (b) alternate for ROUNDS rounds and the median ratio is
 * printed, with this process's CPU time per row, which depends less on the neighbours.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { EncodedRecord, RecordSink } from '@tributary/kafka';
import { createDataSource, Outbox, OutboxRelay } from '../src/index.js';
import { createTopics, deleteTopics, KafkajsSink, kafkaClient } from '../test/support/kafka.js';
import { interleaved } from '../test/support/records.js';

const url = required('DATABASE_URL');
const brokers = required('KAFKA_BROKERS');
const rows = Number(process.argv[2] ?? 50_000);
const batchSize = Number(process.argv[3] ?? 1000);
const rounds = Number(process.env['ROUNDS'] ?? 3);
const valueSize = 1024;
const partitions = 3;
const suffix = Date.now().toString(36);
const schema = `bench_relay_${suffix}`;
const topics = {
  raw: `bench.raw.v1.${suffix}`,
  relay: `bench.relay.v1.${suffix}`,
  e2e: `bench.e2e.v1.${suffix}`,
};

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const kafka = kafkaClient(brokers, 'relay-throughput');
await createTopics(kafka, Object.values(topics), partitions);
const producer = new KafkajsSink(kafka);
await producer.connect();
const dataSource = createDataSource({ url, schema, poolSize: 8, migrationsRun: true });
await dataSource.initialize();
const outbox = new Outbox();

/** The producer, timed: how much of the wall time Kafka was busy with a send. */
let sinkBusyMs = 0;
const sink: RecordSink = {
  async send(records: readonly EncodedRecord[]) {
    const started = performance.now();
    try {
      await producer.send(records);
    } finally {
      sinkBusyMs += performance.now() - started;
    }
  },
};

try {
  await sink.send(records(topics.raw).slice(0, batchSize)); // warm-up: connections and metadata
  const ratios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const raw = await measure(() => rawProduce(topics.raw));
    await preload(topics.relay);
    const relay = await measure(() => runRelay(async () => undefined));
    ratios.push(relay.rate / raw.rate);
    console.log(
      `round ${round}: (a) raw ${fmt(raw.rate)}, ${raw.cpuUsPerRow.toFixed(0)} µs CPU/row | ` +
        `(b) relay ${fmt(relay.rate)}, ${relay.cpuUsPerRow.toFixed(0)} µs CPU/row, ` +
        `sink busy ${(relay.sinkShare * 100).toFixed(0)}% of the time | ratio ${(relay.rate / raw.rate).toFixed(2)}`,
    );
  }
  ratios.sort((x, y) => x - y);
  console.log(
    `rows=${rows} batch=${batchSize} value=${valueSize} B partitions=${partitions} rounds=${rounds}`,
  );
  console.log(`median ratio (b)/(a): ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)}`);
  const e2e = await measure(() => writersAndRelay(topics.e2e));
  console.log(`(c) 4 writers (transactions of 100 rows) + relay, end to end: ${fmt(e2e.rate)}`);
} finally {
  await producer.disconnect();
  await dataSource.destroy();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
  await admin.end();
  await deleteTopics(kafka, Object.values(topics));
}

function fmt(rate: number): string {
  return `${Math.round(rate).toLocaleString('en-US')} rows/s`;
}

async function measure(run: () => Promise<void>) {
  sinkBusyMs = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    rate: rows / (wallMs / 1000),
    cpuUsPerRow: (used.user + used.system) / rows,
    sinkShare: sinkBusyMs / wallMs,
  };
}

/** Random bytes after the label: Avro payloads hardly compress, and neither should the benchmark's. */
function records(topic: string): EncodedRecord[] {
  return interleaved(topic, 100, Math.ceil(rows / 100), valueSize)
    .slice(0, rows)
    .map((record) => {
      const value = randomBytes(valueSize);
      record.value.copy(value, 0, 0, 16);
      return { ...record, value };
    });
}

async function rawProduce(topic: string): Promise<void> {
  const all = records(topic);
  for (let i = 0; i < all.length; i += batchSize) await sink.send(all.slice(i, i + batchSize));
}

async function preload(topic: string): Promise<void> {
  const all = records(topic);
  for (let i = 0; i < all.length; i += 5000) {
    await dataSource.transaction((manager) => outbox.add(manager, all.slice(i, i + 5000)));
  }
}

async function writersAndRelay(topic: string): Promise<void> {
  const all = records(topic);
  let next = 0;
  await runRelay(async () => {
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (;;) {
          const from = next;
          next += 100;
          if (from >= all.length) return;
          await dataSource.transaction((manager) => outbox.add(manager, all.slice(from, from + 100)));
        }
      }),
    );
  });
}

/** Starts a relay, runs `produce`, and resolves once `rows` rows were acknowledged and marked. */
async function runRelay(produce: () => Promise<void>): Promise<void> {
  let published = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const relay = new OutboxRelay({
    dataSource,
    sink,
    batchSize,
    onEvent(event) {
      if (event.type === 'published' && (published += event.count) >= rows) resolveDone();
    },
  });
  relay.start();
  await produce();
  await done;
  await relay.stop();
}
