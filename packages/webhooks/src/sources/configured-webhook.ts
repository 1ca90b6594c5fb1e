import type { EventOf } from '@tributary/contracts';
import { z } from 'zod';
import { defineMapping, defineWebhook } from '../definition.js';
import type { EventMapping, ProviderEvent, WebhookDefinition } from '../definition.js';
import { WebhookError, WebhookErrorCode } from '../errors.js';
import { headerOf } from '../request.js';
import type { WebhookRequest } from '../request.js';
import { githubScheme } from '../schemes/github.scheme.js';
import { hmacScheme } from '../schemes/hmac.scheme.js';
import type { SignatureScheme } from '../schemes/scheme.js';
import { standardWebhooksScheme } from '../schemes/standard-webhooks.scheme.js';
import { stripeScheme } from '../schemes/stripe.scheme.js';
import { resolvePointer } from './json-pointer.js';
import type { WebhookSourceConfig, WebhookSourceLocator } from './source-config.js';

/** Longest id or type kept: they are unique-indexed in the event log and end up in Kafka keys. */
const MAX_ID_LENGTH = 255;

/**
 * The definition of a configured source: its scheme, one provider event per delivery found where the
 * configuration says, and every type published as `integrations.webhook.received`. Throws a TypeError for a
 * scheme the options cannot make (an HMAC template with an unknown placeholder); ingestion's config turns it
 * into a boot problem naming the source.
 */
export function configuredWebhook(source: WebhookSourceConfig): WebhookDefinition {
  return defineWebhook({
    provider: source.name,
    domain: source.domain,
    description: source.description ?? `${source.name} webhooks, declared by configuration.`,
    scheme: schemeOf(source.scheme),
    secretsEnv: source.secretsEnv,
    retryHorizonSeconds: source.retryHorizonSeconds,
    events: (body, request) => [providerEvent(source, body, request)],
    mappings: {},
    otherTypes: receivedMapping(source),
  });
}

function schemeOf(scheme: WebhookSourceConfig['scheme']): SignatureScheme {
  switch (scheme.type) {
    case 'standard-webhooks':
      return standardWebhooksScheme(scheme);
    case 'stripe':
      return stripeScheme(scheme);
    case 'github':
      return githubScheme();
    case 'hmac': {
      const { type: _type, ...options } = scheme;
      return hmacScheme(options);
    }
  }
}

function providerEvent(source: WebhookSourceConfig, body: unknown, request: WebhookRequest): ProviderEvent {
  const dedupeKey = idAt(source, 'dedupeId', source.dedupeId, body, request);
  const type = idAt(source, 'eventType', source.eventType, body, request);
  const occurredAt = source.occurredAt ? timeAt(source, source.occurredAt, body, request) : undefined;
  if (source.objectId && !objectIdFits(source, body)) {
    throw new WebhookError(WebhookErrorCode.payloadInvalid, objectIdTooLong(source, source.objectId));
  }
  return { dedupeKey, type, payload: body, ...(occurredAt ? { occurredAt } : {}) };
}

/**
 * The provider's object id as text, or null when absent or neither a string nor an integer: the key then
 * falls back to the dedupe id. Optional, unlike the dedupe id and type, but capped as they are.
 */
function objectIdOf(source: WebhookSourceConfig, payload: unknown): string | null {
  const objectAt = source.objectId ? resolvePointer(payload, source.objectId.pointer) : undefined;
  return typeof objectAt === 'string' && objectAt !== ''
    ? objectAt
    : typeof objectAt === 'number' && Number.isSafeInteger(objectAt)
      ? String(objectAt)
      : null;
}

function objectIdFits(source: WebhookSourceConfig, payload: unknown): boolean {
  return (objectIdOf(source, payload)?.length ?? 0) <= MAX_ID_LENGTH;
}

function objectIdTooLong(source: WebhookSourceConfig, at: { pointer: string }): string {
  return `${source.name}: objectId at ${describe(at)} is longer than ${MAX_ID_LENGTH} characters`;
}

/** A string, or an integer (providers number their events), as text; anything else is refused. */
function idAt(
  source: WebhookSourceConfig,
  field: string,
  at: WebhookSourceLocator,
  body: unknown,
  request: WebhookRequest,
): string {
  const value = at.header !== undefined ? headerOf(request, at.header) : resolvePointer(body, at.pointer!);
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || text === '' || text.length > MAX_ID_LENGTH) {
    // Names where it looked, never what it found: the body is a third party's data.
    throw new WebhookError(
      WebhookErrorCode.payloadInvalid,
      `${source.name}: no ${field} at ${describe(at)} (a non-empty string or integer of at most ${MAX_ID_LENGTH} characters)`,
    );
  }
  return text;
}

