import { eventCatalogue } from '@tributary/contracts';
import type { AnyEvent, EventOf, EventType } from '@tributary/contracts';
import { AvroEventDecoder, SchemaRegistryClient, createKafkaClient } from '@tributary/kafka';
import type { StackEndpoints } from '@tributary/testkit';
import { waitFor } from '@tributary/testkit';
import type { Consumer } from 'kafkajs';

/** ce_source of every event the reconciler emits: its repairs and its page requests. */
export const RECONCILIATION_SOURCE = '/tributary/reconciliation';

export interface Seen {
  readonly topic: string;
  readonly event: AnyEvent;
  /** When the tap read it (epoch ms). */
  readonly at: number;
}

/**
 * Every record on a run's topics (catalogue topics, retry tiers, DLQs), decoded, read from the beginning
 * by an observer group: what the tests count. Counting on Kafka, not in a service's tables, is what proves
 * a downstream consumer got exactly one corrective event.
 */
export class EventTap {
  readonly seen: Seen[] = [];

  private constructor(
    private readonly consumer: Consumer,
    private readonly prefix: string,
  ) {}

  /** Subscribes to every existing topic under `prefix`: start it after the platform created its topics. */
  static async start(stack: StackEndpoints, prefix: string): Promise<EventTap> {
    const kafka = createKafkaClient({ clientId: 'reconciliation-e2e-tap', brokers: stack.kafka.brokers });
    const decoder = new AvroEventDecoder({
      registry: new SchemaRegistryClient({ url: stack.registry.url }),
      readerDefinitions: Object.values(eventCatalogue),
    });
    const consumer = kafka.consumer({ groupId: `${prefix}observer` });
    const tap = new EventTap(consumer, prefix);
    await consumer.connect();
    await consumer.subscribe({
      topics: [new RegExp(`^${prefix.replaceAll('.', '\\.')}`)],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const event = (await decoder.decode(message)) as AnyEvent;
        tap.seen.push({ topic, event, at: Date.now() });
      },
    });
    return tap;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  /** Events of a type on its catalogue topic (not their copies on retry tiers or in a DLQ). */
  events<T extends EventType>(type: T, subject?: string): EventOf<T>[] {
    const topic = `${this.prefix}${eventCatalogue[type].topic}`;
    return this.seen
      .filter((s) => s.topic === topic && s.event.type === type && (!subject || s.event.subject === subject))
      .map((s) => s.event as EventOf<T>);
  }

  /** Corrective domain events the reconciler emitted (its page requests left out). */
  repairs(type?: EventType, subject?: string): AnyEvent[] {
    return this.seen
      .map((s) => s.event)
      .filter(
        (e) =>
          e.source === RECONCILIATION_SOURCE &&
          !e.type.startsWith('reconciliation.') &&
          (!type || e.type === type) &&
          (!subject || e.subject === subject),
      );
  }

  /** Records on a group's dead-letter topic, e.g. `connector-payments`. */
  deadLetters(group: string): AnyEvent[] {
    return this.seen.filter((s) => s.topic.endsWith(`${group}.dlq`)).map((s) => s.event);
  }

  /**
   * Resolves once no entity event (anything but the reconciler's page traffic) has arrived for `ms`: the
   * platform has settled, and the reconciler's settle window (which defers whatever changed within it on
   * either side) has passed over everything.
   */
  async quietFor(ms: number, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `${ms} ms without entity events`,
      () => {
        const last = this.seen.findLast((s) => !s.event.type.startsWith('reconciliation.'));
        return !last || Date.now() - last.at >= ms;
      },
      { timeoutMs, intervalMs: 50 },
    );
  }
}
