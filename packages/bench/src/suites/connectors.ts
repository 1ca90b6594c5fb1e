import { setTimeout as sleep } from 'node:timers/promises';
import { eventCatalogue } from '@tributary/contracts';
import type { EventDefinition } from '@tributary/contracts';
import {
  AvroEventEncoder,
  KafkaEventProducer,
  SchemaRegistryClient,
  dlqResolvedTopicName,
  dlqTopicName,
  retryTopicName,
} from '@tributary/kafka';
import { namesFor } from '@tributary/persistence';
import { pickFreePorts, spawnNodeProcess, startBuiltApp } from '@tributary/testkit';
import type { NodeProcessHandle } from '@tributary/testkit';
import pg from 'pg';
import { buildWorkspaces, openSuite, repoRoot } from '../infra/suite-setup.js';
import { clientPacing, watchPhase } from './connectors/client-metrics.js';
import { phaseFigures } from './connectors/figures.js';
import type { PhaseFigures, SimFigures } from './connectors/figures.js';
import { otherTestRuns } from './connectors/machine.js';
import { renderConnectorsReport } from './connectors/report.js';
import type { ConnectorsResults, Outcome } from './connectors/report.js';
import { measureSamplingCost } from './connectors/sampling-cost.js';
import { detectionOrder } from './connectors/shape-figures.js';
import type { Detection, DetectionRound, SamplingCost } from './connectors/shape-figures.js';
import { SimAdmin } from './connectors/sim.js';
import {
  awaitTimings,
  committedCount,
  paymentRequests,
  publishBurst,
  publishPaced,
} from './connectors/workload.js';
import type { ConnectorTables } from './connectors/workload.js';

const connectorMain = `${repoRoot}apps/connector-payments/dist/main.js`;
const simMain = `${repoRoot}apps/provider-sim/dist/main.js`;

const CONNECTOR_ID = 'payments';
const EFFECT_ROUTE = 'POST /v1/payment_intents';
const TOPIC = 'payments.payment.v1';
/** The simulated Stripe latency of phase (a). */
const LATENCY_MS = 20;
const BURST_EVENTS = 2_000;
const PACED_EVENTS = 200;
const PACED_RATE = 20;
const THROTTLE_LIMITS = [50, 200] as const;
/** Seconds of work at the limit per throttled phase: long enough that the first full bucket is noise. */
const THROTTLE_SECONDS = 20;
/**
 * The connector's own token bucket, far above every simulator limit, so that the provider's 429s are what
 * binds in (b) and nothing client-side binds in (a). Read by the SDK as a platform override (Request filed).
 */
const CLIENT_LIMIT = { rps: 1_000, burst: 1_000 };
const QUIET_WAIT_MS = 5 * 60_000;
/** CONSUMER_KEY_CONCURRENCY of the partition-bound (before) and the key-concurrent (after) connector. */
const PARTITION_BOUND = 1;
const KEY_CONCURRENT = 8;
/** (c): on/off pairs, alternated (on, off, off, on): two rounds a side. */
const DETECTION_PAIRS = 2;
/** (c): events a freshly started connector handles, untimed, before a round's burst: JIT, pools, assignment. */
const DETECTION_WARMUP = 200;

/**
 * `npm run bench -- connectors`: apps/connector-payments (built) against apps/provider-sim (built) on the
 * stack. (a) events/s end to end, payments.payment.requested published → outcome committed by the
 * connector, with the simulator answering in a fixed 20 ms, as a burst and paced; (b) with the simulator
 * throttling the effect route to N requests/s: achieved effects/s against N, and the 429s; (c) what provider-shape
 * detection costs: (b)'s unthrottled load with PROVIDER_SHAPES on and off, alternated, and the cost of one
 * `observe()` against `JSON.parse` of the same answer in this process. Prints figures,
 * asserts nothing. Everything runs under a topic prefix of its own: thousands of requests on the shared
 * payments topic would be replayed by every later consumer group that starts from the beginning.
 */
