import type { SimClock } from '../core/clock.js';
import { sortableId } from '../core/ids.js';
import { Timeline } from '../core/timeline.js';
import type { Page, PageQuery } from '../core/timeline.js';

/** Stripe lists and retrieves events of the last 30 days only. */
export const EVENT_RETENTION_SECONDS = 30 * 24 * 3600;

/** The API version events are rendered in (any fixed one: the simulator has one shape). */
export const STRIPE_API_VERSION = '2024-06-20';

/**
 * The event types the simulated webhook endpoint is subscribed to (a Stripe endpoint's `enabled_events`):
 * every PaymentIntent event but `payment_intent.created`, which a payments integration does not act on.
 * The other events are still generated and listed.
 */
export const WEBHOOK_EVENT_TYPES: ReadonlySet<string> = new Set([
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'payment_intent.processing',
  'payment_intent.requires_action',
  'payment_intent.amount_capturable_updated',
]);

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: unknown; previous_attributes?: Record<string, unknown> };
  livemode: false;
  /** Endpoints still to receive it, as Stripe counted them when it was generated. */
  pending_webhooks: number;
  /** The API request that caused it; both null for a change made outside the API (the Dashboard). */
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export interface NewEvent {
  type: string;
  object: unknown;
  previous?: Record<string, unknown>;
  idempotencyKey?: string | null;
  /** Seconds; default now. */
  created?: number;
}

const NO_REQUEST = Object.freeze({ id: null, idempotency_key: null });

/**
 * Every event the simulated Stripe account generated, whether or not a webhook carried it: what
 * `GET /v1/events` walks. Events outside the 30-day retention are kept in memory but never answered.
 */
export class EventLog {
  readonly #events = new Map<string, StripeEvent>();
  readonly #timeline = new Timeline();

  constructor(private readonly clock: SimClock) {}

  get size(): number {
    return this.#events.size;
  }

  record(event: NewEvent, subscribed: boolean): StripeEvent {
    const stored = this.#build(event, subscribed);
    this.#events.set(stored.id, stored);
    this.#timeline.add({ at: stored.created, id: stored.id });
    return stored;
  }

  /** Many at once (seeding), no webhook pending for any. */
  recordMany(events: readonly NewEvent[]): void {
    const built = events.map((event) => this.#build(event, false));
    for (const event of built) this.#events.set(event.id, event);
    this.#timeline.addMany(built.map((event) => ({ at: event.created, id: event.id })));
  }

  /** An event still within retention. */
  get(id: string): StripeEvent | undefined {
    const event = this.#events.get(id);
    return event && event.created >= this.#oldestRetained() ? event : undefined;
  }

  /** A page of retained events, newest first; `types` may hold `*` wildcards (`payment_intent.*`). */
  list(query: PageQuery, types: readonly string[]): { page: Page; events: StripeEvent[] } {
    const matchers = types.map(typeMatcher);
    const accept =
      matchers.length === 0
        ? undefined
        : (id: string) => matchers.some((matches) => matches(this.#events.get(id)!.type));
    const page = this.#timeline.page({
      ...query,
      minAt: Math.max(query.minAt ?? -Infinity, this.#oldestRetained()),
      ...(accept ? { accept } : {}),
    });
    return { page, events: page.ids.map((id) => this.#events.get(id)!) };
  }

  #oldestRetained(): number {
    return this.clock.seconds() - EVENT_RETENTION_SECONDS;
  }

  #build(event: NewEvent, subscribed: boolean): StripeEvent {
    return {
      id: sortableId('evt', 24),
      object: 'event',
      api_version: STRIPE_API_VERSION,
      created: event.created ?? this.clock.seconds(),
      data: {
        object: event.object,
        ...(event.previous && Object.keys(event.previous).length > 0
          ? { previous_attributes: event.previous }
          : {}),
      },
      livemode: false,
      pending_webhooks: subscribed ? 1 : 0,
      request: event.idempotencyKey ? { id: null, idempotency_key: event.idempotencyKey } : NO_REQUEST,
      type: event.type,
    };
  }
}

function typeMatcher(pattern: string): (type: string) => boolean {
  if (!pattern.includes('*')) return (type) => type === pattern;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`);
  return (type) => regex.test(type);
}
