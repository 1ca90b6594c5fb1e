import { createKafkaClient, silentLogger } from '@tributary/kafka';
import type { Consumer } from 'kafkajs';
import type { TapRecord } from './checks.js';

const TOPICS = ['commerce.order.v1', 'payments.payment.v1', 'logistics.shipment.v1', 'crm.contact.v1'];

/**
 * Reads the run's topics from the beginning, keeping type, subject and source from the CloudEvents headers
 * (no Avro decoding needed for counting). Records are deduplicated by position: the tap itself reads at
 * least once, and is restarted by kafkajs when the broker goes away.
 */
export async function startTap(brokers: readonly string[], prefix: string, group: string) {
  const kafka = createKafkaClient({ clientId: 'soak-tap', brokers: [...brokers], logger: silentLogger });
  let stopped = false;
  const consumer: Consumer = kafka.consumer({
    groupId: group,
    // Never after stop: a crash handled while `stop` disconnects would otherwise arm a restart that
    // disconnect already passed, and the process (the test) could not exit.
    retry: {
      retries: 50,
      initialRetryTime: 300,
      maxRetryTime: 5_000,
      restartOnFailure: async () => !stopped,
    },
  });
  const records = new Map<string, TapRecord>();
  await consumer.connect();
  await consumer.subscribe({ topics: TOPICS.map((t) => `${prefix}${t}`), fromBeginning: true });
  const header = (headers: Record<string, unknown> | undefined, name: string) => {
    const value = headers?.[name];
    return value === undefined ? '' : String(value);
  };
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const id = `${topic}|${partition}|${message.offset}`;
      if (records.has(id)) return;
      records.set(id, {
        id: header(message.headers, 'ce_id'),
        topic,
        partition,
        offset: message.offset,
        type: header(message.headers, 'ce_type'),
        subject: header(message.headers, 'ce_subject'),
        source: header(message.headers, 'ce_source'),
        timestamp: Number(message.timestamp),
      });
    },
  });
  return {
    records: () => [...records.values()],
    count: () => records.size,
    stop: () => {
      stopped = true;
      return consumer.disconnect().catch(() => undefined);
    },
  };
}
export type Tap = Awaited<ReturnType<typeof startTap>>;