export async function runConnectors(log: (line: string) => void): Promise<number> {
  log('building connector-payments and provider-sim (turbo caches unchanged ones)');
  buildWorkspaces(['@tributary/connector-payments', '@tributary/provider-sim']);
  const { stack, endpoints, kafka, scratch, run, prefix } = await openSuite('connectors', log);
  const group = `${run}.payments`;
  let sim: NodeProcessHandle | undefined;
  let app: NodeProcessHandle | undefined;
  let pool: pg.Pool | undefined;
  let producer: KafkaEventProducer | undefined;

  const cleanUp = async () => {
    await app?.kill('SIGTERM').catch(() => undefined);
    await sim?.kill('SIGTERM').catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    // Only the subjects that were registered (the connector and the bench register some of the catalogue's).
    for (const subject of await registeredSubjects(endpoints.registry.url, prefix))
      scratch.trackSubject(subject);
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
    const definitions: EventDefinition[] = Object.values(eventCatalogue).map((definition) => ({
      ...definition,
      topic: `${prefix}${definition.topic}`,
    }));
    const retryTiers = ['1s', '5s'];
    scratch.trackGroup(group);
    scratch.trackTopics([
      ...new Set(definitions.map((definition) => definition.topic)),
      ...retryTiers.map((tier) => retryTopicName(group, tier)),
      dlqTopicName(group),
      dlqResolvedTopicName(group),
    ]);
    const database = await scratch.createDatabase('bench_connectors');

    log(`run ${run}: starting provider-sim`);
    sim = spawnNodeProcess(simMain, { env: { PORT: '0' }, loader: false });
    const simUrl = (await sim.waitForOutput(/"url":"(http:[^"]+)"/, { timeoutMs: 30_000 }))[1]!;
    const admin = new SimAdmin(simUrl, EFFECT_ROUTE);

    const [port] = (await pickFreePorts(1)) as [number];
    /** The connector, started again with other settings: same database, group and topics. */
    const startConnector = async (keyConcurrency: number, shapes: Detection = 'on') => {
      await app?.kill('SIGTERM');
      log(
        `starting connector-payments on :${port}, topics under ${prefix}, CONSUMER_KEY_CONCURRENCY=${keyConcurrency}, PROVIDER_SHAPES=${shapes}`,
      );
      app = await startBuiltApp(connectorMain, {
        name: 'connector-payments',
        readyUrl: `http://127.0.0.1:${port}/health/ready`,
        env: {
          PORT: String(port),
          LOG_LEVEL: 'warn',
          DATABASE_URL: database.url,
          KAFKA_BROKERS: endpoints.kafka.brokers.join(','),
          SCHEMA_REGISTRY_URL: endpoints.registry.url,
          KAFKA_TOPIC_PREFIX: prefix,
          CONSUMER_GROUP: group,
          RETRY_TIERS: retryTiers.join(','),
          CONSUMER_CONCURRENCY: '6',
          CONSUMER_KEY_CONCURRENCY: String(keyConcurrency),
          PROVIDER_TIMEOUT_MS: '5000',
          PROVIDER_RATE_LIMIT_RPS: String(CLIENT_LIMIT.rps),
          PROVIDER_RATE_LIMIT_BURST: String(CLIENT_LIMIT.burst),
          STRIPE_API_BASE: simUrl,
          STRIPE_API_KEY: 'sk_test_bench',
          PROVIDER_SHAPES: shapes,
        },
      });
    };
    await startConnector(PARTITION_BOUND);

    // Never publish on the shared topic: a connector that ignores the prefix consumes the shared one.
    const adminClient = kafka.admin();
    await adminClient.connect();
    const topics = new Set(await adminClient.listTopics());
    await adminClient.disconnect();
    if (!topics.has(`${prefix}${TOPIC}`)) {
      throw new Error(
        `connector-payments did not create ${prefix}${TOPIC}: its SDK ignores KAFKA_TOPIC_PREFIX (see the Request in the team file). ` +
          `Refusing to publish thousands of events on the shared ${TOPIC}.`,
      );
    }

    const { inboxTable, outboxTable } = namesFor(`connector_${CONNECTOR_ID}`);
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    const tables: ConnectorTables = { pool, inboxTable, outboxTable, group };
    const registry = new SchemaRegistryClient({ url: endpoints.registry.url });
    const encoder = new AvroEventEncoder({ registry, definitions });
    producer = new KafkaEventProducer(kafka, { encoder });
    await producer.connect();

    /** Untimed events until the connector committed them all: it is past its start and warm. */
    const warmUp = async (events: number) => {
      log(`warming up: ${events} events`);
      const warmup = await paymentRequests(encoder, events);
      await publishBurst(producer!, warmup);
      const warmupIds = warmup.map((record) => record.eventId);
      await waitUntil(async () => (await committedCount(tables, warmupIds)) === warmupIds.length, 120_000);
    };
    await admin.fixedLatency(LATENCY_MS);
    await warmUp(50);

    const busy = await quietMachine(log);
    log('(c) sampling cost per answer: observe() against JSON.parse, in this process');
    let samplingCost: Outcome<SamplingCost>;
    try {
      samplingCost = { value: await measureSamplingCost() };
    } catch (error) {
      samplingCost = { error: error instanceof Error ? error.message : String(error) };
    }
    const busyDuring = new Set(busy);
    const note = () => {
      for (const line of otherTestRuns()) busyDuring.add(line.split(':')[0]!);
    };

    const phase = async (
      name: string,
      events: number,
      publish: (records: Awaited<ReturnType<typeof paymentRequests>>) => Promise<Map<string, number>>,
      deadlineMs: number,
    ): Promise<Outcome<{ phase: PhaseFigures; sim: SimFigures }>> => {
      try {
        const records = await paymentRequests(encoder, events);
        const keys = new Set(records.map((record) => `tributary:${CONNECTOR_ID}:${record.eventId}`));
        const before = await admin.ledger();
        note();
        log(`${name}: publishing ${events} events`);
        const watch = watchPhase(port);
        const publishedAt = await publish(records);
        const timings = await awaitTimings(tables, publishedAt, deadlineMs, (done) =>
          log(`${name}: ${done}/${events} committed`),
        ).finally(() => watch.stop());
        const { firstRefusalAt, pacingPerSecond } = await watch.stop();
        note();
        const after = await admin.ledger();
        const figures = phaseFigures(events, timings, { steadyFrom: firstRefusalAt });
        log(`${name}: ${figures.committed}/${events} committed, ${Math.round(figures.perSecond)} events/s`);
        log(`${name}: commits per second after the first publish: ${perSecond(timings).join(' ')}`);
        if (pacingPerSecond.some((rate) => rate < CLIENT_LIMIT.rps))
          log(
            `${name}: connector pacing rate each second: ${pacingPerSecond.map((r) => (Number.isFinite(r) ? Math.round(r) : '-')).join(' ')}`,
          );
        return { value: { phase: figures, sim: SimAdmin.figures(before, after, EFFECT_ROUTE, keys) } };
      } catch (error) {
        log(`${name}: not measured: ${error instanceof Error ? error.message : String(error)}`);
        return { error: error instanceof Error ? error.message : String(error) };
      }
    };

    const partitionBound = await phase(
      '(a) burst, partition-bound',
      BURST_EVENTS,
      (r) => publishBurst(producer!, r),
      180_000,
    );
    await startConnector(KEY_CONCURRENT);
    const burstPhase = await phase(
      '(a) burst, key-concurrent',
      BURST_EVENTS,
      (r) => publishBurst(producer!, r),
      180_000,
    );
    const pacedPhase = await phase(
      "(a') paced",
      PACED_EVENTS,
      (r) => publishPaced(producer!, r, PACED_RATE),
      60_000 + (PACED_EVENTS / PACED_RATE) * 1000,
    );
    await admin.clearFaults();

    const unthrottled = await phase(
      '(b) no latency, no throttle',
      BURST_EVENTS,
      (r) => publishBurst(producer!, r),
      180_000,
    );
    const throttled: ConnectorsResults['throttled'][number][] = [];
    for (const limit of THROTTLE_LIMITS) {
      await admin.throttle(limit);
      const events = limit * THROTTLE_SECONDS;
      // Generous: a connector at a quarter of the limit still finishes.
      const deadline = 60_000 + (events / limit) * 4_000;
      const before = await clientPacing(port);
      const outcome = await phase(
        `(b) throttled to ${limit}/s`,
        events,
        (r) => publishBurst(producer!, r),
        deadline,
      );
      const after = await clientPacing(port);
      throttled.push({
        limit,
        outcome,
        ...(before && after
          ? { pacing: { rateAtEnd: after.rateAtEnd, heldCalls: after.heldCalls - before.heldCalls } }
          : {}),
      });
      await admin.clearThrottle();
    }

    const detectionRounds: DetectionRound[] = [];
    for (const [index, detection] of detectionOrder(DETECTION_PAIRS).entries()) {
      const name = `(c) round ${index + 1}, PROVIDER_SHAPES=${detection}`;
      try {
        await startConnector(KEY_CONCURRENT, detection);
        await warmUp(DETECTION_WARMUP);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`${name}: not measured: ${message}`);
        detectionRounds.push({ detection, outcome: { error: message } });
        continue;
      }
      const outcome = await phase(name, BURST_EVENTS, (r) => publishBurst(producer!, r), 180_000);
      detectionRounds.push({ detection, outcome });
    }

    report = renderConnectorsReport({
      run,
      latencyMs: LATENCY_MS,
      clientLimit: `PROVIDER_RATE_LIMIT_RPS=${CLIENT_LIMIT.rps} burst ${CLIENT_LIMIT.burst}, CONSUMER_CONCURRENCY=6 (env overrides; the definition says 25/s, burst 25)${await clientThrottleNote(port)}`,
      keyConcurrency: { before: PARTITION_BOUND, after: KEY_CONCURRENT },
      partitionBound,
      busy: [...busyDuring],
      burst: burstPhase,
      paced:
        'error' in pacedPhase ? pacedPhase : { value: { ...pacedPhase.value, ratePerSecond: PACED_RATE } },
      unthrottled,
      throttled,
      shapeDetection: { cost: samplingCost, warmupEvents: DETECTION_WARMUP, rounds: detectionRounds },
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

/** Commits in each second after the phase's first publish: where a phase ramped, stalled or tailed off. */
function perSecond(timings: readonly { publishedAt: number; committedAt: number }[]): number[] {
  const start = Math.min(...timings.map((t) => t.publishedAt));
  const counts: number[] = [];
  for (const { committedAt } of timings) {
    const second = Math.max(0, Math.floor((committedAt - start) / 1000));
    while (counts.length <= second) counts.push(0);
    counts[second]! += 1;
  }
  return counts;
}

/** Registry subjects under the run's topic prefix (TopicRecordNameStrategy: `<topic>-<record>`). */
async function registeredSubjects(registryUrl: string, prefix: string): Promise<string[]> {
  try {
    const subjects = (await (await fetch(`${registryUrl}/subjects`)).json()) as string[];
    return subjects.filter((subject) => subject.startsWith(prefix));
  } catch {
    return [];
  }
}

/** Whether the connector's own token bucket held calls back: then it, not the simulator, was the limit. */
async function clientThrottleNote(port: number): Promise<string> {
  try {
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const waits = metrics
      .split('\n')
      .filter(
        (line) => line.startsWith('tributary_provider_throttled_total') && line.includes('token_bucket'),
      )
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    return waits > 0
      ? `; its token bucket held calls back ${waits} times, so the client limit bound too`
      : '; its token bucket never held a call back';
  } catch {
    return '';
  }
}

/** Waits (a while) for other test runs to end; the figures are measured anyway, and flagged. */
async function quietMachine(log: (line: string) => void): Promise<string[]> {
  const until = Date.now() + QUIET_WAIT_MS;
  for (;;) {
    const others = otherTestRuns();
    if (others.length === 0) return [];
    if (Date.now() > until) {
      log(`other test runs still going after ${QUIET_WAIT_MS / 60_000} min; measuring anyway`);
      return others.map((line) => line.split(':')[0]!);
    }
    log(`waiting for other test runs to end: ${others.length} running`);
    await sleep(10_000);
  }
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`not done within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}
