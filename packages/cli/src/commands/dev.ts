import { createHash, randomBytes } from 'node:crypto';
import { SchemaRegistryAdmin, loadSchemaFiles, registerSchemas } from '@tributary/contracts';
import { downLocalStack, endpointsFromEnv, localStackStatus, upLocalStack } from '@tributary/testkit';
import type { StackEndpoints } from '@tributary/testkit';
import { discoverConnectors, scrapeTargets, serviceApps, startPlatform } from '../platform/platform.js';
import type { RunningPlatform } from '../platform/platform.js';
import {
  devSessionPath,
  displayPath,
  exportLines,
  removeDevSession,
  writeDevSession,
} from '../session/dev-session.js';
import { DRIFT_EVERY_MS, DemoDrift, FIRST_DRIFT_MS, scheduleDemoDrift } from './dev-drift.js';
import { startDevGuard } from './dev-guard.js';
import type { DevGuard } from './dev-guard.js';
import { startDevPrometheus } from './dev-prometheus.js';
import type { DevPrometheus } from './dev-prometheus.js';
import { parseReplicas } from './dev-replicas.js';
import { stopApps, within } from './dev-stop.js';
import { tapCatalogue } from './dev-tap.js';
import { ensureCatalogueTopics } from './topics.js';

export interface DevOptions {
  /** Demo orders per second. */
  readonly rate: number;
  /** example-service's port; ingestion, the DLQ handler, the simulator and the reconciler take the next four (0: free). */
  readonly port: number;
  /** Prepended to every catalogue topic and consumer group, so two sessions can share one stack. */
  readonly prefix?: string;
  /** The apps' LOG_LEVEL. Default warn. */
  readonly logLevel?: string;
  /** Now and then a contact edited in HubSpot without a webhook, for reconciliation to repair. Default on. */
  readonly drift?: boolean;
  /**
   * `--replicas` as given: `<n>` (every service app), `<app>=<n>`, comma-separated, later entries winning.
   * Replicas 2..n of an app run on free ports; the session's URLs are the first replica's.
   */
  readonly replicas?: readonly string[];
  /** Where the session's URLs and keys go. Default devSessionPath(). */
  readonly sessionFile?: string;
  readonly log: (line: string) => void;
  /** Lines meant to be copied as they are (the `export` lines), without the log's timestamp. Default log. */
  readonly print?: (line: string) => void;
}

/**
 * A terminal's Ctrl-C can reach this process more than once: from the terminal, and again through a parent
 * that passes it on (npm, tsx's CLI; measured: ~35 ms apart). Signals this close to the first are the
 * same key press; a later one is the user pressing Ctrl-C again.
 */
const RELAYED_SIGNAL_WINDOW_MS = 1_000;
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** The dev reconciler: a run of each entity every half minute, judging changes older than ten seconds. */
const RECONCILE_EVERY_S = 30;
const RECONCILE_SETTLE_S = 10;

/**
 * The platform end to end on the local stack: starts (or reuses) Kafka, the registry and Postgres,
 * registers the schemas, creates the catalogue topics, runs every app and the provider simulator from
 * their builds, places demo orders and prints what flows where: HTTP in, each event on Kafka, the
 * simulator's effects and webhooks. Writes the session's URLs and keys to the session file for the CLI.
 * Ctrl-C stops the traffic, the apps (each drains, one SIGTERM each), then the stack it started; Ctrl-C
 * again kills the apps. Resolves 0 when every app stopped cleanly.
 */
