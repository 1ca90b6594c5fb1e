import { randomUUID } from 'node:crypto';
import type { DomainEvent, EventDefinition } from '@tributary/contracts';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { createKafkaClient } from '../src/kafka-client.js';
import type { Logger } from '../src/logger.js';

export { waitFor } from '@tributary/testkit';

/** Connection details of the real stack; the testkit's global setup provides them. */
export function stackEnv(): { brokers: string; registryUrl: string } {
  const brokers = process.env.KAFKA_BROKERS;
  const registryUrl = process.env.SCHEMA_REGISTRY_URL;
  if (!brokers || !registryUrl) {
    throw new Error('KAFKA_BROKERS and SCHEMA_REGISTRY_URL must be set (the testkit global setup sets them)');
  }
  return { brokers, registryUrl };
}

/** Topic- and group-safe unique name, so parallel tests never share Kafka state. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function testKafka(logger: Logger = captureLogger().logger): Kafka {
  return createKafkaClient({ clientId: uniqueName('kafka-int'), brokers: stackEnv().brokers, logger });
}

export function captureLogger(): {
  logger: Logger;
  lines: { level: string; message: string; fields: object }[];
} {
  const lines: { level: string; message: string; fields: object }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) =>
    void lines.push({ level, message, fields });
  return { logger: { debug: () => {}, info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

/** Reads everything on `topic` with a throwaway group, for asserting what landed in a tier or the DLQ. */
export type CollectedMessage = KafkaMessage & { partition: number };

export async function collect(
  kafka: Kafka,
  topic: string,
): Promise<{ messages: CollectedMessage[]; stop(): Promise<void> }> {
  const messages: CollectedMessage[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('collector'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message, partition }) => void messages.push({ ...message, partition }),
  });
  return { messages, stop: () => consumer.disconnect() };
}

export function text(message: KafkaMessage, header: string): string | undefined {
  const value = message.headers?.[header];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? String(value[value.length - 1]) : String(value);
}

export function orderPlacedDefinition(topic: string): EventDefinition {
  return {
    type: 'test.order.placed',
    topic,
    recordName: 'tributary.test.order.OrderPlaced',
    schema: {
      type: 'record',
      name: 'OrderPlaced',
      namespace: 'tributary.test.order',
      fields: [
        { name: 'orderId', type: 'string' },
        { name: 'amountMinor', type: 'long' },
        { name: 'note', type: ['null', 'string'], default: null },
      ],
    },
  };
}

export function orderCancelledDefinition(topic: string): EventDefinition {
  return {
    type: 'test.order.cancelled',
    topic,
    recordName: 'tributary.test.order.OrderCancelled',
    schema: {
      type: 'record',
      name: 'OrderCancelled',
      namespace: 'tributary.test.order',
      fields: [
        { name: 'orderId', type: 'string' },
        { name: 'reason', type: 'string' },
      ],
    },
  };
}

export function orderPlaced(orderId: string, overrides: Partial<DomainEvent> = {}): DomainEvent {
  return {
    id: uuidv7(),
    type: 'test.order.placed',
    source: '/tributary/kafka-int',
    subject: orderId,
    time: new Date().toISOString(),
    data: { orderId, amountMinor: 1250, note: null },
    ...overrides,
  };
}
