import type { LedgerEntry } from './checks.js';

/** The provider simulator as the soak reads it: its admin API, and its providers' lists (our ids inside). */
export class SoakSim {
  constructor(private readonly url: string) {}

  /** Provider errors while the run flows: the connectors must retry them without a second effect. */
  async injectFaults(rate: number): Promise<void> {
    const faults = [
      { route: 'POST /v1/payment_intents', errorRate: rate, errorStatus: 503 },
      { route: 'POST /v2/shipments/:id/buy', status429Rate: rate, retryAfterSeconds: 1 },
      { route: 'POST /crm/v3/objects/contacts/batch/upsert', errorRate: rate, errorStatus: 500 },
      // After the effect: the answer is lost, only the idempotency key prevents a second charge.
      { route: 'POST /v1/payment_intents', resetRate: rate / 5 },
    ];
    for (const fault of faults) await this.post('/__admin/faults', fault);
  }

  async clearFaults(): Promise<void> {
    await fetch(`${this.url}/__admin/faults`, { method: 'DELETE' });
  }

  async ledger(): Promise<LedgerEntry[]> {
    return ((await this.get('/__admin/ledger')) as { entries: LedgerEntry[] }).entries;
  }

  /** Webhook series the simulator has still to send or is retrying: callbacks that may yet move an order. */
  async pendingWebhooks(): Promise<number> {
    return ((await this.get('/__admin/webhooks/pending')) as { series: number }).series;
  }

  async webhookAttempts(): Promise<
    Array<{ provider: string; eventId: string; status: number | string | null }>
  > {
    return (await this.get('/__admin/webhooks')) as Array<{
      provider: string;
      eventId: string;
      status: number | string | null;
    }>;
  }

  /** Succeeded PaymentIntents per `tributary_payment_id` (Stripe's list, newest first, 100 a page). */
  async paymentEffects(): Promise<Map<string, number>> {
    const effects = new Map<string, number>();
    let after: string | undefined;
    for (;;) {
      const page = (await this.get(
        `/v1/payment_intents?limit=100${after ? `&starting_after=${after}` : ''}`,
        { authorization: 'Bearer sk_test_soak' },
      )) as {
        has_more: boolean;
        data: Array<{ id: string; status: string; metadata: Record<string, string> }>;
      };
      for (const intent of page.data) {
        const id = intent.metadata.tributary_payment_id;
        if (id && intent.status === 'succeeded') effects.set(id, (effects.get(id) ?? 0) + 1);
      }
      if (!page.has_more || page.data.length === 0) return effects;
      after = page.data.at(-1)!.id;
    }
  }

  /** Bought EasyPost shipments per `reference` (our shipment id). */
  async shipmentEffects(): Promise<Map<string, number>> {
    const effects = new Map<string, number>();
    const auth = `Basic ${Buffer.from('soak:').toString('base64')}`;
    let before: string | undefined;
    for (;;) {
      const page = (await this.get(`/v2/shipments?page_size=100${before ? `&before_id=${before}` : ''}`, {
        authorization: auth,
      })) as { has_more: boolean; shipments: Array<{ id: string; reference: string }> };
      for (const s of page.shipments) effects.set(s.reference, (effects.get(s.reference) ?? 0) + 1);
      if (!page.has_more || page.shipments.length === 0) return effects;
      before = page.shipments.at(-1)!.id;
    }
  }

  /** HubSpot contacts per `tributary_contact_id` (our customer id). */
  async contactEffects(): Promise<Map<string, number>> {
    const effects = new Map<string, number>();
    let after: string | undefined;
    for (;;) {
      const page = (await this.get(
        `/crm/v3/objects/contacts?limit=100&properties=tributary_contact_id${after ? `&after=${after}` : ''}`,
        { authorization: 'Bearer pat-soak' },
      )) as {
        results: Array<{ properties: Record<string, string | null> }>;
        paging?: { next?: { after: string } };
      };
      for (const c of page.results) {
        const id = c.properties.tributary_contact_id;
        if (id) effects.set(id, (effects.get(id) ?? 0) + 1);
      }
      after = page.paging?.next?.after;
      if (!after) return effects;
    }
  }

  private async get(path: string, headers: Record<string, string> = {}): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`, { headers });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  }

  private async post(path: string, body: unknown): Promise<void> {
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  }
}
