import { eventCatalogue } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import { AvroEventDecoder, SchemaRegistryClient, createKafkaClient } from '@tributary/kafka';
import type { StackEndpoints } from '@tributary/testkit';

/** ce_source of reconciliation's events: its corrective events are the repairs. */
const RECONCILIATION_SOURCE = '/tributary/reconciliation';
/** A broker that stopped answering must not hold the runner's stop path: past this, the tap is left behind. */
const TAP_STOP_TIMEOUT_MS = 10_000;

/** Where a record was read: what a line about it names, whether it decoded or not. */
export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** The line for one decoded event, a reconciliation repair marked as such. */
export function eventLine(at: RecordPosition, event: DomainEvent, now: number): string {
  const lagMs = now - Date.parse(event.time);
  // A corrective event: the platform's copy brought to the owner's state, or the owner's connector asked to
  // write back what the platform set (its page requests are neither).
  const repair =
    event.source !== RECONCILIATION_SOURCE || event.type.startsWith('reconciliation.')
      ? ''
      : event.type.endsWith('.write_back_requested')
        ? ' REPAIR: the platform’s values written back to the owner, found by reconciliation'
        : " REPAIR: the owner's state, found by reconciliation";
  return `kafka  ${at.topic}[${at.partition}]@${at.offset} ${event.type} subject=${event.subject} from ${event.source} (${lagMs} ms after the event)${repair}`;
}

/**
 * The line for a record the tap could not decode (not Avro, an unknown schema id, a registry that did not
 * answer): the record stays where it is for the apps' consumers, which dead-letter it on their own.
 */
export function undecodableLine(at: RecordPosition, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return `kafka  ${at.topic}[${at.partition}]@${at.offset} UNDECODABLE ${typeof code === 'string' ? `${code}: ` : ''}${reason.split('\n')[0]}`;
}

/**
 * Reads every catalogue topic as an observer (its own group, from the end) and prints each event. It only
 * prints: a record it cannot decode is printed as such and skipped, a consumer crash is printed, and
 * `stop()` never throws and never waits past TAP_STOP_TIMEOUT_MS, so the tap cannot hold the runner's stop.
 */
export async function tapCatalogue(
  endpoints: StackEndpoints,
  prefix: string,
  log: (line: string) => void,
): Promise<{ stop(): Promise<void> }> {
  const kafka = createKafkaClient({ clientId: 'tributary-dev-tap', brokers: endpoints.kafka.brokers });
  const decoder = new AvroEventDecoder({
    registry: new SchemaRegistryClient({ url: endpoints.registry.url }),
    readerDefinitions: Object.values(eventCatalogue),
  });
  const consumer = kafka.consumer({ groupId: `${prefix}tributary-dev-tap-${process.pid}` });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    log(
      `kafka  tap crashed: ${payload.error.message}` +
        (payload.restart ? ' (restarting)' : ' (no more events are printed; the apps are not affected)'),
    );
  });
  await consumer.connect();
  const topics = [
    ...new Set(Object.values(eventCatalogue).map((definition) => `${prefix}${definition.topic}`)),
  ];
  await consumer.subscribe({ topics, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const at = { topic, partition, offset: message.offset };
      let line: string;
      try {
        line = eventLine(at, await decoder.decode(message), Date.now());
      } catch (error) {
        // Thrown back to kafkajs, a non-retriable error stops the consumer for good: print and move on.
        line = undecodableLine(at, error);
      }
      log(line);
    },
  });
  return {
    stop: async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        consumer.disconnect(),
        new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            log(`kafka  tap did not disconnect within ${TAP_STOP_TIMEOUT_MS / 1000} s; left behind`);
            resolve();
          }, TAP_STOP_TIMEOUT_MS);
        }),
      ])
        .catch((error: unknown) => log(`kafka  tap stop failed: ${(error as Error).message}`))
        .finally(() => clearTimeout(timer));
    },
  };
}
