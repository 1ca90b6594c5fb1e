import { setTimeout as sleep } from 'node:timers/promises';
import type { SignatureScheme } from '@tributary/webhooks';
import { z } from 'zod';
import type { Random } from './random.js';

export const providerName = z.enum(['stripe', 'hubspot', 'easypost', 'generic']);

export type ProviderName = z.infer<typeof providerName>;

/** Where one provider's events go and how they are signed. */
export interface WebhookEndpoint {
  url: string;
  secret: string;
}

export const deliveryControlsSchema = z.object({
  /** Each event is sent this many times (same id, same body): providers deliver at least once. */
  duplicate: z.number().int().min(1).max(100).optional(),
  /** Every event is sent this long after it happened. */
  delayMs: z.number().int().min(0).optional(),
  /** The events one object produced are sent newest first, once the last of them happened. */
  reorder: z.boolean().optional(),
  /** The share of events never sent at all. */
  dropRate: z.number().min(0).max(1).optional(),
});

export type DeliveryControls = Required<z.infer<typeof deliveryControlsSchema>>;

const MAX_RECORDED = 100_000;

export const DEFAULT_DELIVERY: DeliveryControls = { duplicate: 1, delayMs: 0, reorder: false, dropRate: 0 };

export interface RetryPolicy {
  /** Attempts per delivery, the first included. */
  maxAttempts: number;
  /** Wait before the second attempt; doubles after each failed one. */
  baseDelayMs: number;
}

/** One delivery attempt, as `GET /__admin/webhooks` lists it. */
export interface WebhookAttempt {
  provider: ProviderName;
  eventId: string;
  type: string;
  /** What the event says beyond its type, e.g. a tracker's status. */
  detail?: string;
  /** The receiver's status code, `error` when no answer came, `dropped` when the controls dropped it. */
  status: number | 'error' | 'dropped';
  /** 1 for the first attempt; 0 for a dropped event. */
  attempt: number;
  /** Which copy of a duplicated event (1-based). */
  copy: number;
  at: string;
}

/** An event as a provider produced it. */
export interface ProducedEvent {
  id: string;
  type: string;
  detail?: string;
  payload: unknown;
  /** A batch (the payload an array of events, as HubSpot sends them): each element's own event type. */
  elementTypes?: readonly string[];
}

/** The payload to sign and send for an event, e.g. with the shape changes a test set. */
export type PayloadShaper = (provider: ProviderName, event: ProducedEvent) => unknown;

/** One event of a series: produced `afterMs` after the series started (the producer runs at that time). */
export interface ScheduledEvent {
  afterMs: number;
  produce(): ProducedEvent;
}

interface Sink {
  endpoint: WebhookEndpoint;
  scheme: SignatureScheme;
}

/**
 * Sends providers' webhooks like providers do: signed with the provider's scheme, re-signed and retried with
 * backoff on a non-2xx answer, and (for tests of the receiving side) duplicated, delayed, reordered or
 * dropped on demand. Every attempt is recorded.
 */
export class WebhookSender {
  readonly #sinks = new Map<ProviderName, Sink>();
  readonly #controls = new Map<ProviderName, DeliveryControls>();
  /** Events still to drop, per provider, before `dropRate` gets a say again. */
  readonly #dropNext = new Map<ProviderName, number>();
  readonly #attempts: WebhookAttempt[] = [];
  readonly #stop = new AbortController();
  readonly #running = new Set<Promise<void>>();

  constructor(
    private readonly defaults: DeliveryControls,
    private readonly retry: RetryPolicy,
    private readonly random: Random = Math.random,
    private readonly shape: PayloadShaper = (_provider, event) => event.payload,
  ) {}

  register(provider: ProviderName, endpoint: WebhookEndpoint, scheme: SignatureScheme): void {
    // A secret the scheme refuses stops the start, instead of every delivery failing later.
    scheme.keyOf(endpoint.secret);
    this.#sinks.set(provider, { endpoint, scheme });
  }

  enabled(provider: ProviderName): boolean {
    return this.#sinks.has(provider);
  }

  controls(provider: ProviderName): DeliveryControls {
    return this.#controls.get(provider) ?? this.defaults;
  }

