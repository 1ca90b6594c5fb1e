import type { Answer } from './http.js';

export type IdempotencyLookup =
  { kind: 'new' } | { kind: 'replay'; answer: Answer } | { kind: 'mismatch' } | { kind: 'in_progress' };

interface KeyState {
  fingerprint: string;
  /** Set once the effect ran: every later request with the key gets exactly this. */
  answer?: Answer;
}

/**
 * Stripe's idempotency rules, shared by every key-honouring route: the same key with the same parameters
 * gets the stored answer; other parameters are refused; a key whose first request is still running is
 * refused too. Keys are scoped per route, so one key used for two different calls cannot collide.
 * Only answers of requests that reached the effect are stored: validation errors and injected 5xx/429
 * leave the key free, as at Stripe.
 */
export class IdempotencyStore {
  readonly #keys = new Map<string, KeyState>();

  lookup(route: string, key: string, fingerprint: string): IdempotencyLookup {
    const state = this.#keys.get(slot(route, key));
    if (!state) return { kind: 'new' };
    if (state.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (state.answer) return { kind: 'replay', answer: state.answer };
    return { kind: 'in_progress' };
  }

  /** Claims the key for a request about to apply its effect. */
  begin(route: string, key: string, fingerprint: string): void {
    this.#keys.set(slot(route, key), { fingerprint });
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
