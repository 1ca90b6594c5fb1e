import { z } from 'zod';
import { latencySchema, sampleLatencyMs } from './latency.js';
import type { Random } from './random.js';

const rate = z.number().min(0).max(1).default(0);

/**
 * Faults for one route, each a probability per request. Where a fault strikes matters for exactly-once:
 * - before the effect: `errorRate` (5xx), `status429Rate` (429 with Retry-After) — nothing is applied;
 * - after the effect: `timeoutRate` (the answer never comes), `resetRate` (the connection is cut),
 *   `afterEffectDelayMs` (the answer comes late) — the effect is applied and its answer stored, so only
 *   the idempotency key keeps a retry from applying it twice.
 * `times` limits the faults to the next N requests that meet one; then the route is healthy again.
 * `afterEffectDelayMs` also delays replays of a stored answer: the answer of that effect keeps coming late.
 * With `idempotencyKey`, only requests carrying that key are affected, so a test can fault its own event
 * while other traffic on the route stays healthy.
 * `latency` (a distribution, sampled per request) supersedes the older fixed `latencyMs`.
 * `afterRequests` keeps the fault dormant for the next N requests of its route (counted from when it is set),
 * so a test can let a list walk fetch N pages and then fail the N+1th.
 * `truncate` (or `truncateRate`) is a proxy losing its upstream mid-answer: the status line, the headers and a
 * `Content-Length` for the whole body go out, then about half the body, then the connection is closed. The
 * client sees a 200 and fails while reading the body, never a short but well-formed page.
 */
export const faultSchema = z.object({
  route: z.string().regex(/^(GET|POST|PUT|PATCH|DELETE) \/\S*$/),
  idempotencyKey: z.string().min(1).optional(),
  latencyMs: z.number().int().min(0).default(0),
  latency: latencySchema.optional(),
  errorRate: rate,
  errorStatus: z.number().int().min(500).max(599).default(500),
  status429Rate: rate,
  retryAfterSeconds: z.number().int().min(0).default(1),
  timeoutRate: rate,
  resetRate: rate,
  afterEffectDelayMs: z.number().int().min(0).default(0),
  truncate: z.boolean().default(false),
  truncateRate: rate,
  times: z.number().int().positive().optional(),
  afterRequests: z.number().int().min(0).optional(),
});

export type Fault = z.infer<typeof faultSchema>;

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'error'; status: number }
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  | { kind: 'timeout' }
  | { kind: 'reset' }
  | { kind: 'truncate' };

/**
 * The idempotency keys a request carries: one for most providers (the `Idempotency-Key` header), one per
 * input for HubSpot batches (`objectWriteTraceId`). A fault scoped to any of them applies.
 */
export type RequestKeys = readonly string[];

/**
 * The faults one request meets, decided once when it arrives: a fault still dormant (`afterRequests`) stays
 * out of every later question about the same request.
 */
export interface RequestFaults {
  latencyMs(): number;
  afterEffectDelayMs(): number;
  /** Rolls the dice before the effect (or before a read is answered): a 5xx or a 429. */
  beforeEffect(): FaultDecision;
  /** Rolls the dice once the answer is ready: lost, cut off or truncated. */
  afterEffect(): FaultDecision;
}

const NO_FAULTS: RequestFaults = {
  latencyMs: () => 0,
  afterEffectDelayMs: () => 0,
  beforeEffect: () => ({ kind: 'none' }),
  afterEffect: () => ({ kind: 'none' }),
};

export class FaultTable {
  readonly #faults = new Map<string, Fault>();

  constructor(private readonly random: Random = Math.random) {}

  set(fault: Fault): void {
    this.#faults.set(slot(fault.route, fault.idempotencyKey), fault);
  }

  clear(): void {
    this.#faults.clear();
  }

  list(): Fault[] {
    return [...this.#faults.values()];
  }

  /** A latency draw for the route's fault, without counting a request (dormant faults included). */
  latencyMs(route: string, keys: RequestKeys = []): number {
    const fault = this.#find(route, keys);
    return fault ? this.#latency(fault) : 0;
  }

  /** The faults of one arriving request; counts it against a dormant fault's `afterRequests`. */
  forRequest(route: string, keys: RequestKeys = []): RequestFaults {
    const fault = this.#find(route, keys);
    if (!fault) return NO_FAULTS;
    if (fault.afterRequests !== undefined && fault.afterRequests > 0) {
      fault.afterRequests -= 1;
      return NO_FAULTS;
    }
    return {
      latencyMs: () => this.#latency(fault),
      afterEffectDelayMs: () => fault.afterEffectDelayMs,
      beforeEffect: () => {
        if (this.random() < fault.errorRate)
          return this.#struck(fault, { kind: 'error', status: fault.errorStatus });
        if (this.random() < fault.status429Rate)
          return this.#struck(fault, { kind: 'rate_limited', retryAfterSeconds: fault.retryAfterSeconds });
        return { kind: 'none' };
      },
      afterEffect: () => {
        if (this.random() < fault.timeoutRate) return this.#struck(fault, { kind: 'timeout' });
        if (this.random() < fault.resetRate) return this.#struck(fault, { kind: 'reset' });
        if (fault.truncate || this.random() < fault.truncateRate)
          return this.#struck(fault, { kind: 'truncate' });
        return { kind: 'none' };
      },
    };
  }

  #latency(fault: Fault): number {
    return fault.latency ? sampleLatencyMs(fault.latency, this.random) : fault.latencyMs;
  }

  /** The fault for one of these keys on the route, else the route's own. */
  #find(route: string, keys: RequestKeys): Fault | undefined {
    for (const key of keys) {
      const fault = this.#faults.get(slot(route, key));
      if (fault) return fault;
    }
    return this.#faults.get(slot(route));
  }

  #struck(fault: Fault, decision: FaultDecision): FaultDecision {
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) this.#faults.delete(slot(fault.route, fault.idempotencyKey));
    }
    return decision;
  }
}

function slot(route: string, key?: string): string {
  return key === undefined ? route : `${route}|${key}`;
}
