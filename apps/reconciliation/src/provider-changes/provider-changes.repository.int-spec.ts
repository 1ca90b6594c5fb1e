import { createDataSource } from '@tributary/persistence';
import type { ObservedShape, ShapeObservation } from '@tributary/provider-shapes';
import { createTestDatabase, type TestDatabase } from '@tributary/testkit';
import type { DataSource } from 'typeorm';
import { emptyProfile } from './domain/profile.js';
import type { ShapeChange } from './domain/profile.js';
import { CreateProviderChanges1797206400000 } from './provider-changes.migration.js';
import { ProviderChangesRepository } from './provider-changes.repository.js';

/** The provider-shapes tables on a real Postgres: what the unique open index and the upserts decide. */
describe('ProviderChangesRepository', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const repository = new ProviderChangesRepository();
  let endpoints = 0;

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'provider_changes' });
    dataSource = await createDataSource({
      url: database.url,
      schema: 'reconciliation',
      poolSize: 2,
      migrationsRun: true,
      migrations: [CreateProviderChanges1797206400000],
    }).initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy().catch(() => undefined);
    await database?.drop();
  });

  const shape = (hash: string, example: string): ObservedShape => ({
    hash,
    status: 200,
    fields: [{ path: '$', type: 'object' }],
    enums: [],
    example,
  });

  /** A window of an endpoint no other test uses, so every test starts from empty tables for it. */
  function window(
    endpoint: string,
    shapes: ReadonlyArray<readonly [ObservedShape, number]> = [],
    windowEnd = new Date('2025-01-01T00:00:05Z'),
  ): ShapeObservation {
    return {
      provider: 'stripe',
      surface: 'response',
      endpoint,
      observer: 'connector-payments',
      windowStart: new Date(windowEnd.getTime() - 5000),
      windowEnd,
      runs: shapes.map(([observed, count]) => ({ hash: observed.hash, count })),
      shapes: shapes.map(([observed]) => observed),
      declaration: {},
    };
  }
  const nextEndpoint = () => `payment_intents.op${++endpoints}`;

  const missing = (severity: ShapeChange['severity'], usedBy: string | null): ShapeChange => ({
    kind: 'field_missing',
    severity,
    status: 200,
    path: '$.customer',
    value: null,
    previous: null,
    usedBy,
    shapeHash: 'h1',
    message: usedBy ? `$.customer was absent, relied on by ${usedBy}` : '$.customer was absent',
  });

  const record = (observation: ShapeObservation, changes: ShapeChange[]) =>
    dataSource.transaction((manager) => repository.recordChanges(manager, observation, changes));

  async function rowsOf(endpoint: string) {
    return repository.list(dataSource.manager, { endpoint }, 10);
  }

  it('inserts a change, and a repeat while it is open adds an occurrence to the same row', async () => {
    const endpoint = nextEndpoint();
    const [first] = await record(window(endpoint), [missing('warning', null)]);
    expect(first).toMatchObject({ inserted: true });

    const later = new Date('2025-01-01T00:10:00Z');
    const [repeat] = await record(window(endpoint, [], later), [missing('warning', null)]);
    expect(repeat).toEqual({ id: first!.id, inserted: false, change: missing('warning', null) });

    expect(await rowsOf(endpoint)).toEqual([
      expect.objectContaining({
        id: first!.id,
        occurrences: 2,
        severity: 'warning',
        firstSeenAt: '2025-01-01T00:00:05.000Z',
        lastSeenAt: later.toISOString(),
      }),
    ]);
  });

  it('escalates an open change seen again at a higher severity, and never lowers one', async () => {
    const endpoint = nextEndpoint();
    await record(window(endpoint), [missing('warning', null)]);
    const usedBy = 'connector-payments: handlers/receipt.ts';
    await record(window(endpoint), [missing('error', usedBy)]);
    const escalated = { severity: 'error', usedBy, message: missing('error', usedBy).message };
    expect(await rowsOf(endpoint)).toEqual([expect.objectContaining({ ...escalated, occurrences: 2 })]);

    await record(window(endpoint), [missing('warning', null)]);
    expect(await rowsOf(endpoint)).toEqual([expect.objectContaining({ ...escalated, occurrences: 3 })]);
  });

  it('opens a new row for the same change seen after its acknowledgement', async () => {
    const endpoint = nextEndpoint();
    const [first] = await record(window(endpoint), [missing('warning', null)]);
    await repository.acknowledge(dataSource.manager, first!.id, 'ops', 'the provider announced it');

    const [again] = await record(window(endpoint), [missing('warning', null)]);
    expect(again).toMatchObject({ inserted: true });
    expect(again!.id).not.toBe(first!.id);
    expect(await repository.list(dataSource.manager, { endpoint, status: 'open' }, 10)).toEqual([
      expect.objectContaining({ id: again!.id, occurrences: 1 }),
    ]);
    expect(await repository.list(dataSource.manager, { endpoint, status: 'acknowledged' }, 10)).toEqual([
      expect.objectContaining({ id: first!.id, acknowledgedBy: 'ops' }),
    ]);
  });

  it('counts for the gauge every severity with a change, 0 once all of it is acknowledged', async () => {
    const endpoint = nextEndpoint();
    const [change] = await record(window(endpoint), [
      missing('error', 'connector-payments: handlers/receipt.ts'),
    ]);
    const counts = async () =>
      (await repository.openCounts(dataSource.manager)).filter((row) => row.endpoint === endpoint);
    expect(await counts()).toEqual([{ provider: 'stripe', endpoint, severity: 'error', count: 1 }]);

    await repository.acknowledge(dataSource.manager, change!.id, 'ops', 'handled in the connector');
    expect(await counts()).toEqual([{ provider: 'stripe', endpoint, severity: 'error', count: 0 }]);
  });

  it('creates a profile on first lock, then returns the saved one', async () => {
    const observation = window(nextEndpoint(), [[shape('h1', '{}'), 3]]);
    const created = await dataSource.transaction((manager) => repository.lockProfile(manager, observation));
    expect(created).toEqual(emptyProfile());

    const saved = { samples: 3, statuses: { '200': { samples: 3, fields: {}, enums: {} } } };
    await dataSource.transaction((manager) => repository.saveProfile(manager, observation, saved));
    const locked = await dataSource.transaction((manager) => repository.lockProfile(manager, observation));
    expect(locked).toEqual(saved);
  });

  it('keeps the first example of a shape and sums its samples, past 32 bits', async () => {
    const endpoint = nextEndpoint();
    const first = shape('h1', '{"first":true}');
    const recordShapes = (observation: ShapeObservation) =>
      dataSource.transaction((manager) => repository.recordShapes(manager, observation));
    await recordShapes(window(endpoint, [[first, 2]]));
    await recordShapes(window(endpoint, [[shape('h1', '{"second":true}'), 3]]));
    await recordShapes(window(endpoint, [[first, 2 ** 31]]));

    expect(await repository.listShapes(dataSource.manager, { endpoint }, 10)).toEqual([
      expect.objectContaining({ hash: 'h1', example: '{"first":true}', samples: 2 ** 31 + 5 }),
    ]);
  });
});
