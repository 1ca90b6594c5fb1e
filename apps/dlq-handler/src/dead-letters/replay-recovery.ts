import { headerText } from '@tributary/kafka';
import type { Kafka } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { DEAD_LETTER_ID_HEADER } from './domain/dead-letter.js';

// Producer and broker clocks differ; records stamped a little before the send started still count.
const CLOCK_SKEW_MS = 30_000;

/**
 * Which of `wanted` (dead-letter ids) were written to `topic` at or after `since`: reads the topic from the
 * offsets of that time to its current end with a throwaway group that commits nothing. This is how a
 * restarted handler settles the rows it was sending when it died, instead of sending them a second time.
 */
export async function findReplayed(
  kafka: Kafka,
  topic: string,
  since: Date,
  wanted: ReadonlySet<string>,
  timeoutMs = 60_000,
): Promise<Set<string>> {
  const admin = kafka.admin();
  await admin.connect();
  let starts: { partition: number; offset: string }[];
  let ends: { partition: number; high: string }[];
  try {
    starts = await admin.fetchTopicOffsetsByTimestamp(topic, since.getTime() - CLOCK_SKEW_MS);
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect().catch(() => {});
  }
  const remaining = new Map<number, { next: bigint; high: bigint }>();
  for (const end of ends) {
    const start = starts.find((s) => s.partition === end.partition);
    // -1: no record at or after the time, i.e. nothing to read on this partition.
    const next = start === undefined || start.offset === '-1' ? BigInt(end.high) : BigInt(start.offset);
    if (next < BigInt(end.high)) remaining.set(end.partition, { next, high: BigInt(end.high) });
  }
  const found = new Set<string>();
  if (remaining.size === 0) return found;

  const consumer = kafka.consumer({
    groupId: `dlq-handler-recovery-${uuidv7()}`,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let finish: () => void = () => {};
    const done = new Promise<void>((resolve) => (finish = resolve));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const id = headerText(message.headers, DEAD_LETTER_ID_HEADER);
        if (id !== undefined && wanted.has(id)) found.add(id);
        const state = remaining.get(partition);
        if (state && BigInt(message.offset) + 1n >= state.high) remaining.delete(partition);
        if (remaining.size === 0) finish();
      },
    });
    for (const [partition, state] of remaining)
      consumer.seek({ topic, partition, offset: state.next.toString() });
    const timer = setTimeout(finish, timeoutMs);
    await done;
    clearTimeout(timer);
    if (remaining.size > 0) throw new Error(`could not read ${topic} to its end within ${timeoutMs} ms`);
    return found;
  } finally {
    await consumer.disconnect().catch(() => {});
  }
}
