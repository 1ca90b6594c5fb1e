import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pickFreePorts, spawnNodeProcess, startBuiltApp } from '@tributary/testkit';
import type { NodeProcessExit, NodeProcessHandle, ScrapeTargets, StackEndpoints } from '@tributary/testkit';
import { startFrontDoor } from './front-door.js';
import type { FrontDoor } from './front-door.js';
import { appOfInstance, instanceName, replicaCounts } from './replicas.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** A connector app as found in apps/connector-<id>/: how to run it against the provider simulator. */
export interface ConnectorApp {
  /** `payments` for apps/connector-payments. */
  readonly id: string;
  /** The definition's provider: names the refs ingestion shares with it. */
  readonly provider: string;
  readonly main: string;
  /** Its provider variables pointed at the simulator; `{simUrl}` is replaced by the simulator's URL. */
  readonly simulatorEnv: Readonly<Record<string, string>>;
}

/**
 * Every connector app in the tree, found by its folder (apps/connector-*) and the `tributary.connector`
 * field of its package.json: adding a connector touches no list here.
 */
export function discoverConnectors(appsDir = join(repoRoot, 'apps')): ConnectorApp[] {
  return readdirSync(appsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name.startsWith('connector-'))
    .flatMap((entry) => {
      const manifest = join(appsDir, entry.name, 'package.json');
      if (!existsSync(manifest)) return [];
      const connector = (
        JSON.parse(readFileSync(manifest, 'utf8')) as {
          tributary?: { connector?: { provider?: string; simulatorEnv?: Record<string, string> } };
        }
      ).tributary?.connector;
      if (!connector?.provider) return [];
      return [
        {
          id: entry.name.slice('connector-'.length),
          provider: connector.provider,
          main: join(appsDir, entry.name, 'dist', 'main.js'),
          simulatorEnv: connector.simulatorEnv ?? {},
        },
      ];
    });
}

/**
 * The apps that serve the platform's traffic, by name: every connector, ingestion, the example service, the
 * DLQ handler and the reconciler; what `npm run dev --replicas <n>` scales. The lag exporter may run
 * replicas too (`replicas: { 'lag-exporter': 2 }`), but only the one holding its lock exports.
 */
export function serviceApps(connectors: readonly ConnectorApp[]): string[] {
  return [
    ...connectors.map((c) => `connector-${c.id}`),
    'ingestion',
    'example-service',
    'dlq-handler',
    'reconciliation',
  ];
}

export interface PlatformOptions {
  readonly endpoints: StackEndpoints;
  /** Default: the stack's database. Every app keeps its tables in its own schema of it. */
  readonly databaseUrl?: string;
  /** Namespaces every catalogue topic (isolated runs); '' in development. */
  readonly topicPrefix?: string;
  /** Prepended to every consumer group, so an isolated run shares no retry or DLQ topics. */
  readonly groupPrefix?: string;
  /**
   * Processes per app, by app name (`ingestion`, `connector-payments`, ...); default 1. Replicas of an app
   * are one service: the same environment (consumer group, database schema), each on a port of its own.
   * Replica 1 keeps the app's name and its port in `ports`; replica n is `<app>.<n>` on a free port.
   */
  readonly replicas?: Readonly<Record<string, number>>;
  /** Fixed ports of each app's first replica (development); absent ones are picked free. */
  readonly ports?: Partial<
    Record<
      'ingestion' | 'exampleService' | 'dlqHandler' | 'reconciliation' | 'lagExporter' | 'simulator',
      number
    >
  >;
  /** Extra simulator variables: webhook duplication, reordering, delays, tracking pace (see provider-sim). */
  readonly simulatorEnv?: Readonly<Record<string, string>>;
  /** Extra variables for every app, e.g. RETRY_TIERS. */
  readonly appEnv?: Readonly<Record<string, string>>;
  /**
   * Extra variables for the DLQ handler alone, e.g. its API_KEYS: every service reads an API_KEYS of its
   * own and refuses scopes it does not know, so keys never go through `appEnv`.
   */
  readonly dlqHandlerEnv?: Readonly<Record<string, string>>;
  /** Extra variables for the reconciler alone: its API_KEYS, schedule, repairs enabled. */
  readonly reconciliationEnv?: Readonly<Record<string, string>>;
  /** Without it, apps log at warn. */
  readonly logLevel?: string;
  readonly withDlqHandler?: boolean;
  readonly withReconciliation?: boolean;
  /** Default true: apps/lag-exporter, the consumer lag of the run's groups (all groups without a prefix). */
  readonly withLagExporter?: boolean;
  /** Each app's output as it arrives. */
  readonly onOutput?: (app: string, chunk: string) => void;
  readonly log: (line: string) => void;
}