export async function dev(options: DevOptions): Promise<number> {
  const { log } = options;
  const print = options.print ?? log;
  const prefix = options.prefix ?? '';
  const sessionFile = options.sessionFile ?? devSessionPath();
  // Checked before anything starts: a typo stops the runner here, not after the stack is up.
  const all = serviceApps(discoverConnectors());
  const replicas = parseReplicas(options.replicas ?? [], { all, known: [...all, 'lag-exporter'] });
  const stop = stopSignals(log);
  // Whatever ends this process without the stop below (a SIGKILL, a crash, a second Ctrl-C during
  // start-up), the guard stops what it started: see dev-guard.ts.
  const guard = startDevGuard(log);
  // A promise nobody awaits that rejects (a library's background work) must not end the runner past its
  // stop path: it is printed, and the session goes on.
  const onUnhandled = (reason: unknown) =>
    log(`runner unhandled rejection (ignored): ${reason instanceof Error ? reason.stack : String(reason)}`);
  process.on('unhandledRejection', onUnhandled);
  let platform: RunningPlatform | undefined;
  let startedStack = false;
  let sessionWritten = false;
  let tap: { stop(): Promise<void> } | undefined;
  let prometheus: DevPrometheus | undefined;
  let effects: { stop(): void } | undefined;
  let drift: { stop(): Promise<void> } | undefined;
  let traffic: NodeJS.Timeout | undefined;
  let appDied = false;
  let stopping: Promise<number> | undefined;
  try {
    const stack = await connectStack(log, guard);
    startedStack = stack.startedStack;
    const { endpoints } = stack;
    log(
      `stack  kafka ${endpoints.kafka.brokers.join(',')} · registry ${endpoints.registry.url} · postgres ${redact(endpoints.postgres.url)}`,
    );
    // A Ctrl-C during start-up stops at the next step instead of starting everything first.
    if (stop.requested()) return 1;
    const registered = await registerSchemas(
      new SchemaRegistryAdmin({ url: endpoints.registry.url }),
      await loadSchemaFiles(),
    );
    log(`schemas ${registered.length} subjects registered or unchanged`);
    log(`topics ${(await ensureCatalogueTopics(endpoints.kafka.brokers, prefix)).join(', ')}`);
    if (stop.requested()) return 1;

    // A key for this session only, for the DLQ console and the reconciler's API: printed once, its hash is
    // all the services are given.
    const dlqToken = randomBytes(18).toString('base64url');
    const tokenHash = createHash('sha256').update(dlqToken).digest('hex');
    const partial = new Map<string, string>();
    platform = await startPlatform({
      endpoints,
      ...(options.port
        ? {
            ports: {
              exampleService: options.port,
              ingestion: options.port + 1,
              dlqHandler: options.port + 2,
              simulator: options.port + 3,
              reconciliation: options.port + 4,
            },
          }
        : {}),
      topicPrefix: prefix,
      groupPrefix: prefix,
      replicas,
      ...(options.logLevel ? { logLevel: options.logLevel } : {}),
      dlqHandlerEnv: { API_KEYS: `dev:${tokenHash}:dlq:read+dlq:replay+dlq:discard` },
      // Repairs on, and runs every half minute instead of every few minutes, so the demo's drift is found
      // and repaired while someone watches.
      reconciliationEnv: {
        API_KEYS: `dev:${tokenHash}:reconciliation:read+reconciliation:run+reconciliation:repair`,
        RECONCILE_REPAIR_ENTITIES: 'payment,contact,shipment',
        RECONCILE_INTERVALS: `payment=${RECONCILE_EVERY_S}s,contact=${RECONCILE_EVERY_S}s,shipment=${RECONCILE_EVERY_S}s`,
        RECONCILE_FULL_SWEEP_INTERVAL: '10m',
        RECONCILE_OVERLAP: `${RECONCILE_EVERY_S}s`,
        RECONCILE_SETTLE: `${RECONCILE_SETTLE_S}s`,
      },
      // Real-world delivery: late and sometimes twice. Ingestion dedupes; the checkout stays correct.
      simulatorEnv: { WEBHOOK_DUPLICATE: '2', WEBHOOK_REORDER: 'true', EASYPOST_TRACKING_STEP_MS: '1500' },
      onOutput: (app, chunk) => {
        // A chunk ends wherever the pipe read ended, not at a line's end: the rest waits for the next one.
        const lines = ((partial.get(app) ?? '') + chunk).split('\n');
        partial.set(app, lines.pop()!);
        for (const line of lines.filter(Boolean)) log(`${app.padEnd(6).slice(0, 22)} ${line}`);
      },
      log,
    });
    const running = platform;
    for (const [name, app] of running.apps) guard.process(app.pid, name, 'wait');
    stop.onForce(async () => {
      await Promise.all([...running.apps.values()].map((app) => app.kill('SIGKILL')));
    });
    if (stop.requested()) return await stopped();
    prometheus = await startDevPrometheus(scrapeTargets(platform), log);
    if (prometheus) guard.process(prometheus.pid, 'prometheus', 'SIGTERM');

    log(
      `ready  orders ${platform.exampleServiceUrl}/v1/orders · webhooks ${platform.ingestionUrl}/webhooks/:provider`,
    );
    if (platform.dlqHandlerUrl)
      log(`ready  DLQ console ${platform.dlqHandlerUrl}/console (API key for this session: ${dlqToken})`);
    if (platform.reconciliationUrl)
      log(`ready  reconciliation ${platform.reconciliationUrl}/v1/runs (same key; tributary reconcile runs)`);
    for (const app of [...all, 'lag-exporter']) {
      const urls = platform.urlsOf(app);
      if (urls.length > 1) log(`ready  ${app} × ${urls.length}: ${urls.join(' · ')}`);
    }
    log(
      `ready  connectors: ${platform.connectors.map((c) => `connector-${c.id} (${c.provider})`).join(', ')}`,
    );
    if (prometheus)
      log(
        `ready  prometheus ${prometheus.url} scrapes the apps with infra/prometheus/rules (query: ${prometheus.url}/graph)`,
      );
    log(
      'ready  a signed webhook of your own: `npm run -s tributary -- webhooks sign stripe|easypost|hubspot ' +
        "[--body '<json>']` prints a curl signed now with this session's secret",
    );

    const session = sessionOf(platform, endpoints, platform.dlqHandlerUrl ? dlqToken : undefined);
    writeDevSession(sessionFile, session);
    sessionWritten = true;
    // A crash exits without the finally below (the testkit kills the apps on exit); the file goes with it.
    process.once('exit', removeSession);
    log(
      `ready  session ${displayPath(sessionFile)} (mode 0600, removed on stop): the tributary CLI reads it when these are unset`,
    );
    for (const line of exportLines(session.env)) print(line);

    // The tap only prints: one that cannot start leaves the session without the event lines, nothing more.
    tap = await tapCatalogue(endpoints, prefix, log).catch((error: unknown) => {
      log(`kafka  tap not started: ${(error as Error).message}`);
      return undefined;
    });
    effects = watchSimulator(platform, log);
    let sequence = 0;
    const exampleServiceUrl = platform.exampleServiceUrl;
    // Orders go round the example service's replicas, as a load balancer would send them.
    const orderUrls = platform.urlsOf('example-service');
    traffic = setInterval(
      () => {
        sequence += 1;
        void placeDemoOrder(orderUrls[sequence % orderUrls.length]!, sequence).then(
          (order) => log(`http   POST /v1/orders → 202 ${order.orderNumber} (order ${order.orderId})`),
          (error: unknown) => log(`http   POST /v1/orders failed: ${(error as Error).message}`),
        );
      },
      Math.max(10, Math.round(1000 / options.rate)),
    );
    if ((options.drift ?? true) && platform.reconciliationUrl) {
      drift = scheduleDemoDrift(
        new DemoDrift({
          simulatorUrl: platform.simulatorUrl,
          exampleServiceUrl,
          log,
          repairWithinS: RECONCILE_EVERY_S + RECONCILE_SETTLE_S,
        }),
        { firstMs: FIRST_DRIFT_MS, everyMs: DRIFT_EVERY_MS, log },
      );
      log(
        `ready  drift: a contact edited in HubSpot without a webhook in ~${FIRST_DRIFT_MS / 1000} s, then every ` +
          `${DRIFT_EVERY_MS / 1000} s, for reconciliation to repair (--no-drift: a quiet demo)`,
      );
    }

    await Promise.race([
      stop.signal,
      ...[...platform.apps].map(async ([name, app]) => {
        const { code, signal } = await app.exited;
        if (stop.requested()) return;
        appDied = true;
        log(`app    ${name} exited (${signal ?? code}); stopping`);
      }),
    ]);
    return await stopped();
  } finally {
    // On the way out whatever happened above: an error must not leave the apps, the stack or the session
    // file behind. Each step catches its own failure so that the next one still runs.
    await stopped().catch((error: unknown) => log(`stopping failed: ${(error as Error).message}`));
    removeSession();
    process.off('exit', removeSession);
    if (startedStack) {
      await downLocalStack({ log: (l) => log(`stack  ${l}`) }).catch((error: unknown) =>
        log(`stack  stop failed: ${(error as Error).message}`),
      );
    }
    guard.done();
    stop.dispose();
    process.off('unhandledRejection', onUnhandled);
  }

  function removeSession() {
    if (sessionWritten) removeDevSession(sessionFile);
    sessionWritten = false;
  }

  /** Stops the traffic, the taps and the apps, once (later calls share the first); 0 if all went well. */
  async function stopped(): Promise<number> {
    stopping ??= (async () => {
      if (!platform) return 1;
      log('stopping: traffic, taps, apps' + (startedStack ? ', stack' : ''));
      // First: a CLI started from now on must not pick up a session whose apps are going away.
      removeSession();
      if (traffic) clearInterval(traffic);
      if (drift) await within(drift.stop(), 'drift stop', log);
      effects?.stop();
      await tap?.stop();
      const exits = await stopApps(platform, log);
      await prometheus?.stop();
      return !appDied && stop.requested() && [...exits.values()].every((exit) => exit.code === 0) ? 0 : 1;
    })();
    return stopping;
  }
}

