import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimClock } from './clock.js';
import type { DriftHandler } from './drift.js';
import type { SeedHandler } from './seed.js';
import type { ShapeChanges } from './shape-changes.js';
import type { FaultTable, RequestFaults } from './faults.js';
import { fingerprint, header, readBody, send, sendTruncated } from './http.js';
import type { Answer } from './http.js';
import type { IdempotencyStore } from './idempotency.js';
import type { EffectsLedger } from './ledger.js';
import type { RateObserver } from './rates.js';
import type { Method } from './router.js';
import type { Throttle } from './throttle.js';
import type { ProviderName, WebhookSender } from './webhooks.js';
import type { RequestLog } from './request-log.js';

/** The shared machinery every provider's routes run on. */
export interface SimCore {
  readonly faults: FaultTable;
  readonly ledger: EffectsLedger;
  readonly throttle: Throttle;
  /** Changes of what routes answer and webhooks carry, set by tests of endpoint drift. */
  readonly shapes: ShapeChanges;
  readonly idempotency: IdempotencyStore;
  readonly webhooks: WebhookSender;
  /** Answers a timeout fault holds back until the client gives up (released at close). */
  readonly held: Set<ServerResponse>;
  /** Arrivals per provider and route, for `GET /__admin/rate`. */
  readonly rates: RateObserver;
  /** The providers' time, shiftable by the admin API. */
  readonly clock: SimClock;
  /** The last requests with the `traceparent` each carried, for `GET /__admin/requests`. */
  readonly requests: RequestLog;
}

/** Each provider answers errors in its own shape; the core decides when, the provider says how. */
export interface ProviderErrors {
  unauthorized(): Answer;
  notFound(method: string, path: string): Answer;
  /** A body that is not what the route takes (not JSON, missing fields). */
  invalid(message: string): Answer;
  /** An injected 5xx. */
  serverError(status: number): Answer;
  /** An injected 429, the benchmark throttle or the provider's own limit. Retry-After is added by the core. */
  rateLimited(retryAfterSeconds: number): Answer;
  idempotencyMismatch(): Answer;
  idempotencyInProgress(): Answer;
}

/** A refusal may carry its own answer, when a provider has more than one limit to name (HubSpot). */
export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number; answer?: Answer };

export interface RequestContext {
  readonly req: IncomingMessage;
  /** `POST /v2/shipments/:id/buy` */
  readonly route: string;
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
}

export type RouteHandler = (
  core: SimCore,
  provider: Provider,
  ctx: RequestContext,
  res: ServerResponse,
) => Promise<void>;

export interface ProviderRoute {
  readonly method: Method;
  readonly path: string;
  readonly handler: RouteHandler;
}

export interface Provider {
  readonly name: ProviderName;
  /** Unknown paths under these prefixes get this provider's 404 shape. */
  readonly prefixes: readonly string[];
  readonly errors: ProviderErrors;
  authorized(req: IncomingMessage): boolean;
  readonly routes: readonly ProviderRoute[];
  /** Headers on every answer, e.g. HubSpot's rate-limit headers. */
  headers?(route: string): Record<string, string>;
  /**
   * The provider's own rate limit, consulted instead of the plain benchmark throttle (HubSpot keeps its
   * 10-second window, which its headers describe, and a per-token limit on search). Default: the benchmark
   * throttle only.
   */
  admit?(route: string, req: IncomingMessage): Admission;
  /** Out-of-band changes the admin API can inject (`POST /__admin/drift`). */
  readonly drift?: DriftHandler;
  /** Bulk creation of this provider's objects (`POST /__admin/seed`). */
  readonly seed?: SeedHandler;
  /** How many objects of each kind the provider holds (`GET /__admin/objects`). */
  counts?(): Record<string, number>;
}

/** Requests without an Idempotency-Key are still counted in the ledger, under this name. */
export const NO_KEY = '(no key)';

export function reply(
  res: ServerResponse,
  provider: Provider,
  route: string,
  answer: Answer,
  extra: Record<string, string> = {},
): void {
  send(res, answer, { ...provider.headers?.(route), ...extra });
}