/** The secrets the simulator signs its webhooks with and ingestion verifies, per provider. */
export interface WebhookSecrets {
  readonly stripe: string;
  readonly easypost: string;
  readonly hubspot: string;
}

/** The apps called from outside the platform: with replicas, a front door spreads requests over them. */
const FRONTED_APPS = ['ingestion', 'example-service'] as const;

export interface RunningPlatform {
  readonly simulatorUrl: string;
  /**
   * Where providers send webhooks: ingestion itself, or with replicas the front door that spreads requests
   * over them (`front-door.ts`); `urlsOf('ingestion')` names each replica.
   */
  readonly ingestionUrl: string;
  /** Where orders are placed: the service itself, or with replicas the front door, like `ingestionUrl`. */
  readonly exampleServiceUrl: string;
  readonly dlqHandlerUrl: string | undefined;
  readonly reconciliationUrl: string | undefined;
  /**
   * The lag exporter's base URL when it runs. It is in `appUrls` too; a scraper that keeps Prometheus' jobs
   * apart takes it as the `kafka-lag` job's target rather than the apps' (infra/prometheus/prometheus.yml).
   */
  readonly lagExporterUrl: string | undefined;
  readonly connectors: readonly ConnectorApp[];
  /** Every process by instance name: `ingestion`, `ingestion.2`, ..., `provider-sim`. */
  readonly apps: ReadonlyMap<string, NodeProcessHandle>;
  /**
   * Base URL of each instance by name, the simulator too (which serves no /metrics): what a scraper
   * targets. The `*Url` fields above are each app's first replica.
   */
  readonly appUrls: ReadonlyMap<string, string>;
  readonly webhookSecrets: WebhookSecrets;
  /** The schema ingestion keeps its tables (api_keys among them) in. */
  readonly ingestionDatabaseSchema: string;
  /** Each service's schema, for keys issued into its `api_keys` table. */
  readonly databaseSchemas: Readonly<Record<string, string>>;
  /** Consumer group of an app, e.g. `connector-payments`, with the run's prefix: every replica's. */
  groupOf(app: string): string;
  /** The instance names of an app, first replica first: `['ingestion', 'ingestion.2']`; [] if not run. */
  instancesOf(app: string): readonly string[];
  /** The base URLs of an app's instances, in `instancesOf` order. */
  urlsOf(app: string): readonly string[];
  /**
   * Starts an instance again as it was started (same main, port and environment), e.g. after a test
   * SIGKILLed it; resolves once it is ready. Its handle in `apps` is the new process from then on.
   */
  restart(instance: string): Promise<NodeProcessHandle>;
  /**
   * SIGTERM to every instance, one at a time, each awaited: consumers first (the ones that call providers),
   * then ingestion, the simulator last; an app's replicas one after the other. Resolves with how each
   * instance exited; `onStopped` hears of each as it goes.
   */
  stop(
    onStopped?: (app: string, exit: NodeProcessExit) => void,
  ): Promise<ReadonlyMap<string, NodeProcessExit>>;
}

