import type { WebhookSender } from '../core/webhooks.js';

/** The simulated HubSpot account (`portalId`) and app (`appId`) every subscription event names. */
export const HUBSPOT_PORTAL_ID = 62515;
export const HUBSPOT_APP_ID = 1160452;

/** One subscription per event type, as an app's webhook settings list them. */
export const HUBSPOT_SUBSCRIPTIONS = {
  'contact.creation': 4_000_001,
  'contact.propertyChange': 4_000_002,
} as const;

export type ContactSubscriptionType = keyof typeof HUBSPOT_SUBSCRIPTIONS;

/** HubSpot sends at most this many events in one request. */
export const HUBSPOT_MAX_BATCH = 100;

/** One event of a webhook request body, in HubSpot's field names. */
export interface SubscriptionEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: ContactSubscriptionType;
  attemptNumber: number;
  objectId: number;
  /** propertyChange only. */
  propertyName?: string;
  /** propertyChange only: HubSpot sends the new value (receivers must treat it as personal data). */
  propertyValue?: string;
  changeSource: string;
}

/** What one applied upsert input did to a contact, as the webhook subscriptions see it. */
export interface ContactChange {
  contactId: string;
  created: boolean;
  /** Properties whose value the write set or changed, with their new values. */
  changed: Readonly<Record<string, string>>;
  at: number;
  /** Who made it, as HubSpot names it: `INTEGRATION` (an app's API call, the default) or `CRM_UI`. */
  changeSource?: string;
}

// HubSpot's own bookkeeping properties change on every write; apps cannot subscribe to them.
const UNSUBSCRIBABLE = new Set(['hs_object_id', 'createdate', 'lastmodifieddate']);

/**
 * HubSpot's contact webhooks, as an app subscribed to `contact.creation` and to `contact.propertyChange` of
 * every property would get them: a new contact is one `contact.creation`; a changed one is one
 * `contact.propertyChange` per property that got a new value. An upsert that changes nothing sends nothing
 * (so a connector that only reads after a webhook ends the loop). Events of writes within `batchWindowMs` go
 * out together, up to 100 per request, like HubSpot's batched deliveries, through the simulator's webhook
 * core (signing, retries, delivery controls, the attempts log). `attemptNumber` stays 0: the core resends the
 * same bytes on a retry.
 */
export class HubspotContactWebhooks {
  #nextEventId = 1;
  #nextBatch = 1;
  #pending: SubscriptionEvent[] = [];
  #scheduled = false;

  constructor(
    private readonly sender: WebhookSender,
    private readonly batchWindowMs: number,
  ) {}

  /** Queues the subscription events of applied writes; nothing when HubSpot webhooks are not configured. */
  record(changes: readonly ContactChange[]): void {
    if (!this.sender.enabled('hubspot')) return;
    for (const change of changes) this.#pending.push(...this.#eventsOf(change));
    this.#schedule();
  }

  #eventsOf(change: ContactChange): SubscriptionEvent[] {
    const base = {
      portalId: HUBSPOT_PORTAL_ID,
      appId: HUBSPOT_APP_ID,
      occurredAt: change.at,
      attemptNumber: 0,
      objectId: Number(change.contactId),
      // What HubSpot names writes made through an app's API access, unless someone used its UI.
      changeSource: change.changeSource ?? 'INTEGRATION',
    };
    if (change.created) {
      return [
        {
          eventId: this.#nextEventId++,
          subscriptionId: HUBSPOT_SUBSCRIPTIONS['contact.creation'],
          subscriptionType: 'contact.creation',
          ...base,
        },
      ];
    }
    return Object.entries(change.changed)
      .filter(([name]) => !UNSUBSCRIBABLE.has(name))
      .map(([propertyName, propertyValue]) => ({
        eventId: this.#nextEventId++,
        subscriptionId: HUBSPOT_SUBSCRIPTIONS['contact.propertyChange'],
        subscriptionType: 'contact.propertyChange',
        ...base,
        propertyName,
        propertyValue,
      }));
  }

  #schedule(): void {
    if (this.#scheduled || this.#pending.length === 0) return;
    this.#scheduled = true;
    this.sender.emit('hubspot', [
      {
        afterMs: this.batchWindowMs,
        produce: () => {
          const events = this.#pending.splice(0, HUBSPOT_MAX_BATCH);
          this.#scheduled = false;
          // More than one request's worth: the rest goes in the next batch.
          this.#schedule();
          const types = [...new Set(events.map((event) => event.subscriptionType))].sort();
          const objects = [...new Set(events.map((event) => event.objectId))];
          return {
            id: `batch-${this.#nextBatch++}`,
            type: types.join(','),
            detail: `${events.length} event(s), object(s) ${objects.join(',')}`,
            payload: events,
            elementTypes: events.map((event) => event.subscriptionType),
          };
        },
      },
    ]);
  }
}
