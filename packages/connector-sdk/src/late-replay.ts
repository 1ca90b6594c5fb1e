import { AsyncLocalStorage } from 'node:async_hooks';
import { TributaryError } from '@tributary/contracts';
import type { EventType } from '@tributary/contracts';
import { RetryHeaders, headerInteger } from '@tributary/kafka';
import type { RawHeaders } from '@tributary/kafka';
import { ConnectorErrorCode } from './errors.js';

/**
 * Below the key lifetime by this much the key counts as possibly forgotten: clocks differ between us and the
 * provider, and a provider's "24 hours" is not promised to the second.
 */
export const DEFAULT_LOOKUP_MARGIN_MS = 3_600_000;

/** What a handler does when its provider may have forgotten the key of its first attempt. */
export type LateReplayPlan = 'lookup' | { readonly noLookupBecause: string };

/**
 * The provider remembers an idempotency key for a while (Stripe: 24 h). Past it a replay's call would be a
 * new request, so each handled event type says how its handler finds an effect made before.
 */
export interface KeyLifetimeIdempotency {
  readonly keyLifetimeMs: number;
  /** Default `DEFAULT_LOOKUP_MARGIN_MS`. */
  readonly lookupMarginMs?: number;
  /**
   * Every handled event type: `'lookup'` (its handler calls `ctx.lookupBeforeCall` before its effectful
   * call) or why it needs none (the call reads first anyway, or its effect cannot repeat).
   */
  readonly lateReplay: { readonly [T in EventType]?: LateReplayPlan };
}

/** The provider's call is idempotent by the provider's own state (an upsert by a unique property). */
export interface IdempotentByProvider {
  /** Why repeating the call at any age makes no second effect; shown in docs and the boot log. */
  readonly idempotentBy: string;
}

export type ConnectorIdempotency = KeyLifetimeIdempotency | IdempotentByProvider;

export function hasKeyLifetime(
  idempotency: ConnectorIdempotency | undefined,
): idempotency is KeyLifetimeIdempotency {
  return idempotency !== undefined && 'keyLifetimeMs' in idempotency;
}

/**
 * The earliest moment the effect of this event can have been attempted: the event's own time, or where the
 * record first failed (`kafka_original-timestamp`, kept by every retry-tier and DLQ hop and by a DLQ replay),
 * whichever is earlier. The provider first saw the key at that moment or later, so an age measured from it
 * is never shorter than the key's; undefined when neither can be read.
 */
export function firstAttemptAt(
  event: { readonly time: string },
  headers: RawHeaders | undefined,
): number | undefined {
  const candidates = [Date.parse(event.time), headerInteger(headers, RetryHeaders.originalTimestamp)].filter(
    (at): at is number => at !== undefined && Number.isFinite(at),
  );
  return candidates.length > 0 ? Math.min(...candidates) : undefined;
}

/**
 * Whether the provider may have forgotten the key: the event is older than the key lifetime less the margin.
 * An age that cannot be told counts as old: a lookup costs a read, a second effect costs a customer.
 */
export function keyMayHaveExpired(
  idempotency: ConnectorIdempotency | undefined,
  attemptedAt: number | undefined,
  now: number,
): boolean {
  if (!hasKeyLifetime(idempotency)) return false;
  if (attemptedAt === undefined) return true;
  const margin = idempotency.lookupMarginMs ?? DEFAULT_LOOKUP_MARGIN_MS;
  return now - attemptedAt >= idempotency.keyLifetimeMs - margin;
}

/** Definition problems: every handled type planned, plans and reasons well formed. */
export function idempotencyProblems(definition: {
  readonly idempotency?: ConnectorIdempotency;
  readonly handlers: object;
}): string[] {
  const idempotency = definition.idempotency;
  if (!idempotency)
    return [
      "idempotency is required: the provider's key lifetime with each handler's lookup ({ keyLifetimeMs, lateReplay }), or { idempotentBy } when the provider's own state makes a repeat harmless",
    ];
  if (!hasKeyLifetime(idempotency)) {
    const reason = (idempotency as Partial<IdempotentByProvider>).idempotentBy;
    return typeof reason === 'string' && reason.trim() !== ''
      ? []
      : ['idempotency.idempotentBy must say why a repeat makes no second effect'];
  }
  const problems: string[] = [];
  const { keyLifetimeMs, lookupMarginMs, lateReplay } = idempotency;
  if (!(Number.isFinite(keyLifetimeMs) && keyLifetimeMs >= 0))
    problems.push('idempotency.keyLifetimeMs must be a finite number of milliseconds ≥ 0');
  if (lookupMarginMs !== undefined && !(Number.isFinite(lookupMarginMs) && lookupMarginMs >= 0))
    problems.push('idempotency.lookupMarginMs must be a finite number of milliseconds ≥ 0');
  const handled = Object.keys(definition.handlers);
  for (const type of handled) {
    const plan = (lateReplay as Record<string, LateReplayPlan | undefined> | undefined)?.[type];
    if (plan === undefined)
      problems.push(
        `idempotency.lateReplay.${type}: missing — the provider forgets keys after ${keyLifetimeMs} ms, so say 'lookup' (the handler calls ctx.lookupBeforeCall) or { noLookupBecause }`,
      );
    else if (plan !== 'lookup' && !(typeof plan.noLookupBecause === 'string' && plan.noLookupBecause.trim()))
      problems.push(`idempotency.lateReplay.${type} must be 'lookup' or { noLookupBecause: <reason> }`);
  }
  for (const type of Object.keys(lateReplay ?? {})) {
    if (!handled.includes(type)) problems.push(`idempotency.lateReplay.${type}: not a handled event type`);
  }
  return problems;
}

/** Checks an effectful provider call made within a handler, before it is sent. */
export type EffectGuard = (call: { readonly method: string; readonly operation: string }) => void;

const ambientGuard = new AsyncLocalStorage<EffectGuard>();

/** Runs a handler with `guard` checking every effectful call its client makes, however deep. */
export function withEffectGuard<T>(guard: EffectGuard, work: () => Promise<T>): Promise<T> {
  return ambientGuard.run(guard, work);
}

export function checkEffect(call: { readonly method: string; readonly operation: string }): void {
  ambientGuard.getStore()?.(call);
}

/** The handler's side of a late replay: its lookup, and the guard that refuses a call made without it. */
export class LateReplay {
  #lookedUp = false;

  constructor(
    private readonly event: { readonly id: string; readonly type: string },
    private readonly plan: LateReplayPlan | undefined,
    /** Whether the provider may have forgotten the key (`keyMayHaveExpired`). */
    readonly keyMayHaveExpired: boolean,
  ) {}

  /** `find` runs only when the key may have been forgotten; otherwise the key still protects the call. */
  async lookupBeforeCall<T>(find: () => Promise<T | null | undefined>): Promise<T | undefined> {
    this.#lookedUp = true;
    if (!this.keyMayHaveExpired) return undefined;
    return (await find()) ?? undefined;
  }

  /**
   * Refuses an effectful call of a late replay whose handler is planned to look up and did not: the key no
   * longer protects it, and a dead letter is better than a second charge. Not retriable.
   */
  readonly guard: EffectGuard = (call) => {
    if (!this.keyMayHaveExpired || this.plan !== 'lookup' || this.#lookedUp) return;
    throw new TributaryError(
      ConnectorErrorCode.lookupMissing,
      `${call.method} ${call.operation} for ${this.event.type} ${this.event.id}: the provider may have forgotten the idempotency key and the handler did not call ctx.lookupBeforeCall first`,
      { retriable: false },
    );
  };
}
