import type { DomainEvent, EventType } from '@tributary/contracts';
import type { ShapeDeclarations } from '@tributary/provider-shapes';
import type { z } from 'zod';
import type { WebhookRequest } from './request.js';
import type { SignatureScheme } from './schemes/scheme.js';

/** One event as the provider identifies it. A delivery carries one (Stripe, GitHub) or several (HubSpot). */
export interface ProviderEvent {
  /** The provider's identity of the event, unique per provider over its retry horizon: the dedupe key. */
  readonly dedupeKey: string;
  /** The provider's event type, e.g. `payment_intent.succeeded`. */
  readonly type: string;
  /** When it happened at the provider, when the provider says. */
  readonly occurredAt?: Date;
  /** This event's JSON: stored in the event log and handed to its mapping. */
  readonly payload: unknown;
}

/**
 * Provider ids → internal aggregate ids (the `external_refs` table, docs/architecture.md#topics), bound to
 * the caller's transaction.
 */
export interface ExternalRefResolver {
  /** The internal id of a provider object, or undefined when it was never recorded. */
  find(externalType: string, externalId: string): Promise<string | undefined>;
  /** The internal id, minted and recorded the first time the provider object is seen. */
  getOrCreate(externalType: string, externalId: string): Promise<string>;
}

export interface MappingContext {
  readonly provider: string;
  /** ce_source of the events the mapping produces. */
  readonly source: string;
  readonly receivedAt: Date;
  readonly refs: ExternalRefResolver;
  /** Set on every produced event so it can be traced back to the delivery. */
  readonly correlationId?: string;
  /** A fresh ce_id (UUIDv7). */
  newEventId(): string;
  /**
   * The delivery's body exactly as received, when the caller still has it (ingestion at intake, and replay
   * while `webhook_bodies` holds it): a mapping that forwards the provider's JSON forwards these bytes.
   */
  readonly rawBody?: Buffer;
  /** The provider event being mapped; set by `mapProviderEvent` (a generic mapping forwards its ids). */
  readonly event?: ProviderEvent;
}

/** What a mapping made of a provider event it understood. */
export type MappingOutcome =
  | { readonly kind: 'mapped'; readonly events: readonly DomainEvent[] }
  /** Understood and deliberately produces nothing (e.g. a tracking update that is not a delivery). */
  | { readonly kind: 'ignored'; readonly reason: string }
  /** Cannot be mapped yet: a provider id with no internal id. Kept for replay once the reference exists. */
  | { readonly kind: 'unresolved'; readonly reason: string };

export interface EventMapping<T = unknown> {
  /** Validates the provider event's payload before `map` sees it. */
  readonly schema: z.ZodType<T>;
  /** Catalogue event types `map` may produce (topics to create, docs). */
  readonly produces: readonly EventType[];
  map(payload: T, context: MappingContext): MappingOutcome | Promise<MappingOutcome>;
}

/**
 * Everything about one provider's webhooks, in one file per provider: how requests are signed, where the
 * secrets come from, how a delivery splits into provider events and what identifies each (dedupe), and how
 * each event type maps to catalogue events. Ingestion serves it at `POST /webhooks/<provider>`; the connector
 * SDK reuses it. Pure: no framework, no I/O besides the refs resolver it is handed.
 */
export interface WebhookDefinition {
  /** Path segment and metric label, e.g. `stripe`. Lower case. */
  readonly provider: string;
  /** Business domain the provider serves: payments, crm, logistics, ... */
  readonly domain: string;
  readonly description: string;
  readonly scheme: SignatureScheme;
  /**
   * Environment variable holding the active secrets, comma separated (several during a rotation).
   * `<name>_FILE` may name a file holding them instead.
   */
  readonly secretsEnv: string;
  /** How long the provider retries a delivery: deduplication must remember keys at least this long. */
  readonly retryHorizonSeconds: number;
  /** Splits a verified, JSON-parsed body into provider events. Throws WEBHOOK_PAYLOAD_INVALID. */
  events(body: unknown, request: WebhookRequest): readonly ProviderEvent[];
  /** Mappings by provider event type. Types without one are stored and counted as `unknown_type`. */
  readonly mappings: Readonly<Record<string, EventMapping<never>>>;
  /**
   * Mapping of every type `mappings` does not name. Configured sources use it to publish each event as
   * `integrations.webhook.received`; coded providers leave it out, so an unmapped type stays `unknown_type`.
   */
  readonly otherTypes?: EventMapping<never>;
  /**
   * What the mappings expect of each provider event type's payload (docs/architecture.md#provider-shapes):
   * enum paths, the fields and values a mapping relies on (a change to one is an error-level provider change
   * naming `usedBy`), provider paths holding personal data. Ingestion samples every verified payload's shape.
   */
  readonly shapes?: ShapeDeclarations;
}

/** Types a mapping's payload through its schema (`defineMapping(schema, [...], (payload, ctx) => ...)`). */
export function defineMapping<S extends z.ZodType>(
  schema: S,
  produces: readonly EventType[],
  map: (payload: z.infer<S>, context: MappingContext) => MappingOutcome | Promise<MappingOutcome>,
): EventMapping<never> {
  return { schema, produces, map } as unknown as EventMapping<never>;
}

export function defineWebhook(definition: WebhookDefinition): WebhookDefinition {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(definition.provider)) {
    throw new TypeError(
      `webhook provider name ${JSON.stringify(definition.provider)} must be a lower-case slug`,
    );
  }
  return definition;
}

/** The outcome of mapping one provider event, as the event log records it. */
export type MappingResult =
  | { readonly status: 'mapped'; readonly events: readonly DomainEvent[] }
  | { readonly status: 'ignored' | 'unresolved'; readonly reason: string }
  /** No mapping for the type: stored and counted, never dropped; replay maps it once a mapping exists. */
  | { readonly status: 'unknown_type' }
  /** A known type whose payload fails the mapping's schema; `reason` names the paths, never the values. */
  | { readonly status: 'invalid'; readonly reason: string };

export type MappingStatus = MappingResult['status'];

export async function mapProviderEvent(
  definition: WebhookDefinition,
  event: ProviderEvent,
  context: MappingContext,
): Promise<MappingResult> {
  const mapping = (
    Object.hasOwn(definition.mappings, event.type) ? definition.mappings[event.type] : definition.otherTypes
  ) as EventMapping<unknown> | undefined;
  if (!mapping) return { status: 'unknown_type' };
  const parsed = mapping.schema.safeParse(event.payload);
  if (!parsed.success) return { status: 'invalid', reason: describeIssues(parsed.error) };
  const outcome = await mapping.map(parsed.data, { ...context, event });
  if (outcome.kind === 'mapped') return { status: 'mapped', events: outcome.events };
  return { status: outcome.kind, reason: outcome.reason };
}

/** Paths and messages of a zod error, without the offending values (payloads carry personal data). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Every catalogue type some definition may produce: the topics ingestion writes to. */
export function producedEventTypes(definitions: readonly WebhookDefinition[]): EventType[] {
  const types = new Set<EventType>();
  for (const definition of definitions) {
    const mappings = [
      ...Object.values(definition.mappings),
      ...(definition.otherTypes ? [definition.otherTypes] : []),
    ];
    for (const mapping of mappings) for (const type of mapping.produces) types.add(type);
  }
  return [...types].sort();
}