/** The session as the CLI and a shell use it: every variable the runner knows a value for. */
function sessionOf(platform: RunningPlatform, endpoints: StackEndpoints, dlqToken: string | undefined) {
  const env: Record<string, string> = {
    ...(platform.dlqHandlerUrl && dlqToken ? { DLQ_URL: platform.dlqHandlerUrl, DLQ_API_KEY: dlqToken } : {}),
    ...(platform.reconciliationUrl && dlqToken
      ? { RECONCILIATION_URL: platform.reconciliationUrl, RECONCILIATION_API_KEY: dlqToken }
      : {}),
    // Ingestion's API keys live in its database (tributary api-keys); the session creates none.
    INGESTION_URL: platform.ingestionUrl,
    EXAMPLE_SERVICE_URL: platform.exampleServiceUrl,
    PROVIDER_SIM_URL: platform.simulatorUrl,
    STRIPE_WEBHOOK_SECRET: platform.webhookSecrets.stripe,
    EASYPOST_WEBHOOK_SECRET: platform.webhookSecrets.easypost,
    HUBSPOT_WEBHOOK_SECRET: platform.webhookSecrets.hubspot,
    KAFKA_BROKERS: endpoints.kafka.brokers.join(','),
    SCHEMA_REGISTRY_URL: endpoints.registry.url,
    DATABASE_URL: endpoints.postgres.url,
  };
  return {
    version: 1 as const,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    env,
    ingestionDatabaseSchema: platform.ingestionDatabaseSchema,
    databaseSchemas: platform.databaseSchemas,
  };
}

