import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { kafkaToolCommand } from '../stack/kafka-tools.js';

/** One partition row of `kafka-consumer-groups.sh --describe`. */
export interface ConsumerGroupPartition {
  readonly topic: string;
  readonly partition: number;
  /** null where the group has committed nothing (the tool prints `-`). */
  readonly currentOffset: number | null;
  readonly logEndOffset: number;
  readonly lag: number | null;
}

/**
 * Kafka's own `kafka-consumer-groups.sh --describe --group <group>` (ConsumerGroupCommand from the cached
 * jars of the stack's version), parsed: an independent reading of a group's offsets and lag.
 */
export async function describeConsumerGroup(
  brokers: readonly string[],
  group: string,
  options: { version?: string } = {},
): Promise<ConsumerGroupPartition[]> {
  const { command, args } = await kafkaToolCommand(
    'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
    ['--bootstrap-server', brokers.join(','), '--describe', '--group', group],
    options,
  );
  const { stdout } = await promisify(execFile)(command, args, { maxBuffer: 8 * 1024 * 1024 });
  const rows = stdout.split('\n').map((line) => line.trim().split(/\s+/));
  const header = rows.find((cells) => cells.includes('LOG-END-OFFSET'));
  if (!header) return [];
  const column = (name: string) => header.indexOf(name);
  const number = (cell: string | undefined) => (cell === undefined || cell === '-' ? null : Number(cell));
  return rows
    .filter((cells) => cells[column('GROUP')] === group && cells.length >= header.length - 3)
    .map((cells) => ({
      topic: cells[column('TOPIC')]!,
      partition: Number(cells[column('PARTITION')]),
      currentOffset: number(cells[column('CURRENT-OFFSET')]),
      logEndOffset: Number(cells[column('LOG-END-OFFSET')]),
      lag: number(cells[column('LAG')]),
    }));
}
