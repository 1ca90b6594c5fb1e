import type { Consumer, IMemberAssignment, Kafka } from 'kafkajs';
import { partitionCounts } from '../kafka-client.js';
import { errorFields } from '../logger.js';
import type { Logger } from '../logger.js';

/**
 * This member's part of its group's source partitions, as Kafka assigned them at the last join: what a
 * replica may use of something the whole group shares (a provider's quota), split the way the work is.
 */
export interface SourceAssignment {
  /** Source-topic partitions assigned to this member, by topic; the group's retry tiers are left out. */
  readonly partitions: Readonly<Record<string, readonly number[]>>;
  /** How many source partitions this member holds. */
  readonly assigned: number;
  /** How many partitions the source topics have in all, from the cluster's metadata. */
  readonly total: number;
}

export type SourceAssignmentListener = (assignment: SourceAssignment) => void;

/** The source-topic part of a join's assignment, counted against the topics' partition counts. */
export function sourceAssignmentOf(
  memberAssignment: IMemberAssignment,
  topics: readonly string[],
  counts: ReadonlyMap<string, number>,
): SourceAssignment {
  const partitions: Record<string, readonly number[]> = {};
  let assigned = 0;
  let total = 0;
  for (const topic of topics) {
    const mine = [...(memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    partitions[topic] = mine;
    assigned += mine.length;
    // A partition added since the counts were read is at least as many as the highest one assigned.
    total += Math.max(counts.get(topic) ?? 0, mine.length === 0 ? 0 : mine[mine.length - 1]! + 1);
  }
  return { partitions, assigned, total };
}

/**
 * Tells `listener` this member's source assignment after every join of the group: the first, and each
 * rebalance (a replica came or went, partitions were added). kafkajs revokes everything when a rebalance
 * starts and assigns afresh at its end, so the join's assignment is the whole of what this member holds
 * until the next one. The topics' partition counts are read once, then again after each join in the
 * background (partitions added to a topic start a rebalance), the listener hearing again when they changed.
 */
export class SourceAssignmentWatch {
  readonly #kafka: Kafka;
  readonly #topics: readonly string[];
  readonly #listener: SourceAssignmentListener;
  readonly #logger: Logger;
  #counts: ReadonlyMap<string, number> | undefined;
  /** Joins seen: a slower refresh of an earlier join must not report over a later one. */
  #joins = 0;

  constructor(kafka: Kafka, topics: readonly string[], listener: SourceAssignmentListener, logger: Logger) {
    this.#kafka = kafka;
    this.#topics = topics;
    this.#listener = listener;
    this.#logger = logger;
  }

  /** Follows the joins of `consumer` (the reliable consumer makes a new one when it re-subscribes). */
  follow(consumer: Consumer): void {
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      void this.#joined(payload.memberAssignment);
    });
  }

  async #joined(memberAssignment: IMemberAssignment): Promise<void> {
    const join = ++this.#joins;
    const known = this.#counts;
    if (known) this.#listener(sourceAssignmentOf(memberAssignment, this.#topics, known));
    await this.#readCounts(join, memberAssignment, known, 0);
  }

  /**
   * Reads the partition counts for the join `join`, again with backoff while they cannot be read (a broker
   * down), until a later join takes over. Meanwhile the last known counts stand; before any is known, the
   * highest assigned partition stands in for each topic's (sourceAssignmentOf), reported once.
   */
  async #readCounts(
    join: number,
    memberAssignment: IMemberAssignment,
    known: ReadonlyMap<string, number> | undefined,
    attempt: number,
  ): Promise<void> {
    try {
      const counts = await partitionCounts(this.#kafka, this.#topics);
      this.#counts = counts;
      const changed = !known || this.#topics.some((topic) => known.get(topic) !== counts.get(topic));
      if (changed && join === this.#joins)
        this.#listener(sourceAssignmentOf(memberAssignment, this.#topics, counts));
    } catch (error) {
      this.#logger.warn(
        { topics: this.#topics, attempt, ...errorFields(error) },
        'partition counts not read',
      );
      if (join !== this.#joins) return;
      if (!known && attempt === 0)
        this.#listener(sourceAssignmentOf(memberAssignment, this.#topics, new Map()));
      const retryInMs = Math.min(30_000, 1_000 * 2 ** attempt);
      setTimeout(() => void this.#readCounts(join, memberAssignment, known, attempt + 1), retryInMs).unref();
    }
  }
}
