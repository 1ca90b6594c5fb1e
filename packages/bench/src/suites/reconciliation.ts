import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { pickFreePorts, spawnNodeProcess, startBuiltApp } from '@tributary/testkit';
import type { NodeProcessHandle } from '@tributary/testkit';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import type { ReconciliationOptions } from '../config.js';
import type { Scratch } from '../infra/scratch.js';
import { buildWorkspaces, openSuite, repoRoot } from '../infra/suite-setup.js';
import { otherTestRuns } from './connectors/machine.js';
import {
  findingsByClass,
  insertExternalRefs,
  insertProjections,
  pageBreakdown,
  sqlCompare,
} from './reconciliation/database.js';
import { CONTACT_DRIFT, ENTITY_SPECS } from './reconciliation/entities.js';
import type { BenchEntityName, EntitySpec, SeedAnswer } from './reconciliation/entities.js';
import type {
  EntityMeasurement,
  MemoryFigures,
  Outcome,
  PageBreakdown,
  ReadCeiling,
  RunView,
  SqlCeiling,
} from './reconciliation/figures.js';
import { renderReconciliationReport } from './reconciliation/report.js';
import { RssSampler } from './reconciliation/rss.js';
import { SimAdmin, rawRead } from './reconciliation/sim.js';

const builtMain = (app: string) => `${repoRoot}apps/${app}/dist/main.js`;

const TOKEN = 'bench-reconciliation-token';
/**
 * How far back the simulator's clock is set while seeding: the newest seeded objects are then older than the
 * reconciler's settle window (1 min by default), so none is deferred and every record is compared.
 */
const SEED_AGE_MS = 10 * 60_000;
/** The connector's own token bucket, lifted (platform override) so that it never binds in the measured run. */
const CLIENT_LIMIT = { rps: 1_000, burst: 1_000 };
/** Guardrails lifted: a benchmark's drift must never stop the run (and nothing is repaired: dry run). */
const MAX_REPAIRS = 100_000_000;
const PAGE_SIZE = 100;
const POLL_MS = 1_000;
const PROGRESS_EVERY_MS = 15_000;

interface Context {
  readonly run: string;
  readonly prefix: string;
  readonly options: ReconciliationOptions;
  readonly sim: SimAdmin;
  readonly pool: pg.Pool;
  readonly databaseUrl: string;
  readonly kafka: { brokers: string; registry: string };
  readonly log: (line: string) => void;
  readonly noteBusy: () => void;
}

/**
 * `npm run bench -- reconciliation`: for each entity, the simulator seeded with `--records` objects of which
 * `--drift` drifted, the matching local state inserted into the reconciler's projection, then a FULL dry run
 * through the API with the built reconciler and the entity's built connector as processes on the stack.
 * Prints records compared per second, pages, requests and requests per record, mismatches against the drift,
 * peak RSS, the full sweep's time at the provider's documented limit, and ceilings measured in the same run
 * (the raw read, a set-based SQL comparison). Asserts nothing.
 */
