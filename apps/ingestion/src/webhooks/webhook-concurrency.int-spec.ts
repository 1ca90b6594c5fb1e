import { metrics } from '@tributary/observability';
import { uniqueName } from '@tributary/testkit';
import { secrets, startIngestion, testEnvironment } from '../../test/support/ingestion.js';
import type { RunningIngestion, TestEnvironment } from '../../test/support/ingestion.js';
import { readTopics } from '../../test/support/kafka.js';
import { post, signedStripe, stripeSucceeded } from '../../test/support/webhooks.js';

describe('webhook deduplication and secret rotation', () => {
  let environment: TestEnvironment;

  beforeAll(async () => {
    environment = await testEnvironment('ingestion_dedupe');
  });

  afterAll(async () => {
    await environment?.close();
  });

  /**
   * N concurrent deliveries of one signed event spread over the given instances: exactly one is told
   * "accepted" (202), every other one "duplicate" (200) — by status, body and metric — and one record
   * reaches Kafka. Several in flight at once share a group commit, which is where a duplicate used to be
   * told "accepted".
   */
  async function deliverConcurrently(instances: readonly RunningIngestion[], copies: number): Promise<void> {
    const reader = await readTopics(
      [`${environment.topicPrefix}payments.payment.v1`],
      uniqueName(`${environment.topicPrefix}dedupe`),
    );
    const received = async (outcome: string) =>
      (await metrics.webhooksReceived.get()).values.find(
        (v) => v.labels.provider === 'stripe' && v.labels.outcome === outcome,
      )?.value ?? 0;
    const before = { accepted: await received('accepted'), duplicate: await received('duplicate') };
    try {
      const event = stripeSucceeded();
      // Each delivery signed separately, as Stripe's retries are.
      const responses = await Promise.all(
        Array.from({ length: copies }, (_, i) =>
          post(`${instances[i % instances.length]!.url}/webhooks/stripe`, signedStripe(event)),
        ),
      );
      const answers = responses.map((r) => `${r.status} ${String(r.body['outcome'])}`);
      expect(answers.filter((a) => a === '202 accepted')).toHaveLength(1);
      expect(answers.filter((a) => a === '200 duplicate')).toHaveLength(copies - 1);
      expect({
        accepted: (await received('accepted')) - before.accepted,
        duplicate: (await received('duplicate')) - before.duplicate,
      }).toEqual({ accepted: 1, duplicate: copies - 1 });
      const eventIds = new Set(
        responses.flatMap((r) => (r.body['entries'] as Array<{ eventIds: string[] }>)[0]!.eventIds),
      );
      expect(eventIds.size).toBe(1);
      const [eventId] = [...eventIds];

      await reader.waitForIds([eventId!]);
      await reader.waitForEnd();
      // The topic is shared by the tests of this file: count this event's records.
      expect(reader.counts.get(eventId!)).toBe(1);
      const rows = (await instances[0]!.dataSource.query(
        `SELECT count(*)::int AS n FROM event_log WHERE dedupe_key = $1`,
        [event.id],
      )) as Array<{ n: number }>;
      expect(rows[0]!.n).toBe(1);
    } finally {
      await reader.stop();
    }
  }

  it('turns 200 concurrent deliveries of one webhook into one 202, 199 duplicates and one Kafka event', async () => {
    const ingestion = await startIngestion(environment);
    try {
      await deliverConcurrently([ingestion], 200);
    } finally {
      await ingestion.close();
    }
  });

  it('answers one 202 and 199 duplicates when the deliveries are split over two instances', async () => {
    const first = await startIngestion(environment);
    const second = await startIngestion(environment);
    try {
      await deliverConcurrently([first, second], 200);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('accepts the old and the new secret during a rotation, and refuses the old one once it is removed', async () => {
    const url = (ingestion: RunningIngestion) => `${ingestion.url}/webhooks/stripe`;
    const overlap = await startIngestion(environment, {
      STRIPE_WEBHOOK_SECRETS: `${secrets.stripe},${secrets.stripeNext}`,
    });
    try {
      expect(
        (await post(url(overlap), signedStripe(stripeSucceeded(), { secret: secrets.stripe }))).status,
      ).toBe(202);
      expect(
        (await post(url(overlap), signedStripe(stripeSucceeded(), { secret: secrets.stripeNext }))).status,
      ).toBe(202);
    } finally {
      await overlap.close();
    }
    const rotated = await startIngestion(environment, { STRIPE_WEBHOOK_SECRETS: secrets.stripeNext });
    try {
      const old = await post(url(rotated), signedStripe(stripeSucceeded(), { secret: secrets.stripe }));
      expect({ status: old.status, code: old.body['code'] }).toEqual({
        status: 401,
        code: 'WEBHOOK_SIGNATURE_INVALID',
      });
      expect(
        (await post(url(rotated), signedStripe(stripeSucceeded(), { secret: secrets.stripeNext }))).status,
      ).toBe(202);
    } finally {
      await rotated.close();
    }
  });

  it('answers 429 with Retry-After and RateLimit headers over a provider rate, before storing anything', async () => {
    const limited = await startIngestion(environment, {
      WEBHOOK_RATE_PER_SECOND: '1',
      WEBHOOK_RATE_BURST: '1',
    });
    try {
      const first = await post(`${limited.url}/webhooks/stripe`, signedStripe(stripeSucceeded()));
      expect(first.status).toBe(202);
      const event = stripeSucceeded();
      const second = await post(`${limited.url}/webhooks/stripe`, signedStripe(event));
      expect({ status: second.status, code: second.body['code'] }).toEqual({
        status: 429,
        code: 'RATE_LIMITED',
      });
      expect(second.headers.get('retry-after')).toBe('1');
      expect(second.headers.get('ratelimit')).toBe('"webhook";r=0;t=1');
      expect(second.headers.get('ratelimit-policy')).toBe('"webhook";q=1;w=1');
      const rows = (await limited.dataSource.query(`SELECT 1 FROM event_log WHERE dedupe_key = $1`, [
        event.id,
      ])) as unknown[];
      expect(rows).toHaveLength(0);
    } finally {
      await limited.close();
    }
  });
});
