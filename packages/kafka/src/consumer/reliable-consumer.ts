import { classifyError } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import { metrics } from '@tributary/observability';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { isDecodeErrorCode } from '../error-codes.js';
import { headerText } from '../headers.js';
import type { RawHeaders } from '../headers.js';
import { ensureTopics, partitionCounts } from '../kafka-client.js';
import { errorFields, stderrLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { KafkaEventProducer } from '../producer.js';
import type { EventDecoder } from '../serde/avro-event-decoder.js';
import { CeHeaders } from '../serde/cloud-events.js';
import { decideOnFailure, pauseUntilDue } from './failure-policy.js';
import type { Classification } from './failure-policy.js';
import {
  DEAD_LETTER_ID_HEADER,
  RetryHeaders,
  deliveryAttempt,
  forwardingHeaders,
  retryDueAt,
} from './forwarding-headers.js';
import { withInProcessRetry } from './in-process-retry.js';
import type { InProcessRetryOptions } from './in-process-retry.js';
import { PartitionPauses } from './partition-pauses.js';
import type { PauseReason } from './partition-pauses.js';
import {
  DEFAULT_RETRY_TIERS,
  dlqResolvedTopicName,
  dlqTopicName,
  retryTiersFor,
  retryTopicSpecs,
} from './retry-topics.js';
import type { RetryTier } from './retry-topics.js';

export interface EventHandlerContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Raw header bytes, as consumed: nothing here is decoded for you, so binary headers stay intact. */
  readonly headers: RawHeaders;
  /** Delivery attempt: 1 on the original topic, 2 on the first retry tier, and so on. */
  readonly attempt: number;
  /** Keeps the group membership alive; call it during long work. Never throws. */
  heartbeat(): Promise<void>;
  /** Aborted when a shutdown's drain timeout runs out: stop and throw, the record will be redelivered. */
  readonly signal: AbortSignal;
}

/**
 * Applies one event. Resolve only after the effect is durable (its transaction committed): the offset is
 * committed after this resolves. Throw a TributaryError to choose the path: retriable → retries and tiers,
 * not retriable → DLQ, `retryAfterMs` → the partition pauses that long.
 */
export type EventHandler = (event: DomainEvent, context: EventHandlerContext) => Promise<void>;

export interface ReliableConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  decoder: EventDecoder;
  handler: EventHandler;
  /** Delays of the group's retry tiers, in order. Default `['5s', '1m', '10m']`. */
  retryTiers?: readonly string[];
  inProcessRetry?: InProcessRetryOptions;
  partitionsConsumedConcurrently?: number;
  /** Bounds for honouring an error's `retryAfterMs`. Default 1 s .. 5 min. */
  rateLimitPause?: { minMs?: number; maxMs?: number };
  /** Where a group without committed offsets starts on its source topics (tiers always from the start). */
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Longest broker long-poll; also how late a resumed partition may be picked up. Default 1 s. */
  maxWaitTimeMs?: number;
  /** Within a long batch, commit at least this often. Default 1 s. */
  commitIntervalMs?: number;
  /** How long `stop()` waits for running handlers before aborting their signal. Default 30 s. */
  drainTimeoutMs?: number;
  /** How long a partition waits after a failed forward to a tier or the DLQ. Default 5 s. */
  forwardFailurePauseMs?: number;
  /**
   * Create the tier and DLQ topics on start when missing, with as many partitions as the largest source
   * topic. Default true; pass false where infrastructure code owns topics.
   */
  createTopics?: boolean | { replicationFactor?: number };
  logger?: Logger;
}

type RecordOutcome =
  /** Handled or forwarded: commit past it. `label` is the consumed counter's outcome. */
  | { readonly kind: 'advance'; readonly label?: string }
  | { readonly kind: 'hold'; readonly reason: PauseReason; readonly ms: number }
  /** Shutting down mid-failure: neither commit nor forward; the record is read again after restart. */
  | { readonly kind: 'leave' };

/**
 * The reliable consumer runner (DESIGN §6). Offsets are committed explicitly, and only past records that
 * were handled or durably forwarded to a retry tier or the DLQ; failures are routed by `classifyError`;
 * tier records wait for their due time on a paused partition, never in a sleeping handler.
 */
export class ReliableConsumer {
  readonly groupId: string;
  readonly tiers: readonly RetryTier[];
  readonly dlqTopic: string;

