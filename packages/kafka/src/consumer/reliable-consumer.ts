import { TributaryError, classifyError } from '@tributary/contracts';
import type { DomainEvent } from '@tributary/contracts';
import { context as otelContext, trace } from '@opentelemetry/api';
import { contextFromTraceparent, metrics, recordSpanError, startSpan } from '@tributary/observability';
import type { ReadinessCheck } from '@tributary/observability';
import type { Admin, Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Message } from 'kafkajs';
import { KafkaErrorCodes, isDecodeErrorCode } from '../error-codes.js';
import { headerText } from '../headers.js';
import type { RawHeaders } from '../headers.js';
import { ensureTopics, partitionCounts } from '../kafka-client.js';
import type { TopicSpec } from '../kafka-client.js';
import { errorFields, stderrLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { KafkaEventProducer } from '../producer.js';
import type { EventDecoder } from '../serde/avro-event-decoder.js';
import { CeHeaders } from '../serde/cloud-events.js';
import { decideOnFailure, pauseUntilDue } from './failure-policy.js';
import type { Classification } from './failure-policy.js';
import {
  DEAD_LETTER_DISCARDED_HEADER,
  DEAD_LETTER_ID_HEADER,
  RetryHeaders,
  deliveryAttempt,
  forwardingHeaders,
  retryDueAt,
} from './forwarding-headers.js';
import { withInProcessRetry } from './in-process-retry.js';
import { CompletionFrontier, KeyLanes, Slots, laneOf } from './key-lanes.js';
import { BatchRecordFailed } from './batch-record-failed.js';
import { KeyOrder } from './key-order.js';
import type { RecordPlace } from './key-order.js';
import type { OrderingOptions, ParkedRecord } from './key-parking.js';
import { ParkedReleaser } from './parked-releaser.js';
import type { ParkedOutcome } from './parked-releaser.js';
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
import { SourceAssignmentWatch } from './source-assignment.js';
import type { SourceAssignmentListener } from './source-assignment.js';

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

/**
 * Applies consecutive events of one partition together, in offset order, all or nothing: resolve once all are
 * durable (one transaction, e.g. with `withInboxBatch`); throw to keep none of them, `BatchRecordFailed` with
 * the index of the record that could not be applied when known, and the consumer isolates that record.
 */
export type BatchEventHandler = (
  items: ReadonlyArray<{ readonly event: DomainEvent; readonly context: EventHandlerContext }>,
) => Promise<void>;

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
  /**
   * Records of different keys handled at once within one partition of a source topic; records of one key
   * never overlap and keep their order, and offsets are committed only up to the first record not finished.
   * Default 1: one record at a time. Tier topics are always read one record at a time (they wait for due
   * times in offset order). In flight per process: this × `partitionsConsumedConcurrently`.
   */
  keyConcurrency?: number;
  /**
   * Order kept per key through the retry tiers and the DLQ (`key`, with a parking store), or only within a
   * partition's first read (`none`, the default here; the service kit and the connector SDK default to
   * `key`). See docs/architecture.md#ordering-and-concurrency.
   */
  ordering?: OrderingOptions;
  /** How often keys left releasing (after a crash or a failed step) are looked for. Default 5 s. */
  parkingSweepMs?: number;
  /**
   * Where the handler allows it (effects only in the database): up to `maxRecords` (default 500) consecutive
   * records of a source partition applied by one call, so one transaction and one commit serve them all. A
   * batch that throws is handled again record by record with `handler`. Replaces key concurrency on source
   * topics; tier records and released parked records always go one by one.
   */
  batch?: { readonly handler: BatchEventHandler; readonly maxRecords?: number };
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
   * topic, and again whenever one of them disappears while running. Default true; pass false where
   * infrastructure code owns topics (a missing one is then only reported).
   */
  createTopics?: boolean | { replicationFactor?: number };
  /**
   * How often the group's own topics (tiers, DLQ, resolution signals) are looked for on the cluster, to
   * recreate or report the ones someone deleted. A crash caused by a deleted tier checks at once. Default 30 s.
   */
  topicCheckIntervalMs?: number;
  /**
   * Told this member's share of the source partitions after every join of the group (the first and each
   * rebalance): what a replica may use of a budget the group shares, such as a provider's quota.
   */
  onAssignment?: SourceAssignmentListener;
  logger?: Logger;
}

/** A refused batch this small is handled record by record rather than halved again. */
const SINGLY_BELOW = 8;

/** A batch's commits: `done` after each record (or finished prefix), `flush` at the end. */
interface BatchCommits {
  /** Everything up to and including `offset` is done. */
  done(offset: string): Promise<void>;
  flush(): Promise<void>;
}