/**
 * The whole platform as processes on a stack: the provider simulator, ingestion (verifying the
 * simulator's signed Stripe, EasyPost and HubSpot webhooks), the example commerce service, every connector
 * app pointed at the simulator, the DLQ handler, the reconciler and the lag exporter. `npm run dev` runs it
 * with demo traffic; the platform end-to-end test runs it isolated under a topic and group prefix.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const { endpoints, log } = options;
  const connectors = discoverConnectors();
  const prefix = options.topicPrefix ?? '';
  const groupPrefix = options.groupPrefix ?? '';
  const groupOf = (app: string) => `${groupPrefix}${app}`;
  const replicas = replicaCounts(options.replicas ?? {}, [...serviceApps(connectors), 'lag-exporter']);
  const apps = new Map<string, NodeProcessHandle>();
  const appUrls = new Map<string, string>();
  const instances = new Map<string, string[]>();
  const launchers = new Map<string, () => Promise<NodeProcessHandle>>();
  const base = {
    DATABASE_URL: options.databaseUrl ?? endpoints.postgres.url,
    KAFKA_BROKERS: endpoints.kafka.brokers.join(','),
    SCHEMA_REGISTRY_URL: endpoints.registry.url,
    KAFKA_TOPIC_PREFIX: prefix,
    LOG_LEVEL: options.logLevel ?? 'warn',
    // The simulator takes test keys, which production refuses: the runner says so rather than inherit a
    // TRIBUTARY_ENV a shell exported for something else.
    TRIBUTARY_ENV: 'development',
    ...options.appEnv,
  };
  const output = (name: string) =>
    options.onOutput ? { onOutput: (chunk: string) => options.onOutput!(name, chunk) } : {};
  // Distinct free ports for whatever was not given: the apps, one per connector, then the extra replicas.
  const extraReplicas = Object.values(replicas).reduce((sum, n) => sum + n - 1, 0);
  // Replicas of the apps called from outside (ingestion by providers, the example service by shoppers) sit
  // behind a front door on the app's port, as behind a deployment's balancer: requests reach every replica,
  // and keep being answered while one is down.
  const fronted = FRONTED_APPS.filter((app) => (replicas[app] ?? 1) > 1);
  const free = await pickFreePorts(5 + connectors.length + extraReplicas + fronted.length);
  const replicaPorts = free.slice(5 + connectors.length);
  const ports = {
    ingestion: options.ports?.ingestion ?? free[0]!,
    exampleService: options.ports?.exampleService ?? free[1]!,
    dlqHandler: options.ports?.dlqHandler ?? free[2]!,
    reconciliation: options.ports?.reconciliation ?? free[3]!,
    lagExporter: options.ports?.lagExporter ?? free[4]!,
  };
  const connectorPorts = free.slice(5, 5 + connectors.length);
  const ingestionUrl = `http://127.0.0.1:${ports.ingestion}`;
  const frontDoors: FrontDoor[] = [];
  // Fresh per run: the simulator signs with them, ingestion verifies. Only `npm run dev` writes them down,
  // in its session file, so a developer can sign a webhook by hand.
  const secrets: WebhookSecrets = {
    stripe: `whsec_${randomBytes(24).toString('base64')}`,
    easypost: randomBytes(24).toString('hex'),
    // HubSpot signs with the app's client secret (a UUID-like string at HubSpot; any 8+ characters here).
    hubspot: randomBytes(24).toString('hex'),
  };
  // HubSpot's signature v3 covers the URL it called: the simulator signs this one, and ingestion rebuilds
  // the same from PUBLIC_BASE_URL rather than from the Host header, so the two agree by construction.
  const hubspotWebhookUrl = `${ingestionUrl}/webhooks/hubspot`;
  const ingestionDatabaseSchema = 'ingestion';

  const stopAll = async (onStopped?: (app: string, exit: NodeProcessExit) => void) => {
    const order = [
      ...connectors.map((c) => `connector-${c.id}`),
      'example-service',
      'reconciliation',
      'dlq-handler',
      'ingestion',
      'lag-exporter',
      'provider-sim',
    ];
    const exits = new Map<string, NodeProcessExit>();
    for (const name of order.flatMap((app) => instances.get(app) ?? [app])) {
      const app = apps.get(name);
      if (!app) continue;
      const exit = await app.kill('SIGTERM');
      exits.set(name, exit);
      onStopped?.(name, exit);
    }
    await Promise.all(frontDoors.map((door) => door.close()));
    return exits;
  };
  // Each app in its own process group, so a terminal's Ctrl-C reaches only the runner, which then stops the
  // apps in order with one SIGTERM each: a second signal makes an app exit without draining. The apps also
  // stop themselves when the runner dies without stopping them (SIGKILL, a crash).
  const supervision = { detached: true, stopWithParent: true } as const;

  try {
    for (const app of fronted) {
      const door = await startFrontDoor({
        port: app === 'ingestion' ? ports.ingestion : ports.exampleService,
        upstreams: () => (instances.get(app) ?? []).flatMap((name) => appUrls.get(name) ?? []),
      });
      frontDoors.push(door);
      log(`front  ${app}'s replicas behind ${door.url} (round robin)`);
    }
    // With a front door on an app's port, its first replica listens on a port of its own.
    const firstPort = (app: (typeof FRONTED_APPS)[number], port: number) =>
      fronted.includes(app) ? replicaPorts.shift()! : port;
    const sim = spawnNodeProcess(join(repoRoot, 'apps/provider-sim/dist/main.js'), {
      loader: false,
      env: {
        PORT: String(options.ports?.simulator ?? 0),
        STRIPE_WEBHOOK_URL: `${ingestionUrl}/webhooks/stripe`,
        STRIPE_WEBHOOK_SECRET: secrets.stripe,
        EASYPOST_WEBHOOK_URL: `${ingestionUrl}/webhooks/easypost`,
        EASYPOST_WEBHOOK_SECRET: secrets.easypost,
        HUBSPOT_WEBHOOK_URL: hubspotWebhookUrl,
        HUBSPOT_WEBHOOK_SECRET: secrets.hubspot,
        ...options.simulatorEnv,
      },
      ...supervision,
      ...output('provider-sim'),
    });
    apps.set('provider-sim', sim);
    const simulatorUrl = (await sim.waitForOutput(/"url":"(http:[^"]+)"/, { timeoutMs: 30_000 }))[1]!;
    appUrls.set('provider-sim', simulatorUrl);
    log(`app    provider-sim on ${simulatorUrl} (admin: ${simulatorUrl}/__admin/ledger, pid ${sim.pid})`);

    const startInstance = async (name: string, main: string, port: number, env: Record<string, string>) => {
      const launch = async () => {
        const app = await startBuiltApp(main, {
          env: { ...base, PORT: String(port), ...env },
          readyUrl: `http://127.0.0.1:${port}/health/ready`,
          name,
          timeoutMs: 90_000,
          ...supervision,
          ...output(name),
        });
        apps.set(name, app);
        appUrls.set(name, `http://127.0.0.1:${port}`);
        log(`app    ${name} ready on http://127.0.0.1:${port} (pid ${app.pid})`);
        return app;
      };
      launchers.set(name, launch);
      await launch();
    };
    // Replicas of one service: the same environment, so the same consumer group (Kafka shares the
    // partitions out) and the same schema (row claims and advisory locks keep them apart). The first one
    // starts alone: the others find the schema migrated instead of queueing on its migration lock.
    const start = async (app: string, main: string, port: number, env: Record<string, string>) => {
      const names = Array.from({ length: replicas[app] ?? 1 }, (_, i) => instanceName(app, i + 1));
      instances.set(app, names);
      await startInstance(names[0]!, main, port, env);
      // Every start settles before a failure is thrown, so the runner's stop finds each replica it started.
      const starts = await Promise.allSettled(
        names.slice(1).map((name) => startInstance(name, main, replicaPorts.shift()!, env)),
      );
      const failed = starts.find((start) => start.status === 'rejected');
      if (failed) throw failed.reason;
    };

    // Ingestion maps a provider's callbacks with the ids its connector records (EXTERNAL_REFS_SCHEMAS);
    // the connectors create those tables, so they start first.
    await Promise.all(
      connectors.map(async (connector, i) =>
        start(`connector-${connector.id}`, connector.main, connectorPorts[i]!, {
          CONSUMER_GROUP: groupOf(`connector-${connector.id}`),
          ...Object.fromEntries(
            Object.entries(connector.simulatorEnv).map(([name, value]) => [
              name,
              value.replaceAll('{simUrl}', simulatorUrl),
            ]),
          ),
        }),
      ),
    );
    await start(
      'ingestion',
      join(repoRoot, 'apps/ingestion/dist/main.js'),
      firstPort('ingestion', ports.ingestion),
      {
        DATABASE_SCHEMA: ingestionDatabaseSchema,
        STRIPE_WEBHOOK_SECRETS: secrets.stripe,
        EASYPOST_WEBHOOK_SECRETS: secrets.easypost,
        HUBSPOT_CLIENT_SECRETS: secrets.hubspot,
        PUBLIC_BASE_URL: ingestionUrl,
        EXTERNAL_REFS_SCHEMAS: connectors
          .map((c) => `${c.provider}=connector_${c.id.replaceAll('-', '_')}`)
          .join(','),
      },
    );
    await start(
      'example-service',
      join(repoRoot, 'apps/example-service/dist/main.js'),
      firstPort('example-service', ports.exampleService),
      { DATABASE_SCHEMA: 'example_service', CONSUMER_GROUP: groupOf('example-service') },
    );
    if (options.withDlqHandler ?? true) {
      await start('dlq-handler', join(repoRoot, 'apps/dlq-handler/dist/main.js'), ports.dlqHandler, {
        DATABASE_SCHEMA: 'dlq_handler',
        CONSUMER_GROUP: groupOf('dlq-handler'),
        ...options.dlqHandlerEnv,
      });
    }
    if (options.withReconciliation ?? true) {
      await start(
        'reconciliation',
        join(repoRoot, 'apps/reconciliation/dist/main.js'),
        ports.reconciliation,
        {
          DATABASE_SCHEMA: 'reconciliation',
          CONSUMER_GROUP: groupOf('reconciliation'),
          ...options.reconciliationEnv,
        },
      );
    }
    if (options.withLagExporter ?? true) {
      await start('lag-exporter', join(repoRoot, 'apps/lag-exporter/dist/main.js'), ports.lagExporter, {
        DATABASE_SCHEMA: 'lag_exporter',
        // An isolated run reports its own groups only: other runs on the cluster have their own exporter.
        ...(groupPrefix ? { LAG_GROUPS: `${escapeRegExp(groupPrefix)}.*` } : {}),
      });
    }
    return {
      simulatorUrl,
      ingestionUrl,
      exampleServiceUrl: `http://127.0.0.1:${ports.exampleService}`,
      dlqHandlerUrl: apps.has('dlq-handler') ? `http://127.0.0.1:${ports.dlqHandler}` : undefined,
      reconciliationUrl: apps.has('reconciliation') ? `http://127.0.0.1:${ports.reconciliation}` : undefined,
      lagExporterUrl: apps.has('lag-exporter') ? `http://127.0.0.1:${ports.lagExporter}` : undefined,
      connectors,
      apps,
      appUrls,
      webhookSecrets: secrets,
      ingestionDatabaseSchema,
      databaseSchemas: {
        ingestion: ingestionDatabaseSchema,
        'dlq-handler': 'dlq_handler',
        reconciliation: 'reconciliation',
      },
      groupOf,
      instancesOf: (app) => instances.get(app) ?? [],
      urlsOf: (app) => (instances.get(app) ?? []).map((name) => appUrls.get(name)!),
      async restart(instance) {
        const launch = launchers.get(instance);
        if (!launch) throw new Error(`no instance ${instance} to restart (the simulator is not restartable)`);
        return launch();
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

/**
 * What Prometheus scrapes of a running platform, as infra/prometheus does: every instance of every app but
 * the simulator (a test double without /metrics) in job `tributary`, labelled with its app (its instance
 * label is its host:port, as compose's are); the lag exporter's alone in `kafka-lag` so its series are
 * scraped once.
 */
export function scrapeTargets(platform: RunningPlatform): ScrapeTargets {
  const targets = [...platform.appUrls]
    .map(([instance, url]) => ({ app: appOfInstance(instance), url }))
    .filter(({ app }) => app !== 'provider-sim');
  return {
    apps: targets.filter(({ app }) => app !== 'lag-exporter'),
    lagExporters: targets.filter(({ app }) => app === 'lag-exporter'),
  };
}
