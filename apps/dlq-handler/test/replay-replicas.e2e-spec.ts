import { TributaryError } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import { cloudEventHeaders, forwardingHeaders, headerText } from '@tributary/kafka';
import { createTopics, stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import type { Producer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import type { DlqHandlerFixture } from './support.js';
import { dlqHandler } from './support.js';

/** `tributary_dlq_replays_total{outcome="sent"}` of one group, as one process's /metrics says. */
async function sentBy(url: string, group: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('tributary_dlq_replays_total{') &&
        l.includes(`consumer_group="${group}"`) &&
        l.includes('outcome="sent"'),
    );
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('dlq-handler with two replicas, one killed with SIGKILL in the middle of a bulk replay', () => {
  let handler: DlqHandlerFixture;
  let producer: Producer;

  beforeAll(async () => {
    // A 3 s lease: the killed replica's claims expire, and the survivor settles them, within the test.
    handler = await dlqHandler({ ratePerSecond: 100, burst: 5, env: { REPLAY_LEASE_MS: '3000' } });
    producer = handler.kafka.producer();
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await handler?.close();
  });

  it('replays each of 1,000 dead letters exactly once across both, the survivor finishing what the dead one left', async () => {
    const n = 1_000;
    const group = uniqueName('replicas');
    const tier = `${group}.retry.1s`;
    await createTopics(stackFromEnv().kafka.brokers, [
      { topic: tier, partitions: 3 },
      { topic: `${group}.dlq`, partitions: 3 },
    ]);
    await handler.start();
    const second = await handler.startReplica();
    for (let start = 0; start < n; start += 250) {
      await producer.send({
        topic: `${group}.dlq`,
        messages: Array.from({ length: 250 }, (_, j) => {
          const i = start + j;
          return {
            key: `k-${i % 50}`,
            value: Buffer.from(`v-${i}`),
            headers: forwardingHeaders({
              headers: cloudEventHeaders({
                id: uuidv7(),
                type: 'commerce.order.placed',
                source: '/test',
                subject: `k-${i % 50}`,
                time: new Date().toISOString(),
                data: {},
              } as DomainEvent),
              topic: 'commerce.order.v1',
              partition: 0,
              offset: String(i),
              timestamp: String(Date.now()),
              groupId: group,
              error: new TributaryError('PROVIDER_DOWN', 'provider down', { retriable: true }),
              code: 'PROVIDER_DOWN',
              attempt: 4,
              replayTopic: tier,
            }),
          };
        }),
      });
    }
    const count = async (where: string) => {
      const { rows } = await handler.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM dead_letters WHERE consumer_group = $1 AND ${where}`,
        [group],
      );
      return Number(rows[0]!.n);
    };
    await waitFor(async () => (await count('TRUE')) === n, {
      timeoutMs: 60_000,
      message: 'every dead letter stored',
    });

    const landed = new Map<string, number>();
    let records = 0;
    const observer = handler.kafka.consumer({ groupId: uniqueName('observer') });
    await observer.connect();
    await observer.subscribe({ topic: tier, fromBeginning: true });
    await observer.run({
      eachMessage: async ({ message }) => {
        const id = headerText(message.headers, 'tributary-dead-letter-id') ?? '(none)';
        landed.set(id, (landed.get(id) ?? 0) + 1);
        records += 1;
      },
    });
    try {
      const response = await handler.api('/v1/dead-letters/replay', {
        body: { filter: { group }, reason: 'provider is back (INC-16)' },
      });
      expect(response.status).toBe(202);
      // Each replica sends at most 100/s: the 1,000 take about 5 s with both. Kill one when both have sent.
      await waitFor(
        async () => (await sentBy(second.url, group)) > 0 && (await sentBy(handler.url, group)) > 0,
        {
          timeoutMs: 30_000,
          message: 'both replicas sending',
        },
      );
      await second.app.kill('SIGKILL');
      const atKill = records;
      expect(atKill).toBeLessThan(n);

      await waitFor(async () => (await count('NOT replay_pending AND replay_count = 1')) === n, {
        timeoutMs: 60_000,
        message: 'every row replayed once',
      });
      await waitFor(() => records >= n, { timeoutMs: 30_000, message: 'every record in the tier' });
      const { rows } = await handler.pool.query<{ id: string }>(
        `SELECT id FROM dead_letters WHERE consumer_group = $1`,
        [group],
      );
      expect(landed).toEqual(new Map(rows.map((row) => [row.id, 1])));
      const admin = handler.kafka.admin();
      await admin.connect();
      try {
        const total = (await admin.fetchTopicOffsets(tier)).reduce((sum, p) => sum + Number(p.high), 0);
        expect(total).toBe(n);
      } finally {
        await admin.disconnect();
      }
      expect(await count('claimed_by IS NOT NULL')).toBe(0);
    } finally {
      await observer.disconnect();
    }
  });
});
