import { TributaryError } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import { cloudEventHeaders, forwardingHeaders, headerText } from '@tributary/kafka';
import { createTopics, stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import type { Producer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import type { DlqHandlerFixture } from './support.js';
import { dlqHandler, listAll } from './support.js';

describe('dlq-handler killed with SIGKILL in the middle of a bulk replay', () => {
  let handler: DlqHandlerFixture;
  let producer: Producer;

  beforeAll(async () => {
    // The killed process's claim must expire before its restarted successor (a new owner) settles that row:
    // a 3 s lease rather than the default 30 s keeps the test short.
    handler = await dlqHandler({ ratePerSecond: 20, burst: 1, env: { REPLAY_LEASE_MS: '3000' } });
    producer = handler.kafka.producer();
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await handler?.close();
  });

  it('after a restart every record is replayed exactly once, and the audit log tells what happened', async () => {
    const n = 60;
    const group = uniqueName('crashed');
    await createTopics(stackFromEnv().kafka.brokers, [
      { topic: `${group}.retry.1s`, partitions: 2 },
      { topic: `${group}.dlq`, partitions: 2 },
    ]);
    let app = await handler.start();
    await producer.send({
      topic: `${group}.dlq`,
      messages: Array.from({ length: n }, (_, i) => ({
        key: `k-${i}`,
        value: Buffer.from(`v-${i}`),
        headers: forwardingHeaders({
          headers: cloudEventHeaders({
            id: uuidv7(),
            type: 'commerce.order.placed',
            source: '/test',
            subject: `k-${i}`,
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
        }),
      })),
    });
    await waitFor(async () => (await listAll(handler, `group=${group}`)).length === n, {
      timeoutMs: 60_000,
      message: `${n} dead letters stored`,
    });

    const landed: string[] = [];
    const observer = handler.kafka.consumer({ groupId: uniqueName('observer') });
    await observer.connect();
    await observer.subscribe({ topic: `${group}.retry.1s`, fromBeginning: true });
    await observer.run({
      eachMessage: async ({ message }) => {
        landed.push(headerText(message.headers, 'tributary-dead-letter-id')!);
      },
    });
    try {
      const response = await handler.api('/v1/dead-letters/replay', {
        body: { filter: { group }, reason: 'provider is back (INC-7)' },
      });
      expect(response.status).toBe(202);
      // At 20/s the 60 records take 3 s: kill in the middle.
      await waitFor(() => landed.length >= 15, { timeoutMs: 30_000, message: 'replay under way' });
      await app.kill('SIGKILL');
      const atKill = landed.length;
      expect(atKill).toBeLessThan(n);

      app = await handler.start();
      await waitFor(
        async () => {
          const { rows } = await handler.pool.query<{ n: string }>(
            `SELECT count(*) AS n FROM dead_letters WHERE consumer_group = $1 AND NOT replay_pending AND replay_count = 1`,
            [group],
          );
          return Number(rows[0]!.n) === n;
        },
        { timeoutMs: 60_000, message: 'every row sent once' },
      );
      await waitFor(() => landed.length >= n, { timeoutMs: 30_000, message: 'every record in the tier' });
      const ids = (await listAll(handler, `group=${group}`)).map((s) => s.id);
      expect(landed.length).toBe(n);
      expect(new Set(landed)).toEqual(new Set(ids));

      const audit = await handler.pool.query<{
        actor: string;
        action: string;
        reason: string;
        details: { count: number };
      }>(`SELECT actor, action, reason, details FROM audit_log ORDER BY at`);
      expect(audit.rows).toEqual([
        expect.objectContaining({
          actor: 'api-key:ops',
          action: 'dlq.replay',
          reason: 'provider is back (INC-7)',
          details: expect.objectContaining({ count: n, filter: { group } }),
        }),
      ]);
    } finally {
      await observer.disconnect();
    }
  });
});
