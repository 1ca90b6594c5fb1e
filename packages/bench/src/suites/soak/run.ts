import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPlatform } from '@tributary/cli';
import type { RunningPlatform } from '@tributary/cli';
import type { PrivateStack } from '@tributary/testkit';
import { uniqueName } from '@tributary/testkit';
import { TERMINAL_STATUSES, examine } from './checks.js';
import type { Collected, DeadLetterRef, OrderState, SoakFindings } from './checks.js';
import { unmappedWebhooks } from './event-log.js';
import { parkedKeys } from './parking.js';
import { traceShipments } from './trace.js';
import { describeFault, planFaults } from './plan.js';
import type { PlannedFault } from './plan.js';
import { REPLICATED_APPS } from './platform.js';
import { renderSoakReport } from './report.js';
import type { FaultOutcome } from './report.js';
import { sampleRss } from './rss.js';
import { SoakSim } from './sim.js';
import { startTap } from './tap.js';
import { placeOrders } from './workload.js';

export interface SoakOptions {
  /** Events in all (see EVENTS_PER_ORDER): sets the number of orders. */
  readonly events: number;
  /** Orders placed per second. */
  readonly ordersPerSecond: number;
  readonly seed: number;
  readonly replicas: number;
  readonly killsPerInstance: number;
  readonly brokerRestarts: number;
  readonly postgresRestarts: number;
  /** Share of provider calls answered 5xx/429 while orders flow. */
  readonly providerFaultRate: number;
  /**
   * Give up draining after this long without an order reaching a terminal state, unless the simulator still
   * has webhooks to send or retry (a callback in its backoff may yet move an order): then wait for them, up
   * to WEBHOOK_RETRY_SPAN_MS more.
   */
  readonly stallMs: number;
  /** Kill replica 1 of each app only (the small test); otherwise every instance. */
  readonly killOnlyFirstReplica?: boolean;
}

/**
 * Events one order makes in the flow the soak counts: the order itself, then the provider webhooks ingestion
 * receives for it, each sent twice (WEBHOOK_DUPLICATE=2): Stripe's payment_intent.succeeded, EasyPost's three
 * tracker.updated, HubSpot's contact.creation batch (one per order here, each order its own customer).
 */
export const EVENTS_PER_ORDER = 1 + 2 * (1 + 3 + 1);

/** The simulator's webhook retries below: 10 attempts, doubling from 0.5 s, each up to 10 s: under 6 min. */
const WEBHOOK_MAX_ATTEMPTS = 10;
const WEBHOOK_RETRY_SPAN_MS =
  0.5 * (2 ** (WEBHOOK_MAX_ATTEMPTS - 1) - 1) * 1000 + WEBHOOK_MAX_ATTEMPTS * 10_000;

export interface SoakResult {
  readonly report: string;
  readonly findings: SoakFindings;
  readonly faults: readonly FaultOutcome[];
}

/**
 * The chaos soak (issue 16): the whole platform with replicas on a private stack, orders and webhooks
 * flowing, SIGKILLs of every app instance, a broker stop and a Postgres restart at seeded moments, then a
 * drain and the counts (docs/architecture.md#exactly-once).
 */
