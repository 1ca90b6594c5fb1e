import { topics } from '@tributary/contracts';
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/** A deprecated topic as the cluster names it (with the deployment's prefix) and its sunset day. */
export interface DeprecatedTopic {
  readonly topic: string;
  /** `YYYY-MM-DD`: the last day of dual publication (contracts' `deprecation.sunset`). */
  readonly sunset: string;
}

/** The catalogue's deprecated topics under this deployment's KAFKA_TOPIC_PREFIX. */
export function catalogueDeprecatedTopics(prefix: string): DeprecatedTopic[] {
  return topics.flatMap((t) =>
    t.deprecation ? [{ topic: `${prefix}${t.name}`, sunset: t.deprecation.sunset }] : [],
  );
}

/**
 * Who still reads a topic on its way out (docs/migrations/README.md): a group with a committed offset on it.
 * Labels stay bounded: one sunset per topic, and groups are already a label of every lag series.
 */
export function createDeprecatedReaderMetrics(registry: Registry) {
  const registers = [registry];
  return {
    readers: new Gauge({
      name: 'tributary_deprecated_topic_readers',
      help: '1 for each consumer group with a committed offset on a deprecated topic.',
      labelNames: ['topic', 'group', 'sunset'] as const,
      registers,
    }),
    readerLag: new Gauge({
      name: 'tributary_deprecated_topic_reader_lag',
      help: 'Records of a deprecated topic the group has not consumed, summed over the partitions it committed on; growing when the group moved to the new major and left its old offsets behind.',
      labelNames: ['topic', 'group'] as const,
      registers,
    }),
    sunset: new Gauge({
      name: 'tributary_deprecated_topic_sunset_timestamp_seconds',
      help: 'Start of the sunset day of each deprecated topic, from the topic catalogue.',
      labelNames: ['topic'] as const,
      registers,
    }),
  };
}

export type DeprecatedReaderMetrics = ReturnType<typeof createDeprecatedReaderMetrics>;

export function sunsetSeconds(sunset: string): number {
  return Date.parse(`${sunset}T00:00:00Z`) / 1000;
}
