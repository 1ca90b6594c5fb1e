import type { SimClock } from './clock.js';
import type { Answer } from './http.js';
import type { ProviderName } from './webhooks.js';

/**
 * How long each provider keeps a key, on the simulator's clock. Stripe: "keys are eligible to be removed
 * from the system automatically after they're at least 24 hours old". EasyPost documents no keys (the
 * simulator's are a convenience) and the generic provider is whatever a connector expects; both keep
 * Stripe's 24 h unless configured. HubSpot honours no key at all.
 */
export const DEFAULT_KEY_LIFETIME_MS: Readonly<Partial<Record<ProviderName, number>>> = {
  stripe: 86_400_000,
  easypost: 86_400_000,
  generic: 86_400_000,
};

export type IdempotencyLookup =
  { kind: 'new' } | { kind: 'replay'; answer: Answer } | { kind: 'mismatch' } | { kind: 'in_progress' };

interface KeyState {
  fingerprint: string;
  /** Set once the effect ran: every later request with the key gets exactly this. */
  answer?: Answer;
  /** The simulator's clock when the key was first used: its lifetime runs from here. */
  at: number;
  lifetimeMs: number;
}

/**
 * Stripe's idempotency rules, shared by every key-honouring route: the same key with the same parameters
 * gets the stored answer; other parameters are refused; a key whose first request is still running is
 * refused too. Keys are scoped per route, so one key used for two different calls cannot collide.
 * Only answers of requests that reached the effect are stored: validation errors and injected 5xx/429
 * leave the key free, as at Stripe. A key is forgotten once its provider's lifetime has passed on the
 * simulator's clock (`POST /__admin/clock` moves it): the same key then makes a new effect, as at Stripe
 * a day later.
 */
export class IdempotencyStore {
  readonly #keys = new Map<string, KeyState>();
  readonly #lifetimes: Readonly<Partial<Record<ProviderName, number>>>;

  constructor(
    private readonly clock: SimClock,
    lifetimes: Partial<Record<ProviderName, number>> = {},
  ) {
    this.#lifetimes = { ...DEFAULT_KEY_LIFETIME_MS, ...lifetimes };
  }

  /** How long `provider` keeps a key; Infinity when it is not limited. */
  lifetimeOf(provider: ProviderName): number {
    return this.#lifetimes[provider] ?? Number.POSITIVE_INFINITY;
  }

  lookup(route: string, key: string, fingerprint: string): IdempotencyLookup {
    const state = this.#keys.get(slot(route, key));
    if (!state) return { kind: 'new' };
    // A key still in progress is never forgotten: its request has not answered yet.
    if (state.answer && this.clock.now() - state.at >= state.lifetimeMs) {
      this.#keys.delete(slot(route, key));
      return { kind: 'new' };
    }
    if (state.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (state.answer) return { kind: 'replay', answer: state.answer };
    return { kind: 'in_progress' };
  }

  /** Claims the key for a request of `provider` about to apply its effect. */
  begin(route: string, key: string, fingerprint: string, provider: ProviderName): void {
    this.#keys.set(slot(route, key), {
      fingerprint,
      at: this.clock.now(),
      lifetimeMs: this.lifetimeOf(provider),
    });
  }

  finish(route: string, key: string, answer: Answer): void {
    const state = this.#keys.get(slot(route, key));
    if (state) state.answer = answer;
  }

  /** Frees a claimed key whose request ended without an effect. */
  release(route: string, key: string): void {
    const state = this.#keys.get(slot(route, key));
    if (state && !state.answer) this.#keys.delete(slot(route, key));
  }
}

function slot(route: string, key: string): string {
  return `${route}|${key}`;
}
