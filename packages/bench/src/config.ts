import { parseArgs } from 'node:util';

export const SUITES = ['backbone', 'ingestion', 'connectors'] as const;
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

export type Command =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'run'; readonly suite: SuiteName; readonly options: BackboneOptions };

export const USAGE = `Usage: npm run bench -- <suite> [options]

Suites:
  backbone   raw kafkajs producer, outbox + relay, inbox consumer, against Kafka's ProducerPerformance
  ingestion  verified webhooks/s and latency through apps/ingestion, against a bare node + pg server
  connectors connector-payments against provider-sim: events/s end to end, and under a simulator throttle

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
  return { kind: 'run', suite, options };
}

function isSuite(name: string): name is SuiteName {
  return (SUITES as readonly string[]).includes(name);
}

function integer(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  // Underscores and commas as digit separators: --events 100_000 reads like the printed figures.
  const value = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${flag} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function property(raw: string): string {
  if (!/^[a-z][a-z0-9.]*=\S+$/i.test(raw)) {
    throw new RangeError(
      `--pp-prop must look like name=value (a Java producer property), got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}
