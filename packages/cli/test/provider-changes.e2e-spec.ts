import { hashToken } from '@tributary/service-kit';
import { createTestDatabase, stackFromEnv, uniqueName, waitFor } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import pg from 'pg';
import type { components } from '../src/generated/reconciliation-api.js';
import { startPlatform } from '../src/platform/platform.js';
import type { RunningPlatform } from '../src/platform/platform.js';
import { Shop } from './support/orders.js';
import { ReconcilerApi } from './support/reconciler-api.js';
import { Simulator } from './support/simulator.js';

type ProviderChange = components['schemas']['ProviderChange'];
type ProviderShape = components['schemas']['ProviderShape'];

// Endpoint drift on the whole platform: every app a built process (`npm run build` first), the simulator a
// process. Orders flow; the simulator changes what Stripe answers to payment_intents.create and what its
// payment_intent.succeeded webhook carries, one change at a time, while the test counts the provider changes
// reconciliation records: exactly one of the right kind per change, none for unchanged traffic, none for a
// field missing from a single sample. Each step waits until reconciliation has applied the samples the step
// caused (its sample count per endpoint), so "exactly one" is read after everything the step sent.

const TOKEN = 'provider-changes-e2e-token';
/** Samples of an endpoint (and of each status it answers) learnt before anything is reported. */
const LEARNING = 4;
/** Consecutive samples without a known field before it is missing. */
const MISSING_AFTER = 3;
const CREATE = { provider: 'stripe', surface: 'response', endpoint: 'payment_intents.create' } as const;
const SUCCEEDED = { provider: 'stripe', surface: 'webhook', endpoint: 'payment_intent.succeeded' } as const;
const CREATE_ROUTE = 'POST /v1/payment_intents';

type Endpoint = {
  readonly provider: string;
  readonly surface: 'response' | 'webhook';
  readonly endpoint: string;
};

