import { randomUUID } from 'node:crypto';
import { waitFor } from '@tributary/testkit';
import { testEnvironment } from './support/ingestion.js';
import type { TestEnvironment } from './support/ingestion.js';
import { readTopics } from './support/kafka.js';
import type { TopicReader } from './support/kafka.js';
import { startAppProcess } from './support/process.js';
import { signedStripe, stripeSucceeded } from './support/webhooks.js';

/** What the sender learned about one webhook. */
type Outcome =
  | { readonly kind: 'accepted'; readonly eventIds: readonly string[] }
  | { readonly kind: 'refused'; readonly status: number }
  | { readonly kind: 'no-answer' };

interface Delivery {
  readonly event: ReturnType<typeof stripeSucceeded>;
  readonly paymentId: string;
  readonly forged: boolean;
  outcome?: Outcome;
}

async function deliver(url: string, delivery: Delivery): Promise<Outcome> {
  const signed = signedStripe(
    delivery.event,
    delivery.forged ? { secret: 'whsec_forged_0000000000000000' } : {},
  );
  try {
    const response = await fetch(`${url}/webhooks/stripe`, {
      method: 'POST',
      body: signed.body,
      headers: signed.headers,
    });
    const body = (await response.json()) as { entries?: Array<{ eventIds: string[] }> };
    if (response.status === 200 || response.status === 202) {
      return { kind: 'accepted', eventIds: body.entries?.flatMap((e) => e.eventIds) ?? [] };
    }
    return { kind: 'refused', status: response.status };
  } catch {
    // Connection refused or reset: the sender cannot know whether it was stored, so it retries later.
    return { kind: 'no-answer' };
  }
}

function newDelivery(forged: boolean): Delivery {
  const paymentId = randomUUID();
  return { event: stripeSucceeded({ paymentId }), paymentId, forged };
}

/** `senders` loops delivering new webhooks (every 10th forged) until `stop()`; all sent are returned. */
function load(url: string, senders: number) {
  const all: Delivery[] = [];
  let stopped = false;
  const loops = Array.from({ length: senders }, async () => {
    while (!stopped) {
      const delivery = newDelivery(all.length % 10 === 9);
      all.push(delivery);
      delivery.outcome = await deliver(url, delivery);
    }
  });
  return {
    all,
    sent: () => all.length,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      return all;
    },
  };
}

describe('ingestion as a process', () => {
  let environment: TestEnvironment;
  let payments: TopicReader;

  beforeAll(async () => {
    environment = await testEnvironment('ingestion_e2e', { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '20000' });
    // The first boot creates the topics the reader subscribes to.
    const first = await startAppProcess(environment.env);
    await first.kill('SIGTERM');
    payments = await readTopics(
      [`${environment.topicPrefix}payments.payment.v1`],
      `${environment.topicPrefix}e2e`,
    );
  });

  afterAll(async () => {
    await payments?.stop();
    await environment?.close();
  });

  /** Every accepted webhook is on Kafka by event id; no refused (or forged) one is, by payment id. */
  async function expectExactlyTheAccepted(deliveries: readonly Delivery[]): Promise<void> {
    const accepted = deliveries.filter((d) => d.outcome?.kind === 'accepted');
    const eventIds = accepted.flatMap((d) => (d.outcome?.kind === 'accepted' ? d.outcome.eventIds : []));
    expect(eventIds).toHaveLength(accepted.length);
    await payments.waitForIds(eventIds, 90_000);
    await payments.waitForEnd();
    const subjects = new Set([...payments.headers.values()].map((h) => h['ce_subject']));
    const refused = deliveries.filter((d) => d.outcome?.kind === 'refused');
    expect(refused.filter((d) => subjects.has(d.paymentId))).toEqual([]);
    // Forged ones get 401; during a graceful shutdown, requests arriving late may get 503 (and are retried).
    expect(refused.filter((d) => !d.forged && (d.outcome as { status: number }).status !== 503)).toEqual([]);
  }

  it('loses no acknowledged webhook when killed with SIGKILL under load, and publishes no refused one', async () => {
    const app = await startAppProcess(environment.env);
    const traffic = load(app.url, 16);
    await waitForCount(() => traffic.sent(), 400);
    expect(await app.kill('SIGKILL')).toBeNull();
    const deliveries = await traffic.stop();

    const restarted = await startAppProcess(environment.env);
    try {
      // What got no answer is retried, as providers do; dedupe makes a retry of a stored one a 200.
      const unanswered = deliveries.filter((d) => d.outcome?.kind === 'no-answer');
      expect(unanswered.length).toBeGreaterThan(0);
      for (const delivery of unanswered) delivery.outcome = await deliver(restarted.url, delivery);
      expect(deliveries.filter((d) => d.outcome?.kind === 'no-answer')).toEqual([]);
      const forged = deliveries.filter((d) => d.forged).length;
      expect(deliveries.filter((d) => d.outcome?.kind === 'accepted')).toHaveLength(
        deliveries.length - forged,
      );
      await expectExactlyTheAccepted(deliveries);
    } finally {
      await restarted.kill('SIGTERM');
    }
  });

  it('finishes in-flight requests on SIGTERM and exits 0, with every acknowledged webhook published', async () => {
    const app = await startAppProcess(environment.env);
    const traffic = load(app.url, 16);
    await waitForCount(() => traffic.sent(), 200);
    const exit = app.kill('SIGTERM');
    const deliveries = await traffic.stop();
    // The output says why when it is not 0 (a step failed, or the deadline passed).
    expect({
      code: await exit,
      log: app.output().includes('"msg":"shutdown complete"') ? 'complete' : app.output().slice(-2000),
    }).toEqual({
      code: 0,
      log: 'complete',
    });
    await expectExactlyTheAccepted(deliveries);
  });
});

async function waitForCount(count: () => number, target: number): Promise<void> {
  await waitFor(() => count() >= target, {
    timeoutMs: 60_000,
    intervalMs: 20,
    message: `${target} webhooks sent`,
  });
}