type RecordOutcome =
  /**
   * Handled, parked or forwarded: commit past it. `label` is the consumed counter's outcome; `forwarded`
   * says where a failed record went.
   */
  | {
      readonly kind: 'advance';
      readonly label?: string;
      readonly forwarded?: 'retry' | 'dead-letter';
    }
  | { readonly kind: 'hold'; readonly reason: PauseReason; readonly ms: number }
  /** Shutting down mid-failure: neither commit nor forward; the record is read again after restart. */
  | { readonly kind: 'leave' };

/**
 * The reliable consumer runner (docs/architecture.md#retries-and-dead-letters). Offsets are committed
 * explicitly, and only past records that were handled or durably forwarded to a retry tier or the DLQ;
 * failures are routed by `classifyError`; tier records wait for their due time on a paused partition, never
 * in a sleeping handler.
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
  private started = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private inFlight = 0;
  private readonly idleWaiters = new Set<() => void>();
  /** The tiers, DLQ and resolution topic, sized at start; what a check recreates. */
  private ownTopics: readonly TopicSpec[] = [];
  /** Own topics absent from the cluster at the last check and not recreated. */
  private missing: ReadonlySet<string> = new Set();
  private subscribedTiers: readonly string[] = [];
  /** Topic checks and consumer swaps, one at a time: a crash and a timer tick must not swap concurrently. */
  private serial: Promise<unknown> = Promise.resolve();
  private checkQueued = false;
  private reattachQueued = false;
  /** The consumer whose first join is under way inside `attach` (itself a serial step). */
  private joining: Consumer | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private admin: Admin | undefined;
  /** The kafkajs consumer crashed and will not restart on its own; the next check builds a new one. */
  private failure: Error | undefined;
  private readonly keyOrder: KeyOrder | undefined;
  private readonly releaser: ParkedReleaser | undefined;
  private readonly assignment: SourceAssignmentWatch | undefined;

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
    const ordering = options.ordering ?? { mode: 'none' };
    if (ordering.mode === 'key') {
      this.keyOrder = new KeyOrder(this.groupId, ordering.parking, ordering.onDeadLetter ?? 'skip');
      this.releaser = new ParkedReleaser({
        group: this.groupId,
        parking: ordering.parking,
        run: (record) => this.runParked(record),
        concurrency: Math.max(1, options.keyConcurrency ?? 1),
        sweepMs: options.parkingSweepMs ?? 5_000,
        logger: this.logger,
      });
    }
    if (options.onAssignment)
      this.assignment = new SourceAssignmentWatch(
        options.kafka,
        options.topics,
        options.onAssignment,
        this.logger,
      );
    this.pauses = new PartitionPauses(
      (topic, partition) => this.consumer?.pause([{ topic, partitions: [partition] }]),
      (topic, partition) => this.consumer?.resume([{ topic, partitions: [partition] }]),
    );
  }

  /** Resolves once subscribed and running; partitions are assigned asynchronously afterwards. */
  async start(): Promise<void> {
    if (this.started) throw new Error('ReliableConsumer already started');
    this.started = true;
    const o = this.options;
    let numPartitions = 1;
    if (this.createsTopics) {
      const counts = await partitionCounts(o.kafka, o.topics);
      numPartitions = Math.max(1, ...counts.values());
    }
    const replicationFactor =
      typeof o.createTopics === 'object' ? o.createTopics.replicationFactor : undefined;
    this.ownTopics = retryTopicSpecs(
      this.groupId,
      this.tiers.map((t) => t.delay),
      { numPartitions, ...(replicationFactor !== undefined ? { replicationFactor } : {}) },
    );
    if (this.createsTopics) await ensureTopics(o.kafka, this.ownTopics);
    await this.forwarder.connect();
    await this.inSerial(async () => {
      await this.reconcileTopics();
      await this.attach();
    });
    this.checkTimer = setInterval(() => this.queueCheck(), o.topicCheckIntervalMs ?? 30_000);
    this.checkTimer.unref();
    this.releaser?.start();
  }

  /**
   * The underlying kafkajs consumer, for instrumentation events (`consumer.events`). Replaced by a new one
   * when the consumer re-subscribes after one of its tiers was deleted or came back.
   */
  get kafkaConsumer(): Consumer | undefined {
    return this.consumer;
  }

  /**
   * For `/health/ready`: fails while one of the group's tiers or its DLQ is missing and could not be
   * recreated (records that need it wait on their partition), or while the consumer is down after a crash.
   */
  readiness(options: { name?: string; timeoutMs?: number } = {}): ReadinessCheck {
    return {
      name: options.name ?? 'kafka_consumer',
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      check: async () => {
        if (!this.started || this.stopping) throw new Error(`consumer group ${this.groupId} is not running`);
        if (this.missing.size > 0) {
          throw new Error(
            `consumer group ${this.groupId}: topic(s) missing and not recreated: ${[...this.missing].join(', ')}`,
          );
        }
        if (this.failure) {
          throw new Error(`consumer group ${this.groupId} crashed: ${this.failure.message}`);
        }
        return { group: this.groupId, tiers: [...this.subscribedTiers] };
      },
    };
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

  private get createsTopics(): boolean {
    return this.options.createTopics !== false;
  }

  private async drainAndDisconnect(): Promise<void> {
    this.stopping = true;
    clearInterval(this.checkTimer);
    const released = this.releaser?.stop();
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
    await released;
    this.pauses.clear();
    try {
      // A check or swap under way finishes first; none starts after `stopping`.
      await this.serial;
      await this.consumer?.disconnect();
    } finally {
      await this.forwarder.disconnect();
      await this.admin?.disconnect().catch(() => {});
    }
  }

  private inSerial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.serial.then(work, work);
    this.serial = next.catch(() => {});
    return next;
  }

  /** A timer tick or a failed forward: one check at a time, skipped while one is waiting. */
  private queueCheck(): void {
    if (this.checkQueued || this.stopping) return;
    this.checkQueued = true;
    this.inSerial(async () => {
      this.checkQueued = false;
      if (this.stopping) return;
      const { swap } = await this.reconcileTopics({ detachFromDeleted: true });
      if (swap || this.failure !== undefined) await this.reattach();
    }).catch((error: unknown) => this.attachFailed(error));
  }

  private attachFailed(error: unknown): void {
    this.failure = error instanceof Error ? error : new Error(String(error));
    this.logger.error(
      { groupId: this.groupId, ...errorFields(error) },
      'could not subscribe the consumer; trying again at the next topic check',
    );
  }

  /**
   * Looks for the group's own topics and recreates the missing ones (brokers must not auto-create; the
   * consumer owns its tiers). What it cannot recreate is reported — gauge, readiness, an error log — and left
   * out of the subscription. With `detachFromDeleted`, a consumer still attached to a deleted tier is
   * disconnected before the tier is recreated, so it cannot commit its old offsets into the new topic.
   * `absent`: the own topics this check found missing; `swap`: the consumer must be (re)built on the tiers
   * that exist now.
   */
  private async reconcileTopics(
    options: { detachFromDeleted?: boolean } = {},
  ): Promise<{ absent: readonly string[]; swap: boolean }> {
    let existing: Set<string>;
    try {
      this.admin ??= await this.connectAdmin();
      existing = new Set(await this.admin.listTopics());
    } catch (error) {
      this.logger.warn(
        { groupId: this.groupId, ...errorFields(error) },
        'could not list topics to check the group topics',
      );
      return { absent: [], swap: false };
    }
    const absent = this.ownTopics.filter((spec) => !existing.has(spec.topic));
    const names = absent.map((spec) => spec.topic);
    let missing = names;
    if (absent.length > 0) {
      if (options.detachFromDeleted && names.some((topic) => this.subscribedTiers.includes(topic)))
        await this.detach();
      if (this.createsTopics) {
        try {
          const created = await ensureTopics(this.options.kafka, absent);
          for (const topic of created)
            metrics.consumerTopicsRecreated.inc({ consumer_group: this.groupId, topic });
          this.logger.warn(
            { groupId: this.groupId, topics: names },
            'group topics were deleted; recreated them',
          );
          missing = [];
        } catch (error) {
          this.logger.error(
            { groupId: this.groupId, topics: names, ...errorFields(error) },
            'group topics are missing and could not be recreated; records that need them wait',
          );
        }
      } else {
        this.logger.error(
          { groupId: this.groupId, topics: names },
          'group topics are missing and createTopics is off (whoever owns them must recreate them); records that need them wait',
        );
      }
    }
    this.missing = new Set(missing);
    for (const { topic } of this.ownTopics) {
      metrics.consumerTopicMissing.set(
        { consumer_group: this.groupId, topic },
        this.missing.has(topic) ? 1 : 0,
      );
    }
    return {
      absent: names,
      swap: this.consumer === undefined || !sameTopics(this.presentTiers(), this.subscribedTiers),
    };
  }

  private async connectAdmin(): Promise<Admin> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    return admin;
  }

  private presentTiers(): string[] {
    return this.tiers.map((t) => t.topic).filter((topic) => !this.missing.has(topic));
  }

  private async detach(): Promise<void> {
    const old = this.consumer;
    this.consumer = undefined;
    await old
      ?.disconnect()
      .catch((error: unknown) =>
        this.logger.warn({ groupId: this.groupId, ...errorFields(error) }, 'consumer disconnect failed'),
      );
  }

  private async reattach(): Promise<void> {
    await this.detach();
    await this.attach();
  }

  /** A new kafkajs consumer on the source topics and the tiers that exist; held partitions stay held. */
  private async attach(): Promise<void> {
    if (this.stopping) return;
    const o = this.options;
    const tiers = this.presentTiers();
    const consumer = o.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: o.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: o.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeInMs: o.maxWaitTimeMs ?? 1_000,
      allowAutoTopicCreation: false,
      retry: { retries: 5, restartOnFailure: (error) => this.restartOnFailure(consumer, error) },
    });
    this.assignment?.follow(consumer);
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.error(
        { groupId: this.groupId, restart: payload.restart, ...errorFields(payload.error) },
        'consumer crashed',
      );
      if (!payload.restart && consumer === this.consumer && !this.stopping && !this.reattachQueued)
        this.failure = payload.error;
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...o.topics], fromBeginning: o.fromBeginning ?? false });
      // The tiers belong to this group alone: whatever is in them is ours to work through.
      if (tiers.length > 0) await consumer.subscribe({ topics: tiers, fromBeginning: true });
      this.consumer = consumer;
      this.joining = consumer;
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: o.partitionsConsumedConcurrently ?? 1,
        eachBatch: (payload) => this.onBatch(consumer, payload),
      });
    } catch (error) {
      this.consumer = undefined;
      await consumer.disconnect().catch(() => {});
      throw error;
    } finally {
      this.joining = undefined;
    }
    this.subscribedTiers = tiers;
    this.failure = undefined;
    for (const { topic, partition } of this.pauses.held())
      consumer.pause([{ topic, partitions: [partition] }]);
  }

  /**
   * kafkajs asks before restarting a crashed consumer. A subscribed tier that was deleted crashes it again
   * and again, taking the source topics down with it: look, recreate what is ours, and come back on a new
   * consumer subscribed to what exists. Any other crash restarts as kafkajs would.
   */
  private async restartOnFailure(consumer: Consumer, error: Error): Promise<boolean> {
    if (this.stopping || consumer !== this.consumer) return false;
    // A crash of the first join (a coordinator still loading on a fresh or restarted broker) comes from
    // inside `run()`, within the serial step of `attach`, which just reconciled the topics: waiting for the
    // serial queue here would wait for ourselves, and the consumer would never start.
    if (consumer === this.joining) return true;
    // kafkajs has disconnected this consumer already: nothing of it can commit into a recreated tier.
    const { absent } = await this.inSerial(() => this.reconcileTopics());
    if (consumer !== this.consumer) return false;
    if (absent.length === 0) return true;
    this.logger.warn(
      { groupId: this.groupId, topics: absent, ...errorFields(error) },
      'consumer crashed over deleted group topics; re-subscribing on a new consumer',
    );
    this.reattachQueued = true;
    // After kafkajs has finished with the crash (it emits CRASH once this resolves).
    setImmediate(() => {
      this.inSerial(async () => {
        this.reattachQueued = false;
        if (consumer === this.consumer) await this.reattach();
      }).catch((reattachError: unknown) => this.attachFailed(reattachError));
    });
    return false;
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

  private async onBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { topic } = payload.batch;
    const commits = this.batchCommits(payload);
    const fromTier = this.tierByTopic.has(topic);
    const keyConcurrency = fromTier ? 1 : (this.options.keyConcurrency ?? 1);
    this.inFlight += 1;
    try {
      const parked = fromTier ? undefined : await this.parkedKeysOf(consumer, payload);
      if (parked === null) return;
      if (this.options.batch && !fromTier) await this.processInChunks(consumer, payload, commits, parked);
      else if (keyConcurrency > 1)
        await this.processByKey(consumer, payload, commits, keyConcurrency, parked);
      else await this.processInOrder(consumer, payload, commits, parked);
    } finally {
      await commits.flush();
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const wake of [...this.idleWaiters]) wake();
    }
  }

  /**
   * The parked keys among a source batch's records (ordering by key), looked up once per batch; the batch
   * adds the keys its own failures park. Null when the store cannot answer: the partition waits and is
   * read again, since running a record of a parked key would overtake its head.
   */
  private async parkedKeysOf(
    consumer: Consumer,
    payload: EachBatchPayload,
  ): Promise<Set<string> | undefined | null> {
    if (!this.keyOrder) return undefined;
    const { topic, partition, messages } = payload.batch;
    try {
      return await this.keyOrder.parkedIn(messages);
    } catch (error) {
      const pauseMs = this.options.forwardFailurePauseMs ?? 5_000;
      metrics.partitionPauses.inc({ consumer_group: this.groupId, reason: 'parking_unavailable' });
      this.logger.error(
        { groupId: this.groupId, topic, partition, pauseMs, ...errorFields(error) },
        'could not look up parked keys; pausing partition and trying again',
      );
      const first = messages[0];
      if (first) consumer.seek({ topic, partition, offset: first.offset });
      this.pauses.hold(topic, partition, 'parking_unavailable', pauseMs);
      return null;
    }
  }

  /** Commits a batch's progress at least every `commitIntervalMs`, and at its end. */
  private batchCommits(payload: EachBatchPayload): BatchCommits {
    const { topic, partition } = payload.batch;
    const commitIntervalMs = this.options.commitIntervalMs ?? 1_000;
    let pending: string | undefined;
    let lastCommit = Date.now();
    const flush = async () => {
      if (pending === undefined) return;
      const offset = pending;
      pending = undefined;
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
    return {
      flush,
      async done(offset: string): Promise<void> {
        payload.resolveOffset(offset);
        pending = (BigInt(offset) + 1n).toString();
        if (Date.now() - lastCommit >= commitIntervalMs) await flush();
      },
    };
  }

  private shouldStopBatch(payload: EachBatchPayload): boolean {
    const { topic, partition } = payload.batch;
    return this.stopping || !payload.isRunning() || payload.isStale() || this.pauses.isHeld(topic, partition);
  }

  /** One record at a time; false when it stopped before the end (a hold, a shutdown, a rebalance). */
  private async processInOrder(
    consumer: Consumer,
    payload: EachBatchPayload,
    commits: BatchCommits,
    parked: Set<string> | undefined,
    messages: readonly KafkaMessage[] = payload.batch.messages,
  ): Promise<boolean> {
    const { topic, partition } = payload.batch;
    const fromTier = this.tierByTopic.has(topic);
    for (const message of messages) {
      if (this.shouldStopBatch(payload)) return false;
      const place = { topic, partition, message, fromTier };
      const outcome = await this.processRecord(place, batchHeartbeat(payload), parked);
      if (outcome.kind === 'leave') return false;
      if (outcome.kind === 'hold') {
        // Read this record again when the partition resumes; the commit stops just before it.
        consumer.seek({ topic, partition, offset: message.offset });
        this.pauses.hold(topic, partition, outcome.reason, outcome.ms);
        return false;
      }
      await commits.done(message.offset);
      // Throws while the group rebalances, which hands control back to kafkajs to rejoin.
      await payload.heartbeat();
    }
    return true;
  }

  /**
   * Consecutive records applied together by the batch handler, a chunk at a time. Records of parked keys are
   * parked first (their keys wait whatever the others do); the rest go to the batch handler in offset order.
   * A chunk the batch handler refuses keeps nothing, so each record is still applied once: when the handler
   * names the record (`BatchRecordFailed`), the ones around it go on as batches and it is handled alone;
   * otherwise the chunk is halved until the halves apply, or are small enough to handle record by record.
   */
  private async processInChunks(
    consumer: Consumer,
    payload: EachBatchPayload,
    commits: BatchCommits,
    parked: Set<string> | undefined,
  ): Promise<void> {
    const { messages } = payload.batch;
    const size = Math.max(1, this.options.batch?.maxRecords ?? 500);
    for (let start = 0; start < messages.length; start += size) {
      if (this.shouldStopBatch(payload)) return;
      const chunk = messages.slice(start, start + size);
      // Decoded once per chunk: halving a refused chunk must not decode its records again and again.
      const decoded = new Map<KafkaMessage, Promise<DomainEvent>>();
      const decode = (message: KafkaMessage) => {
        let event = decoded.get(message);
        if (!event) {
          event = this.options.decoder.decode(message);
          event.catch(() => {});
          decoded.set(message, event);
        }
        return event;
      };
      if (!(await this.applyRange(consumer, payload, commits, parked, chunk, decode))) return;
    }
  }

  /** False when it stopped before the end of `records` (a hold, a shutdown, a rebalance). */
  private async applyRange(
    consumer: Consumer,
    payload: EachBatchPayload,
    commits: BatchCommits,
    parked: Set<string> | undefined,
    records: readonly KafkaMessage[],
    decode: (message: KafkaMessage) => Promise<DomainEvent>,
  ): Promise<boolean> {
    const { topic, partition } = payload.batch;
    const rest = await this.parkWaiting(topic, partition, records, parked);
    if (rest === undefined) return this.processInOrder(consumer, payload, commits, parked, records);
    const applied = await this.applyTogether(topic, partition, rest, payload, decode);
    if (applied === true) {
      await commits.done(records[records.length - 1]!.offset);
      await payload.heartbeat();
      return true;
    }
    const at = applied.failedAt;
    if (at !== undefined) {
      // The handler named the record: the ones before it as a batch, it alone, the rest as a batch.
      const before = rest.slice(0, at);
      return (
        (before.length === 0 ||
          (await this.applyRange(consumer, payload, commits, parked, before, decode))) &&
        (await this.processInOrder(consumer, payload, commits, parked, [rest[at]!])) &&
        (at + 1 === rest.length ||
          (await this.applyRange(consumer, payload, commits, parked, rest.slice(at + 1), decode)))
      );
    }
    if (rest.length <= SINGLY_BELOW) return this.processInOrder(consumer, payload, commits, parked, rest);
    const half = Math.ceil(rest.length / 2);
    return (
      (await this.applyRange(consumer, payload, commits, parked, rest.slice(0, half), decode)) &&
      (await this.applyRange(consumer, payload, commits, parked, rest.slice(half), decode))
    );
  }

  /** Parks the chunk's records whose key waits; the others, or undefined when the store did not answer. */
  private async parkWaiting(
    topic: string,
    partition: number,
    chunk: readonly KafkaMessage[],
    parked: Set<string> | undefined,
  ): Promise<KafkaMessage[] | undefined> {
    if (!parked || !this.keyOrder || parked.size === 0) return [...chunk];
    try {
      const places = chunk.map((message) => ({ topic, partition, message, fromTier: false }));
      const rest = await this.keyOrder.parkWaiting(places, parked);
      const count = chunk.length - rest.length;
      if (count > 0)
        metrics.messagesConsumed.inc({ topic, consumer_group: this.groupId, outcome: 'parked' }, count);
      return rest.map((place) => place.message);
    } catch {
      // One by one: each record's own attempt at parking holds the partition if the store is still down.
      return undefined;
    }
  }

  /** The OpenTelemetry messaging attributes of a consumer span over one partition of this group. */
  private processAttributes(topic: string, partition: number) {
    return {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': topic,
      'messaging.destination.partition.id': String(partition),
      'messaging.consumer.group.name': this.groupId,
    };
  }

  /**
   * True when the batch handler applied every record; otherwise nothing was kept, and `failedAt` is the
   * record the handler named (`BatchRecordFailed`), if it did.
   */
  private async applyTogether(
    topic: string,
    partition: number,
    messages: readonly KafkaMessage[],
    payload: EachBatchPayload,
    decode: (message: KafkaMessage) => Promise<DomainEvent>,
  ): Promise<true | { failedAt?: number }> {
    const batch = this.options.batch;
    if (!batch || messages.length === 0) return messages.length === 0 || {};
    const started = performance.now();
    // One span for the batch, linked to the span that wrote each record (the semantic conventions' batch
    // processing): the records belong to as many traces, so none of them can be its parent.
    const { span, context: spanContext } = startSpan(`process ${topic}`, { kind: 'consumer' });
    if (span.isRecording()) {
      span.setAttributes({
        ...this.processAttributes(topic, partition),
        'messaging.batch.message_count': messages.length,
      });
      for (const message of messages) {
        const writer = trace.getSpanContext(
          contextFromTraceparent(headerText(message.headers, CeHeaders.traceparent)),
        );
        if (writer) span.addLink({ context: writer });
      }
    }
    try {
      await otelContext.with(spanContext, async () => {
        const items = await Promise.all(
          messages.map(async (message) => ({
            event: await decode(message),
            context: this.contextOf(topic, partition, message, batchHeartbeat(payload)),
          })),
        );
        await batch.handler(items);
      });
      span.end();
    } catch (error) {
      recordSpanError(span, error);
      span.end();
      this.logger.debug(
        { groupId: this.groupId, topic, partition, records: messages.length, ...errorFields(error) },
        'batch not applied; isolating the record that failed',
      );
      const named = error instanceof BatchRecordFailed && error.index >= 0 && error.index < messages.length;
      return named ? { failedAt: error.index } : {};
    }
    const labels = { topic, consumer_group: this.groupId, outcome: 'processed' };
    const seconds = (performance.now() - started) / 1_000;
    metrics.messagesConsumed.inc(labels, messages.length);
    for (let i = 0; i < messages.length; i += 1) metrics.messageProcessDuration.observe(labels, seconds);
    return true;
  }

  private contextOf(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): EventHandlerContext {
    const headers: RawHeaders = message.headers ?? {};
    return {
      topic,
      partition,
      offset: message.offset,
      headers,
      attempt: deliveryAttempt(headers),
      heartbeat,
      signal: this.abort.signal,
    };
  }

  /**
   * Up to `limit` records at once, one lane per key: a record waits for the earlier ones of its key, and
   * only then for a slot. A record that must be held (or left, on shutdown) stops the batch: nothing more
   * starts, the running ones finish, and the partition is read again from the first record not finished.
   */
  private async processByKey(
    consumer: Consumer,
    payload: EachBatchPayload,
    commits: BatchCommits,
    limit: number,
    parked: Set<string> | undefined,
  ): Promise<void> {
    const { topic, partition, messages } = payload.batch;
    const frontier = new CompletionFrontier(messages.map((m) => m.offset));
    const lanes = new KeyLanes();
    const slots = new Slots(limit);
    let halt: Exclude<RecordOutcome, { kind: 'advance' }> | undefined;
    let rebalance: unknown;
    const labels = { consumer_group: this.groupId, topic };
    const halted = () => halt !== undefined || rebalance !== undefined || this.shouldStopBatch(payload);

    const handle = async (index: number, message: KafkaMessage) => {
      await slots.acquire();
      try {
        if (halted()) return;
        metrics.recordsInFlight.inc(labels);
        try {
          const place = { topic, partition, message, fromTier: false };
          const outcome = await this.processRecord(place, batchHeartbeat(payload), parked);
          if (outcome.kind === 'advance') frontier.finish(index);
          else halt ??= outcome;
        } finally {
          metrics.recordsInFlight.dec(labels);
        }
      } finally {
        slots.release();
      }
      const last = frontier.advance();
      if (last !== undefined) await commits.done(last);
      await payload.heartbeat().catch((error: unknown) => (rebalance ??= error));
    };
    await Promise.all(
      messages.map((message, index) =>
        lanes.run(laneOf(message.key, message.offset), () => handle(index, message)),
      ),
    );
    if (halt?.kind === 'hold') {
      const from = frontier.firstUnfinished;
      if (from !== undefined) consumer.seek({ topic, partition, offset: from });
      this.pauses.hold(topic, partition, halt.reason, halt.ms);
    }
    // Hands control back to kafkajs to rejoin, as the in-order loop's heartbeat does.
    if (rebalance !== undefined) throw rebalance;
  }

  /**
   * One record through its handler, then, by key order, past its key's parked records. `parked` (a source
   * record under ordering by key) has the record parked when its key waits; `drained` marks a parked record
   * being released, whose place in line the releaser keeps.
   */
  private async processRecord(
    place: RecordPlace,
    heartbeat: () => Promise<void>,
    parked?: Set<string>,
    drained = false,
  ): Promise<RecordOutcome> {
    const { topic, partition, message } = place;
    const tier = this.tierByTopic.get(topic);
    if (tier) {
      const waitMs = pauseUntilDue(retryDueAt(message.headers), Date.now(), tier.delayMs);
      if (waitMs > 0) {
        metrics.partitionPauses.inc({ consumer_group: this.groupId, reason: 'retry_due' });
        return { kind: 'hold', reason: 'retry_due', ms: waitMs };
      }
    }
    if (tier && headerText(message.headers, DEAD_LETTER_DISCARDED_HEADER) !== undefined)
      return this.discarded(place);
    if (parked && this.keyOrder) {
      try {
        if (await this.keyOrder.parkIfWaiting(place, parked)) {
          metrics.messagesConsumed.inc({ topic, consumer_group: this.groupId, outcome: 'parked' });
          return { kind: 'advance' };
        }
      } catch (error) {
        return this.parkingFailed(place, error);
      }
    }

    const context = this.contextOf(topic, partition, message, heartbeat);
    const { attempt } = context;
    const started = performance.now();
    const observe = (outcome: string) => {
      const labels = { topic, consumer_group: this.groupId, outcome };
      metrics.messagesConsumed.inc(labels);
      metrics.messageProcessDuration.observe(labels, (performance.now() - started) / 1_000);
    };

    // The handler's span: a child of the span that wrote the record (its traceparent header), covering the
    // in-process retries; what the handler logs, calls and writes belongs to it.
    const { span, context: spanContext } = startSpan(`process ${topic}`, {
      kind: 'consumer',
      traceparent: headerText(message.headers, CeHeaders.traceparent),
    });
    if (span.isRecording()) {
      span.setAttributes({
        ...this.processAttributes(topic, partition),
        'messaging.kafka.offset': Number(message.offset),
        'messaging.message.id': headerText(message.headers, CeHeaders.id) ?? '',
        'tributary.attempt': attempt,
      });
    }
    try {
      await otelContext.with(spanContext, () =>
        withInProcessRetry(
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
        ),
      );
      span.end();
      observe('processed');
    } catch (error) {
      recordSpanError(span, error);
      span.end();
      if (this.stopping) return { kind: 'leave' };
      const outcome = await this.routeFailure(place, attempt, error, classifyError(error));
      if (outcome.kind !== 'advance') return outcome;
      if (outcome.label) observe(outcome.label);
      if (drained || !outcome.forwarded || !this.keyOrder) return outcome;
      try {
        await this.keyOrder.forwarded(place, outcome.forwarded, parked);
        if (outcome.forwarded === 'dead-letter') this.releaser?.kick();
      } catch (parkError) {
        // Forwarded but not recorded as its key's head: read it again (a second copy in the tier is
        // harmless, the inbox skips it) rather than let later records of its key overtake it.
        return this.parkingFailed(place, parkError);
      }
      return outcome;
    }
    if (this.keyOrder && place.fromTier) {
      try {
        if (await this.keyOrder.finished(place)) this.releaser?.kick();
      } catch (error) {
        return this.parkingFailed(place, error);
      }
    }
    return this.reportReplayResolved(topic, partition, message);
  }

  /** A discarded dead letter's signal: nothing to apply; the key it headed, if any, is released. */
  private async discarded(place: RecordPlace): Promise<RecordOutcome> {
    try {
      if (this.keyOrder && (await this.keyOrder.finished(place))) this.releaser?.kick();
    } catch (error) {
      return this.parkingFailed(place, error);
    }
    metrics.messagesConsumed.inc({ topic: place.topic, consumer_group: this.groupId, outcome: 'discarded' });
    return { kind: 'advance' };
  }

  private parkingFailed(place: RecordPlace, error: unknown): RecordOutcome {
    const pauseMs = this.options.forwardFailurePauseMs ?? 5_000;
    metrics.partitionPauses.inc({ consumer_group: this.groupId, reason: 'parking_unavailable' });
    this.logger.error(
      {
        groupId: this.groupId,
        topic: place.topic,
        partition: place.partition,
        offset: place.message.offset,
        pauseMs,
        ...errorFields(error),
      },
      'could not update the parked keys; pausing partition and trying again',
    );
    return { kind: 'hold', reason: 'parking_unavailable', ms: pauseMs };
  }

  /**
   * A parked record of a released key, run as if read from where it was first read: a failure sends it to
   * the group's first tier (or the DLQ) and makes it its key's new head.
   */
  private async runParked(record: ParkedRecord): Promise<ParkedOutcome> {
    const message: KafkaMessage = {
      key: record.key,
      value: record.value,
      headers: mutableHeaders(record.headers),
      timestamp: record.timestamp,
      offset: record.origin.offset,
      attributes: 0,
    };
    const place = { ...record.origin, message, fromTier: false };
    this.inFlight += 1;
    try {
      const outcome = await this.processRecord(place, async () => {}, undefined, true);
      if (outcome.kind === 'hold') return { kind: 'later', ms: outcome.ms };
      if (outcome.kind === 'leave') return { kind: 'later', ms: 0 };
      if (outcome.forwarded === 'retry') return { kind: 'settled', head: 'retrying' };
      if (outcome.forwarded === 'dead-letter' && this.keyOrder?.onDeadLetter === 'block')
        return { kind: 'settled', head: 'dead_lettered' };
      return { kind: 'settled' };
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const wake of [...this.idleWaiters]) wake();
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
      await this.sendToOwnTopic(dlqResolvedTopicName(this.groupId), {
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
      });
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

  /**
   * A tier, the DLQ or the resolution topic. One known to be missing fails at once instead of holding the
   * batch through the producer's metadata retries; a failed send has the topics checked now rather than at
   * the next interval, so a deleted one is recreated while its record waits.
   */
  private async sendToOwnTopic(topic: string, message: Message): Promise<void> {
    if (this.missing.has(topic)) {
      throw new TributaryError(
        KafkaErrorCodes.GROUP_TOPIC_MISSING,
        `topic ${topic} of consumer group ${this.groupId} does not exist`,
        { retriable: true },
      );
    }
    try {
      await this.forwarder.sendMessages([{ topic, message }]);
    } catch (error) {
      this.queueCheck();
      throw error;
    }
  }

  private async routeFailure(
    place: RecordPlace,
    attempt: number,
    error: unknown,
    classification: Classification,
  ): Promise<RecordOutcome> {
    const { topic, partition, message } = place;
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
    const replayTopic = this.tiers[0]?.topic;
    try {
      const parking =
        action.kind === 'dead-letter' && this.keyOrder ? await this.keyOrder.deadLetterHeaders(place) : {};
      await this.sendToOwnTopic(action.topic, {
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
          ...(action.kind === 'dead-letter' && replayTopic !== undefined ? { replayTopic } : {}),
          extra: parking,
        }),
      });
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
      return { kind: 'advance', label: 'retried', forwarded: 'retry' };
    }
    metrics.deadLetters.inc({ consumer_group: this.groupId, code });
    this.logger.error({ ...where, to: action.topic, ...errorFields(error) }, 'record dead-lettered');
    return {
      kind: 'advance',
      label: isDecodeErrorCode(code) ? 'undecodable' : 'dead_lettered',
      forwarded: 'dead-letter',
    };
  }
}

function mutableHeaders(headers: RawHeaders): IHeaders {
  const out: IHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined)
      out[name] = typeof value === 'string' || Buffer.isBuffer(value) ? value : [...value];
  }
  return out;
}

/** A batch's heartbeat for a handler: a rebalance surfaces at the loop's own heartbeat after the record. */
function batchHeartbeat(payload: EachBatchPayload): () => Promise<void> {
  // A handler must not mistake a rebalance for its own failure and send the record to a retry tier.
  return async () => {
    await payload.heartbeat().catch(() => {});
  };
}

function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((topic) => b.includes(topic));
}
