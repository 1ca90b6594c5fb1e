import { TributaryError } from '@tributary/contracts';
import { KafkaEventProducer, createKafkaClient, forwardingHeaders, silentLogger } from '@tributary/kafka';
import { createDataSource } from '@tributary/persistence';
import { TokenBucket } from '@tributary/service-kit';
import { createTestDatabase, createTopics, stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import type { Admin, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { dlqMetrics } from '../metrics/dlq.metrics.js';
import { CaptureStore } from './capture-store.js';
import type { DeadLetterDetail } from './dead-letters.routes.js';
import { DeadLettersService } from './dead-letters.service.js';
import { deadLetterMigrations } from './migrations.js';
import { OperatorCommands } from './operator-commands.js';
import { DeadLetterReadModel } from './read-model.js';
import { ReplayQueue } from './replay-queue.js';
import { ReplayStallMonitor } from './replay-stall.js';
import { ReplayDispatcher } from './replay.dispatcher.js';
import { TopicDirectory } from './topic-directory.js';

/**
 * Where replays go and what becomes of them, on the real Kafka and Postgres: the service, the dispatcher and
 * the stall monitor as the app wires them, a group with two tiers whose first one is deleted as
 * `kafka-topics.sh --delete` does (a DeleteTopics request through the admin API).
 */
describe('replay targets and outcomes (real Kafka and Postgres)', () => {
  const brokers = stackFromEnv().kafka.brokers;
  const kafka = createKafkaClient({ clientId: 'replay-targets-test', brokers, logger: silentLogger });
  const admin: Admin = kafka.admin();
  const producer = new KafkaEventProducer(kafka);
  let db: TestDatabase;
  let dataSource: DataSource;
  let readModel: DeadLetterReadModel;
  let service: DeadLettersService;
  let dispatcher: ReplayDispatcher;
  const stallAfterMs = 1_500;
  let monitor: ReplayStallMonitor;

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
    db = await createTestDatabase({ prefix: 'dlq_targets' });
    dataSource = await createDataSource({
      url: db.url,
      migrationsRun: true,
      migrations: deadLetterMigrations,
    }).initialize();
    readModel = new DeadLetterReadModel(dataSource);
    const queue = new ReplayQueue(dataSource);
    const topics = new TopicDirectory(admin);
    dispatcher = new ReplayDispatcher({
      queue,
      sink: producer,
      topics,
      bucket: new TokenBucket({ ratePerSecond: 1_000, burst: 100 }),
      findReplayed: async () => new Set(),
      logger: silentLogger,
    });
    service = new DeadLettersService({
      dataSource,
      capture: new CaptureStore(dataSource),
      commands: new OperatorCommands(),
      schemas: { schemaById: () => Promise.reject(new Error('no Avro here')) },
      logger: silentLogger,
      bulkLimit: 100,
      replayTopics: topics,
      onReplayAccepted: () => {},
    });
    monitor = new ReplayStallMonitor(queue, stallAfterMs, silentLogger);
  });
  afterAll(async () => {
    await producer.disconnect();
    await admin.disconnect();
    await dataSource?.destroy();
    await db?.drop();
  });

  /** A group with tiers 1s and 1m, and `n` dead letters whose DLQ records name the 1s tier, as stored. */
  async function group(n = 1): Promise<{ group: string; first: string; next: string; ids: string[] }> {
    const name = uniqueName('targets');
    const first = `${name}.retry.1s`;
    const next = `${name}.retry.1m`;
    await createTopics(brokers, [
      { topic: first, partitions: 1 },
      { topic: next, partitions: 1 },
    ]);
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1) {
      await service.onDeadLetter({
        topic: `${name}.dlq`,
        partition: 0,
        offset: String(i),
        timestamp: String(Date.now()),
        key: Buffer.from(`order-${i}`),
        value: Buffer.from(JSON.stringify({ i })),
        headers: forwardingHeaders({
          headers: { ce_id: uuidv7() },
          topic: 'commerce.order.v1',
          partition: 0,
          offset: String(100 + i),
          timestamp: String(Date.now()),
          groupId: name,
          error: new TributaryError('PROVIDER_REJECTED', 'provider said no'),
          code: 'PROVIDER_REJECTED',
          attempt: 3,
          replayTopic: first,
        }) as Record<string, string>,
      });
    }
    const rows = (await dataSource.query(
      `SELECT id FROM dead_letters WHERE consumer_group = $1 ORDER BY original_offset`,
      [name],
    )) as { id: string }[];
    ids.push(...rows.map((r) => r.id));
    return { group: name, first, next, ids };
  }

  async function deleteTopic(topic: string): Promise<void> {
    await admin.deleteTopics({ topics: [topic] });
    await waitFor(async () => !(await admin.listTopics()).includes(topic), {
      message: `${topic} deleted`,
    });
  }

  async function recordsIn(topic: string): Promise<number> {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  }

  async function read(topic: string, count: number): Promise<KafkaMessage[]> {
    const messages: KafkaMessage[] = [];
    const reader = kafka.consumer({ groupId: uniqueName('reader') });
    await reader.connect();
    try {
      await reader.subscribe({ topics: [topic], fromBeginning: true });
      await reader.run({ eachMessage: async ({ message }) => void messages.push(message) });
      await waitFor(() => messages.length >= count, { message: `${count} record(s) in ${topic}` });
      return messages;
    } finally {
      await reader.disconnect();
    }
  }

  const row = async (id: string) => (await readModel.get(id)) as DeadLetterDetail;
  const replays = async (consumerGroup: string, outcome: string) =>
    (await dlqMetrics.replays.get()).values.find(
      (v) => v.labels.consumer_group === consumerGroup && v.labels.outcome === outcome,
    )?.value ?? 0;

  it('refuses a replay whose tier was deleted instead of sending it to the next tier', async () => {
    const g = await group(2);
    expect((await row(g.ids[0]!)).replayTopic).toBe(g.first);
    await deleteTopic(g.first);

    await expect(service.replay({ ids: [g.ids[0]!] }, 'test', 'provider fixed')).rejects.toMatchObject({
      code: 'REPLAY_TARGET_MISSING',
      detail: expect.stringContaining(g.first),
    });
    await expect(
      service.replay({ filter: { group: g.group } }, 'test', 'provider fixed'),
    ).rejects.toMatchObject({ code: 'REPLAY_TARGET_MISSING' });
    expect(await dispatcher.dispatchOnce()).toBe(0);
    expect(await recordsIn(g.next)).toBe(0);
    for (const id of g.ids) expect(await row(id)).toMatchObject({ status: 'pending', replayCount: 0 });
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM audit_log`)).toEqual([{ n: 0 }]);

    // The tier is back (its consumer recreates it): the same replay goes exactly there, once each.
    await createTopics(brokers, [{ topic: g.first, partitions: 1 }]);
    const accepted = await service.replay({ filter: { group: g.group } }, 'test', 'provider fixed');
    expect(accepted.ids).toHaveLength(2);
    expect(await dispatcher.dispatchOnce()).toBe(2);
    const landed = await read(g.first, 2);
    expect(landed.map((m) => String(m.headers!['tributary-dead-letter-id'])).sort()).toEqual(
      [...g.ids].sort(),
    );
    expect(await recordsIn(g.first)).toBe(2);
    expect(await recordsIn(g.next)).toBe(0);
  });

  it('fails a replay visibly on the row when its tier is deleted before it is sent', async () => {
    const g = await group();
    const [id] = g.ids as [string];
    const abandoned = await replays(g.group, 'abandoned');
    expect((await service.replay({ ids: [id] }, 'test', 'retry it')).ids).toEqual([id]);
    await deleteTopic(g.first);

    expect(await dispatcher.dispatchOnce()).toBe(1);
    const failed = await row(id);
    expect(failed).toMatchObject({
      status: 'pending',
      replayCount: 0,
      replayedAt: null,
      replayTopic: g.first,
      replayError: { code: 'REPLAY_TARGET_MISSING', message: expect.stringContaining(g.first) },
    });
    expect(failed.statusReason).toContain('does not exist');
    expect(
      (await dataSource.query(`SELECT replay_pending FROM dead_letters WHERE id = $1`, [id]))[0],
    ).toEqual({ replay_pending: false });
    expect(await replays(g.group, 'abandoned')).toBe(abandoned + 1);
    expect(await recordsIn(g.next)).toBe(0);
    expect(await dispatcher.dispatchOnce()).toBe(0);

    await createTopics(brokers, [{ topic: g.first, partitions: 1 }]);
    await service.replay({ ids: [id] }, 'test', 'tier is back');
    expect((await row(id)).replayError).toBeNull();
    expect(await dispatcher.dispatchOnce()).toBe(1);
    expect(await row(id)).toMatchObject({ status: 'replaying', replayCount: 1, replayError: null });
    expect(await recordsIn(g.first)).toBe(1);
    expect(await recordsIn(g.next)).toBe(0);
  });

  it('flags a sent replay that never comes back after the bound; it can be replayed again or resolve late', async () => {
    const g = await group(2);
    const [lost, late] = g.ids as [string, string];
    const stalledBefore = await replays(g.group, 'stalled');
    await service.replay({ ids: g.ids }, 'test', 'after the fix');
    expect(await dispatcher.dispatchOnce()).toBe(2);
    expect(await recordsIn(g.first)).toBe(2);
    // Sent just now: within the bound neither is flagged (the sweep covers the whole table).
    await monitor.sweep();
    expect((await row(lost)).status).toBe('replaying');
    expect((await row(late)).status).toBe('replaying');
    // The tier goes with both records in it, then its consumer recreates it empty.
    await deleteTopic(g.first);
    await createTopics(brokers, [{ topic: g.first, partitions: 1 }]);

    // The monitor's sweep, as its timer runs it, until the bound has passed.
    await waitFor(
      async () => {
        await monitor.sweep();
        return (await row(lost)).status === 'replay_stalled' && (await row(late)).status === 'replay_stalled';
      },
      { message: 'both replays flagged stalled', timeoutMs: 15_000, intervalMs: 200 },
    );
    await monitor.sweep();
    expect(await row(lost)).toMatchObject({ status: 'replay_stalled', replayCount: 1 });
    expect((await row(lost)).replayStalledAt).not.toBeNull();
    expect((await row(late)).status).toBe('replay_stalled');
    expect(await replays(g.group, 'stalled')).toBe(stalledBefore + 2);
    expect(await readModel.counts({ group: g.group, status: 'replay_stalled' })).toEqual([
      { errorCode: 'PROVIDER_REJECTED', status: 'replay_stalled', consumerGroup: g.group, count: 2 },
    ]);

    // A late resolution still closes it.
    await service.onResolution({
      topic: `${g.group}.dlq.resolved`,
      key: Buffer.from(late),
      value: Buffer.from(JSON.stringify({ deadLetterId: late, consumerGroup: g.group })),
    });
    expect((await row(late)).status).toBe('resolved');

    // The lost one is replayed again: once more into its tier, waiting for its outcome anew.
    const again = await service.replay({ ids: [lost, late] }, 'test', 'lost with the tier');
    expect(again.ids).toEqual([lost]);
    expect(again.skipped).toEqual([
      {
        id: late,
        status: 'resolved',
        code: 'DEAD_LETTER_STATE_CONFLICT',
        reason: expect.stringContaining('it is resolved'),
      },
    ]);
    expect(await dispatcher.dispatchOnce()).toBe(1);
    expect(await row(lost)).toMatchObject({ status: 'replaying', replayCount: 2, replayStalledAt: null });
    const [landed] = await read(g.first, 1);
    expect(String(landed!.headers!['tributary-dead-letter-id'])).toBe(lost);
    expect(await recordsIn(g.first)).toBe(1);
    expect(await recordsIn(g.next)).toBe(0);
  });
});
