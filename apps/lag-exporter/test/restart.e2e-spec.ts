import { createKafkaClient, ensureTopics, silentLogger } from '@tributary/kafka';
import { createTestDatabase, stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import { onlyGroups, sample, startExporter } from './support.js';
import type { RunningExporter } from './support.js';

/**
 * The exporter as a process on the real stack, stopped and started again: the lag in seconds of a stopped
 * group goes on growing across the restart (the sample history is in Postgres), and of two replicas only
 * the one holding the lock exports.
 */
describe('lag exporter across restarts and replicas', () => {
  const kafka = createKafkaClient({
    clientId: uniqueName('lag-e2e'),
    brokers: stackFromEnv().kafka.brokers,
    logger: silentLogger,
  });
  const admin = kafka.admin();
  let database: TestDatabase;
  const running: RunningExporter[] = [];

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'lag_e2e' });
    await admin.connect();
  });

  afterAll(async () => {
    for (const exporter of running) await exporter.process.kill('SIGKILL').catch(() => undefined);
    await admin.disconnect();
    await database?.drop();
  });

  /** A group that committed 8 of 20 records on one partition and went away: 12 records behind, for good. */
  async function stoppedGroup(): Promise<{ topic: string; group: string }> {
    const topic = uniqueName('lag-e2e');
    const group = uniqueName('lag-e2e-group');
    await ensureTopics(kafka, [{ topic, numPartitions: 1 }]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ value: `r${i}` })) });
    await producer.disconnect();
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '8' }] });
    return { topic, group };
  }

  const start = async (groups: string) => {
    const exporter = await startExporter({ databaseUrl: database.url, groups });
    running.push(exporter);
    return exporter;
  };

  it('keeps the lag in seconds of a stopped group growing across a restart', async () => {
    const { topic, group } = await stoppedGroup();
    const labels = { group, topic, partition: '0' };
    const seen: number[] = [];
    /** Scrapes until `until` holds for the latest value, keeping every value seen in order. */
    const watch = (exporter: RunningExporter, what: string, until: (latest: number) => boolean) =>
      waitFor(
        what,
        async () => {
          const value = sample(await exporter.metrics(), 'kafka_consumergroup_group_lag_seconds', labels);
          if (value === undefined || Number.isNaN(value)) return false;
          seen.push(value);
          return until(value);
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );

    const first = await start(onlyGroups(group));
    await watch(first, 'lag in seconds of 3 s before the restart', (v) => v >= 3);
    const beforeRestart = seen.at(-1)!;
    expect((await first.process.kill('SIGTERM')).code).toBe(0);
    const restartAt = seen.length;

    const second = await start(onlyGroups(group));
    // The first value after the restart already carries the history: without it this would be about 0.
    await watch(second, 'the lag after the restart', () => true);
    expect(seen[restartAt]!).toBeGreaterThanOrEqual(beforeRestart);
    await watch(second, 'the lag growing after the restart', (v) => v >= beforeRestart + 2);

    // Never once went backwards, across both processes.
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    const metrics = await second.metrics();
    expect(sample(metrics, 'kafka_consumergroup_group_lag', labels)).toBe(12);
    expect(sample(metrics, 'kafka_consumergroup_group_members', { group })).toBe(0);
    expect(sample(metrics, 'kafka_consumergroup_group_state', { group, state: 'Empty' })).toBe(1);
    expect(sample(metrics, 'kafka_consumergroup_group_state', { group, state: 'Stable' })).toBe(0);
    await second.process.kill('SIGTERM');
  });

  it('exports from one replica at a time; the standby takes over when the active one dies', async () => {
    const { topic, group } = await stoppedGroup();
    const labels = { group, topic, partition: '0' };
    const a = await start(onlyGroups(group));
    const b = await start(onlyGroups(group));

    const lagOf = async (exporter: RunningExporter) =>
      sample(await exporter.metrics(), 'kafka_consumergroup_group_lag', labels);
    const activeOf = async (exporter: RunningExporter) =>
      sample(await exporter.metrics(), 'tributary_lag_exporter_active');
    await waitFor(
      'one replica exporting the group',
      async () => (await lagOf(a)) === 12 || (await lagOf(b)) === 12,
    );
    const [active, standby] = (await activeOf(a)) === 1 ? [a, b] : [b, a];

    expect(await activeOf(active)).toBe(1);
    expect(await activeOf(standby)).toBe(0);
    // Not one group or partition series on the standby: Prometheus scraping both holds each series once.
    // (Unlabelled gauges such as the poll time read 0 there; prom-client always writes them.)
    expect(await standby.metrics()).not.toMatch(/^kafka_(consumergroup|partition)_\w+\{/m);

    await active.process.kill('SIGKILL');
    await waitFor('the standby exporting the group', async () => (await lagOf(standby)) === 12, 60_000);
    expect(await activeOf(standby)).toBe(1);
    await standby.process.kill('SIGTERM');
  });
});