export async function runReconciliation(
  options: ReconciliationOptions,
  log: (line: string) => void,
): Promise<number> {
  const entities = options.entities;
  log(
    `building the reconciler, provider-sim and ${entities.map((e) => ENTITY_SPECS[e].connector.app).join(', ')}`,
  );
  buildWorkspaces([
    '@tributary/reconciliation',
    '@tributary/provider-sim',
    ...entities.map((e) => `@tributary/${ENTITY_SPECS[e].connector.app}`),
  ]);
  const { stack, endpoints, kafka, scratch, run, prefix } = await openSuite('reconciliation', log);
  let sim: NodeProcessHandle | undefined;
  let pool: pg.Pool | undefined;
  const busy = new Set<string>();
  const noteBusy = () => {
    for (const line of otherTestRuns()) busy.add(line.split(':')[0]!);
  };

  const cleanUp = async () => {
    await stopAll();
    await sim?.kill('SIGTERM').catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await trackRunScratch(kafka, scratch, endpoints.registry.url, run);
    const problems = await scratch.dispose();
    await stack.release().catch((error: unknown) => problems.push(`release stack: ${String(error)}`));
    return problems;
  };
  const onSignal = () => {
    log('interrupted: removing what the run created');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let report: string;
  try {
    const database = await scratch.createDatabase('bench_reconciliation');
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    log(`run ${run}: starting provider-sim (HubSpot's window lifted: the sweep runs unthrottled)`);
    sim = spawnNodeProcess(builtMain('provider-sim'), {
      env: { PORT: '0', HUBSPOT_RATE_LIMIT_MAX: '1000000000', HUBSPOT_SEARCH_RATE_LIMIT: '1000000' },
      loader: false,
    });
    const simUrl = (await sim.waitForOutput(/"url":"(http:[^"]+)"/, { timeoutMs: 30_000 }))[1]!;
    const context: Context = {
      run,
      prefix,
      options,
      sim: new SimAdmin(simUrl),
      pool,
      databaseUrl: database.url,
      kafka: { brokers: endpoints.kafka.brokers.join(','), registry: endpoints.registry.url },
      log,
      noteBusy,
    };
    const results: { entity: BenchEntityName; outcome: Outcome<EntityMeasurement> }[] = [];
    for (const entity of entities) {
      try {
        results.push({ entity, outcome: { value: await measureEntity(context, ENTITY_SPECS[entity]) } });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`${entity}: not measured: ${message}`);
        results.push({ entity, outcome: { error: message.split('\n')[0]! } });
      }
    }
    report = renderReconciliationReport({
      run,
      records: options.records,
      driftRate: options.drift,
      settings: [
        `FULL runs started with POST /v1/runs, dry run; RECONCILE_SCHEDULE=false, RECONCILE_PAGE_SIZE=${PAGE_SIZE}, ` +
          `RECONCILE_MAX_MISMATCH_RATIO=1, RECONCILE_MAX_REPAIRS=${MAX_REPAIRS.toLocaleString('en-US')} (guardrails lifted)`,
        `simulator unthrottled (HUBSPOT_RATE_LIMIT_MAX lifted); connectors' token bucket lifted to ` +
          `PROVIDER_RATE_LIMIT_RPS=${CLIENT_LIMIT.rps} burst ${CLIENT_LIMIT.burst} (their definitions: see the limit lines)`,
        `seeded ${SEED_AGE_MS / 60_000} min back on the simulator's clock (older than the 1 min settle window), ` +
          `drift seed 1; contacts drifted by an edit of phone in HubSpot's UI (the seed's own drift moves lifecyclestage to evangelist, read as customer)`,
      ],
      entities: results,
      busy: [...busy],
      cleanupProblems: [],
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const problems = await cleanUp();
    if (problems.length > 0) log(`cleanup problems: ${problems.join('; ')}`);
  }
  process.stdout.write(`\n${report}\n`);
  return 0;
}

/** Apps started for the entity being measured; stopped after it, and by the cleanup on Ctrl-C. */
const apps = new Set<NodeProcessHandle>();

async function stopAll(): Promise<void> {
  await Promise.all([...apps].map((app) => app.kill('SIGTERM').catch(() => undefined)));
  apps.clear();
}

async function measureEntity(ctx: Context, spec: EntitySpec): Promise<EntityMeasurement> {
  const { options, sim, log, entity } = { ...ctx, entity: spec.entity };
  try {
    // 1. The owner: seeded in the past, so that nothing is younger than the settle window.
    log(
      `${entity}: seeding ${options.records.toLocaleString('en-US')} ${spec.provider} objects, drift ${options.drift}`,
    );
    const seedStarted = performance.now();
    let seeded: SeedAnswer<unknown>;
    const seededAt = Date.now() - SEED_AGE_MS;
    await sim.clock(-SEED_AGE_MS);
    try {
      seeded = await sim.seed<SeedAnswer<unknown>>(spec.seedBody(options.records, options.drift));
      if (entity === 'contact')
        await driftContacts(
          sim,
          seeded.drift.map((d) => d.id),
        );
    } finally {
      await sim.clock(0);
    }
    const seedMs = performance.now() - seedStarted;

    // 2. The reconciler (its migrations make the tables), then the local state straight into its projection.
    const reconciler = await startReconciler(ctx, entity);
    const local = spec.localState(seeded.objects, seededAt);
    log(`${entity}: inserting ${local.projections.length.toLocaleString('en-US')} projection rows`);
    let rowsStarted = performance.now();
    await insertProjections(ctx.pool, entity, local.projections);
    let localRowsMs = performance.now() - rowsStarted;

    // 3. The owner's connector (its migrations make its tables), then the mappings its handler would have kept.
    const connector = await startConnector(ctx, spec);
    if (local.externalRefs.length > 0) {
      log(
        `${entity}: inserting ${local.externalRefs.length.toLocaleString('en-US')} external_refs of ${spec.connector.app}`,
      );
      rowsStarted = performance.now();
      await insertExternalRefs(ctx.pool, `connector_${spec.connector.id}`, spec.provider, local.externalRefs);
      localRowsMs += performance.now() - rowsStarted;
    }
    const ownerObjects = spec.ownerCount(await sim.objects());

    // 4. The run, measured.
    await sim.resetRates();
    ctx.noteBusy();
    const reconcilerRss = new RssSampler(reconciler.app.pid);
    const connectorRss = new RssSampler(connector.pid);
    let finished: RunView;
    let reconcilerMemory: MemoryFigures;
    let connectorMemory: MemoryFigures;
    try {
      const started = await reconciler.api<RunView>('POST', '/v1/runs', {
        entity,
        mode: 'full',
        dryRun: true,
        reason: `bench ${ctx.run}`,
      });
      log(`${entity}: run ${started.id} started`);
      finished = await awaitRun(ctx, reconciler, started.id, entity);
    } finally {
      reconcilerMemory = reconcilerRss.stop();
      connectorMemory = connectorRss.stop();
    }
    ctx.noteBusy();
    const rate = await sim.rate(spec.provider);
    const findings = await findingsByClass(ctx.pool, finished.id);
    let breakdown: Outcome<PageBreakdown>;
    try {
      breakdown = {
        value: await pageBreakdown(ctx.pool, {
          runId: finished.id,
          connectorSchema: `connector_${spec.connector.id}`,
          connectorGroup: `${ctx.run}.${spec.connector.id}.reconciliation`,
          reconcilerGroup: `${ctx.run}.reconciliation`,
        }),
      };
    } catch (error) {
      breakdown = { error: messageOf(error) };
    }
    log(
      `${entity}: run ${finished.status}: ${finished.compared} compared, ${finished.mismatches} mismatches, ` +
        `${finished.pages} pages, ${rate.requests} provider requests`,
    );
    await stopAll();

    // 5. Ceilings, with the apps stopped: the read alone, then the comparison alone.
    let readCeiling: Outcome<ReadCeiling>;
    let sqlCeiling: Outcome<SqlCeiling>;
    try {
      log(`${entity}: ceiling: listing every object with plain fetch`);
      const read = await rawRead(sim.url, spec.rawList, spec.rawAuthorization);
      readCeiling = { value: read.ceiling };
      try {
        log(
          `${entity}: ceiling: one SQL comparison of the ${read.rows.length.toLocaleString('en-US')} owner copies`,
        );
        const owner = spec.ownerWithConnectorState?.(read.rows, local) ?? read.rows;
        sqlCeiling = { value: await sqlCompare(ctx.pool, entity, owner) };
      } catch (error) {
        sqlCeiling = { error: messageOf(error) };
      }
    } catch (error) {
      readCeiling = { error: messageOf(error) };
      sqlCeiling = { error: 'no owner copies: the raw read failed' };
    }
    ctx.noteBusy();

    return {
      entity,
      records: options.records,
      drifted: seeded.drifted,
      ownerObjects,
      seedMs,
      localRowsMs,
      connectorRows: local.externalRefs.length,
      run: finished,
      requests: rate.requests,
      peakRequestsPerSecond: rate.maxIn1s,
      findings,
      breakdown,
      reconciler: reconcilerMemory,
      connector: connectorMemory,
      readCeiling,
      sqlCeiling,
    };
  } finally {
    await stopAll();
  }
}

/** The seed's drifted contacts get an owned field edited in HubSpot's UI too (no webhook), ten at a time. */
async function driftContacts(sim: SimAdmin, ids: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      await sim.drift({ provider: 'hubspot', kind: 'edit', id, webhook: false, properties: CONTACT_DRIFT });
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
}

interface Reconciler {
  readonly app: NodeProcessHandle;
  api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
}

async function startReconciler(ctx: Context, entity: BenchEntityName): Promise<Reconciler> {
  const [port] = (await pickFreePorts(1)) as [number];
  ctx.log(`${entity}: starting the reconciler on :${port}, topics under ${ctx.prefix}`);
  const app = await startBuiltApp(builtMain('reconciliation'), {
    name: 'reconciliation',
    readyUrl: `http://127.0.0.1:${port}/health/ready`,
    timeoutMs: 120_000,
    env: {
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DATABASE_URL: ctx.databaseUrl,
      KAFKA_BROKERS: ctx.kafka.brokers,
      SCHEMA_REGISTRY_URL: ctx.kafka.registry,
      KAFKA_TOPIC_PREFIX: ctx.prefix,
      CONSUMER_GROUP: `${ctx.run}.reconciliation`,
      RECONCILE_ENTITIES: entity,
      RECONCILE_REPAIR_ENTITIES: '',
      RECONCILE_SCHEDULE: 'false',
      RECONCILE_PAGE_SIZE: String(PAGE_SIZE),
      RECONCILE_MAX_MISMATCH_RATIO: '1',
      RECONCILE_MAX_REPAIRS: String(MAX_REPAIRS),
      API_KEYS: `bench:${createHash('sha256').update(TOKEN).digest('hex')}:reconciliation:read+reconciliation:run`,
    },
  });
  apps.add(app);
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    async api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text.slice(0, 300)}`);
      return JSON.parse(text) as T;
    },
  };
}

async function startConnector(ctx: Context, spec: EntitySpec): Promise<NodeProcessHandle> {
  const [port] = (await pickFreePorts(1)) as [number];
  ctx.log(`${spec.entity}: starting ${spec.connector.app} on :${port}`);
  const app = await startBuiltApp(builtMain(spec.connector.app), {
    name: spec.connector.app,
    readyUrl: `http://127.0.0.1:${port}/health/ready`,
    timeoutMs: 120_000,
    env: {
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DATABASE_URL: ctx.databaseUrl,
      KAFKA_BROKERS: ctx.kafka.brokers,
      SCHEMA_REGISTRY_URL: ctx.kafka.registry,
      KAFKA_TOPIC_PREFIX: ctx.prefix,
      CONSUMER_GROUP: `${ctx.run}.${spec.connector.id}`,
      PROVIDER_RATE_LIMIT_RPS: String(CLIENT_LIMIT.rps),
      PROVIDER_RATE_LIMIT_BURST: String(CLIENT_LIMIT.burst),
      ...spec.connector.env(ctx.sim.url),
    },
  });
  apps.add(app);
  return app;
}

