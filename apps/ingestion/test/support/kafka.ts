import { headerText } from '@tributary/kafka';
import { stackFromEnv, waitFor } from '@tributary/testkit';
import { Kafka, logLevel } from 'kafkajs';

/** Every record on the topics, by ce_id, read from the beginning: how tests count what reached Kafka. */
export interface TopicReader {
  /** ce_id → how many records carry it. */
  readonly counts: Map<string, number>;
  readonly headers: Map<string, Record<string, string>>;
  /** Resolves once every id has been seen at least once. */
  waitForIds(ids: Iterable<string>, timeoutMs?: number): Promise<void>;
  /** Resolves once `condition` holds over what was read so far. */
  waitFor(condition: () => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves once everything on the topics right now has been read: later counts are final. */
  waitForEnd(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function readTopics(topics: readonly string[], group: string): Promise<TopicReader> {
  const kafka = new Kafka({
    clientId: group,
    brokers: stackFromEnv().kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: group });
  const counts = new Map<string, number>();
  const headers = new Map<string, Record<string, string>>();
  const positions = new Map<string, bigint>();
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      positions.set(`${topic}/${partition}`, BigInt(message.offset) + 1n);
      const id = headerText(message.headers, 'ce_id');
      if (!id) return;
      counts.set(id, (counts.get(id) ?? 0) + 1);
      const all: Record<string, string> = {};
      for (const name of Object.keys(message.headers ?? {}))
        all[name] = headerText(message.headers, name) ?? '';
      headers.set(id, all);
    },
  });
  return {
    counts,
    headers,
    waitForIds: async (ids, timeoutMs = 60_000) => {
      const wanted = [...ids];
      await waitFor(() => wanted.every((id) => counts.has(id)), {
        timeoutMs,
        message: `${wanted.filter((id) => !counts.has(id)).length} of ${wanted.length} events on Kafka`,
      });
    },
    waitFor: async (condition, timeoutMs = 60_000) => {
      await waitFor(condition, { timeoutMs, message: 'condition over the records read' });
    },
    waitForEnd: async (timeoutMs = 60_000) => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const ends = (
          await Promise.all(
            topics.map(async (topic) =>
              (await admin.fetchTopicOffsets(topic)).map((p) => ({
                key: `${topic}/${p.partition}`,
                high: BigInt(p.high),
              })),
            ),
          )
        ).flat();
        await waitFor(
          () => ends.every(({ key, high }) => high === 0n || (positions.get(key) ?? 0n) >= high),
          {
            timeoutMs,
            message: 'consumer at the end of the topics',
          },
        );
      } finally {
        await admin.disconnect();
      }
    },
    stop: () => consumer.disconnect(),
  };
}