/**
 * Sends a route's own answer (not a throttle's, an injected fault's or a missing token's) as the shape changes
 * of the route make it. The answer itself stays as computed: stored for replays, its objects untouched.
 */
function replyShaped(
  core: SimCore,
  res: ServerResponse,
  provider: Provider,
  route: string,
  answer: Answer,
  extra: Record<string, string> = {},
): void {
  reply(res, provider, route, core.shapes.response(provider.name, route, answer), extra);
}

/** Throttle and provider limit: true when the request may go on, else the 429 is sent and counted. */
function admitted(core: SimCore, provider: Provider, ctx: RequestContext, res: ServerResponse): boolean {
  const verdict: Admission = provider.admit
    ? provider.admit(ctx.route, ctx.req)
    : core.throttle.admit(ctx.route);
  if (verdict.ok) return true;
  core.ledger.countThrottled(ctx.route);
  const answer = verdict.answer ?? provider.errors.rateLimited(verdict.retryAfterSeconds);
  reply(res, provider, ctx.route, answer, { 'retry-after': String(verdict.retryAfterSeconds) });
  return false;
}

/** Injected 5xx and 429 strike before anything is read or applied. */
function faultedBefore(
  faults: RequestFaults,
  provider: Provider,
  ctx: RequestContext,
  res: ServerResponse,
): boolean {
  const before = faults.beforeEffect();
  if (before.kind === 'error') {
    reply(res, provider, ctx.route, provider.errors.serverError(before.status));
    return true;
  }
  if (before.kind === 'rate_limited') {
    reply(res, provider, ctx.route, provider.errors.rateLimited(before.retryAfterSeconds), {
      'retry-after': String(before.retryAfterSeconds),
    });
    return true;
  }
  return false;
}

/**
 * Sends an answer unless a fault after the effect (or after a read) loses it: held until the client gives
 * up, the connection cut, or the body truncated mid-way.
 */
function answerThroughFaults(
  core: SimCore,
  provider: Provider,
  ctx: RequestContext,
  res: ServerResponse,
  faults: RequestFaults,
  answer: Answer,
): boolean {
  const after = faults.afterEffect();
  if (after.kind === 'timeout') {
    core.held.add(res);
    res.on('close', () => core.held.delete(res));
    return false;
  }
  if (after.kind === 'reset') {
    ctx.req.socket.destroy();
    return false;
  }
  if (after.kind === 'truncate') {
    sendTruncated(res, core.shapes.response(provider.name, ctx.route, answer), provider.headers?.(ctx.route));
    return false;
  }
  return true;
}

/**
 * A route without effects (reads, a search's POST included): throttle, auth, latency, 5xx and 429 faults
 * before the answer, and lost, cut or truncated answers after it.
 */
export function queryRoute(
  handle: (ctx: RequestContext, body: string) => Answer | Promise<Answer>,
): RouteHandler {
  return async (core, provider, ctx, res) => {
    core.ledger.countRequest(ctx.route);
    if (!admitted(core, provider, ctx, res)) return;
    if (!provider.authorized(ctx.req)) return reply(res, provider, ctx.route, provider.errors.unauthorized());
    const body = await readBody(ctx.req);
    const faults = core.faults.forRequest(ctx.route);
    const latency = faults.latencyMs();
    if (latency > 0) await sleep(latency);
    if (faultedBefore(faults, provider, ctx, res)) return;
    const answer = await handle(ctx, body);
    if (answerThroughFaults(core, provider, ctx, res, faults, answer))
      replyShaped(core, res, provider, ctx.route, answer);
  };
}

export interface EffectApplied {
  kind: 'applied';
  answer: Answer;
  /** What the ledger records per key: how many effects, on which object. */
  effects: { key: string; count: number; objectId?: string }[];
}

export type EffectOutcome = EffectApplied | { kind: 'refused'; answer: Answer };

