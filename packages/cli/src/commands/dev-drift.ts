import { randomUUID } from 'node:crypto';

/** The first drift comes soon after the start, so a demo shows a repair without a long wait. */
export const FIRST_DRIFT_MS = 20_000;
/** Then one now and then: rare enough that each is easy to follow, and under the reconciler's guardrail. */
export const DRIFT_EVERY_MS = 90_000;

export interface DemoDriftOptions {
  readonly simulatorUrl: string;
  readonly exampleServiceUrl: string;
  readonly log: (line: string) => void;
  /** How soon the dev reconciler repairs a contact: its interval plus its settle window. */
  readonly repairWithinS: number;
  readonly fetch?: typeof fetch;
  readonly newId?: () => string;
}

/**
 * Edits as someone makes them in HubSpot's UI: on a field HubSpot owns (the platform takes HubSpot's value,
 * `crm.contact.upserted`), or on one the platform sets (HubSpot gets the platform's value written back).
 */
const EDITS: ReadonlyArray<{ properties: Record<string, string>; what: string; repair: string }> = [
  {
    properties: { firstname: 'Ada', lastname: 'Lovelace' },
    what: 'renamed to "Ada Lovelace"',
    repair: 'upserted',
  },
  {
    properties: { lifecyclestage: 'lead' },
    what: 'moved back to the "lead" stage',
    repair: 'write_back_requested',
  },
  {
    properties: { phone: '+49 30 5550123' },
    what: 'given the phone number +49 30 5550123',
    repair: 'upserted',
  },
  {
    properties: { tributary_marketing_consent: 'true' },
    what: 'opted in to marketing by the support team',
    repair: 'upserted',
  },
  {
    properties: { firstname: 'Grace', lastname: 'Hopper' },
    what: 'renamed to "Grace Hopper"',
    repair: 'upserted',
  },
];

/**
 * Drift for the demo (`tributary dev`): now and then someone edits a paying customer's contact in HubSpot's
 * UI and HubSpot sends no webhook, so only reconciliation can notice. The demo's returning customers order
 * every few seconds, and the reconciler defers a contact that changed within its settle window, so the
 * edited contact is a one-time customer's: each drift places an order for a new customer, and the next drift
 * edits that customer's contact once the order has long been paid (no webhook of its own still in flight).
 */
export class DemoDrift {
  #buyer: string | undefined;
  #count = 0;
  readonly #fetch: typeof fetch;
  readonly #newId: () => string;

  constructor(private readonly options: DemoDriftOptions) {
    this.#fetch = options.fetch ?? fetch;
    this.#newId = options.newId ?? randomUUID;
  }

  /** One drift: edits the previous one-time customer's contact, then places an order for the next one. */
  async tick(): Promise<void> {
    const buyer = this.#buyer;
    this.#buyer = undefined;
    if (buyer) await this.#edit(buyer);
    await this.#placeOrder();
  }

  async #edit(customerId: string): Promise<void> {
    const { simulatorUrl, log } = this.options;
    const contact = await this.#fetch(
      `${simulatorUrl}/crm/v3/objects/contacts/${customerId}?idProperty=tributary_contact_id`,
      { headers: { authorization: 'Bearer pat-demo' } },
    );
    if (contact.status !== 200) {
      log(`drift  skipped: HubSpot holds no contact for customer ${customerId} yet (${contact.status})`);
      return;
    }
    const { id } = (await contact.json()) as { id: string };
    const edit = EDITS[this.#count % EDITS.length]!;
    this.#count += 1;
    const drift = await this.#fetch(`${simulatorUrl}/__admin/drift`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        provider: 'hubspot',
        kind: 'edit',
        id,
        properties: edit.properties,
        webhook: false,
      }),
    });
    if (drift.status !== 200) {
      log(`drift  skipped: the simulator refused the edit of contact ${id} (${drift.status})`);
      return;
    }
    log(
      `drift  HubSpot contact ${id} (customer ${customerId}) ${edit.what} in HubSpot's UI, no webhook sent: ` +
        `reconciliation should find it and repair it within ~${this.options.repairWithinS} s ` +
        `(crm.contact.${edit.repair} subject=${customerId} from /tributary/reconciliation)`,
    );
  }

  async #placeOrder(): Promise<void> {
    const customerId = this.#newId();
    const response = await this.#fetch(`${this.options.exampleServiceUrl}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'correlation-id': `demo-drift-${this.#count}` },
      body: JSON.stringify({
        customerId,
        currency: 'EUR',
        channel: 'web',
        lines: [{ sku: 'SKU-GIFT', quantity: 1, unitPriceMinor: 2499 }],
      }),
    });
    if (response.status === 202) this.#buyer = customerId;
  }
}

/**
 * Runs `drift.tick()` at once (the first one-time customer's order), then after `firstMs` (the first drift),
 * then every `everyMs`; never two at once.
 */
export function scheduleDemoDrift(
  drift: Pick<DemoDrift, 'tick'>,
  options: { firstMs: number; everyMs: number; log: (line: string) => void },
): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const next = (ms: number, then: number) => {
    timer = setTimeout(() => {
      running = drift
        .tick()
        .catch((error: unknown) => options.log(`drift  failed: ${(error as Error).message}`))
        .finally(() => {
          if (!stopped) next(then, options.everyMs);
        });
    }, ms);
  };
  next(0, options.firstMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
