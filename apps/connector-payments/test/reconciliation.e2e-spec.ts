import type { ConnectorProcessHarness } from '@tributary/connector-sdk/testing';
import { waitFor } from '@tributary/connector-sdk/testing';
import type { DomainEvent, EventOf } from '@tributary/contracts';
import { v7 as uuidv7 } from 'uuid';
import { paymentsHarness } from './support.js';

type Requested = EventOf<'reconciliation.read.requested'>;
type Completed = EventOf<'reconciliation.read.completed'>;

// The connector as a process answering reconciliation reads over Kafka, the test playing the reconciler.
// Its limit is lowered to 10/s (burst 10) and the simulated Stripe refuses above 12/s, so that a walk next
// to a stream of payments shows whether reads stay behind events and the provider's limit holds.
describe('connector-payments answers reconciliation reads', () => {
  let harness: ConnectorProcessHarness;
  let answers: readonly DomainEvent[];

  beforeAll(async () => {
    harness = await paymentsHarness({ PROVIDER_RATE_LIMIT_RPS: '10', PROVIDER_RATE_LIMIT_BURST: '10' });
    answers = await harness.topicEvents('reconciliation.read.v1');
  }, 180_000);
  afterAll(async () => {
    await harness?.close();
  }, 60_000);

  const simAdmin = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const response = await fetch(`${harness.simUrl}/__admin${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      ...(init.body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }),
    });
    if (!response.ok) throw new Error(`${path} → ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };

  async function seedIntents(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${harness.simUrl}/v1/payment_intents`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer sk_test_seed',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          amount: '500',
          currency: 'eur',
          'metadata[tributary_payment_id]': uuidv7(),
        }),
      });
      ids.push(((await response.json()) as { id: string }).id);
    }
    return ids;
  }

  const request = (runId: string, data: Partial<Requested['data']> = {}): Requested => ({
    id: uuidv7(),
    type: 'reconciliation.read.requested',
    source: '/tributary/reconciliation',
    subject: runId,
    time: new Date().toISOString(),
    correlationId: runId,
    data: {
      runId,
      pageNo: 1,
      provider: 'stripe',
      entity: 'payment',
      mode: 'FULL',
      cursor: null,
      changedFrom: null,
      changedTo: null,
      ids: [],
      pageSize: 100,
      requestedAt: Date.now(),
      ...data,
    },
  });

  const answersTo = (requestId: string) =>
    answers.filter(
      (event): event is Completed =>
        event.type === 'reconciliation.read.completed' && event.causationId === requestId,
    );
  const answerTo = (requestId: string) =>
    waitFor(`the answer to ${requestId}`, () => answersTo(requestId)[0], 60_000);
  const readGroup = () => `${harness.consumerGroup}.reconciliation`;
  const recorded = async (eventId: string) =>
    (
      await harness.query(
        `SELECT 1 FROM "${harness.schema}".inbox WHERE consumer_group = $1 AND event_id = $2`,
        [readGroup(), eventId],
      )
    ).length;

  it('publishes exactly one answer per request, none for a redelivery or for requests that are not its own', async () => {
    const seeded = await seedIntents(5);
    const runId = uuidv7();
    const first = request(runId);
    await harness.publish(first);
    const answer = await answerTo(first.id);
    expect(answer).toMatchObject({ subject: runId, causationId: first.id, correlationId: runId });
    expect(answer.data).toMatchObject({
      runId,
      pageNo: 1,
      provider: 'stripe',
      entity: 'payment',
      complete: true,
    });
    expect(answer.data.failureCode).toBeNull();
    expect(answer.data.records.map((r) => r.externalId)).toEqual(expect.arrayContaining(seeded));

    // On the run's key, so on one partition in this order: the redelivery and the foreign requests are
    // behind us once the last request is answered.
    const others = [
      request(runId, { provider: 'hubspot', entity: 'contact', pageNo: 2 }),
      request(runId, { entity: 'shipment', pageNo: 2 }),
    ];
    const last = request(runId, { pageNo: 2, mode: 'IDS', ids: [] });
    await harness.publish(first, ...others, last);
    await answerTo(last.id);

    expect(answersTo(first.id)).toHaveLength(1);
    expect(await recorded(first.id)).toBe(1);
    for (const other of others) {
      expect(answersTo(other.id)).toHaveLength(0);
      expect(await recorded(other.id)).toBe(0);
    }
    const metrics = await harness.metrics();
    expect(metrics).toMatch(
      /tributary_reconciliation_reads_total\{provider="stripe",entity="payment",outcome="ok"\} 2/,
    );
  }, 120_000);

  it('reads at low priority: a walk waits behind a stream of payments, and the provider limit holds', async () => {
    const seeded = await seedIntents(60);
    const throttle = { requestsPerSecond: 12, burst: 12 };
    await simAdmin('/throttle', { body: throttle });
    await simAdmin('/rate', { method: 'DELETE' });
    const runId = uuidv7();
    // The reconciler: one page at a time, the next from the answer's cursor, a failed one asked again.
    let pageNo = 1;
    let cursor: string | null = null;
    const pages: Completed['data'][] = [];
    const ask = async () => {
      const next = request(runId, { pageNo, cursor, pageSize: 5 });
      await harness.publish(next);
      const answer = await answerTo(next.id);
      pages.push(answer.data);
      if (!answer.data.failureCode) {
        pageNo += 1;
        cursor = answer.data.nextCursor ?? null;
      }
      return answer.data;
    };
    // The first page before any payment: what the walk must return is fixed from here on.
    expect((await ask()).failureCode).toBeNull();

    const payments = Array.from({ length: 80 }, () => ({ eventId: uuidv7(), subject: uuidv7() }));
    for (const payment of payments) await harness.trigger(payment);
    for (;;) {
      const page = await ask();
      if (page.complete) break;
    }
    await waitFor(
      'every payment handled',
      async () => (await Promise.all(payments.map((p) => harness.processed(p.eventId)))).every(Boolean),
      120_000,
    );

    const records = pages.flatMap((page) => page.records);
    const ids = records.map((r) => r.externalId);
    // Exactly the intents there were when the walk began: those made by the payments are newer than its
    // first page, and nothing was read twice or skipped around the refused pages.
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(seeded));
    const paymentIds = new Set(payments.map((p) => p.subject));
    expect(records.filter((r) => paymentIds.has(r.internalId ?? ''))).toEqual([]);
    const refused = pages.filter((page) => page.failureCode === 'PROVIDER_RATE_LIMITED');
    expect(refused.length).toBeGreaterThan(0);
    expect(pages.filter((page) => page.failureCode && page.failureCode !== 'PROVIDER_RATE_LIMITED')).toEqual(
      [],
    );

    const rate = await simAdmin<{
      requests: number;
      maxIn1s: number;
      histogram: { second: string; requests: number }[];
    }>('/rate?provider=stripe');
    const ledger = await simAdmin<{ throttled: Record<string, number> }>('/ledger');
    // The simulated Stripe never had to refuse anyone: the client's one bucket (10/s, burst 10) held
    // events and reads together below its limit, in every second and every sliding second.
    expect(Object.values(ledger.throttled).reduce((sum, n) => sum + n, 0)).toBe(0);
    expect(rate.maxIn1s).toBeLessThanOrEqual(throttle.requestsPerSecond + throttle.burst);
    expect(Math.max(...rate.histogram.map((second) => second.requests))).toBeLessThanOrEqual(
      throttle.requestsPerSecond + throttle.burst,
    );
    // Every payment made its one intent; the walk's calls are the rest.
    expect(rate.requests).toBeGreaterThanOrEqual(payments.length + (pages.length - refused.length));
    for (const payment of payments) expect(await harness.outcomes(payment.eventId)).toBe(1);
  }, 240_000);
});