  private readonly options: ReliableConsumerOptions;
  private readonly logger: Logger;
  private readonly tierByTopic: Map<string, RetryTier>;
  private readonly forwarder: KafkaEventProducer;
  private readonly abort = new AbortController();
  private readonly pauses: PartitionPauses;
  private consumer: Consumer | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private inFlight = 0;
  private readonly idleWaiters = new Set<() => void>();

  constructor(options: ReliableConsumerOptions) {
    if (options.topics.length === 0) throw new Error('ReliableConsumer needs at least one topic');
    this.options = options;
    this.groupId = options.groupId;
    this.logger = options.logger ?? stderrLogger;
    this.tiers = retryTiersFor(options.groupId, options.retryTiers ?? DEFAULT_RETRY_TIERS);
    this.dlqTopic = dlqTopicName(options.groupId);
    this.tierByTopic = new Map(this.tiers.map((tier) => [tier.topic, tier]));
    for (const topic of options.topics) {
      if (this.tierByTopic.has(topic) || topic === this.dlqTopic) {
        throw new Error(
          `topic ${topic} is one of the group's own retry or DLQ topics; list only source topics`,
        );
      }
    }
    this.forwarder = new KafkaEventProducer(options.kafka);
    this.pauses = new PartitionPauses(
      (topic, partition) => this.consumer?.pause([{ topic, partitions: [partition] }]),
      (topic, partition) => this.consumer?.resume([{ topic, partitions: [partition] }]),
    );
  }

