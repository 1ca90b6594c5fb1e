import type { SimFigures } from './figures.js';

interface LedgerSnapshot {
  entries: { idempotencyKey: string; route: string; requests: number; effects: number }[];
  requests: Record<string, number>;
  throttled: Record<string, number>;
}

/** The provider simulator's admin API, as the bench drives it. */
export class SimAdmin {
  constructor(
    readonly url: string,
    readonly route: string,
  ) {}

  async #call(path: string, method: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.url}/__admin${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /__admin${path} → ${response.status}: ${text}`);
    return JSON.parse(text) as unknown;
  }

  fixedLatency(ms: number): Promise<unknown> {
    return this.#call('/faults', 'POST', {
      route: this.route,
      latency: { distribution: 'fixed', p50Ms: ms },
    });
  }

  clearFaults(): Promise<unknown> {
    return this.#call('/faults', 'DELETE');
  }

  throttle(requestsPerSecond: number): Promise<unknown> {
    return this.#call('/throttle', 'POST', { route: this.route, requestsPerSecond });
  }

  clearThrottle(): Promise<unknown> {
    return this.#call('/throttle', 'DELETE');
  }

  ledger(): Promise<LedgerSnapshot> {
    return this.#call('/ledger', 'GET') as Promise<LedgerSnapshot>;
  }

  /** The simulator's view of a phase: ledger differences, and the effects under the phase's keys. */
  static figures(
    before: LedgerSnapshot,
    after: LedgerSnapshot,
    route: string,
    keys: ReadonlySet<string>,
  ): SimFigures {
    const mine = after.entries.filter((entry) => entry.route === route && keys.has(entry.idempotencyKey));
    return {
      requests: (after.requests[route] ?? 0) - (before.requests[route] ?? 0),
      throttled: (after.throttled[route] ?? 0) - (before.throttled[route] ?? 0),
      effects: mine.reduce((sum, entry) => sum + entry.effects, 0),
      doubleEffects: mine.filter((entry) => entry.effects > 1).length,
    };
  }
}
