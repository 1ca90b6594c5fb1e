import { goalLine } from '../../goals.js';
import type { Goal } from '../../goals.js';
import { formatBytes, formatMs, formatRate, renderTable, summarize } from '../../stats.js';
import type { Collected, SoakFindings, TapRecord } from './checks.js';
import { describeFault } from './plan.js';
import type { PlannedFault } from './plan.js';
import type { RssFigures } from './rss.js';
import type { UnmappedWebhooks } from './event-log.js';
import type { ParkedKey } from './parking.js';
import type { ShipmentTrace } from './trace.js';
import type { FlowFigures } from './workload.js';

export interface FaultOutcome {
  readonly fault: PlannedFault;
  readonly at: number;
  readonly healedAt: number;
  /** The fault could not be healed: the instance did not come back ready, the broker did not answer. */
  readonly error?: string;
}

export interface SoakReportInput {
  readonly seed: number;
  readonly options: { readonly events: number; readonly ordersPerSecond: number; readonly replicas: number };
  readonly instances: readonly string[];
  readonly flow: FlowFigures;
  readonly collected: Collected;
  readonly findings: SoakFindings;
  readonly faults: readonly FaultOutcome[];
  readonly webhooks: ReadonlyArray<{ provider: string; eventId: string; status: number | string | null }>;
  /** Webhook series the simulator had still to send or retry when the drain ended. */
  readonly pendingWebhooks: number;
  /** Ingestion's webhook entries that produced no event (read when some order was not terminal). */
  readonly unmapped: readonly UnmappedWebhooks[];
  /** Keys still parked behind their head in any app's schema at the end. */
  readonly parked: readonly ParkedKey[];
  /** The tracking callbacks of stuck orders' shipments, followed through ingestion's tables. */
  readonly traces: readonly ShipmentTrace[];
  readonly rss: ReadonlyMap<string, RssFigures>;
}

/** Outcomes of provider calls, the moments effects are known to have happened (published after the call). */
const OUTCOME_TYPES = new Set([
  'payments.payment.succeeded',
  'logistics.shipment.created',
  'crm.contact.upserted',
]);

export function renderSoakReport(input: SoakReportInput): string {
  const { flow, findings: f, collected: c } = input;
  const lines: string[] = [];
  const flowS = (flow.endedAt - flow.startedAt) / 1000;
  lines.push(
    `soak: seed ${input.seed} (rerun with --seed ${input.seed}), ${input.options.replicas} replicas of ingestion, the example service, dlq-handler and each connector`,
  );
  lines.push(`instances: ${input.instances.join(', ')}`);
  lines.push('');
  lines.push(
    `orders: ${f.accepted} accepted (202) of ${f.accepted + sum(flow.refused)} placed in ${flowS.toFixed(0)} s (${formatRate(f.accepted / flowS)}/s); refused: ${describeCounts(flow.refused)}`,
  );
  const accepted = new Map<string, Set<string>>();
  const delivered = new Map<string, Set<string>>();
  for (const w of input.webhooks) {
    const all = delivered.get(w.provider) ?? new Set();
    all.add(w.eventId);
    delivered.set(w.provider, all);
    if (typeof w.status === 'number' && w.status >= 200 && w.status < 300) {
      const ok = accepted.get(w.provider) ?? new Set();
      ok.add(w.eventId);
      accepted.set(w.provider, ok);
    }
  }
  const webhookRows = [...delivered].map(([provider, ids]) => {
    const ok = accepted.get(provider)?.size ?? 0;
    return [
      provider,
      String(input.webhooks.filter((w) => w.provider === provider).length),
      String(ids.size),
      String(ok),
      String(ids.size - ok),
    ];
  });
  lines.push(
    'webhooks (attempts: every copy and retry the simulator sent; events: distinct provider event ids):',
  );
  lines.push(renderTable(['provider', 'attempts', 'events', 'accepted 2xx', 'never accepted'], webhookRows));
  lines.push(`webhook series still pending at the simulator when the drain ended: ${input.pendingWebhooks}`);
  const unanswered = (f.onKafka['commerce.order.placed'] ?? 0) - f.accepted;
  if (unanswered > 0)
    lines.push(
      `orders placed on Kafka whose caller saw no 202 (the answer lost to a timeout or a cut connection; not counted as accepted): ${unanswered}`,
    );
  lines.push(
    `on Kafka (distinct events of the run's topics): ${Object.entries(f.onKafka)
      .sort()
      .map(([t, n]) => `${t} ${n}`)
      .join(
        ', ',
      )}; copies of an event already there (resends after a crash, absorbed by inboxes): ${f.copies}`,
  );
  lines.push(
    `effects at the providers (orders with ≥ 1): payments ${f.effects.payments}, shipments bought ${f.effects.shipments}, contacts ${f.effects.contacts}; ledger keys with more than one effect: ${f.ledgerKeysAboveOne}`,
  );
  lines.push(
    `orders terminal: ${f.terminal}/${f.accepted}; not terminal: ${f.notTerminal.length} (${f.unexplained.length} without a dead letter)`,
  );
  for (const n of f.notTerminal.slice(0, 20))
    lines.push(
      `  ${n.orderId}: ${n.status}; dead letters: ${n.deadLetters.join(', ') || 'none'}; on Kafka: ${n.onKafka.join(', ') || 'nothing'}`,
    );
  for (const trace of input.traces) {
    lines.push(`shipment ${trace.shipmentId} of a stuck order, through ingestion:`);
    for (const line of trace.lines) lines.push(`  ${line}`);
  }
  lines.push(`keys still parked behind their head at the end (every app's schema): ${input.parked.length}`);
  if (input.parked.length > 0)
    lines.push(
      renderTable(
        ['schema', 'group', 'key', 'state', 'records', 'since'],
        input.parked.map((p) => [p.schema, p.group, p.key, p.state, String(p.records), p.since]),
      ),
    );
  if (input.unmapped.length > 0) {
    lines.push("ingestion's webhook entries that produced no event (event log, at the end):");
    lines.push(
      renderTable(
        ['provider', 'status', 'entries', 'reason (first of the group)'],
        input.unmapped.map((u) => [u.provider, u.status, String(u.entries), u.reason]),
      ),
    );
  }
  for (const [what, list] of [
    ['lost', f.lost],
    ['doubled', f.doubled],
    ['order violations', f.orderViolations],
  ] as const) {
    if (list.length > 0)
      lines.push(
        `${what} (first 20 of ${list.length}):\n${list
          .slice(0, 20)
          .map((l) => `  ${l}`)
          .join('\n')}`,
      );
  }
  lines.push('');

  const latency = latencies(c);
  lines.push(
    'end-to-end latency, order accepted (202) → the record published once the provider call succeeded:',
  );
  lines.push(
    renderTable(
      ['stage', 'orders', 'p50', 'p99', 'max'],
      latency.map(([stage, l]) => {
        const s = summarize(l);
        return [stage, String(s.count), formatMs(s.p50), formatMs(s.p99), formatMs(s.max)];
      }),
    ),
  );
  const outcomes = c.records
    .filter((r) => OUTCOME_TYPES.has(r.type))
    .map((r) => r.timestamp)
    .sort((a, b) => a - b);
  if (outcomes.length > 1) {
    lines.push(
      `throughput: ${formatRate(c.records.length / ((c.records.at(-1)!.timestamp - Math.min(...c.records.map((r) => r.timestamp))) / 1000 || 1))} records/s on Kafka; ${formatRate(outcomes.length / ((outcomes.at(-1)! - outcomes[0]!) / 1000))} provider outcomes/s (first to last)`,
    );
  }
  lines.push('');
  lines.push(
    'faults (down: fault → healed, the instance ready again or the broker/database answering; flowing: fault → the first provider outcome published after healing; gap: the longest stretch without any outcome from the fault to 30 s after healing):',
  );
  lines.push(
    renderTable(
      ['at', 'fault', 'down', 'flowing again', 'gap', 'result'],
      input.faults.map((o) => {
        const next = outcomes.find((t) => t >= o.healedAt);
        return [
          `${((o.at - flow.startedAt) / 1000).toFixed(0)} s`,
          describeFault(o.fault),
          formatMs(o.healedAt - o.at),
          next === undefined ? 'never' : formatMs(next - o.at),
          formatMs(longestGap(outcomes, o.at, o.healedAt + 30_000)),
          o.error ? `NOT HEALED: ${o.error}` : 'ok',
        ];
      }),
    ),
  );
  lines.push('');
  lines.push('RSS per app instance (VmRSS, sampled every 5 s, restarts included):');
  lines.push(
    renderTable(
      ['instance', 'peak', 'at end'],
      [...input.rss]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, r]) => [name, formatBytes(r.peakBytes), formatBytes(r.lastBytes)]),
    ),
  );
  lines.push('');
  for (const goal of soakGoals(f, input.faults)) lines.push(goalLine(goal));
  return lines.join('\n');
}