export interface EffectRouteDefinition<P> {
  /** Reads the body; a refusal is answered at once and touches nothing. */
  parse(body: string, ctx: RequestContext): { ok: true; params: P } | { ok: false; answer: Answer };
  /**
   * The keys naming this request in the ledger and the fault table. Default: the Idempotency-Key header
   * (or NO_KEY). HubSpot names each batch input by its objectWriteTraceId.
   */
  keys?(params: P, ctx: RequestContext): string[];
  /** Whether the Idempotency-Key header gets Stripe's stored answers. Default true. */
  honoursIdempotencyKey?: boolean;
  /** Checks after the idempotency lookup (as Stripe does): a refusal stores nothing. */
  validate?(params: P, ctx: RequestContext): Answer | undefined;
  /** The effect itself; `refused` (e.g. EasyPost's "already bought") stores nothing either. */
  apply(params: P, ctx: RequestContext, keys: readonly string[]): EffectOutcome | Promise<EffectOutcome>;
}

/**
 * A route with an effect, the pipeline every provider shares: throttle, auth, body, latency, ledger count,
 * idempotency lookup, validation, before-effect faults, the effect, after-effect faults, the answer.
 */
export function effectRoute<P>(definition: EffectRouteDefinition<P>): RouteHandler {
  return async (core, provider, ctx, res) => {
    const { route, req } = ctx;
    core.ledger.countRequest(route);
    if (!admitted(core, provider, ctx, res)) return;
    if (!provider.authorized(req)) return reply(res, provider, route, provider.errors.unauthorized());
    const parsed = definition.parse(await readBody(req), ctx);
    if (!parsed.ok) return replyShaped(core, res, provider, route, parsed.answer);
    const params = parsed.params;

    const headerKey = header(req, 'idempotency-key');
    const keys = definition.keys ? definition.keys(params, ctx) : [headerKey ?? NO_KEY];
    const faults = core.faults.forRequest(route, keys);
    const latency = faults.latencyMs();
    if (latency > 0) await sleep(latency);
    for (const key of keys) core.ledger.entry(route, key).requests += 1;

    const honoured = (definition.honoursIdempotencyKey ?? true) ? headerKey : undefined;
    const print = fingerprint({ path: ctx.params, params });
    if (honoured !== undefined) {
      const known = core.idempotency.lookup(route, honoured, print);
      if (known.kind === 'mismatch')
        return replyShaped(core, res, provider, route, provider.errors.idempotencyMismatch());
      if (known.kind === 'in_progress')
        return replyShaped(core, res, provider, route, provider.errors.idempotencyInProgress());
      if (known.kind === 'replay') {
        const late = faults.afterEffectDelayMs();
        if (late > 0) await sleep(late);
        return replyShaped(core, res, provider, route, known.answer, { 'idempotent-replayed': 'true' });
      }
    }

    const invalid = definition.validate?.(params, ctx);
    if (invalid) return replyShaped(core, res, provider, route, invalid);
    if (faultedBefore(faults, provider, ctx, res)) return;

    if (honoured !== undefined) core.idempotency.begin(route, honoured, print, provider.name);
    let outcome: EffectOutcome;
    try {
      outcome = await definition.apply(params, ctx, keys);
    } catch (error) {
      if (honoured !== undefined) core.idempotency.release(route, honoured);
      throw error;
    }
    if (outcome.kind === 'refused') {
      if (honoured !== undefined) core.idempotency.release(route, honoured);
      return replyShaped(core, res, provider, route, outcome.answer);
    }
    if (honoured !== undefined) core.idempotency.finish(route, honoured, outcome.answer);
    for (const effect of outcome.effects) {
      const entry = core.ledger.entry(route, effect.key);
      entry.effects += effect.count;
      if (effect.objectId !== undefined) entry.objectId = effect.objectId;
    }

    if (!answerThroughFaults(core, provider, ctx, res, faults, outcome.answer)) return;
    const delay = faults.afterEffectDelayMs();
    if (delay > 0) await sleep(delay);
    replyShaped(core, res, provider, route, outcome.answer);
  };
}

/** A bearer token of any value: the simulator checks that one is sent, not which. */
export function hasBearer(req: IncomingMessage): boolean {
  return /^Bearer \S+$/.test(req.headers.authorization ?? '');
}
