/** The provider simulator's admin API and the provider reads a test needs to name objects (apps/provider-sim). */

export type Provider = 'stripe' | 'hubspot' | 'easypost';

export interface HubSpotContact {
  readonly id: string;
  readonly properties: Record<string, string | null>;
  readonly updatedAt: string;
  readonly archived: boolean;
}

export interface Delivery {
  readonly provider: string;
  readonly eventId: string;
  readonly type: string;
  readonly detail?: string;
  readonly status: number | 'error' | 'dropped' | null;
  /** Which copy of the event (`duplicate` sends each n times). */
  readonly copy: number;
  /** When it was attempted (or dropped), ISO. */
  readonly at: string;
}

export interface RateReport {
  readonly requests: number;
  readonly maxIn1s: number;
  readonly maxIn10s: number;
  readonly routes: Record<string, number>;
  readonly histogram: ReadonlyArray<{ second: string; requests: number }>;
}

export interface Fault {
  readonly route: string;
  readonly latencyMs?: number;
  readonly status429Rate?: number;
  readonly truncate?: boolean;
  readonly afterEffectDelayMs?: number;
  readonly times?: number;
  readonly afterRequests?: number;
}

export class Simulator {
  constructor(readonly url: string) {}

  async admin<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/__admin/${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /__admin/${path} → ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  /** A HubSpot contact by our id (the `tributary_contact_id` property), with every property. */
  async contactOf(customerId: string, options: { archived?: boolean } = {}): Promise<HubSpotContact> {
    const response = await fetch(
      `${this.url}/crm/v3/objects/contacts/${customerId}?idProperty=tributary_contact_id${options.archived ? '&archived=true' : ''}`,
      { headers: { authorization: 'Bearer pat-e2e' } },
    );
    if (response.status !== 200)
      throw new Error(`contact ${customerId}: HubSpot answered ${response.status}`);
    return (await response.json()) as HubSpotContact;
  }

  /**
   * Someone edits a contact in HubSpot's UI. Without the webhook (the default here) the platform hears
   * nothing: only reconciliation can find it. Resolves with HubSpot's version of the edit (epoch ms).
   */
  async editContact(hubspotId: string, properties: Record<string, string>, webhook = false): Promise<number> {
    const contact = await this.admin<HubSpotContact>('POST', 'drift', {
      provider: 'hubspot',
      kind: 'edit',
      id: hubspotId,
      properties,
      webhook,
    });
    return Date.parse(contact.updatedAt);
  }

  /** The contact goes to HubSpot's recycling bin (no webhook for it); resolves with when (epoch ms). */
  async archiveContact(hubspotId: string): Promise<number> {
    const contact = await this.admin<HubSpotContact & { archivedAt: string }>('POST', 'drift', {
      provider: 'hubspot',
      kind: 'archive',
      id: hubspotId,
    });
    return Date.parse(contact.archivedAt);
  }

  /** Contacts created at HubSpot as the CRM connector would have, in bulk, without webhooks. */
  async seedContacts(
    count: number,
  ): Promise<Array<{ id: string; contactId: string; email: string; lastmodifieddate: string }>> {
    const seeded = await this.admin<{
      objects: Array<{ id: string; contactId: string; email: string; lastmodifieddate: string }>;
    }>('POST', 'seed', { provider: 'hubspot', count });
    return seeded.objects;
  }

  async delivery(provider: Provider, controls: { duplicate?: number; reorder?: boolean; dropNext?: number }) {
    return this.admin('POST', 'webhooks/delivery', { provider, ...controls });
  }

  async resetDelivery(): Promise<void> {
    await this.admin('DELETE', 'webhooks/delivery');
  }

  async fault(fault: Fault): Promise<void> {
    await this.admin('POST', 'faults', fault);
  }

  async clearFaults(): Promise<void> {
    await this.admin('DELETE', 'faults');
  }

  /** The effects HubSpot, Stripe or EasyPost applied under one idempotency key (the simulator's ledger). */
  async effectsOf(idempotencyKey: string): Promise<number> {
    const ledger = await this.admin<{ entries: Array<{ idempotencyKey: string; effects: number }> }>(
      'GET',
      'ledger',
    );
    return ledger.entries
      .filter((entry) => entry.idempotencyKey === idempotencyKey)
      .reduce((sum, entry) => sum + entry.effects, 0);
  }

  async deliveries(): Promise<Delivery[]> {
    return this.admin<Delivery[]>('GET', 'webhooks');
  }

  async objects(): Promise<{
    stripe: { payment_intents: number };
    hubspot: { contacts: number; archived: number };
    easypost: { shipments: number };
  }> {
    return this.admin('GET', 'objects');
  }

  async rate(provider: Provider, route?: string): Promise<RateReport> {
    return this.admin<RateReport>(
      'GET',
      `rate?provider=${provider}${route ? `&route=${encodeURIComponent(route)}` : ''}`,
    );
  }

  async resetRate(): Promise<void> {
    await this.admin('DELETE', 'rate');
  }

  /** Requests each route's own limits refused (throttle, HubSpot's window and search limit), per route. */
  async throttled(): Promise<Record<string, number>> {
    return (await this.admin<{ throttled: Record<string, number> }>('GET', 'ledger')).throttled;
  }

  /** Effects applied per route, summed over idempotency keys. */
  async effects(route: string): Promise<number> {
    const ledger = await this.admin<{ entries: Array<{ route: string; effects: number }> }>('GET', 'ledger');
    return ledger.entries.filter((e) => e.route === route).reduce((sum, e) => sum + e.effects, 0);
  }
}
