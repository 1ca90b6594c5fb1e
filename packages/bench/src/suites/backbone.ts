import {
  AvroEventEncoder,
  SchemaRegistryClient,
  createKafkaClient,
  topicRecordSubject,
} from '@tributary/kafka';
import { createDataSource } from '@tributary/persistence';
import { acquireStack, kafkaToolCommand, uniqueName } from '@tributary/testkit';
import type { DataSource } from 'typeorm';
import { pgInsertsCeiling } from '../ceilings/pg-inserts.js';
import {
  PRODUCER_PERFORMANCE_CLASS,
  producerPerformanceArgs,
  runProducerPerformance,
} from '../ceilings/producer-performance.js';
import type { BackboneOptions } from '../config.js';
import { encodedOrderEvents, orderPlacedOn } from '../fixtures/order-events.js';
import { Scratch } from '../infra/scratch.js';
import { measureProcess } from '../process-report.js';
import { deadlineMs } from './backbone/figures.js';
import { inboxConsumerPhase } from './backbone/inbox-consumer.js';
import type { InboxConsumerFigures } from './backbone/inbox-consumer.js';
import { outboxRelayPhase } from './backbone/outbox-relay.js';
import type { OutboxRelayFigures } from './backbone/outbox-relay.js';
import { inlineWriters, startWriterThread } from './backbone/outbox-writers.js';
import type { OutboxWriters } from './backbone/outbox-writers.js';
import { rawProducerPhase } from './backbone/raw-producer.js';
import { renderBackboneReport } from './backbone/report.js';
import type { BackboneResults, Outcome, ShardRun } from './backbone/report.js';

/** The relay shard rows: shards, relay instances sharing them. One relay holding all shards is the default
 * deployment (one replica); two relays over four shards is two replicas. */
const SHARD_RUNS: ReadonlyArray<{ readonly shards: number; readonly relays: number }> = [
  { shards: 1, relays: 1 },
  { shards: 2, relays: 1 },
  { shards: 4, relays: 1 },
  { shards: 4, relays: 2 },
];

/** The share of keys whose first event fails once in (d): issue #11's "1 % of keys failing". */
const FAILING_KEY_SHARE = 0.01;

/**
 * The backbone suite (issue #2): Kafka's ProducerPerformance, (a) a raw kafkajs producer, the raw pg insert
 * ceiling, (b) the outbox and relay, (b') the relay alone on a backlog, (c) the inbox consumer a transaction
 * per event, (c') batched, (d) batched with 1 % of keys failing into a retry tier — one after the other in one run against one stack, so the ratios compare like with like. Everything it creates is removed at the end. Resolves to the
 * printed report; a phase that fails is reported as not measured instead of aborting the rest.
 */