/** Polls the run until it leaves `running`; logs its progress now and then. */
async function awaitRun(ctx: Context, reconciler: Reconciler, id: string, entity: string): Promise<RunView> {
  // Generous: 20 ms a record is ten times slower than anything seen here.
  const deadline = Date.now() + Math.max(10 * 60_000, ctx.options.records * 20);
  let lastLog = Date.now();
  for (;;) {
    const run = await reconciler.api<RunView>('GET', `/v1/runs/${id}`);
    if (run.status !== 'running') return run;
    if (Date.now() > deadline)
      throw new Error(
        `run ${id} still running after ${Math.round((Date.now() - Date.parse(run.startedAt)) / 1000)} s`,
      );
    if (Date.now() - lastLog >= PROGRESS_EVERY_MS) {
      lastLog = Date.now();
      ctx.noteBusy();
      ctx.log(
        `${entity}: ${run.pages} pages, ${run.compared.toLocaleString('en-US')} compared, ${run.mismatches} mismatches`,
      );
    }
    await sleep(POLL_MS);
  }
}

/**
 * Everything on Kafka and in the registry that carries the run's name (topics under its prefix, its
 * groups' retry tiers and DLQs, the groups, the subjects), handed to the scratch for removal.
 */
async function trackRunScratch(
  kafka: Kafka,
  scratch: Scratch,
  registryUrl: string,
  run: string,
): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    scratch.trackTopics((await admin.listTopics()).filter((topic) => topic.startsWith(run)));
    for (const { groupId } of (await admin.listGroups()).groups)
      if (groupId.startsWith(run)) scratch.trackGroup(groupId);
  } catch {
    // Whatever could not be listed stays; the scratch reports what it could not remove.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  try {
    const subjects = (await (await fetch(`${registryUrl}/subjects`)).json()) as string[];
    for (const subject of subjects) if (subject.startsWith(run)) scratch.trackSubject(subject);
  } catch {
    // As above.
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
