import { createKafkaClient, ensureTopics, silentLogger } from '@tributary/kafka';
import {
  createTestDatabase,
  describeConsumerGroup,
  stackFromEnv,
  startBurrowServer,
  startZooKeeperServer,
  uniqueName,
  waitFor,
} from '@tributary/testkit';
import type { BurrowServer, TestDatabase, ZooKeeperServer } from '@tributary/testkit';
import { onlyGroups, sample, startExporter } from './support.js';
import type { RunningExporter } from './support.js';

/**
 * An independent judge: LinkedIn's Burrow (Debian's package, which needs a ZooKeeper: a throwaway one from
 * the cached Kafka 3.9 jars) reads the same cluster, and its lag per partition must match the exporter's
 * within 1 %. Nothing is skipped: without Burrow or Java the test fails, saying what to install.
 *
 * Burrow 1.2.1 cannot read a Kafka 4 cluster: its client asks for metadata in request versions Kafka 4
 * removed (KIP-896), so it never lists a topic. On that line the judge is Kafka's own
 * kafka-consumer-groups tool (ConsumerGroupCommand) of the broker's version instead.
 */
const judgedByBurrow = !/^4\./.test(stackFromEnv().kafka.version);

describe(`lag exporter against ${judgedByBurrow ? 'Burrow' : 'kafka-consumer-groups'}`, () => {
  const stack = stackFromEnv();
  const kafka = createKafkaClient({
    clientId: uniqueName('lag-burrow'),
    brokers: stack.kafka.brokers,
    logger: silentLogger,
  });
  let zookeeper: ZooKeeperServer | undefined;
  let burrow: BurrowServer | undefined;
  let exporter: RunningExporter | undefined;
  let database: TestDatabase | undefined;

  afterAll(async () => {
    await exporter?.process.kill('SIGTERM');
    await burrow?.stop();
    await zookeeper?.stop();
    await database?.drop();
  });

  it('reports the lag of every partition of a stopped group as the judge does, within 1 %', async () => {
    if (judgedByBurrow) {
      zookeeper = await startZooKeeperServer();
      burrow = await startBurrowServer({ brokers: stack.kafka.brokers, zookeeper: zookeeper.address });
    }

    const topic = uniqueName('lag-burrow');
    const group = uniqueName('lag-burrow-group');
    const produced = [300, 170, 45];
    const committed = [120, 169, 0];
    await ensureTopics(kafka, [{ topic, numPartitions: produced.length }]);
    const producer = kafka.producer();
    await producer.connect();
    for (const [partition, count] of produced.entries()) {
      await producer.send({
        topic,
        messages: Array.from({ length: count }, (_, i) => ({ value: `p${partition}-${i}`, partition })),
      });
    }
    await producer.disconnect();
    // Burrow ignores commits to a topic its cluster module has not listed yet (it refreshes every 5 s).
    if (burrow)
      await waitFor(
        'Burrow to see the log ends of the topic',
        async () => JSON.stringify(await burrow!.topicOffsets(topic)) === JSON.stringify(produced),
        { timeoutMs: 60_000, intervalMs: 500 },
      );

    // A real member of the group reads, commits where the test says it got to, and leaves.
    const consumer = kafka.consumer({ groupId: group });
    const read = produced.map(() => 0);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition }) => void read[partition]!++,
    });
    await waitFor('the consumer to read every record', () => read.every((n, p) => n >= produced[p]!), 60_000);
    await consumer.commitOffsets(
      committed.map((offset, partition) => ({ topic, partition, offset: String(offset) })),
    );
    await consumer.disconnect();

    database = await createTestDatabase({ prefix: 'lag_burrow' });
    exporter = await startExporter({ databaseUrl: database.url, groups: onlyGroups(group) });

    // Both read commits and log ends on their own schedule: wait until each has all of them.
    const judgeLag = burrow
      ? await lagByBurrow(burrow, group, topic, produced.length)
      : await lagByTool(group);
    const exporterLag = await waitFor(
      'the exporter to report every partition of the group',
      async () => {
        const metrics = await exporter!.metrics();
        const lags = produced.map((_, partition) =>
          sample(metrics, 'kafka_consumergroup_group_lag', { group, topic, partition: String(partition) }),
        );
        return lags.every((l) => l !== undefined && !Number.isNaN(l)) ? (lags as number[]) : undefined;
      },
      60_000,
    );

    const table = produced.map((_, partition) => ({
      partition,
      [judgedByBurrow ? 'burrow' : 'kafka-consumer-groups']: judgeLag[partition]!,
      exporter: exporterLag[partition]!,
    }));
    process.stdout.write(`lag per partition, judge vs exporter: ${JSON.stringify(table)}\n`);
    for (const [partition, expected] of judgeLag.entries()) {
      const actual = exporterLag[partition]!;
      expect(Math.abs(actual - expected)).toBeLessThanOrEqual(0.01 * Math.max(expected, 1));
    }
    // And both are right: what was produced minus what was committed.
    expect(table.map((row) => row.exporter)).toEqual(produced.map((n, p) => n - committed[p]!));
  });

  /** Burrow's current lag per partition, once it has read a commit for every partition. */
  async function lagByBurrow(burrow: BurrowServer, group: string, topic: string, partitions: number) {
    let burrowSaw: unknown;
    const seen = await waitFor(
      'Burrow to read every commit of the group',
      async () => {
        const lags = await burrow.groupLag(group);
        burrowSaw = lags;
        const read = lags?.filter((p) => p.topic === topic && p.end !== null) ?? [];
        return read.length === partitions ? read : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}; Burrow's last answer: ${JSON.stringify(burrowSaw)}\n${burrow.output()}`,
      );
    });
    return Array.from({ length: partitions }, (_, p) => seen.find((row) => row.partition === p)!.current_lag);
  }

  /** kafka-consumer-groups --describe: the lag per partition the broker's own tool computes. */
  async function lagByTool(group: string) {
    const rows = await describeConsumerGroup(stack.kafka.brokers, group, { version: stack.kafka.version });
    return rows.sort((a, b) => a.partition - b.partition).map((row) => row.lag ?? NaN);
  }
});
