import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKafkaClient } from '@tributary/kafka';
import { hashToken } from '@tributary/service-kit';
import {
  createTestDatabase,
  prometheusConfig,
  stackFromEnv,
  startPrometheusServer,
  uniqueName,
  vectorSelectors,
  waitFor,
} from '@tributary/testkit';
import type { PrometheusServer, TestDatabase } from '@tributary/testkit';
import { scrapeTargets, startPlatform } from '../src/platform/platform.js';
import type { RunningPlatform } from '../src/platform/platform.js';
import { dashboardQueries } from './support/dashboard-queries.js';
import { Shop } from './support/orders.js';
import { Simulator } from './support/simulator.js';

// What an SRE sees, checked on a real Prometheus (the distribution's binary, as CI installs promtool from
// it) scraping every app of the platform as built processes (`npm run build` first) while orders, provider
// failures, a forged webhook and a poison record flow. Then every query of every dashboard and every alert
// rule's selectors must return series, or be listed with a reason in infra/prometheus/may-be-empty.json.
// Ingestion runs as two replicas, scraped one by one as compose's DNS discovery scrapes them: the
// dashboards must see one service with two instances.

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const RULES_DIR = join(repoRoot, 'infra/prometheus/rules');
const DASHBOARDS_DIR = join(repoRoot, 'infra/grafana/dashboards');
const REVIEWED_FILE = join(repoRoot, 'infra/prometheus/may-be-empty.json');
const TOKEN = 'observability-e2e-token';
const ORDERS = 4;

interface RuleState {
  name: string;
  query: string;
  type: 'alerting' | 'recording';
  health: string;
  lastError?: string;
}

describe('dashboards and alert rules on a live Prometheus scraping the platform', () => {
  const stack = stackFromEnv();
  const run = uniqueName('obs').replaceAll('-', '');
  let db: TestDatabase;
  let platform: RunningPlatform;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'observability' });
    platform = await startPlatform({
      endpoints: stack,
      databaseUrl: db.url,
      topicPrefix: `${run}.`,
      groupPrefix: `${run}.`,
      replicas: { ingestion: 2 },
      appEnv: { RETRY_TIERS: '1s,2s', CONSUMER_SESSION_TIMEOUT_MS: '6000' },
      dlqHandlerEnv: { API_KEYS: `e2e:${hashToken(TOKEN)}:dlq:read+dlq:replay+dlq:discard` },
      reconciliationEnv: {
        RECONCILE_INTERVALS: 'payment=5s,contact=5s,shipment=5s',
        RECONCILE_OVERLAP: '5s',
        RECONCILE_SETTLE: '1s',
        RECONCILE_REPAIR_ENTITIES: 'payment,contact,shipment',
      },
      simulatorEnv: { EASYPOST_TRACKING_STEP_MS: '300' },
      log: () => undefined,
    });
    prometheus = await startPrometheusServer({ config: scrapeConfig(platform) });
  }, 300_000);

  afterAll(async () => {
    await prometheus?.stop();
    await platform?.stop();
    await db?.drop();
  });

  it('answers every dashboard query and every alert selector after traffic and failures', async () => {
    await driveTrafficAndFailures(platform, run);
    // Rates need two scrapes after the last event, rules an evaluation: wait for the DLQ's capture to show.
    await waitFor(
      'the dead letter in tributary_dlq_messages',
      async () => (await prometheus.query('sum(tributary_dlq_messages) > 0')).length > 0,
      { timeoutMs: 90_000, intervalMs: 1_000 },
    );
    // A counter whose zeros appear with the group's first dead letter needs samples on both sides of a
    // window before increase() over it answers.
    await waitFor(
      'three samples of the DLQ replay counters',
      async () =>
        (await prometheus.query('min(count_over_time(tributary_dlq_replays_total[1m])) >= 3')).length > 0,
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    await waitFor(
      'a reconciliation run on Prometheus',
      async () => (await prometheus.query('tributary_reconciliation_runs_total')).length > 0,
      { timeoutMs: 90_000, intervalMs: 1_000 },
    );

    const targets = await prometheus.targets();
    const down = targets.filter((target) => target.health !== 'up');
    expect(down.map((t) => `${t.labels.app} ${t.labels.instance}: ${t.lastError}`)).toEqual([]);
    // Every instance is a target of its own, under its app's label: two for ingestion.
    const ingestionHosts = platform.urlsOf('ingestion').map((url) => new URL(url).host);
    expect(ingestionHosts).toHaveLength(2);
    expect(
      targets
        .filter((t) => t.labels.app === 'ingestion')
        .map((t) => t.labels.instance)
        .sort(),
    ).toEqual([...ingestionHosts].sort());
    // The backbone's Instances panels: the service summed, the per-instance series apart.
    const upByApp = await prometheus.query('sum by (app) (up{job=~"tributary|kafka-lag"})');
    expect(upByApp.find((s) => s.metric.app === 'ingestion')?.value).toBe('2');
    expect(upByApp.find((s) => s.metric.app === 'example-service')?.value).toBe('1');
    const rss = await prometheus.query('process_resident_memory_bytes{app="ingestion"}');
    expect(rss.map((s) => s.metric.instance).sort()).toEqual([...ingestionHosts].sort());
    // The forged webhook went to the second replica: the service's count has it, once.
    const failures = await prometheus.query(
      'sum by (app) (tributary_webhook_signature_failures_total{app="ingestion"})',
    );
    expect(failures.map((s) => s.value)).toEqual(['1']);
    const onSecond = await prometheus.query(
      `sum(tributary_webhook_signature_failures_total{app="ingestion", instance="${ingestionHosts[1]}"})`,
    );
    expect(onSecond.map((s) => s.value)).toEqual(['1']);

    const rules = await ruleStates(prometheus);
    expect(rules.filter((r) => r.health === 'err').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);

    const checks = [
      ...dashboardQueries(DASHBOARDS_DIR),
      ...rules.flatMap((rule) =>
        rule.type === 'recording'
          ? [{ id: `record ${rule.name}`, expr: rule.query }]
          : vectorSelectors(rule.query).map((selector) => ({
              id: `alert ${rule.name}: ${selector}`,
              expr: selector,
            })),
      ),
    ];
    const empty: string[] = [];
    for (const check of checks) {
      if ((await prometheus.query(check.expr)).length === 0) empty.push(check.id);
    }

    const reviewed = JSON.parse(readFileSync(REVIEWED_FILE, 'utf8')) as { queries: Record<string, string> };
    const known = new Set(checks.map((check) => check.id));
    expect(empty.filter((id) => !(id in reviewed.queries))).toEqual([]);
    // An entry whose query is gone (renamed panel, removed alert) would excuse nothing: keep the list true.
    expect(Object.keys(reviewed.queries).filter((id) => !known.has(id))).toEqual([]);
    // Most queries must answer: a broken scrape would otherwise hide behind a long reviewed list.
    expect(empty.length).toBeLessThan(checks.length / 5);
  }, 300_000);

  it('serves metrics promtool finds nothing wrong with, on every app', async () => {
    for (const [app, url] of platform.appUrls) {
      if (app === 'provider-sim') continue;
      const text = await (await fetch(`${url}/metrics`)).text();
      let report = '';
      try {
        execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: 'pipe' });
      } catch (error) {
        const failed = error as { stdout?: string; stderr?: string };
        report = `${failed.stdout ?? ''}${failed.stderr ?? ''}`.trim();
      }
      expect({ app, report }).toEqual({ app, report: '' });
    }
  });
});