  /** Resolves once subscribed and running; partitions are assigned asynchronously afterwards. */
  async start(): Promise<void> {
    if (this.consumer) throw new Error('ReliableConsumer already started');
    const o = this.options;
    if (o.createTopics ?? true) {
      const counts = await partitionCounts(o.kafka, o.topics);
      const numPartitions = Math.max(1, ...counts.values());
      const replicationFactor =
        typeof o.createTopics === 'object' ? o.createTopics.replicationFactor : undefined;
      await ensureTopics(
        o.kafka,
        retryTopicSpecs(
          this.groupId,
          this.tiers.map((t) => t.delay),
          { numPartitions, ...(replicationFactor !== undefined ? { replicationFactor } : {}) },
        ),
      );
    }
    await this.forwarder.connect();
    const consumer = o.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: o.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: o.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeInMs: o.maxWaitTimeMs ?? 1_000,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) =>
      this.logger.error(
        { groupId: this.groupId, restart: payload.restart, ...errorFields(payload.error) },
        'consumer crashed',
      ),
    );
    await consumer.connect();
    await consumer.subscribe({ topics: [...o.topics], fromBeginning: o.fromBeginning ?? false });
    // The tiers belong to this group alone: whatever is in them is ours to work through.
    await consumer.subscribe({ topics: this.tiers.map((t) => t.topic), fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: o.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** The underlying kafkajs consumer once started, for instrumentation events (`consumer.events`). */
  get kafkaConsumer(): Consumer | undefined {
    return this.consumer;
  }

  /** Backpressure: stop fetching these partitions until `resume`. Retry-due pauses are tracked separately. */
  pause(topic: string, partitions: readonly number[]): void {
    for (const partition of partitions) {
      this.pauses.hold(topic, partition, 'backpressure');
      metrics.partitionPauses.inc({ consumer_group: this.groupId, reason: 'backpressure' });
    }
  }

  resume(topic: string, partitions: readonly number[]): void {
    for (const partition of partitions) this.pauses.release(topic, partition, 'backpressure');
  }

  /**
   * Drains and disconnects: no new record starts, running handlers finish (their signal aborts after
   * `drainTimeoutMs`), finished work is committed, then the consumer leaves the group.
   */
  stop(): Promise<void> {
    this.stopped ??= this.drainAndDisconnect();
    return this.stopped;
  }

  private async drainAndDisconnect(): Promise<void> {
    this.stopping = true;
    const drainTimeoutMs = this.options.drainTimeoutMs ?? 30_000;
    if (!(await this.waitIdle(drainTimeoutMs))) {
      this.logger.warn(
        { groupId: this.groupId, inFlight: this.inFlight },
        'drain timeout: aborting handlers',
      );
      this.abort.abort(new Error('consumer stopping: drain timeout'));
      if (!(await this.waitIdle(5_000))) {
        this.logger.error(
          { groupId: this.groupId },
          'handlers ignore their abort signal; disconnecting anyway',
        );
      }
    }
    this.pauses.clear();
    try {
      await this.consumer?.disconnect();
    } finally {
      await this.forwarder.disconnect();
    }
  }

  private waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idleWaiters.delete(done);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.idleWaiters.delete(done);
        resolve(false);
      }, timeoutMs);
      this.idleWaiters.add(done);
    });
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const commitIntervalMs = this.options.commitIntervalMs ?? 1_000;
    let pendingCommit: string | undefined;
    let lastCommit = Date.now();
    const commit = async () => {
      if (pendingCommit === undefined) return;
      const offset = pendingCommit;
      pendingCommit = undefined;
      try {
        await payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] });
        lastCommit = Date.now();
      } catch (error) {
        // Lost on a rebalance, typically: the records are delivered again and the inbox skips them.
        this.logger.warn(
          { groupId: this.groupId, topic, partition, offset, ...errorFields(error) },
          'commit failed',
        );
      }
    };

    this.inFlight += 1;
    try {
      for (const message of batch.messages) {
        if (
          this.stopping ||
          !payload.isRunning() ||
          payload.isStale() ||
          this.pauses.isHeld(topic, partition)
        )
          break;
        const outcome = await this.processRecord(topic, partition, message, payload);
        if (outcome.kind === 'leave') break;
        if (outcome.kind === 'hold') {
          // Read this record again when the partition resumes; the commit below stops just before it.
          this.consumer!.seek({ topic, partition, offset: message.offset });
          this.pauses.hold(topic, partition, outcome.reason, outcome.ms);
          break;
        }
        payload.resolveOffset(message.offset);
        pendingCommit = (BigInt(message.offset) + 1n).toString();
        if (Date.now() - lastCommit >= commitIntervalMs) await commit();
        // Throws while the group rebalances, which hands control back to kafkajs to rejoin.
        await payload.heartbeat();
      }
    } finally {
      await commit();
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const wake of [...this.idleWaiters]) wake();
    }
  }

  private async processRecord(
    topic: string,
    partition: number,
    message: KafkaMessage,
    payload: EachBatchPayload,
  ): Promise<RecordOutcome> {
    const tier = this.tierByTopic.get(topic);
    if (tier) {
      const waitMs = pauseUntilDue(retryDueAt(message.headers), Date.now(), tier.delayMs);
      if (waitMs > 0) {
        metrics.partitionPauses.inc({ consumer_group: this.groupId, reason: 'retry_due' });
        return { kind: 'hold', reason: 'retry_due', ms: waitMs };
      }
    }

    const headers: RawHeaders = message.headers ?? {};
    const attempt = deliveryAttempt(headers);
    const heartbeat = async () => {
      // A rebalance error surfaces at the loop's own heartbeat after this record; a handler must not
      // mistake it for its own failure and send the record to a retry tier.
      await payload.heartbeat().catch(() => {});
    };
    const context: EventHandlerContext = {
      topic,
      partition,
      offset: message.offset,
      headers,
      attempt,
      heartbeat,
      signal: this.abort.signal,
    };
    const started = performance.now();
    const observe = (outcome: string) => {
      const labels = { topic, consumer_group: this.groupId, outcome };
      metrics.messagesConsumed.inc(labels);
      metrics.messageProcessDuration.observe(labels, (performance.now() - started) / 1_000);
    };

    try {
      await withInProcessRetry(
        async () => this.options.handler(await this.options.decoder.decode(message), context),
        this.options.inProcessRetry ?? {},
        {
          signal: this.abort.signal,
          shouldRetry: (error) => {
            const c = classifyError(error);
            return !this.stopping && c.retriable && c.retryAfterMs === undefined;
          },
          onRetry: (error, delayMs, retry) => {
            const { code } = classifyError(error);
            metrics.retries.inc({ consumer_group: this.groupId, tier: 'in_process', code });
            this.logger.debug(
              { groupId: this.groupId, topic, partition, offset: message.offset, code, delayMs, retry },
              'retrying in process',
            );
            void heartbeat();
          },
        },
      );
      observe('processed');
      return await this.reportReplayResolved(topic, partition, message);
    } catch (error) {
      if (this.stopping) return { kind: 'leave' };
      const outcome = await this.routeFailure(
        topic,
        partition,
        message,
        attempt,
        error,
        classifyError(error),
      );
      if (outcome.kind === 'advance' && outcome.label) observe(outcome.label);
      return outcome;
    }
  }

  /**
   * A record replayed from the DLQ carries its dead-letter id; once its handler succeeded, say so on
   * `<group>.dlq.resolved` before the offset moves on. If that produce fails the record is held and handled
   * again later: the inbox makes the second run a no-op and the signal goes out then.
   */
  private async reportReplayResolved(
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): Promise<RecordOutcome> {
    const deadLetterId = headerText(message.headers, DEAD_LETTER_ID_HEADER);
    if (deadLetterId === undefined) return { kind: 'advance' };
    const eventId = headerText(message.headers, CeHeaders.id);
    try {
      await this.forwarder.sendMessages([
        {
          topic: dlqResolvedTopicName(this.groupId),
          message: {
            key: deadLetterId,
            value: JSON.stringify({
              deadLetterId,
              consumerGroup: this.groupId,
              ...(eventId ? { eventId } : {}),
            }),
            headers: {
              [DEAD_LETTER_ID_HEADER]: deadLetterId,
              [RetryHeaders.originalConsumerGroup]: this.groupId,
              ...(eventId ? { [CeHeaders.id]: eventId } : {}),
            },
          },
        },
      ]);
      return { kind: 'advance' };
    } catch (error) {
      const pauseMs = this.options.forwardFailurePauseMs ?? 5_000;
      metrics.partitionPauses.inc({ consumer_group: this.groupId, reason: 'forward_failed' });
      this.logger.error(
        {
          groupId: this.groupId,
          topic,
          partition,
          offset: message.offset,
          deadLetterId,
          pauseMs,
          ...errorFields(error),
        },
        'could not report a replayed record as resolved; pausing partition and trying again',
      );
      return { kind: 'hold', reason: 'forward_failed', ms: pauseMs };
    }
  }

  private async routeFailure(
    topic: string,
    partition: number,
    message: KafkaMessage,
    attempt: number,
    error: unknown,
    classification: Classification,
  ): Promise<RecordOutcome> {
    const rateLimit = this.options.rateLimitPause ?? {};
    const action = decideOnFailure({
      classification,
      topic,
      tiers: this.tiers,
      dlqTopic: this.dlqTopic,
      now: Date.now(),
      rateLimitPause: { minMs: rateLimit.minMs ?? 1_000, maxMs: rateLimit.maxMs ?? 300_000 },
    });
    const { code } = classification;
    const where = { groupId: this.groupId, topic, partition, offset: message.offset, code, attempt };

    if (action.kind === 'pause') {
      metrics.partitionPauses.inc({ consumer_group: this.groupId, reason: 'rate_limited' });
      metrics.retries.inc({ consumer_group: this.groupId, tier: 'rate_limited', code });
      this.logger.info({ ...where, pauseMs: action.pauseMs }, 'rate limited: pausing partition');
      return { kind: 'hold', reason: 'rate_limited', ms: action.pauseMs };
    }

    const dueAt = action.kind === 'retry' ? action.dueAt : undefined;
    try {
      await this.forwarder.sendMessages([
        {
          topic: action.topic,
          message: {
            key: message.key,
            value: message.value,
            headers: forwardingHeaders({
              headers: message.headers,
              topic,
              partition,
              offset: message.offset,
              timestamp: message.timestamp,
              groupId: this.groupId,
              error,
              code,
              attempt,
              ...(dueAt !== undefined ? { dueAt } : {}),
            }),
          },
        },
      ]);
    } catch (forwardError) {
      const pauseMs = this.options.forwardFailurePauseMs ?? 5_000;
      metrics.partitionPauses.inc({ consumer_group: this.groupId, reason: 'forward_failed' });
      this.logger.error(
        { ...where, to: action.topic, pauseMs, ...errorFields(forwardError) },
        'could not forward failed record; pausing partition and trying again',
      );
      return { kind: 'hold', reason: 'forward_failed', ms: pauseMs };
    }

    if (action.kind === 'retry') {
      metrics.retries.inc({ consumer_group: this.groupId, tier: action.topic, code });
      this.logger.warn(
        { ...where, to: action.topic, dueAt, ...errorFields(error) },
        'record sent to retry tier',
      );
      return { kind: 'advance', label: 'retried' };
    }
    metrics.deadLetters.inc({ consumer_group: this.groupId, code });
    this.logger.error({ ...where, to: action.topic, ...errorFields(error) }, 'record dead-lettered');
    return { kind: 'advance', label: isDecodeErrorCode(code) ? 'undecodable' : 'dead_lettered' };
  }
}
