/** One idempotency key as the simulator saw it: the proof tests use that an effect happened once. */
export interface LedgerEntry {
  readonly idempotencyKey: string;
  /** `POST /v1/payment_intents` */
  readonly route: string;
  /** Requests that carried this key, replays included. */
  requests: number;
  /** Effects applied under this key: more than 1 would be a double charge. Never above 1 by construction. */
  effects: number;
  /** The object the effect created, e.g. `pi_...`. */
  objectId?: string;
}

export class EffectsLedger {
  readonly #entries = new Map<string, LedgerEntry>();
  readonly #requestsByRoute = new Map<string, number>();

  countRequest(route: string): void {
    this.#requestsByRoute.set(route, (this.#requestsByRoute.get(route) ?? 0) + 1);
  }

  entry(route: string, idempotencyKey: string): LedgerEntry {
    const id = `${route} ${idempotencyKey}`;
    let entry = this.#entries.get(id);
    if (!entry) {
      entry = { idempotencyKey, route, requests: 0, effects: 0 };
      this.#entries.set(id, entry);
    }
    return entry;
  }

  snapshot(): { entries: LedgerEntry[]; requests: Record<string, number> } {
    return {
      entries: [...this.#entries.values()].map((entry) => ({ ...entry })),
      requests: Object.fromEntries(this.#requestsByRoute),
    };
  }

  reset(): void {
    this.#entries.clear();
    this.#requestsByRoute.clear();
  }
}