/**
 * Listens for SIGINT, SIGTERM and SIGHUP from the start (a Ctrl-C during start-up waits for the apps being
 * started, then stops them). The first signal asks for a graceful stop; a second one, past the relay window,
 * runs the force action (kill the apps) or, before the apps are known, exits, which kills them.
 */
function stopSignals(log: (line: string) => void) {
  let first: number | undefined;
  let resolve!: () => void;
  const signal = new Promise<void>((r) => (resolve = r));
  let force: () => Promise<void> = async () => process.exit(130);
  const onSignal = (name: NodeJS.Signals) => {
    const now = Date.now();
    if (first === undefined) {
      first = now;
      log(`${name}: stopping the apps, each drains first (Ctrl-C again to kill them)`);
      resolve();
    } else if (now - first >= RELAYED_SIGNAL_WINDOW_MS) {
      log(`${name} again: killing the apps`);
      void force();
    }
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  return {
    signal,
    requested: () => first !== undefined,
    onForce: (action: () => Promise<void>) => {
      force = action;
    },
    dispose: () => {
      for (const name of STOP_SIGNALS) process.off(name, onSignal);
    },
  };
}

/**
 * Connection details from the environment, else the local stack; only a stack started here is stopped here.
 * The guard hears of the stack before and after, so it can tell a stack this runner started (even one it
 * was killed in the middle of starting) from one it reused.
 */
async function connectStack(
  log: (line: string) => void,
  guard: DevGuard,
): Promise<{ endpoints: StackEndpoints; startedStack: boolean }> {
  const given = endpointsFromEnv(process.env);
  if (given) return { endpoints: given, startedStack: false };
  guard.stackBefore((await localStackStatus()).state?.id);
  const { state, reused } = await upLocalStack({ owner: 'cli', log: (line) => log(`stack  ${line}`) });
  if (!reused) guard.stack(state.id);
  return { endpoints: state.endpoints, startedStack: !reused };
}

const streets = ['Main Street', 'Harbour Road', 'Market Square', 'Station Lane'];

async function placeDemoOrder(
  appUrl: string,
  sequence: number,
): Promise<{ orderNumber: string; orderId: string }> {
  const response = await fetch(`${appUrl}/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'correlation-id': `demo-${sequence}` },
    body: JSON.stringify({
      // A handful of returning customers: their CRM contact is written once, then left unchanged.
      customerId: demoCustomer(sequence % 17),
      currency: 'EUR',
      channel: 'web',
      lines: [{ sku: `SKU-${sequence % 5}`, quantity: (sequence % 3) + 1, unitPriceMinor: 1999 }],
      shipTo: {
        recipientName: `Demo Customer ${(sequence % 17) + 1}`,
        line1: `${(sequence % 90) + 1} ${streets[sequence % streets.length]}`,
        postalCode: '10115',
        city: 'Berlin',
        countryCode: 'DE',
      },
    }),
  });
  if (response.status !== 202) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  return (await response.json()) as { orderNumber: string; orderId: string };
}

/** A stable UUID per demo customer, so the same customer comes back across runs. */
function demoCustomer(n: number): string {
  const hex = createHash('sha256').update(`tributary-demo-customer-${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Prints each new effect the simulator applied and each webhook it delivered, polling its admin API. */
function watchSimulator(platform: RunningPlatform, log: (line: string) => void) {
  const effects = new Map<string, number>();
  let deliveries = 0;
  const timer = setInterval(() => {
    void (async () => {
      const ledger = (await (await fetch(`${platform.simulatorUrl}/__admin/ledger`)).json()) as {
        entries: Array<{ route: string; idempotencyKey: string; requests: number; effects: number }>;
      };
      for (const entry of ledger.entries) {
        const id = `${entry.route} ${entry.idempotencyKey}`;
        if ((effects.get(id) ?? -1) === entry.requests) continue;
        effects.set(id, entry.requests);
        log(
          `sim    ${entry.route} key=${entry.idempotencyKey} requests=${entry.requests} effects=${entry.effects}`,
        );
      }
      const sent = (await (await fetch(`${platform.simulatorUrl}/__admin/webhooks`)).json()) as Array<{
        provider: string;
        type: string;
        eventId: string;
        status: number | null;
      }>;
      for (const d of sent.slice(deliveries))
        log(`sim    webhook ${d.provider} ${d.type} ${d.eventId} → ingestion ${d.status ?? 'no answer'}`);
      deliveries = sent.length;
    })().catch(() => undefined);
  }, 500);
  return { stop: () => clearInterval(timer) };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}