function timeAt(
  source: WebhookSourceConfig,
  at: NonNullable<WebhookSourceConfig['occurredAt']>,
  body: unknown,
  request: WebhookRequest,
): Date | undefined {
  const value = at.header !== undefined ? headerOf(request, at.header) : resolvePointer(body, at.pointer!);
  // Absent is allowed (the event is still worth keeping); present but unreadable is refused.
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && at.format !== 'iso8601' ? Number(value) : value;
  const date =
    at.format === 'iso8601'
      ? typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)
        ? new Date(value)
        : undefined
      : typeof number === 'number' && Number.isFinite(number)
        ? new Date(at.format === 'unix-seconds' ? number * 1000 : number)
        : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new WebhookError(
      WebhookErrorCode.payloadInvalid,
      `${source.name}: occurredAt at ${describe(at)} is not ${at.format}`,
    );
  }
  return date;
}

function describe(at: { pointer?: string | undefined; header?: string | undefined }): string {
  return at.header !== undefined ? `header ${at.header}` : `JSON pointer "${at.pointer}"`;
}

/**
 * Every event of the source as `integrations.webhook.received`, keyed by the source and the provider's
 * object id when declared (its events stay in order), else its dedupe id. The payload is the body as the
 * provider signed it; only a replay that no longer holds those bytes re-serializes the stored JSON.
 */
function receivedMapping(source: WebhookSourceConfig): EventMapping<never> {
  // Intake refuses a delivery whose object id is too long; the schema says so again for entries stored
  // before the cap, so their replay is `invalid` instead of a key no topic should carry.
  const payloadSchema = source.objectId
    ? z.unknown().refine((payload) => objectIdFits(source, payload), {
        message: objectIdTooLong(source, source.objectId),
      })
    : z.unknown();
  return defineMapping(payloadSchema, ['integrations.webhook.received'], (payload, context) => {
    const event = context.event;
    if (!event || !context.correlationId) {
      return { kind: 'unresolved', reason: 'mapped without its provider event or event log id' };
    }
    const objectId = objectIdOf(source, payload);
    const subject = `${source.name}:${objectId ?? event.dedupeKey}`;
    const received: EventOf<'integrations.webhook.received'> = {
      id: context.newEventId(),
      type: 'integrations.webhook.received',
      source: context.source,
      subject,
      time: (event.occurredAt ?? context.receivedAt).toISOString(),
      correlationId: context.correlationId,
      data: {
        subject,
        provider: source.name,
        eventType: event.type,
        dedupeId: event.dedupeKey,
        objectId,
        payload: context.rawBody ? context.rawBody.toString('utf8') : JSON.stringify(payload),
        eventLogId: context.correlationId,
        receivedAt: context.receivedAt.getTime(),
        occurredAt: event.occurredAt ? event.occurredAt.getTime() : null,
      },
    };
    return { kind: 'mapped', events: [received] };
  });
}

/**
 * The definitions an instance serves: the coded ones and the configured ones. A configured source may not
 * take a coded provider's name or another definition's secrets variable (one secret list, one scheme).
 */
export function buildWebhookDefinitions(
  coded: Readonly<Record<string, WebhookDefinition>>,
  sources: readonly WebhookSourceConfig[],
  origin: string,
): { definitions: Record<string, WebhookDefinition>; problems: string[] } {
  const definitions: Record<string, WebhookDefinition> = { ...coded };
  const problems: string[] = [];
  for (const source of sources) {
    const label = `${origin}: source "${source.name}"`;
    if (Object.hasOwn(definitions, source.name)) {
      problems.push(`${label} name: ${source.name} is already a webhook provider`);
      continue;
    }
    const sharing = Object.values(definitions).find((d) => d.secretsEnv === source.secretsEnv);
    if (sharing) {
      problems.push(`${label} secretsEnv: ${source.secretsEnv} already holds ${sharing.provider}'s secrets`);
      continue;
    }
    try {
      definitions[source.name] = configuredWebhook(source);
    } catch (error) {
      problems.push(`${label} scheme: ${(error as Error).message}`);
    }
  }
  return { definitions, problems };
}
