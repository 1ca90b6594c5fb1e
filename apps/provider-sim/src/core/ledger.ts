/** One idempotency key as the simulator saw it: the proof tests use that an effect happened once. */
export interface LedgerEntry {
  readonly idempotencyKey: string;
  /** `POST /v1/payment_intents`, `POST /v2/shipments/:id/buy`, ... */
  readonly route: string;
  /** Requests that carried this key, replays included. */
  requests: number;
  /**
   * Effects applied under this key: more than 1 would be a double effect. A key-honouring route never goes
   * above 1 by construction; for HubSpot upserts, a re-upsert that changes nothing counts 0.
   */
  effects: number;
  /** The object the effect created or changed, e.g. `pi_...`, `shp_...`, a HubSpot contact id. */
  objectId?: string;
}

export interface LedgerSnapshot {
  entries: LedgerEntry[];
  /** Every request per route, throttled ones included. */
  requests: Record<string, number>;
  /** Requests the throttle (or a provider's own rate limit) answered with 429, per route. */
  throttled: Record<string, number>;
}

export class EffectsLedger {
  readonly #entries = new Map<string, LedgerEntry>();
  readonly #requestsByRoute = new Map<string, number>();
  readonly #throttledByRoute = new Map<string, number>();

  countRequest(route: string): void {
    this.#requestsByRoute.set(route, (this.#requestsByRoute.get(route) ?? 0) + 1);
  }

  countThrottled(route: string): void {
    this.#throttledByRoute.set(route, (this.#throttledByRoute.get(route) ?? 0) + 1);
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

  snapshot(): LedgerSnapshot {
    return {
      entries: [...this.#entries.values()].map((entry) => ({ ...entry })),
      requests: Object.fromEntries(this.#requestsByRoute),
      throttled: Object.fromEntries(this.#throttledByRoute),
    };
  }

  reset(): void {
    this.#entries.clear();
    this.#requestsByRoute.clear();
    this.#throttledByRoute.clear();
  }
}