export async function runSoak(
  stack: PrivateStack,
  options: SoakOptions,
  log: (line: string) => void,
): Promise<SoakResult> {
  const run = uniqueName('soak').replaceAll('-', '');
  const prefix = `${run}.`;
  const orders = Math.max(1, Math.round(options.events / EVENTS_PER_ORDER));
  const flowMs = (orders / options.ordersPerSecond) * 1000;
  log(
    `seed ${options.seed}: ${orders} orders at ${options.ordersPerSecond}/s (~${Math.round(flowMs / 1000)} s)`,
  );
  const token = randomBytes(18).toString('base64url');
  const tokenHash = createHash('sha256').update(token).digest('hex');
  const replicas = Object.fromEntries(REPLICATED_APPS.map((app) => [app, options.replicas]));
  const platform = await startPlatform({
    endpoints: stack.endpoints,
    topicPrefix: prefix,
    groupPrefix: prefix,
    replicas,
    withReconciliation: false,
    withLagExporter: false,
    appEnv: { RETRY_TIERS: '1s,5s', CONSUMER_SESSION_TIMEOUT_MS: '10000' },
    simulatorEnv: {
      WEBHOOK_DUPLICATE: '2',
      WEBHOOK_REORDER: 'true',
      EASYPOST_TRACKING_STEP_MS: '500',
      // A provider retries for hours; 10 attempts doubling from 0.5 s ride out an ingestion restart.
      WEBHOOK_MAX_ATTEMPTS: String(WEBHOOK_MAX_ATTEMPTS),
      // HubSpot's own limit is not what this run measures (429s are injected instead).
      HUBSPOT_RATE_LIMIT_MAX: '1000000',
    },
    dlqHandlerEnv: { API_KEYS: `soak:${tokenHash}:dlq:read` },
    log,
  });
  const sim = new SoakSim(platform.simulatorUrl);
  const tap = await startTap(stack.endpoints.kafka.brokers, prefix, `${prefix}soak-tap`);
  const rss = sampleRss(platform);
  const killable = REPLICATED_APPS.flatMap((app) =>
    platform.instancesOf(app).slice(0, options.killOnlyFirstReplica ? 1 : undefined),
  );
  const plan = planFaults({
    seed: options.seed,
    flowMs,
    instances: killable,
    killsPerInstance: options.killsPerInstance,
    brokerRestarts: options.brokerRestarts,
    postgresRestarts: options.postgresRestarts,
  });
  log(`instances: ${[...platform.apps.keys()].join(', ')}`);
  log(`plan: ${plan.map((f) => `${Math.round(f.atMs / 1000)}s ${describeFault(f)}`).join('; ')}`);
  try {
    await sim.injectFaults(options.providerFaultRate);
    const flowStart = Date.now();
    const faultsDone = carryOut(plan, flowStart, platform, stack, log);
    const flow = await placeOrders(
      platform.exampleServiceUrl,
      orders,
      options.ordersPerSecond,
      (placed, ok) => log(`placed ${placed}/${orders}, ${ok} accepted, ${tap.count()} records on Kafka`),
    );
    const faults = await faultsDone;
    await sim.clearFaults();
    log(`flow done: ${flow.accepted.length} accepted; draining`);
    const states = await drain(
      platform.exampleServiceUrl,
      flow.accepted.map((o) => o.orderId),
      { stallMs: options.stallMs, pendingWebhooks: () => sim.pendingWebhooks() },
      log,
    );
    await settle(() => tap.count(), 5_000);
    const collected: Collected = {
      orders: flow.accepted,
      records: tap.records(),
      states,
      paymentEffects: await sim.paymentEffects(),
      shipmentEffects: await sim.shipmentEffects(),
      contactEffects: await sim.contactEffects(),
      ledger: await sim.ledger(),
      deadLetters: await deadLetters(platform.dlqHandlerUrl, token),
    };
    const findings = examine(collected);
    const unmapped =
      findings.notTerminal.length > 0
        ? await unmappedWebhooks(stack.endpoints.postgres.url, platform.ingestionDatabaseSchema)
        : [];
    const parked = await parkedKeys(stack.endpoints.postgres.url);
    const seen = new Set(collected.records.map((r) => r.id));
    const traces = await traceShipments(
      stack.endpoints.postgres.url,
      platform.ingestionDatabaseSchema,
      findings.notTerminal.flatMap((n) => {
        const shipmentId = collected.states.get(n.orderId)?.shipmentId;
        return shipmentId ? [shipmentId] : [];
      }),
      (eventId) => seen.has(eventId),
    ).catch((error: unknown) => [
      // A diagnosis that fails must not take the report with it.
      {
        shipmentId: '(all)',
        lines: [`tracing failed: ${error instanceof Error ? error.message : String(error)}`],
      },
    ]);
    const report = renderSoakReport({
      seed: options.seed,
      options,
      instances: [...platform.apps.keys()].filter((name) => name !== 'provider-sim'),
      flow,
      collected,
      findings,
      faults,
      webhooks: await sim.webhookAttempts(),
      pendingWebhooks: await sim.pendingWebhooks(),
      unmapped,
      parked,
      traces,
      rss: rss.stop(),
    });
    return { report, findings, faults };
  } finally {
    rss.stop();
    await tap.stop();
    await platform.stop().catch((error: unknown) => log(`stopping the platform: ${String(error)}`));
  }
}

