import { eventCatalogue } from '@tributary/contracts';
import type { DomainEvent, EventOf, EventType } from '@tributary/contracts';
import { AvroEventEncoder, SchemaRegistryClient } from '@tributary/kafka';
import { createLogger } from '@tributary/observability';
import type { Logger } from '@tributary/observability';
import type { ExternalRef } from '@tributary/persistence';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { CommitContext, HandlerContext } from '../define-connector.js';
import { idempotencyKeyFor } from '../http/idempotency-key.js';
import { LateReplay, firstAttemptAt, hasKeyLifetime, keyMayHaveExpired } from '../late-replay.js';
import type { ConnectorIdempotency } from '../late-replay.js';

/** An `external_refs` row of the connector's provider, as a handler writes it. */
export interface ExternalRefWrite {
  readonly externalType: string;
  readonly externalId: string;
  readonly internalId: string;
}

/** One line the handler logged: pino's JSON, with `level` as a label and `msg`. */
export interface LoggedLine {
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface FakeHandlerContextOptions<TClient, TConfig> {
  /** The event the handler is given: keys, causation and correlation of new events derive from it. */
  readonly event: DomainEvent;
  readonly provider: TClient;
  readonly config: TConfig;
  /** 1 (the original topic) unless a retry tier is simulated. */
  readonly attempt?: number;
  readonly signal?: AbortSignal;
  /** Rows earlier events left in `external_refs`, for handlers that look theirs up. */
  readonly externalRefs?: readonly ExternalRefWrite[];
  /**
   * Epoch ms of the first attempt, as the runtime reads it from the record (`kafka_original-timestamp` of a
   * replayed dead letter); default the event's time. With `now` (default Date.now) and the definition's
   * `idempotency`, it decides `keyMayHaveExpired`.
   */
  readonly firstAttemptAt?: number;
  readonly now?: number;
}

type FakeConnector = {
  readonly id: string;
  readonly provider: string;
  readonly idempotency?: ConnectorIdempotency;
};

/**
 * A `HandlerContext` for a connector's unit tests: everything the runtime gives a handler, with an
 * in-memory commit, recording what the handler did. A commit's writes count only once its work resolved,
 * as in the real transaction; events are validated against the catalogue as the outbox does before it
 * writes. There is no database: `tx.manager` throws, and a handler that needs it is tested on the real
 * stack (`connectorProcessHarness`).
 */
export class FakeHandlerContext<TClient, TConfig> implements HandlerContext<TClient, TConfig> {
  readonly connectorId: string;
  readonly provider: TClient;
  readonly config: TConfig;
  readonly attempt: number;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Events of committed work, in order. */
  readonly published: EventOf<EventType>[] = [];
  /** `external_refs` written by committed work, in order. */
  readonly upserted: ExternalRefWrite[] = [];
  /** `external_refs` looked up, committed or not. */
  readonly found: Omit<ExternalRefWrite, 'internalId'>[] = [];
  /** The idempotency keys the handler took (`idempotencyKey`, `idempotencyKeyFor(op)`), each once, in order. */
  readonly idempotencyKeys: string[] = [];
  readonly logs: LoggedLine[] = [];
  readonly firstAttemptAt: number | undefined;
  /** How many times the handler's `lookupBeforeCall` ran its lookup (only a late replay does). */
  lookups = 0;

  readonly #connector: FakeConnector;
  readonly #late: LateReplay;
  readonly #event: DomainEvent;
  readonly #refs = new Map<string, ExternalRef>();
  #commits = 0;
  #heartbeats = 0;

  constructor(connector: FakeConnector, options: FakeHandlerContextOptions<TClient, TConfig>) {
    this.#connector = connector;
    this.#event = options.event;
    this.connectorId = connector.id;
    this.provider = options.provider;
    this.config = options.config;
    this.attempt = options.attempt ?? 1;
    this.signal = options.signal ?? new AbortController().signal;
    const event = options.event;
    this.logger = createLogger({
      service: `connector-${connector.id}`,
      level: 'trace',
      destination: { write: (line: string) => void this.logs.push(JSON.parse(line) as LoggedLine) },
    }).child({ eventId: event.id, eventType: event.type, correlationId: event.correlationId });
    for (const ref of options.externalRefs ?? []) this.#refs.set(refKey(ref), this.#ref(ref));
    this.firstAttemptAt = options.firstAttemptAt ?? firstAttemptAt(event, undefined);
    const { idempotency } = connector;
    this.#late = new LateReplay(
      event,
      hasKeyLifetime(idempotency) ? idempotency.lateReplay[event.type as EventType] : undefined,
      keyMayHaveExpired(idempotency, this.firstAttemptAt, options.now ?? Date.now()),
    );
  }

