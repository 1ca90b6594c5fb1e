/** One provider request as the simulator received it: what tests read to follow a trace into a provider. */
export interface ReceivedRequest {
  /** ISO time of arrival. */
  readonly at: string;
  readonly provider: string;
  /** `POST /v1/payment_intents`, `GET /crm/v3/objects/contacts/:id`, ... */
  readonly route: string;
  /** The W3C `traceparent` header as sent, or null when the caller sent none. */
  readonly traceparent: string | null;
}

/**
 * The last provider requests (admin routes and health checks excluded), oldest first, for
 * `GET /__admin/requests`. Bounded, so a benchmark's millions of calls do not grow the process: the oldest
 * are dropped first.
 */
export class RequestLog {
  readonly #limit: number;
  #entries: ReceivedRequest[] = [];

  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  record(provider: string, route: string, traceparent: string | undefined): void {
    this.#entries.push({ at: new Date().toISOString(), provider, route, traceparent: traceparent ?? null });
    // Halving at the limit keeps the amortised cost per request constant.
    if (this.#entries.length > this.#limit) this.#entries = this.#entries.slice(-Math.floor(this.#limit / 2));
  }

  /** Oldest first; only those of `route` when given. */
  list(route?: string): ReceivedRequest[] {
    return route === undefined ? [...this.#entries] : this.#entries.filter((entry) => entry.route === route);
  }

  clear(): void {
    this.#entries = [];
  }
}