/** Runs the plan in order, each fault at its moment or as soon as the one before is healed. */
async function carryOut(
  plan: readonly PlannedFault[],
  flowStart: number,
  platform: RunningPlatform,
  stack: PrivateStack,
  log: (line: string) => void,
): Promise<FaultOutcome[]> {
  const outcomes: FaultOutcome[] = [];
  for (const fault of plan) {
    const due = flowStart + fault.atMs;
    if (due > Date.now()) await sleep(due - Date.now());
    const at = Date.now();
    let error: string | undefined;
    try {
      switch (fault.kind) {
        case 'kill': {
          const app = platform.apps.get(fault.instance);
          if (!app) throw new Error(`no instance ${fault.instance}`);
          await app.kill('SIGKILL');
          // Down a while on purpose (part of the fault): the other replica carries the load meanwhile.
          await sleep(fault.downMs);
          await platform.restart(fault.instance);
          break;
        }
        case 'broker':
          await stack.stopKafka('SIGTERM');
          await sleep(fault.downMs);
          await stack.startKafka();
          break;
        case 'postgres':
          await stack.restartPostgres();
          break;
      }
    } catch (failure) {
      error = failure instanceof Error ? failure.message.split('\n')[0]! : String(failure);
    }
    const outcome = { fault, at, healedAt: Date.now(), ...(error ? { error } : {}) };
    log(
      `fault ${describeFault(fault)}: ${error ? `NOT HEALED: ${error}` : `healed in ${outcome.healedAt - at} ms`}`,
    );
    outcomes.push(outcome);
  }
  return outcomes;
}

/**
 * Polls the orders not yet terminal until all are, or none moved for `stallMs` while the simulator had no
 * webhook left to send (then at most WEBHOOK_RETRY_SPAN_MS longer).
 */
async function drain(
  url: string,
  orderIds: readonly string[],
  limits: { stallMs: number; pendingWebhooks: () => Promise<number> },
  log: (line: string) => void,
): Promise<Map<string, OrderState>> {
  const states = new Map<string, OrderState>();
  let open = [...orderIds];
  let lastMove = Date.now();
  const stalled = async () => {
    const idle = Date.now() - lastMove;
    if (idle < limits.stallMs) return false;
    if (idle >= limits.stallMs + WEBHOOK_RETRY_SPAN_MS) return true;
    const pending = await limits.pendingWebhooks();
    if (pending > 0)
      log(
        `drain: no order moved for ${Math.round(idle / 1000)} s; ${pending} webhook series still pending at the simulator`,
      );
    return pending === 0;
  };
  while (open.length > 0 && !(await stalled())) {
    const before = open.length;
    const still: string[] = [];
    for (let i = 0; i < open.length; i += 32) {
      await Promise.all(
        open.slice(i, i + 32).map(async (id) => {
          const state = await orderState(url, id);
          states.set(id, state);
          if (!(TERMINAL_STATUSES as readonly (string | undefined)[]).includes(state.status)) still.push(id);
        }),
      );
    }
    open = still;
    if (open.length < before) lastMove = Date.now();
    log(`drain: ${orderIds.length - open.length}/${orderIds.length} orders terminal`);
    if (open.length > 0) await sleep(2_000);
  }
  return states;
}

async function orderState(url: string, orderId: string): Promise<OrderState> {
  try {
    const response = await fetch(`${url}/v1/orders/${orderId}`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return { status: `HTTP ${response.status}`, shipmentId: null };
    const body = (await response.json()) as { status: string; shipmentId: string | null };
    return { status: body.status, shipmentId: body.shipmentId };
  } catch (error) {
    return {
      status: `unreachable (${error instanceof Error ? error.message : String(error)})`,
      shipmentId: null,
    };
  }
}

/** Waits until a count stops growing for `quietMs`: the tap has read what the platform published. */
async function settle(count: () => number, quietMs: number): Promise<void> {
  let last = -1;
  while (count() !== last) {
    last = count();
    await sleep(quietMs);
  }
}

/** Every dead letter of the run, with its key and decoded value as text to find an order's ids in. */
async function deadLetters(url: string | undefined, token: string): Promise<DeadLetterRef[]> {
  if (!url) return [];
  const headers = { authorization: `Bearer ${token}` };
  const found: DeadLetterRef[] = [];
  let cursor: string | null = null;
  do {
    const page = (await (
      await fetch(`${url}/v1/dead-letters?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { headers })
    ).json()) as {
      items: Array<{ id: string; eventType: string | null; errorCode: string }>;
      nextCursor: string | null;
    };
    for (const item of page.items) {
      const detail = await (await fetch(`${url}/v1/dead-letters/${item.id}`, { headers })).text();
      found.push({ id: item.id, eventType: item.eventType, errorCode: item.errorCode, text: detail });
    }
    cursor = page.nextCursor;
  } while (cursor && found.length < 2_000);
  return found;
}
