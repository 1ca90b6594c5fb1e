/**
 * What the soak concludes from what it collected (pure, unit-tested). The stages, and what counts at each:
 * - accepted: orders example-service answered 202 (a POST refused or cut while an app was down is not an
 *   accepted order: the caller knows it failed); webhooks: distinct provider event ids ingestion answered 2xx.
 * - on Kafka: distinct events (CloudEvents id) under the run's prefix, by type and subject. A second record of
 *   an event already there (the relay resending a batch whose mark a crash lost) is a copy, counted apart:
 *   the design allows it and inboxes absorb it; two events of a once-only type for one subject are doubled.
 * - effects: the simulator's state, per order: succeeded PaymentIntents carrying the order's payment id,
 *   bought EasyPost shipments carrying its shipment id, HubSpot contacts carrying its customer id; and its
 *   ledger, per idempotency key.
 */

export interface AcceptedOrder {
  readonly orderId: string;
  readonly paymentId: string;
  readonly customerId: string;
  /** Epoch ms when the 202 arrived. */
  readonly acceptedAt: number;
}

export interface TapRecord {
  /** The CloudEvents id: the same on every copy of one event. */
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly type: string;
  readonly subject: string;
  readonly source: string;
  /** The record's timestamp (its producer's clock, ms). */
  readonly timestamp: number;
}

export interface OrderState {
  readonly status: string | undefined;
  readonly shipmentId: string | null;
}

export interface LedgerEntry {
  readonly route: string;
  readonly idempotencyKey: string;
  readonly effects: number;
}

export interface DeadLetterRef {
  readonly id: string;
  readonly eventType: string | null;
  readonly errorCode: string;
  /** Key and value text of the dead letter, searched for the order's ids. */
  readonly text: string;
}

export interface Collected {
  readonly orders: readonly AcceptedOrder[];
  readonly records: readonly TapRecord[];
  readonly states: ReadonlyMap<string, OrderState>;
  /** Effects at the provider by our id: payment id → succeeded intents, shipment id → bought shipments. */
  readonly paymentEffects: ReadonlyMap<string, number>;
  readonly shipmentEffects: ReadonlyMap<string, number>;
  readonly contactEffects: ReadonlyMap<string, number>;
  readonly ledger: readonly LedgerEntry[];
  readonly deadLetters: readonly DeadLetterRef[];
}

export const TERMINAL_STATUSES = ['delivered', 'payment_failed'] as const;

/** The first record of a key on each topic: the request that every later record of the key follows from. */
const FIRST_OF_KEY: Readonly<Record<string, string>> = {
  'commerce.order.v1': 'commerce.order.placed',
  'payments.payment.v1': 'payments.payment.requested',
  'logistics.shipment.v1': 'logistics.shipment.requested',
};

/** Types a well-behaved run publishes exactly once per subject. */
const ONCE_PER_SUBJECT = [
  'commerce.order.placed',
  'payments.payment.requested',
  'logistics.shipment.requested',
  'logistics.shipment.created',
  'logistics.shipment.delivered',
] as const;

export interface NotTerminal {
  readonly orderId: string;
  readonly status: string;
  /** Dead letters naming the order, its payment or its shipment: why it stopped. */
  readonly deadLetters: readonly string[];
  /** The event types on Kafka about the order, its payment or its shipment: how far it got. */
  readonly onKafka: readonly string[];
}

export interface SoakFindings {
  readonly accepted: number;
  readonly onKafka: Readonly<Record<string, number>>;
  /** Records that repeat an event already on Kafka (same id): resends, not new events. */
  readonly copies: number;
  readonly effects: { readonly payments: number; readonly shipments: number; readonly contacts: number };
  /** Accepted orders missing a stage they should have reached: no request on Kafka, or no effect. */
  readonly lost: readonly string[];
  /** Subjects with a once-only type more than once on Kafka, orders with more than one effect, keys > 1. */
  readonly doubled: readonly string[];
  readonly orderViolations: readonly string[];
  readonly terminal: number;
  readonly notTerminal: readonly NotTerminal[];
  /** Not terminal and no dead letter explains it. */
  readonly unexplained: readonly NotTerminal[];
  readonly ledgerKeysAboveOne: number;
}