describe('provider changes end to end (simulator changes, reconciliation finds them)', () => {
  const stack = stackFromEnv();
  const run = uniqueName('shapes').replaceAll('-', '');
  let db: TestDatabase;
  let platform: RunningPlatform;
  let sim: Simulator;
  let shop: Shop;
  let api: ReconcilerApi;
  let reconcilerDb: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'shapes' });
    platform = await startPlatform({
      endpoints: stack,
      databaseUrl: db.url,
      topicPrefix: `${run}.`,
      groupPrefix: `${run}.`,
      withDlqHandler: false,
      withLagExporter: false,
      appEnv: { RETRY_TIERS: '1s,2s', PROVIDER_SHAPES_FLUSH_MS: '200' },
      reconciliationEnv: {
        API_KEYS: `e2e:${hashToken(TOKEN)}:reconciliation:read+reconciliation:run+reconciliation:acknowledge`,
        RECONCILE_SCHEDULE: 'false',
        PROVIDER_SHAPES_LEARNING_SAMPLES: String(LEARNING),
        PROVIDER_SHAPES_MISSING_AFTER: String(MISSING_AFTER),
      },
      log: () => undefined,
    });
    sim = new Simulator(platform.simulatorUrl);
    shop = new Shop(platform.exampleServiceUrl);
    api = new ReconcilerApi(platform.reconciliationUrl!, TOKEN);
    reconcilerDb = new pg.Pool({
      connectionString: db.url,
      max: 2,
      options: `-c search_path=${platform.databaseSchemas.reconciliation}`,
    });
  }, 240_000);

  afterAll(async () => {
    await reconcilerDb?.end();
    await platform?.stop();
    await db?.drop();
  });

  /** Samples of the endpoint reconciliation has applied (every status). */
  const samplesOf = async (endpoint: Endpoint) =>
    Number(
      (
        await reconcilerDb.query<{ samples: string }>(
          `SELECT samples FROM provider_endpoints WHERE provider = $1 AND surface = $2 AND endpoint = $3`,
          [endpoint.provider, endpoint.surface, endpoint.endpoint],
        )
      ).rows[0]?.samples ?? 0,
    );

  const changesOf = async (endpoint: Endpoint): Promise<ProviderChange[]> => {
    const query = new URLSearchParams({
      provider: endpoint.provider,
      endpoint: endpoint.endpoint,
      limit: '500',
    });
    const answer = await api.call('GET', `/v1/provider-changes?${query}`);
    expect(answer.status).toBe(200);
    return (answer.body as { items: ProviderChange[] }).items.filter((c) => c.surface === endpoint.surface);
  };

  /**
   * What the simulator sent the platform that it samples: answers to payment_intents.create (every request
   * it received gets one), or webhooks of the type ingestion accepted.
   */
  const sent = async (endpoint: Endpoint) =>
    endpoint.surface === 'response'
      ? (await sim.admin<unknown[]>('GET', `requests?route=${encodeURIComponent(CREATE_ROUTE)}`)).length
      : (await sim.deliveries()).filter(
          (d) => d.type === endpoint.endpoint && typeof d.status === 'number' && d.status < 300,
        ).length;

  /**
   * Places `orders` orders, waits until the simulator has sent the endpoint's samples for them, then until
   * reconciliation has applied as many samples as the simulator ever sent there: one endpoint's samples
   * travel in order on one key, so every sample before (a late one of an earlier step too) is in the profile.
   */
  const traffic = async (endpoint: Endpoint, orders: number) => {
    const before = await sent(endpoint);
    for (let i = 0; i < orders; i++) await shop.place();
    await waitFor(
      `${orders} more samples of ${endpoint.endpoint} sent`,
      async () => (await sent(endpoint)) >= before + orders,
      { timeoutMs: 90_000, intervalMs: 100 },
    );
    await waitFor(
      `every sample of ${endpoint.endpoint} applied`,
      async () => (await samplesOf(endpoint)) >= (await sent(endpoint)),
      { timeoutMs: 90_000, intervalMs: 100 },
    );
  };

  /** One simulator change for the next `times` answers or webhooks (until cleared when absent). */
  const change = (target: Endpoint, operations: Record<string, unknown>, times?: number) =>
    sim.admin('POST', 'shape-changes', {
      provider: 'stripe',
      ...(target.surface === 'response' ? { response: CREATE_ROUTE } : { webhook: target.endpoint }),
      ...operations,
      ...(times === undefined ? {} : { times }),
    });

  /** The changes of the endpoint recorded since `known`, checked to be exactly one of `kind`. */
  const exactlyOneNew = async (endpoint: Endpoint, known: readonly ProviderChange[], kind: string) => {
    const fresh = (await changesOf(endpoint)).filter((c) => !known.some((k) => k.id === c.id));
    if (fresh.length !== 1 || fresh[0]!.kind !== kind) {
      // What reconciliation holds of the endpoint, so a failure says which samples it saw.
      const query = new URLSearchParams({ provider: endpoint.provider, endpoint: endpoint.endpoint });
      const shapes = (await api.call('GET', `/v1/provider-shapes?${query}`)).body as {
        items: ProviderShape[];
      };
      const profile = await reconcilerDb.query(
        `SELECT samples, profile FROM provider_endpoints WHERE provider = $1 AND surface = $2 AND endpoint = $3`,
        [endpoint.provider, endpoint.surface, endpoint.endpoint],
      );
      console.error(
        `expected one ${kind} on ${endpoint.endpoint}; shapes:`,
        JSON.stringify(
          shapes.items.map((s) => ({ ...s, example: undefined, fields: s.fields.length })),
          null,
          1,
        ),
        'profile:',
        JSON.stringify(profile.rows[0]).slice(0, 3000),
      );
    }
    expect(fresh.map((c) => `${c.kind} ${c.path ?? c.value}`)).toEqual([expect.stringMatching(`^${kind} `)]);
    return fresh[0]!;
  };

  it('learns unchanged traffic silently, then reports each webhook change once', async () => {
    await traffic(SUCCEEDED, LEARNING + 3);
    expect(await changesOf(SUCCEEDED)).toEqual([]);

    // One payload without a field is not a missing field.
    await change(SUCCEEDED, { drop: ['data.object.capture_method'] }, 1);
    await traffic(SUCCEEDED, 2);
    expect(await changesOf(SUCCEEDED)).toEqual([]);

    let known = await changesOf(SUCCEEDED);
    // From here on every payload carries the new field, so it never goes missing afterwards.
    await change(SUCCEEDED, { set: [{ path: 'data.object.risk_review', value: 'none' }] });
    await traffic(SUCCEEDED, 1);
    const added = await exactlyOneNew(SUCCEEDED, known, 'field_added');
    expect(added).toMatchObject({ path: '$.data.object.risk_review', severity: 'info', status: null });

    known = await changesOf(SUCCEEDED);
    await change(SUCCEEDED, { set: [{ path: 'data.object.amount_received', value: '4200' }] }, 1);
    await traffic(SUCCEEDED, 1);
    const retyped = await exactlyOneNew(SUCCEEDED, known, 'type_changed');
    expect(retyped).toMatchObject({
      path: '$.data.object.amount_received',
      value: 'string',
      previous: 'number',
    });

    known = await changesOf(SUCCEEDED);
    await change(SUCCEEDED, { set: [{ path: 'data.object.status', value: 'requires_review' }] }, 1);
    await traffic(SUCCEEDED, 1);
    const status = await exactlyOneNew(SUCCEEDED, known, 'enum_value_added');
    expect(status).toMatchObject({ path: '$.data.object.status', value: 'requires_review' });

    known = await changesOf(SUCCEEDED);
    await change(SUCCEEDED, { drop: ['data.object.capture_method'] }, MISSING_AFTER);
    await traffic(SUCCEEDED, MISSING_AFTER + 1);
    const dropped = await exactlyOneNew(SUCCEEDED, known, 'field_missing');
    expect(dropped).toMatchObject({
      path: '$.data.object.capture_method',
      severity: 'warning',
    });

    // Unchanged traffic after all that adds nothing.
    await sim.admin('DELETE', 'shape-changes');
    const final = await changesOf(SUCCEEDED);
    await change(SUCCEEDED, { set: [{ path: 'data.object.risk_review', value: 'none' }] });
    await traffic(SUCCEEDED, 2);
    expect((await changesOf(SUCCEEDED)).map((c) => c.id).sort()).toEqual(final.map((c) => c.id).sort());
    await sim.admin('DELETE', 'shape-changes');
  }, 300_000);

  it('reports each change of a response once, a new status code included', async () => {
    // The webhooks' orders called payment_intents.create too: past learning already, every sample applied.
    await traffic(CREATE, 1);
    expect(await samplesOf(CREATE)).toBeGreaterThan(LEARNING);
    expect(await changesOf(CREATE)).toEqual([]);

    await change(CREATE, { drop: ['capture_method'] }, 1);
    await traffic(CREATE, 2);
    expect(await changesOf(CREATE)).toEqual([]);

    let known = await changesOf(CREATE);
    await change(CREATE, { set: [{ path: 'next_action_hint', value: 'none' }] });
    await traffic(CREATE, 1);
    expect(await exactlyOneNew(CREATE, known, 'field_added')).toMatchObject({
      path: '$.next_action_hint',
      status: 200,
    });

    known = await changesOf(CREATE);
    await change(CREATE, { set: [{ path: 'amount', value: '4200' }] }, 1);
    await traffic(CREATE, 1);
    expect(await exactlyOneNew(CREATE, known, 'type_changed')).toMatchObject({
      path: '$.amount',
      value: 'string',
    });

    known = await changesOf(CREATE);
    await change(CREATE, { set: [{ path: 'status', value: 'requires_review' }] }, 1);
    await traffic(CREATE, 1);
    expect(await exactlyOneNew(CREATE, known, 'enum_value_added')).toMatchObject({
      path: '$.status',
      value: 'requires_review',
    });

    known = await changesOf(CREATE);
    await change(CREATE, { status: 202 }, 1);
    await traffic(CREATE, 1);
    expect(await exactlyOneNew(CREATE, known, 'status_added')).toMatchObject({
      path: null,
      value: '202',
      status: 202,
    });

    known = await changesOf(CREATE);
    await change(CREATE, { drop: ['capture_method'] }, MISSING_AFTER);
    await traffic(CREATE, MISSING_AFTER + 1);
    expect(await exactlyOneNew(CREATE, known, 'field_missing')).toMatchObject({
      path: '$.capture_method',
    });

    const all = await changesOf(CREATE);
    expect(all.map((c) => c.kind).sort()).toEqual([
      'enum_value_added',
      'field_added',
      'field_missing',
      'status_added',
      'type_changed',
    ]);
  }, 300_000);

  it('keeps no personal data in the examples it stores', async () => {
    // Contacts with names, emails and phones at HubSpot, read by a reconciliation walk (contacts.list), and an
    // order whose shipment carries a recipient's address (EasyPost shipments).
    const seeded = await sim.seedContacts(3);
    const contacts = await Promise.all(seeded.map((s) => sim.contactOf(s.contactId)));
    const order = await shop.place();
    await shop.reached(order.orderId, 'shipped');
    const walk = await api.call('POST', '/v1/runs', {
      entity: 'contact',
      mode: 'full',
      reason: 'shapes e2e',
    });
    expect(walk.status).toBe(202);
    const list = { provider: 'hubspot', surface: 'response', endpoint: 'contacts.list' } as const;
    await waitFor('a contacts.list answer sampled', async () => (await samplesOf(list)) > 0, {
      timeoutMs: 90_000,
      intervalMs: 200,
    });

    const answer = await api.call('GET', `/v1/provider-shapes?limit=500`);
    const shapes = (answer.body as { items: ProviderShape[] }).items;
    const personal = [
      ...contacts.flatMap((c) => [
        c.properties.email,
        c.properties.firstname,
        c.properties.lastname,
        c.properties.phone,
      ]),
      'Main Street',
    ].filter((value): value is string => typeof value === 'string' && value.length > 3);
    expect(personal.length).toBeGreaterThanOrEqual(7);
    const leaks = shapes.flatMap((shape) =>
      personal.filter((value) => shape.example.includes(value)).map((value) => `${shape.endpoint}: ${value}`),
    );
    expect(leaks).toEqual([]);
    // The examples are there, with the personal values replaced.
    const walked = shapes.filter((s) => s.provider === 'hubspot' && s.endpoint === 'contacts.list');
    expect(walked.length).toBeGreaterThan(0);
    expect(walked.some((s) => s.example.includes('"email":"[REDACTED]"'))).toBe(true);
    const shipments = shapes.filter((s) => s.provider === 'easypost' && s.endpoint === 'shipments.create');
    expect(shipments.length).toBeGreaterThan(0);
    expect(shipments.every((s) => s.example.includes('"street1":"[REDACTED]"'))).toBe(true);
  }, 180_000);

  it('is acknowledged by an operator, once, and audited', async () => {
    const [first] = await changesOf(CREATE);
    const acknowledged = await api.call('POST', `/v1/provider-changes/${first!.id}/acknowledge`, {
      reason: 'Stripe announced the field; mapping unaffected',
    });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body).toMatchObject({
      acknowledgedBy: expect.any(String),
      acknowledgedAt: expect.any(String),
    });
    const again = await api.call('POST', `/v1/provider-changes/${first!.id}/acknowledge`, {
      reason: 'twice',
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'RECONCILIATION_PROVIDER_CHANGE_ACKNOWLEDGED' });
    const audit = await reconcilerDb.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'provider_change.acknowledge' AND details->>'changeId' = $1`,
      [first!.id],
    );
    expect(audit.rows[0]!.n).toBe(1);
    const metrics = await (await fetch(`${platform.reconciliationUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /tributary_provider_shape_changes_total\{provider="stripe",endpoint="payment_intents.create",kind="status_added"\} 1/,
    );
  });
});
