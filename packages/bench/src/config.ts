import { parseArgs } from 'node:util';
import { BENCH_ENTITIES } from './suites/reconciliation/names.js';
import type { BenchEntityName } from './suites/reconciliation/names.js';
import type { SoakOptions } from './suites/soak/run.js';

export const SUITES = ['backbone', 'ingestion', 'connectors', 'reconciliation', 'soak'] as const;
export type SuiteName = (typeof SUITES)[number];

export interface BackboneOptions {
  /** Events per phase. */
  readonly events: number;
  /** Records per send: the relay's batchSize and the raw producer's batch. */
  readonly batch: number;
  /** Bytes per send (the relay's maxBatchBytes), applied to the raw producer's batches too. */
  readonly batchBytes: number;
  /** Concurrent outbox writers, one connection each. */
  readonly writers: number;
  /** Events per writer transaction. */
  readonly transactionSize: number;
  /** Run the outbox writers on the relay's event loop rather than on a worker thread. */
  readonly inlineWriters: boolean;
  /** Distinct Kafka keys (order ids). */
  readonly keys: number;
  readonly partitions: number;
  /** partitionsConsumedConcurrently of the inbox consumer. */
  readonly consumerConcurrency: number;
  /** Size of the encoded record value. */
  readonly recordBytes: number;
  /** Records the raw producer sends untimed first, so its phase does not pay the JIT warm-up alone. */
  readonly warmup: number;
  /** Skip Kafka's ProducerPerformance (no java here, or only the platform's figures wanted). */
  readonly skipCeiling: boolean;
  /** Extra `name=value` producer properties for ProducerPerformance, after (so over) the defaults. */
  readonly ceilingProps: readonly string[];
}

export interface ReconciliationOptions {
  /** Objects seeded at the owner per entity (and rows in the local projection). */
  readonly records: number;
  /** Share of them the owner changed behind the platform's back (0..1). */
  readonly drift: number;
  /** The entities swept, one after the other. */
  readonly entities: readonly BenchEntityName[];
}

/** The soak's options as the command line gives them (the small test's kill-one-replica mode is its own). */
export type SoakSuiteOptions = Omit<SoakOptions, 'killOnlyFirstReplica'>;

export type Command =
  | { readonly kind: 'help'; readonly text: string }
  | {
      readonly kind: 'run';
      readonly suite: SuiteName;
      readonly options: BackboneOptions;
      readonly reconciliation: ReconciliationOptions;
      readonly soak: SoakSuiteOptions;
    };

export const USAGE = `Usage: npm run bench -- <suite> [options]

Suites:
  backbone   raw kafkajs producer, outbox + relay, inbox consumer, against Kafka's ProducerPerformance
  ingestion  verified webhooks/s and latency through apps/ingestion, against a bare node + pg server
  connectors connector-payments against provider-sim: events/s end to end, and under a simulator throttle
  reconciliation
             FULL sweeps of seeded owners through each connector and the reconciler: records/s, requests
             per record, mismatches against the injected drift, peak RSS, the sweep at the documented limit

Options (backbone):
  --events N        events per phase (default 20000)
  --batch N         records per send: relay batchSize and raw producer batch (default 500)
  --batch-bytes N   bytes per send: relay maxBatchBytes and raw producer batch (default 786432)
  --writers N       concurrent outbox writers (default 4)
  --tx-size N       events per writer transaction (default 100)
  --inline-writers  run the outbox writers on the relay's event loop (default: a worker thread)
  --keys N          distinct keys (default 1000)
  --partitions N    partitions of every bench topic (default 6)
  --concurrency N   partitions the inbox consumer handles concurrently (default: --partitions)
  --record-bytes N  encoded value size (default 1024)
  --warmup N        untimed records before the raw producer phase (default 2000)
  --no-ceiling      skip Kafka's ProducerPerformance
  --pp-prop K=V     extra producer property for ProducerPerformance, repeatable (e.g. batch.size=262144)

Options (reconciliation):
  --records N       objects seeded per entity, at most 1,000,000 (default 100000)
  --drift R         share of them drifted at the owner, 0..1 (default 0.01)
  --entities LIST   comma-separated, or all: ${BENCH_ENTITIES.join(', ')} (default all)

Options (soak):
  --events N        orders and provider webhooks in all, 11 per order (default 100000)
  --rate N          orders placed per second (default 8)
  --seed N          seed of the fault plan (default: random, printed)
  --replicas N      instances of ingestion, dlq-handler and each connector (default 2)
  --kills N         SIGKILLs of each app instance (default 2)

  -h, --help        this text

Connection details come from KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL when set; otherwise the
testkit starts or reuses the local stack.`;