export async function runBackbone(options: BackboneOptions, log: (line: string) => void): Promise<string> {
  const stack = await acquireStack({ log: (line) => log(`stack: ${line}`) });
  const { endpoints } = stack;
  const kafka = createKafkaClient({ clientId: 'tributary-bench', brokers: endpoints.kafka.brokers });
  const scratch = new Scratch({
    kafka,
    registryUrl: endpoints.registry.url,
    databaseUrl: endpoints.postgres.url,
  });
  let dataSource: DataSource | undefined;
  const cleanUp = async () => {
    await dataSource?.destroy().catch(() => undefined);
    const problems = await scratch.dispose();
    await stack.release().catch((error: unknown) => problems.push(`release stack: ${String(error)}`));
    return problems;
  };
  const onSignal = () => {
    log('interrupted: removing what the run created');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const run = uniqueName('bench.backbone');
    const topics = { raw: `${run}.raw`, outbox: `${run}.outbox`, drain: `${run}.drain`, pp: `${run}.pp` };
    const groupId = `${run}.inbox`;
    log(`run ${run}: creating topics (${options.partitions} partitions) and a database`);
    await scratch.createTopics(Object.values(topics), options.partitions);
    const database = await scratch.createDatabase('bench_backbone');
    dataSource = createDataSource({
      url: database.url,
      // Every writer and every concurrently consumed partition holds a connection; the relay opens its own.
      poolSize: Math.max(options.writers, options.consumerConcurrency) + 1,
      migrationsRun: true,
      applicationName: 'tributary-bench',
    });
    await dataSource.initialize();

    const registry = new SchemaRegistryClient({ url: endpoints.registry.url });
    const definition = orderPlacedOn(topics.outbox);
    scratch.trackSubject(topicRecordSubject(definition.topic, definition.recordName));
    const encoder = new AvroEventEncoder({ registry, definitions: [definition] });
    log(`encoding ${options.events} events of ${options.recordBytes} B`);
    const workload = await encodedOrderEvents(encoder, {
      count: options.events,
      keys: options.keys,
      recordBytes: options.recordBytes,
    });
    const { records } = workload;

    const ceiling: Outcome<Awaited<ReturnType<typeof runProducerPerformance>>> = options.skipCeiling
      ? { error: 'skipped (--no-ceiling)' }
      : await attempt('Kafka ProducerPerformance', log, async () => {
          const jvm = await kafkaToolCommand(
            PRODUCER_PERFORMANCE_CLASS,
            producerPerformanceArgs({
              brokers: endpoints.kafka.brokers,
              topic: topics.pp,
              records: options.events,
              recordSize: options.recordBytes,
              extraProps: options.ceilingProps,
            }),
            endpoints.kafka.version === 'unknown' ? {} : { version: endpoints.kafka.version },
          );
          return runProducerPerformance(jvm, deadlineMs(options.events));
        });

    const raw = await measured('(a) raw kafkajs producer', log, () =>
      rawProducerPhase({
        kafka,
        topic: topics.raw,
        records,
        batch: options.batch,
        batchBytes: options.batchBytes,
        warmup: options.warmup,
      }),
    );
    const pg = await measured('raw pg inserts', log, () =>
      pgInsertsCeiling({
        url: database.url,
        records,
        writers: options.writers,
        transactionSize: options.transactionSize,
      }),
    );
    const ds = dataSource;
    const relayOptions = { kafka, batch: options.batch, batchBytes: options.batchBytes };
    const outboxPhase = async (
      source: DataSource,
      schema: string,
      mode: 'concurrent' | 'backlog',
      topic: string,
    ): Promise<Outcome<OutboxRelayFigures>> => {
      const name = mode === 'concurrent' ? '(b) outbox + relay' : "(b') relay draining a backlog";
      const phaseRecords = topic === topics.outbox ? records : records.map((r) => ({ ...r, topic }));
      const settings = { writers: options.writers, transactionSize: options.transactionSize };
      let writers: OutboxWriters;
      try {
        // Started before the clock: a thread's start-up (loading TypeORM, connecting) is not the outbox's cost.
        writers = options.inlineWriters
          ? inlineWriters(source, phaseRecords, settings)
          : await startWriterThread({ url: database.url, schema, records: phaseRecords, ...settings });
      } catch (error) {
        return failed(name, log, error);
      }
      try {
        return await measured(name, log, () =>
          outboxRelayPhase({ ...relayOptions, dataSource: source, writers, records: phaseRecords, mode }),
        );
      } finally {
        await writers.stop();
      }
    };
    const outbox = await outboxPhase(ds, 'public', 'concurrent', topics.outbox);
    // Its own outbox (a second schema) and topic: the same event ids again, and (c) reads only (b)'s topic.
    const drainSource = createDataSource({
      url: database.url,
      schema: 'bench_drain',
      poolSize: options.writers + 1,
      migrationsRun: true,
      applicationName: 'tributary-bench',
    });
    await drainSource.initialize();
    const drain = await outboxPhase(drainSource, 'bench_drain', 'backlog', topics.drain).finally(() =>
      drainSource.destroy(),
    );
    // Relay shards: each run drains the same backlog from its own outbox (schema) to its own topic.
    const shardRuns: ShardRun[] = [];
    for (const { shards, relays } of SHARD_RUNS) {
      const tag = `shards_${shards}_relays_${relays}`;
      const topic = `${run}.${tag.replaceAll('_', '-')}`;
      const name = `(s) ${shards} shard${shards > 1 ? 's' : ''}, ${relays} relay${relays > 1 ? 's' : ''}`;
      const outcome = await (async (): Promise<Outcome<OutboxRelayFigures>> => {
        await scratch.createTopics([topic], options.partitions);
        const source = createDataSource({
          url: database.url,
          schema: `bench_${tag}`,
          poolSize: options.writers + relays,
          migrationsRun: true,
          applicationName: 'tributary-bench',
        });
        await source.initialize();
        const phaseRecords = records.map((r) => ({ ...r, topic }));
        const settings = { writers: options.writers, transactionSize: options.transactionSize };
        let writers: OutboxWriters | undefined;
        try {
          writers = options.inlineWriters
            ? inlineWriters(source, phaseRecords, settings)
            : await startWriterThread({
                url: database.url,
                schema: `bench_${tag}`,
                records: phaseRecords,
                ...settings,
              });
          const phaseWriters = writers;
          return await measured(name, log, () =>
            outboxRelayPhase({
              ...relayOptions,
              dataSource: source,
              writers: phaseWriters,
              records: phaseRecords,
              mode: 'backlog',
              shards,
              relays,
            }),
          );
        } catch (error) {
          return failed(name, log, error);
        } finally {
          await writers?.stop();
          await source.destroy();
        }
      })();
      shardRuns.push({ shards, relays, outcome });
    }
    // (c), (c') and (d) read what (b) published, each as its own group with its own effect table.
    const inboxPhase = async (
      name: string,
      tag: string,
      mode: 'event' | 'batch',
      failingSubjects?: ReadonlySet<string>,
    ): Promise<Outcome<InboxConsumerFigures>> => {
      if (!outbox.figures) return { error: 'skipped: it consumes what (b) published' };
      const group = `${groupId}-${tag}`;
      scratch.trackGroup(group);
      scratch.trackGroup(`${group}.scan`);
      return measured(name, log, () =>
        inboxConsumerPhase({
          kafka,
          registry,
          dataSource: ds,
          topic: topics.outbox,
          groupId: group,
          table: `bench_effect_${tag}`,
          events: records.length,
          concurrency: options.consumerConcurrency,
          mode,
          ...(failingSubjects ? { failingSubjects } : {}),
          onTopics: (created) => scratch.trackTopics(created),
        }),
      );
    };
    const inbox = await inboxPhase('(c) inbox consumer, a transaction per event', 'event', 'event');
    const inboxBatched = await inboxPhase("(c') inbox consumer, batched", 'batch', 'batch');
    const failingSubjects = new Set(
      workload.subjects.slice(0, Math.max(1, Math.round(workload.subjects.length * FAILING_KEY_SHARE))),
    );
    const inboxFailing = await inboxPhase(
      `(d) batched, ${failingSubjects.size} of ${workload.subjects.length} keys failing`,
      'failing',
      'batch',
      failingSubjects,
    );
    // (c') again: the base of (d)'s comparison is the mean of the runs around it, so a slow moment of the
    // machine during one of them does not pass for the cost of failing keys.
    const inboxBatchedAgain = await inboxPhase("(c'') batched again", 'batch_again', 'batch');

    const results: BackboneResults = {
      options,
      stack:
        `${stack.description}: Kafka ${endpoints.kafka.version === 'unknown' ? '' : `${endpoints.kafka.version} `}` +
        `at ${endpoints.kafka.brokers.join(',')}, registry ${endpoints.registry.url}, ` +
        `Postgres ${redactPassword(endpoints.postgres.url)}`,
      workload: {
        valueBytes: workload.valueBytes,
        headerBytes: workload.headerBytes,
        linesPerOrder: workload.linesPerOrder,
      },
      ceiling,
      raw,
      pg,
      outbox,
      drain,
      shardRuns,
      inbox,
      inboxBatched,
      inboxFailing,
      inboxBatchedAgain,
    };
    return renderBackboneReport(results);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    log('cleaning up');
    const problems = await cleanUp();
    for (const problem of problems) log(`cleanup: ${problem}`);
  }
}

async function attempt<T>(
  name: string,
  log: (line: string) => void,
  work: () => Promise<T>,
): Promise<Outcome<T>> {
  log(`${name}...`);
  try {
    return { figures: await work() };
  } catch (error) {
    return failed(name, log, error);
  }
}

async function measured<T>(
  name: string,
  log: (line: string) => void,
  work: () => Promise<T>,
): Promise<Outcome<T>> {
  log(`${name}...`);
  try {
    const { result, process: usage } = await measureProcess(work);
    return { figures: result, usage };
  } catch (error) {
    return failed(name, log, error);
  }
}

function failed(name: string, log: (line: string) => void, error: unknown): { error: string } {
  const message = error instanceof Error ? error.message : String(error);
  log(`${name} failed: ${message}`);
  return { error: message };
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