/** The apps of this run as infra/prometheus scrapes them, with its rules, once a second. */
function scrapeConfig(platform: RunningPlatform): Record<string, unknown> {
  return prometheusConfig(scrapeTargets(platform), {
    ruleFiles: readdirSync(RULES_DIR)
      .filter((file) => file.endsWith('.rules.yml'))
      .map((file) => join(RULES_DIR, file)),
    interval: '1s',
    environment: 'test',
  });
}

/**
 * Orders through every connector while the payment provider fails twice with 503 and HubSpot answers one
 * 429; a forged Stripe webhook; a record no decoder can read on the order topic (a dead letter for each
 * group reading it), then one of them replayed.
 */
async function driveTrafficAndFailures(platform: RunningPlatform, run: string): Promise<void> {
  const simulator = new Simulator(platform.simulatorUrl);
  await simulator.admin('POST', 'faults', {
    route: 'POST /v1/payment_intents',
    errorRate: 1,
    errorStatus: 503,
    times: 2,
  });
  await simulator.admin('POST', 'faults', {
    route: 'POST /crm/v3/objects/contacts/batch/upsert',
    status429Rate: 1,
    retryAfterSeconds: 1,
    times: 1,
  });
  const shop = new Shop(platform.exampleServiceUrl);
  const orders = [];
  for (let n = 0; n < ORDERS; n += 1) orders.push(await shop.place());

  // To the second ingestion replica: it verifies as the first does, and its metrics add up with the first's.
  const forged = await fetch(`${platform.urlsOf('ingestion')[1]}/webhooks/stripe`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': `t=${Math.floor(Date.now() / 1000)},v1=00`,
    },
    body: '{"id":"evt_forged","type":"payment_intent.succeeded"}',
  });
  expect(forged.status).toBe(401);

  const producer = createKafkaClient({
    clientId: 'observability-e2e',
    brokers: stackFromEnv().kafka.brokers,
  }).producer();
  await producer.connect();
  await producer.send({
    topic: `${run}.commerce.order.v1`,
    messages: [{ key: 'poison', value: Buffer.from('this is not avro') }],
  });
  await producer.disconnect();

  for (const order of orders) await shop.reached(order.orderId, 'delivered');

  const dlq = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const letters = await waitFor(
    'the poison record in the DLQ handler',
    async () => {
      const page = (await (
        await fetch(`${platform.dlqHandlerUrl}/v1/dead-letters`, { headers: dlq })
      ).json()) as {
        items: Array<{ id: string }>;
      };
      return page.items.length > 0 && page.items;
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  );
  const replay = await fetch(`${platform.dlqHandlerUrl}/v1/dead-letters/${letters[0]!.id}/replay`, {
    method: 'POST',
    headers: dlq,
    body: JSON.stringify({ reason: 'observability e2e: replay panels' }),
  });
  expect(replay.status).toBe(202);
}

async function ruleStates(prometheus: PrometheusServer): Promise<RuleState[]> {
  const body = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
    data: { groups: Array<{ rules: RuleState[] }> };
  };
  return body.data.groups.flatMap((group) => group.rules);
}