  get keyMayHaveExpired(): boolean {
    return this.#late.keyMayHaveExpired;
  }

  lookupBeforeCall<T>(find: () => Promise<T | null | undefined>): Promise<T | undefined> {
    return this.#late.lookupBeforeCall(() => {
      this.lookups += 1;
      return find();
    });
  }

  /** Commits whose work resolved: 0 or 1 for a handler that behaves. */
  get commits(): number {
    return this.#commits;
  }

  get heartbeats(): number {
    return this.#heartbeats;
  }

  get idempotencyKey(): string {
    return this.#took(idempotencyKeyFor(this.connectorId, this.#event.id));
  }

  idempotencyKeyFor(operation: string): string {
    return this.#took(idempotencyKeyFor(this.connectorId, this.#event.id, operation));
  }

  async heartbeat(): Promise<void> {
    this.#heartbeats += 1;
  }

  /** As the runtime builds it: a fresh UUIDv7, caused by the handled event, in its correlation. */
  newEvent<T extends EventType>(type: T, subject: string, data: EventOf<T>['data']): EventOf<T> {
    const cause = this.#event;
    return {
      id: uuidv7(),
      type,
      source: `/tributary/connector-${this.connectorId}`,
      subject,
      time: new Date().toISOString(),
      data,
      correlationId: cause.correlationId ?? cause.id,
      causationId: cause.id,
      ...(cause.traceparent ? { traceparent: cause.traceparent } : {}),
    } as EventOf<T>;
  }

  async commit<R>(work: (tx: CommitContext) => Promise<R>): Promise<R | undefined> {
    if (this.#commits > 0) throw new Error(`handler of ${this.#event.type} called commit twice`);
    const published: EventOf<EventType>[] = [];
    const upserted: ExternalRefWrite[] = [];
    const refs = new Map(this.#refs);
    const tx: CommitContext = {
      get manager(): EntityManager {
        throw new Error(
          'fakeHandlerContext has no database: test a handler using tx.manager on the real stack',
        );
      },
      publish: async (...events) => {
        for (const event of events) outboxEncoder().validate(event);
        published.push(...events);
      },
      externalRefs: {
        upsert: async (externalType, externalId, internalId) => {
          const write = { externalType, externalId, internalId };
          const ref = this.#ref(write, refs.get(refKey(write)));
          refs.set(refKey(write), ref);
          upserted.push(write);
          return ref;
        },
        find: async (externalType, externalId) => {
          this.found.push({ externalType, externalId });
          return refs.get(refKey({ externalType, externalId })) ?? null;
        },
      },
    };
    const result = await work(tx);
    this.#commits += 1;
    this.published.push(...published);
    this.upserted.push(...upserted);
    for (const [key, ref] of refs) this.#refs.set(key, ref);
    return result;
  }

  #took(key: string): string {
    if (!this.idempotencyKeys.includes(key)) this.idempotencyKeys.push(key);
    return key;
  }

  /** The row an upsert leaves: updatedAt moves only when the internal id changes, as in Postgres. */
  #ref(write: ExternalRefWrite, existing?: ExternalRef): ExternalRef {
    const now = new Date();
    return {
      provider: this.#connector.provider,
      externalType: write.externalType,
      externalId: write.externalId,
      internalId: write.internalId,
      createdAt: existing?.createdAt ?? now,
      updatedAt: existing && existing.internalId === write.internalId ? existing.updatedAt : now,
    };
  }
}

/**
 * The context a handler of `connector` gets for `options.event`, with the client and config typed as the
 * connector's handlers expect them.
 */
export function fakeHandlerContext<TClient, TConfig>(
  connector: FakeConnector,
  options: FakeHandlerContextOptions<TClient, TConfig>,
): FakeHandlerContext<TClient, TConfig> {
  return new FakeHandlerContext(connector, options);
}

function refKey(ref: Omit<ExternalRefWrite, 'internalId'>): string {
  return JSON.stringify([ref.externalType, ref.externalId]);
}

let encoder: AvroEventEncoder | undefined;

/** The outbox's validation of the whole catalogue; it never reaches the registry, which only encoding needs. */
function outboxEncoder(): AvroEventEncoder {
  encoder ??= new AvroEventEncoder({
    registry: new SchemaRegistryClient({ url: 'http://schema-registry.invalid' }),
    definitions: Object.values(eventCatalogue),
  });
  return encoder;
}