/** The soak's goal lines: correctness only; its timings are figures, not goals. */
export function soakGoals(f: SoakFindings, faults: readonly FaultOutcome[]): Goal[] {
  const zero = (what: string, n: number): Goal => ({
    what: `soak ${what}`,
    figure: String(n),
    target: '0',
    met: n === 0,
  });
  return [
    zero('lost events', f.lost.length),
    zero('doubled effects', f.doubled.length),
    zero('per-key order violations', f.orderViolations.length),
    zero('orders not terminal without a dead letter', f.unexplained.length),
    zero('faults not healed', faults.filter((o) => o.error).length),
  ];
}

function latencies(c: Collected): Array<[string, number[]]> {
  const first = new Map<string, number>();
  for (const r of c.records) {
    const key = `${r.type}|${r.subject}`;
    if (!first.has(key) || first.get(key)! > r.timestamp) first.set(key, r.timestamp);
  }
  const of = (type: string, subject: string | null | undefined, acceptedAt: number) => {
    const at = subject ? first.get(`${type}|${subject}`) : undefined;
    return at === undefined ? [] : [at - acceptedAt];
  };
  return [
    [
      'payment (PaymentSucceeded)',
      c.orders.flatMap((o) => of('payments.payment.succeeded', o.paymentId, o.acceptedAt)),
    ],
    [
      'shipment bought (ShipmentCreated)',
      c.orders.flatMap((o) =>
        of('logistics.shipment.created', c.states.get(o.orderId)?.shipmentId, o.acceptedAt),
      ),
    ],
    [
      'delivered (ShipmentDelivered)',
      c.orders.flatMap((o) =>
        of('logistics.shipment.delivered', c.states.get(o.orderId)?.shipmentId, o.acceptedAt),
      ),
    ],
  ];
}

function longestGap(sorted: readonly number[], from: number, to: number): number {
  let last = from;
  let gap = 0;
  for (const t of sorted) {
    if (t < from) continue;
    if (t > to) break;
    gap = Math.max(gap, t - last);
    last = t;
  }
  return Math.max(gap, Math.min(to, Date.now()) - last);
}

function sum(counts: ReadonlyMap<string, number>): number {
  return [...counts.values()].reduce((a, b) => a + b, 0);
}

function describeCounts(counts: ReadonlyMap<string, number>): string {
  return counts.size === 0 ? 'none' : [...counts].map(([why, n]) => `${why} ×${n}`).join(', ');
}

export type { TapRecord };
