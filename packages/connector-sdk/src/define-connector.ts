import { isReconciledEntity, reconciledEntities } from '@tributary/contracts';
import type { EventOf, EventType } from '@tributary/contracts';
import type { Logger } from '@tributary/observability';
import type { ExternalRef } from '@tributary/persistence';
import type { CredentialMode } from '@tributary/service-kit';
import type { ShapeDeclarations } from '@tributary/provider-shapes';
import type { WebhookDefinition } from '@tributary/webhooks';
import type { EntityManager } from 'typeorm';
import type { z } from 'zod';
import { ConnectorErrorCode } from './errors.js';
import type {
  ProviderHttpClient,
  ProviderHttpClientOptions,
  ProviderLimits,
} from './http/provider-http-client.js';
import { idempotencyProblems } from './late-replay.js';
import type { ConnectorIdempotency } from './late-replay.js';
import type { ConnectorReaders } from './reconcile/reader.js';

/** What a handler may write, all in the one transaction that also records the event in the inbox. */
export interface CommitContext {
  readonly manager: EntityManager;
  /** Adds events to the outbox; the relay publishes them after the commit. */
  publish(...events: readonly EventOf<EventType>[]): Promise<void>;
  /** `external_refs` of this connector's provider, bound to the transaction. */
  readonly externalRefs: {
    upsert(externalType: string, externalId: string, internalId: string): Promise<ExternalRef>;
    find(externalType: string, externalId: string): Promise<ExternalRef | null>;
  };
}

export interface HandlerContext<TClient, TConfig> {
  readonly connectorId: string;
  /** The connector's provider client, built once by `definition.client`. */
  readonly provider: TClient;
  readonly config: TConfig;
  /** The idempotency key of this event's effect: derived from (connector id, event id). */
  readonly idempotencyKey: string;
  /** Another deterministic key for a second effectful call made for the same event. */
  idempotencyKeyFor(operation: string): string;
  /** 1 on the original topic, 2 on the first retry tier, ... */
  readonly attempt: number;
  /**
   * Epoch ms: the earliest moment this event's effect can have been attempted (its time, or where its
   * record first failed, carried through the retry tiers, the DLQ and a replay). Undefined when unreadable.
   */
  readonly firstAttemptAt: number | undefined;
  /**
   * The provider may have forgotten the key of the first attempt (`idempotency.keyLifetimeMs`, less the
   * margin, has passed since `firstAttemptAt`): a call now could make a second effect.
   */
  readonly keyMayHaveExpired: boolean;
  /**
   * Call before the effectful call: runs `find` (a read of the effect at the provider by our own reference)
   * only when the key may have expired and answers what it found; otherwise answers undefined without a
   * call, since the key still protects the call. A handler declared `'lookup'` whose late replay makes an
   * effectful call without it is refused (IDEMPOTENCY_LOOKUP_MISSING).
   */
  lookupBeforeCall<T>(find: () => Promise<T | null | undefined>): Promise<T | undefined>;
  /** Aborted when shutdown gives up waiting: pass it to provider calls. */
  readonly signal: AbortSignal;
  heartbeat(): Promise<void>;
  readonly logger: Logger;
  /**
   * A new catalogue event caused by the one being handled (causation and correlation set, fresh UUIDv7 id).
   */
  newEvent<T extends EventType>(type: T, subject: string, data: EventOf<T>['data']): EventOf<T>;
  /**
   * Records the event in the inbox and runs `work` in the same transaction. Call it once, after the provider
   * call: a crash before the commit makes the redelivery repeat the call with the same idempotency key.
   * Resolves undefined when another delivery committed first. A handler that never calls it is recorded
   * in the inbox when it returns.
   */
  commit<R>(work: (tx: CommitContext) => Promise<R>): Promise<R | undefined>;
}

export type ConnectorHandler<T extends EventType, TClient, TConfig> = (
  event: EventOf<T>,
  context: HandlerContext<TClient, TConfig>,
) => Promise<void>;

export type ConnectorHandlers<TClient, TConfig> = {
  readonly [T in EventType]?: ConnectorHandler<T, TClient, TConfig>;
};

/**
 * How to tell the account mode of one credential from its value. The SDK checks it at boot against
 * TRIBUTARY_ENV (live only in production, test everywhere else) and refuses to start on a mismatch.
 */
export interface CredentialCheck {
  /** `live` or `test` from the value's format (a prefix, say); `unknown` when the format carries no mode. */
  classify(secret: string): CredentialMode;
  /** Why an `unknown` one cannot be told, for the boot log line that says it was not checked. */
  readonly unknownBecause?: string;
}

/** The config variables holding provider credentials, each with its check. */
export type ConnectorCredentials<TConfig> = {
  readonly [K in Extract<keyof TConfig, string>]?: CredentialCheck;
};

