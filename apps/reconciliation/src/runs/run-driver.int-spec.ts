import { eventCatalogue } from '@tributary/contracts';
import { AvroEventEncoder, SchemaRegistryClient } from '@tributary/kafka';
import { createLogger } from '@tributary/observability';
import { AuditLog, createDataSource, Outbox, withClusterLock } from '@tributary/persistence';
import { createTestDatabase, stackFromEnv, uniqueName, type TestDatabase } from '@tributary/testkit';
import type { DataSource } from 'typeorm';
import { FindingsRepository } from '../findings/findings.repository.js';
import { CreatePlatformOwned1765152000002 } from '../projections/platform-owned.migration.js';
import { CreateProjections1765152000000 } from '../projections/projections.migration.js';
import { PageRequester } from './page-requester.js';
import { RunDriver, scheduleLockName } from './run-driver.js';
import { CreateRuns1765152000001 } from './runs.migration.js';
import { RunsRepository } from './runs.repository.js';
import { RunsService } from './runs.service.js';

/** Several reconciler replicas sharing one database: what their schedules start. */
describe('run driver with several replicas', () => {
  let database: TestDatabase;
  const replicas: Array<{ dataSource: DataSource; driver: RunDriver }> = [];

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'run_driver' });
    const stack = stackFromEnv();
    const prefix = `${uniqueName('run-driver')}.`;
    const encoder = new AvroEventEncoder({
      registry: new SchemaRegistryClient({ url: stack.registry.url }),
      definitions: Object.values(eventCatalogue).map((d) => ({ ...d, topic: `${prefix}${d.topic}` })),
    });
    for (let i = 0; i < 3; i++) {
      const dataSource = await createDataSource({
        url: database.url,
        schema: 'reconciliation',
        poolSize: 3,
        migrationsRun: true,
        migrations: [
          CreateProjections1765152000000,
          CreateRuns1765152000001,
          CreatePlatformOwned1765152000002,
        ],
      }).initialize();
      const runs = new RunsRepository();
      const requester = new PageRequester(new Outbox({ encoder }), runs, {
        pageSize: 10,
        pageTimeoutMs: 60_000,
      });
      const service = new RunsService(dataSource, runs, requester, new AuditLog(dataSource), {
        repairEntities: [],
        overlapMs: 0,
        initialLookbackMs: 60_000,
      });
      const driver = new RunDriver({
        dataSource,
        runs,
        findings: new FindingsRepository(),
        service,
        requester,
        logger: createLogger({ service: 'run-driver-test', level: 'warn' }),
        entities: ['payment', 'contact'],
        schedule: true,
        incrementalIntervalMs: {},
        fullSweepIntervalMs: 24 * 3600_000,
        intervalMs: 60_000,
        metricsRefreshMs: 60_000,
      });
      replicas.push({ dataSource, driver });
    }
  });
  afterAll(async () => {
    await Promise.all(replicas.map(({ dataSource }) => dataSource.destroy().catch(() => undefined)));
    await database?.drop();
  });

  async function scheduledRuns(): Promise<Array<{ entity: string; runs: number }>> {
    const rows = (await replicas[0]!.dataSource.query(
      `SELECT entity, count(*)::int AS runs FROM runs WHERE trigger = 'schedule' GROUP BY entity ORDER BY entity`,
    )) as Array<{ entity: string; runs: number }>;
    return rows;
  }

  it('skips an entity whose schedule another replica is deciding, and starts it once that replica is done', async () => {
    // Replica 0 is in the middle of deciding for payments.
    let release!: () => void;
    const deciding = new Promise<void>((resolve) => (release = resolve));
    let inside!: () => void;
    const entered = new Promise<void>((resolve) => (inside = resolve));
    const held = withClusterLock(replicas[0]!.dataSource, scheduleLockName('payment'), async () => {
      inside();
      await deciding;
    });
    await entered;

    await replicas[1]!.driver.tick();
    expect(await scheduledRuns()).toEqual([{ entity: 'contact', runs: 1 }]);

    release();
    await held;
    await replicas[1]!.driver.tick();
    expect(await scheduledRuns()).toEqual([
      { entity: 'contact', runs: 1 },
      { entity: 'payment', runs: 1 },
    ]);
  });

  it('replicas ticking at once start each due full sweep once, while runs end as soon as they start', async () => {
    await replicas[0]!.dataSource.query(`DELETE FROM runs`);
    // An owner with nothing to read: every run ends at once, the way the page processor ends it (the sweep
    // recorded and the run finished in one transaction), racing the replicas' schedules.
    let ticking = true;
    const ender = (async () => {
      while (ticking) {
        await replicas[0]!.dataSource.query(
          `WITH ended AS (
             UPDATE runs SET status = 'succeeded', finished_at = now(), next_request_at = NULL
              WHERE status = 'running' RETURNING entity, started_at)
           INSERT INTO watermarks (entity, watermark, last_full_at) SELECT entity, started_at, started_at FROM ended
           ON CONFLICT (entity) DO UPDATE SET last_full_at = EXCLUDED.last_full_at`,
        );
      }
    })();
    try {
      for (let round = 0; round < 10; round++) await Promise.all(replicas.map(({ driver }) => driver.tick()));
    } finally {
      ticking = false;
      await ender;
    }
    expect(await scheduledRuns()).toEqual([
      { entity: 'contact', runs: 1 },
      { entity: 'payment', runs: 1 },
    ]);
  });
});