export function examine(c: Collected): SoakFindings {
  const count = new Map<string, number>();
  const bump = (key: string) => count.set(key, (count.get(key) ?? 0) + 1);
  const onKafka: Record<string, number> = {};
  const byKey = new Map<string, TapRecord[]>();
  const events = new Map<string, TapRecord>();
  for (const r of c.records) if (!events.has(r.id)) events.set(r.id, r);
  for (const r of events.values()) {
    bump(`${r.type}|${r.subject}`);
    onKafka[r.type] = (onKafka[r.type] ?? 0) + 1;
    const key = `${r.topic}|${r.partition}|${r.subject}`;
    const list = byKey.get(key) ?? [];
    list.push(r);
    byKey.set(key, list);
  }
  const seen = (type: string, subject: string) => count.get(`${type}|${subject}`) ?? 0;
  const typesBySubject = new Map<string, Set<string>>();
  for (const r of events.values()) {
    const types = typesBySubject.get(r.subject) ?? new Set<string>();
    types.add(r.type);
    typesBySubject.set(r.subject, types);
  }

  const doubled: string[] = [];
  for (const [key, n] of count) {
    const [type] = key.split('|');
    if (n > 1 && (ONCE_PER_SUBJECT as readonly string[]).includes(type!))
      doubled.push(`${key} ×${n} on Kafka`);
  }
  const lost: string[] = [];
  const notTerminal: NotTerminal[] = [];
  let terminal = 0;
  for (const order of c.orders) {
    const state = c.states.get(order.orderId);
    const status = state?.status ?? 'unknown';
    if (seen('commerce.order.placed', order.orderId) === 0)
      lost.push(`${order.orderId}: no OrderPlaced on Kafka`);
    if (seen('payments.payment.requested', order.paymentId) === 0)
      lost.push(`${order.orderId}: no PaymentRequested on Kafka`);
    const payments = c.paymentEffects.get(order.paymentId) ?? 0;
    if (payments > 1) doubled.push(`${order.orderId}: ${payments} succeeded PaymentIntents`);
    const shipments = state?.shipmentId ? (c.shipmentEffects.get(state.shipmentId) ?? 0) : 0;
    if (shipments > 1) doubled.push(`${order.orderId}: ${shipments} bought shipments`);
    if ((c.contactEffects.get(order.customerId) ?? 0) > 1) doubled.push(`${order.customerId}: contacts > 1`);
    if ((TERMINAL_STATUSES as readonly string[]).includes(status)) {
      terminal += 1;
      if (status === 'delivered' && payments === 0)
        lost.push(`${order.orderId}: delivered, no payment effect`);
      if (status === 'delivered' && shipments === 0)
        lost.push(`${order.orderId}: delivered, no shipment bought`);
      continue;
    }
    const ids = [order.orderId, order.paymentId, ...(state?.shipmentId ? [state.shipmentId] : [])];
    notTerminal.push({
      orderId: order.orderId,
      status,
      deadLetters: c.deadLetters
        .filter((d) => ids.some((id) => d.text.includes(id)))
        .map((d) => `${d.id} (${d.eventType ?? '?'}: ${d.errorCode})`),
      onKafka: [...new Set(ids.flatMap((id) => [...(typesBySubject.get(id) ?? [])]))].sort(),
    });
  }
  const orderViolations: string[] = [];
  for (const [key, records] of byKey) {
    const [topic] = key.split('|');
    const first = FIRST_OF_KEY[unprefixed(topic!)];
    if (!first) continue;
    const sorted = [...records].sort((a, b) => compareOffsets(a.offset, b.offset));
    const at = sorted.findIndex((r) => r.type === first);
    // Only keys whose request was seen: an outcome for a request of another run is not this run's key.
    if (at > 0)
      orderViolations.push(
        `${key}: ${sorted[0]!.type} before ${first} (offsets ${sorted[0]!.offset}, ${sorted[at]!.offset})`,
      );
  }
  const ledgerKeysAboveOne = c.ledger.filter((e) => e.effects > 1 && e.idempotencyKey !== '(no key)');
  for (const e of ledgerKeysAboveOne)
    doubled.push(`ledger ${e.route} ${e.idempotencyKey}: ${e.effects} effects`);
  const sum = (m: ReadonlyMap<string, number>) => [...m.values()].filter((n) => n > 0).length;
  return {
    accepted: c.orders.length,
    onKafka,
    copies: c.records.length - events.size,
    effects: {
      payments: sum(c.paymentEffects),
      shipments: sum(c.shipmentEffects),
      contacts: sum(c.contactEffects),
    },
    lost,
    doubled,
    orderViolations,
    terminal,
    notTerminal,
    unexplained: notTerminal.filter((n) => n.deadLetters.length === 0),
    ledgerKeysAboveOne: ledgerKeysAboveOne.length,
  };
}

/** `run-x.payments.payment.v1` → `payments.payment.v1`: the catalogue topic under the run's prefix. */
export function unprefixed(topic: string): string {
  const match = Object.keys(FIRST_OF_KEY).find((t) => topic === t || topic.endsWith(`.${t}`));
  return match ?? topic;
}

function compareOffsets(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