export interface ConnectorDefinition<TSchema extends z.ZodType = z.ZodType, TClient = unknown> {
  /** Lower case; names the app (`connector-<id>`), the default consumer group and the idempotency keys. */
  readonly id: string;
  /** Provider label in metrics and `external_refs`, e.g. `stripe`. */
  readonly provider: string;
  readonly description?: string;
  /** The connector's own environment variables (provider URL, credentials), parsed at boot. */
  readonly config: TSchema;
  /**
   * The variables of `config` that hold provider credentials and how to tell each one's mode (live or
   * test): checked at boot against TRIBUTARY_ENV, so a live key never runs outside production and a test key
   * never in it. Every connector should name its API credentials here; webhook secrets carry no mode.
   */
  readonly credentials?: ConnectorCredentials<z.output<TSchema>>;
  /** Where and how to reach the provider, from the parsed config. */
  readonly http: (
    config: z.output<TSchema>,
  ) => Pick<ProviderHttpClientOptions, 'baseUrl' | 'defaultHeaders' | 'idempotencyHeader'>;
  /** Wraps the SDK's HTTP client into the provider's typed API. */
  readonly client: (http: ProviderHttpClient, config: z.output<TSchema>) => TClient;
  /** Catalogue event type → handler. Other types on the same topics are not this connector's and are skipped. */
  readonly handlers: ConnectorHandlers<TClient, z.output<TSchema>>;
  /** The provider's webhook definition, shared with ingestion (which serves the endpoint). */
  readonly webhook?: WebhookDefinition;
  readonly limits?: ProviderLimits;
  /**
   * How long the provider keeps an idempotency key, and what each handler does past it
   * (docs/architecture.md#idempotency-keys): `{ keyLifetimeMs, lateReplay: { <type>: 'lookup' } }`, or
   * `{ idempotentBy }` when the provider's own state makes a repeated call harmless at any age.
   */
  readonly idempotency: ConnectorIdempotency;
  /**
   * Reconciliation readers (docs/architecture.md#reconciliation), one per entity this connector reads for
   * the ownership map (`reconciledEntities[entity].connector` is this id): each answers
   * `reconciliation.read.requested` for its entity with one page as the provider holds it, at low priority.
   */
  readonly reconcile?: ConnectorReaders<TClient, z.output<TSchema>>;
  /**
   * What the connector's code expects of its provider's answers, per operation (the request's `operation`
   * label): enum paths whose values are part of the shape, the fields and values the code relies on (a change
   * to one is an error-level provider change naming `usedBy`), and provider paths holding personal data,
   * kept out of the examples (docs/architecture.md#provider-shapes). Webhook payloads are declared on the
   * webhook definition, which ingestion reads.
   */
  readonly shapes?: ShapeDeclarations;
}

const idPattern = /^[a-z][a-z0-9-]{0,40}$/;

/**
 * Declares a connector. Checks what can be checked without I/O, so a broken definition fails at import
 * (and in its unit test) rather than on the first event.
 */
export function defineConnector<TSchema extends z.ZodType, TClient>(
  definition: ConnectorDefinition<TSchema, TClient>,
): ConnectorDefinition<TSchema, TClient> {
  const problems: string[] = [];
  if (!idPattern.test(definition.id))
    problems.push(`id ${JSON.stringify(definition.id)} must match ${idPattern.source}`);
  if (!definition.provider) problems.push('provider is required');
  if (Object.keys(definition.handlers).length === 0) problems.push('at least one handler is required');
  problems.push(...readerProblems(definition));
  problems.push(...credentialProblems(definition));
  problems.push(...idempotencyProblems(definition));
  if (problems.length > 0) {
    throw Object.assign(new Error(`invalid connector definition: ${problems.join('; ')}`), {
      code: ConnectorErrorCode.definitionInvalid,
    });
  }
  return definition;
}

/**
 * A reader belongs to the connector the ownership map names for its entity, and that connector's provider is
 * the entity's owner: the reconciler sends each entity's pages to one connector, and reading another
 * provider's truth with this one's client cannot be right.
 */
function readerProblems(definition: {
  readonly id: string;
  readonly provider: string;
  readonly reconcile?: object;
}): string[] {
  const problems: string[] = [];
  for (const [entity, reader] of Object.entries(definition.reconcile ?? {})) {
    if (!isReconciledEntity(entity)) {
      problems.push(
        `reconcile.${entity}: not a reconciled entity (${Object.keys(reconciledEntities).join(', ')})`,
      );
      continue;
    }
    const { connector, owner } = reconciledEntities[entity];
    if (connector !== definition.id)
      problems.push(`reconcile.${entity}: ${entity} is read by connector ${connector}, not ${definition.id}`);
    else if (owner !== definition.provider)
      problems.push(`reconcile.${entity}: ${entity} is owned by ${owner}, not ${definition.provider}`);
    if (typeof reader !== 'function') problems.push(`reconcile.${entity} must be a reader function`);
  }
  return problems;
}

/** Each credential check names a variable of the connector's own config and can classify. */
function credentialProblems(definition: {
  readonly config: z.ZodType;
  readonly credentials?: object;
}): string[] {
  const problems: string[] = [];
  const shape = (definition.config as { shape?: Record<string, unknown> }).shape;
  for (const [variable, check] of Object.entries(definition.credentials ?? {})) {
    if (shape && !(variable in shape))
      problems.push(`credentials.${variable}: not a variable of the connector's config`);
    if (typeof (check as Partial<CredentialCheck> | undefined)?.classify !== 'function')
      problems.push(`credentials.${variable} must have a classify function`);
  }
  return problems;
}