  allControls(): Record<string, DeliveryControls & { dropNext: number }> {
    return Object.fromEntries(
      [...this.#sinks.keys()].map((provider) => [
        provider,
        { ...this.controls(provider), dropNext: this.dropNext(provider) },
      ]),
    );
  }

  /**
   * Drops exactly the next `count` events of a provider (recorded as `dropped`), so a test can lose one
   * specific webhook without dice; replaces any count still pending.
   */
  setDropNext(provider: ProviderName, count: number): void {
    if (count > 0) this.#dropNext.set(provider, count);
    else this.#dropNext.delete(provider);
  }

  /** Events of a provider still to be dropped. */
  dropNext(provider: ProviderName): number {
    return this.#dropNext.get(provider) ?? 0;
  }

  setControls(provider: ProviderName, controls: Partial<DeliveryControls>): DeliveryControls {
    const merged = { ...this.controls(provider), ...stripUndefined(controls) };
    this.#controls.set(provider, merged);
    return merged;
  }

  resetControls(): void {
    this.#controls.clear();
    this.#dropNext.clear();
  }

  attempts(): WebhookAttempt[] {
    return this.#attempts.map((attempt) => ({ ...attempt }));
  }

  clearAttempts(): void {
    this.#attempts.length = 0;
  }

  /** Deliveries still scheduled or under way. */
  pending(): number {
    return this.#running.size;
  }

  /**
   * Produces the events of one object at their times and delivers them, in order (or reversed, with
   * `reorder`). Fire and forget: the caller's answer never waits for a webhook.
   */
  emit(provider: ProviderName, series: readonly ScheduledEvent[]): void {
    const sink = this.#sinks.get(provider);
    if (!sink || series.length === 0) return;
    const controls = this.controls(provider);
    const run = this.#run(provider, sink, controls, series).catch(() => {
      // Only an abort at close ends a series early; failed deliveries are recorded, not thrown.
    });
    this.#running.add(run);
    void run.finally(() => this.#running.delete(run));
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled([...this.#running]);
  }

  async #run(
    provider: ProviderName,
    sink: Sink,
    controls: DeliveryControls,
    series: readonly ScheduledEvent[],
  ): Promise<void> {
    const signal = this.#stop.signal;
    const start = Date.now();
    const produced: { event: ProducedEvent; at: number }[] = [];
    for (const item of series) {
      await sleepUntil(start + item.afterMs, signal);
      const entry = { event: item.produce(), at: Date.now() };
      produced.push(entry);
      if (!controls.reorder) await this.#deliver(provider, sink, controls, entry.event, entry.at);
    }
    if (controls.reorder) {
      for (const entry of produced.reverse())
        await this.#deliver(provider, sink, controls, entry.event, entry.at);
    }
  }

  async #deliver(
    provider: ProviderName,
    sink: Sink,
    controls: DeliveryControls,
    event: ProducedEvent,
    producedAt: number,
  ): Promise<void> {
    const signal = this.#stop.signal;
    // Decided as each event comes up for delivery (after `reorder`, before `delayMs`): "the next N" in send order.
    const forced = this.dropNext(provider);
    if (forced > 0) this.setDropNext(provider, forced - 1);
    if (forced > 0 || this.random() < controls.dropRate) {
      this.#record(provider, event, { status: 'dropped', attempt: 0, copy: 1 });
      return;
    }
    // Shaped once per event, before signing: copies and retries resend the same changed bytes, validly signed.
    const payload = this.shape(provider, event);
    await sleepUntil(producedAt + controls.delayMs, signal);
    const body = Buffer.from(JSON.stringify(payload));
    for (let copy = 1; copy <= controls.duplicate; copy++) {
      for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
        const status = await this.#post(sink, body, signal);
        this.#record(provider, event, { status, attempt, copy });
        if (typeof status === 'number' && status >= 200 && status < 300) break;
        if (attempt < this.retry.maxAttempts)
          await sleep(this.retry.baseDelayMs * 2 ** (attempt - 1), undefined, { signal });
      }
    }
  }

  async #post(sink: Sink, body: Buffer, stop: AbortSignal): Promise<number | 'error'> {
    try {
      const response = await fetch(sink.endpoint.url, {
        method: 'POST',
        // Signed at each attempt (a fresh timestamp for schemes that sign one), by the same scheme the
        // receiving side verifies with, so the two cannot drift apart.
        headers: {
          'content-type': 'application/json',
          ...sink.scheme.sign({ body, method: 'POST', url: sink.endpoint.url }, sink.endpoint.secret),
        },
        body,
        signal: AbortSignal.any([stop, AbortSignal.timeout(10_000)]),
      });
      await response.body?.cancel();
      return response.status;
    } catch (error) {
      if (stop.aborted) throw error;
      return 'error';
    }
  }

  #record(
    provider: ProviderName,
    event: ProducedEvent,
    outcome: Pick<WebhookAttempt, 'status' | 'attempt' | 'copy'>,
  ): void {
    // Bounded, so a long benchmark with webhooks on cannot grow the simulator without limit.
    if (this.#attempts.length >= MAX_RECORDED)
      this.#attempts.splice(0, this.#attempts.length - MAX_RECORDED + 1);
    this.#attempts.push({
      provider,
      eventId: event.id,
      type: event.type,
      ...(event.detail === undefined ? {} : { detail: event.detail }),
      ...outcome,
      at: new Date().toISOString(),
    });
  }
}

async function sleepUntil(at: number, signal: AbortSignal): Promise<void> {
  const wait = at - Date.now();
  if (wait > 0) await sleep(wait, undefined, { signal });
  else signal.throwIfAborted();
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
