import { performance } from 'node:perf_hooks';
import type { ProviderName } from './webhooks.js';

export type Clock = () => number;

/** Wall-clock milliseconds that never step back, so sliding windows stay ordered across clock adjustments. */
const monotonic: Clock = () => performance.timeOrigin + performance.now();

/** What `GET /__admin/rate` answers for one provider (or one of its routes). */
export interface RateReport {
  provider: ProviderName;
  route: string | null;
  /** When counting started: the simulator's start or the last reset. */
  since: string;
  requests: number;
  /** The most requests seen in any sliding one-second window. */
  maxIn1s: number;
  /** The most requests seen in any sliding ten-second window. */
  maxIn10s: number;
  /** Requests per route, for the provider as a whole. */
  routes: Record<string, number>;
  /** Requests per calendar second, seconds without any left out. */
  histogram: { second: string; requests: number }[];
}

/**
 * Every request a provider route received, with its arrival time, so a test can prove that a connector's
 * traffic stayed under the provider's documented limit whatever the limiter in front of it answered (429s
 * count: the provider counts them too).
 */
export class RateObserver {
  readonly #arrivals = new Map<ProviderName, { at: number[]; routes: string[] }>();
  #since: number;

  constructor(private readonly clock: Clock = monotonic) {
    this.#since = clock();
  }

  record(provider: ProviderName, route: string): void {
    let log = this.#arrivals.get(provider);
    if (!log) {
      log = { at: [], routes: [] };
      this.#arrivals.set(provider, log);
    }
    log.at.push(this.clock());
    log.routes.push(route);
  }

  reset(): void {
    this.#arrivals.clear();
    this.#since = this.clock();
  }

  report(provider: ProviderName, route?: string): RateReport {
    const log = this.#arrivals.get(provider) ?? { at: [], routes: [] };
    const routes: Record<string, number> = {};
    for (const name of log.routes) routes[name] = (routes[name] ?? 0) + 1;
    const at = route === undefined ? log.at : log.at.filter((_, index) => log.routes[index] === route);
    const perSecond = new Map<number, number>();
    for (const time of at) {
      const second = Math.floor(time / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    return {
      provider,
      route: route ?? null,
      since: new Date(this.#since).toISOString(),
      requests: at.length,
      maxIn1s: busiest(at, 1_000),
      maxIn10s: busiest(at, 10_000),
      routes,
      histogram: [...perSecond].map(([second, requests]) => ({
        second: new Date(second * 1000).toISOString(),
        requests,
      })),
    };
  }
}

/** The most arrivals within any half-open window [t, t + windowMs), over times in ascending order. */
export function busiest(times: readonly number[], windowMs: number): number {
  let best = 0;
  let first = 0;
  for (let last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= windowMs) first += 1;
    best = Math.max(best, last - first + 1);
  }
  return best;
}
