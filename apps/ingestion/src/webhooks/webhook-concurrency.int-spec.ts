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

  it('turns 50 concurrent deliveries of one webhook into exactly one event on Kafka', async () => {
    const ingestion = await startIngestion(environment);
    const reader = await readTopics(
      [`${environment.topicPrefix}payments.payment.v1`],
      `${environment.topicPrefix}dedupe`,
    );
    try {
      const event = stripeSucceeded();
      // Each delivery signed separately, as Stripe's retries are.
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => post(`${ingestion.url}/webhooks/stripe`, signedStripe(event))),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 202)).toHaveLength(1);
      expect(statuses.filter((s) => s === 200)).toHaveLength(49);
      const eventIds = new Set(
        responses.flatMap((r) => (r.body['entries'] as Array<{ eventIds: string[] }>)[0]!.eventIds),
      );
      expect(eventIds.size).toBe(1);
      const [eventId] = [...eventIds];

      await reader.waitForIds([eventId!]);
      await reader.waitForEnd();
      expect([...reader.counts.entries()]).toEqual([[eventId, 1]]);
      const rows = (await ingestion.dataSource.query(
        `SELECT count(*)::int AS n FROM event_log WHERE dedupe_key = $1`,
        [event.id],
      )) as Array<{ n: number }>;
      expect(rows[0]!.n).toBe(1);
    } finally {
      await reader.stop();
      await ingestion.close();
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