/** Parses the command line (without node and script). Throws a RangeError naming the bad option. */
export function parseCommand(argv: readonly string[]): Command {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      events: { type: 'string' },
      batch: { type: 'string' },
      'batch-bytes': { type: 'string' },
      writers: { type: 'string' },
      'tx-size': { type: 'string' },
      'inline-writers': { type: 'boolean' },
      keys: { type: 'string' },
      partitions: { type: 'string' },
      concurrency: { type: 'string' },
      'record-bytes': { type: 'string' },
      warmup: { type: 'string' },
      'no-ceiling': { type: 'boolean' },
      'pp-prop': { type: 'string', multiple: true },
      records: { type: 'string' },
      drift: { type: 'string' },
      entities: { type: 'string' },
      rate: { type: 'string' },
      seed: { type: 'string' },
      replicas: { type: 'string' },
      kills: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length === 0) return { kind: 'help', text: USAGE };
  if (positionals.length > 1) throw new RangeError(`one suite at a time, got ${positionals.join(', ')}`);
  const suite = positionals[0]!;
  if (!isSuite(suite)) throw new RangeError(`unknown suite ${suite}; known: ${SUITES.join(', ')}`);

  const partitions = integer('--partitions', values.partitions, 6, 1);
  const options: BackboneOptions = {
    events: integer('--events', values.events, 20_000, 1),
    batch: integer('--batch', values.batch, 500, 1),
    // The relay's default: keeps a request under the broker's default 1 MiB message.max.bytes.
    batchBytes: integer('--batch-bytes', values['batch-bytes'], 768 * 1024, 1),
    writers: integer('--writers', values.writers, 4, 1),
    transactionSize: integer('--tx-size', values['tx-size'], 100, 1),
    inlineWriters: values['inline-writers'] ?? false,
    keys: integer('--keys', values.keys, 1_000, 1),
    partitions,
    consumerConcurrency: integer('--concurrency', values.concurrency, partitions, 1),
    // Below this an OrderPlaced with its ids does not fit; the fixture pads upwards only.
    recordBytes: integer('--record-bytes', values['record-bytes'], 1_024, 256),
    warmup: integer('--warmup', values.warmup, 2_000, 0),
    skipCeiling: values['no-ceiling'] ?? false,
    ceilingProps: (values['pp-prop'] ?? []).map(property),
  };
  const reconciliation: ReconciliationOptions = {
    // The simulator seeds at most 1,000,000 objects a call.
    records: integer('--records', values.records, 100_000, 1, 1_000_000),
    drift: share('--drift', values.drift, 0.01),
    entities: entityList(values.entities),
  };
  const soak: SoakSuiteOptions = {
    events: integer('--events', values.events, 100_000, 11),
    ordersPerSecond: integer('--rate', values.rate, 8, 1),
    seed: integer('--seed', values.seed, Math.floor(Math.random() * 2 ** 31), 0, 2 ** 32 - 1),
    replicas: integer('--replicas', values.replicas, 2, 1, 8),
    killsPerInstance: integer('--kills', values.kills, 2, 0),
    brokerRestarts: 1,
    postgresRestarts: 1,
    providerFaultRate: 0.05,
    stallMs: 180_000,
  };
  return { kind: 'run', suite, options, reconciliation, soak };
}

function isSuite(name: string): name is SuiteName {
  return (SUITES as readonly string[]).includes(name);
}

function integer(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (raw === undefined) return fallback;
  // Underscores and commas as digit separators: --events 100_000 reads like the printed figures.
  const value = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `within ${min}..${max.toLocaleString('en-US')}`;
    throw new RangeError(`${flag} must be an integer ${range}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function share(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`${flag} must be a share within 0..1 (0.01 is 1 %), got ${JSON.stringify(raw)}`);
  }
  return value;
}

function entityList(raw: string | undefined): BenchEntityName[] {
  if (raw === undefined || raw.trim() === 'all') return [...BENCH_ENTITIES];
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(BENCH_ENTITIES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new RangeError(
      `--entities takes all or a comma-separated list of ${BENCH_ENTITIES.join(', ')}, got ${JSON.stringify(raw)}`,
    );
  }
  // In the suite's order, each once.
  return BENCH_ENTITIES.filter((entity) => names.includes(entity));
}

function property(raw: string): string {
  if (!/^[a-z][a-z0-9.]*=\S+$/i.test(raw)) {
    throw new RangeError(
      `--pp-prop must look like name=value (a Java producer property), got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}
