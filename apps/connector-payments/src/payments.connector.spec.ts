import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderHttpClient } from '@tributary/connector-sdk';
import { fakeHandlerContext } from '@tributary/connector-sdk/testing';
import type { EventOf } from '@tributary/contracts';
import { paymentsConnector } from './payments.connector.js';
import { StripeClient } from './stripe/stripe.client.js';

/**
 * A Stripe stand-in that answers every PaymentIntent creation with `answer` and a search with `found`,
 * recording what it got.
 */
async function stripe(answer: { status: number; body: unknown }, found: unknown[] = []) {
  const seen: { headers: IncomingMessage['headers']; form: URLSearchParams }[] = [];
  const searches: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stripe');
      if (url.pathname === '/v1/payment_intents/search') {
        searches.push(url.searchParams.get('query') ?? '');
        const result = { object: 'search_result', has_more: false, next_page: null, data: found };
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      }
      seen.push({ headers: req.headers, form: new URLSearchParams(body) });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, searches, server };
}

const request: EventOf<'payments.payment.requested'> = {
  id: '0190a0b0-0000-7000-8000-000000000001',
  type: 'payments.payment.requested',
  source: '/test',
  subject: 'pay-1',
  time: new Date().toISOString(),
  data: {
    paymentId: 'pay-1',
    orderId: 'order-1',
    customerId: 'cust-1',
    amountMinor: 1999,
    currency: 'EUR',
    paymentMethod: 'card',
    description: null,
    requestedAt: 0,
  },
};

async function handle(
  answer: { status: number; body: unknown },
  late: { found?: unknown[]; firstAttemptAt?: number } = {},
) {
  const sim = await stripe(answer, late.found);
  const http = new ProviderHttpClient({
    provider: 'stripe',
    baseUrl: sim.url,
    defaultHeaders: { authorization: 'Bearer sk_test' },
    retry: { maxRetries: 0 },
  });
  const ctx = fakeHandlerContext(paymentsConnector, {
    event: request,
    provider: new StripeClient(http),
    config: { STRIPE_API_BASE: sim.url, STRIPE_API_KEY: 'sk_test' },
    ...(late.firstAttemptAt === undefined ? {} : { firstAttemptAt: late.firstAttemptAt }),
  });
  try {
    await paymentsConnector.handlers['payments.payment.requested']!(request, ctx);
  } finally {
    await http.close();
    sim.server.close();
  }
  const refs = ctx.upserted.map((ref) => [ref.externalType, ref.externalId, ref.internalId]);
  return { seen: sim.seen, searches: sim.searches, published: ctx.published, refs };
}

describe('payments connector', () => {
  it('creates a confirmed PaymentIntent with our ids in metadata and the event key, then publishes PaymentSucceeded', async () => {
    const intent = {
      id: 'pi_1',
      object: 'payment_intent',
      amount: 1999,
      amount_received: 1999,
      currency: 'eur',
      status: 'succeeded',
      metadata: {},
    };
    const { seen, published, refs } = await handle({ status: 200, body: intent });
    expect(seen[0]!.headers['idempotency-key']).toBe(`tributary:payments:${request.id}`);
    expect(Object.fromEntries(seen[0]!.form)).toEqual({
      amount: '1999',
      currency: 'eur',
      confirm: 'true',
      'payment_method_types[0]': 'card',
      'metadata[tributary_payment_id]': 'pay-1',
      'metadata[tributary_order_id]': 'order-1',
      'metadata[tributary_customer_id]': 'cust-1',
    });
    expect(refs).toEqual([['payment_intent', 'pi_1', 'pay-1']]);
    expect(published).toEqual([
      expect.objectContaining({
        type: 'payments.payment.succeeded',
        data: expect.objectContaining({
          paymentId: 'pay-1',
          customerId: 'cust-1',
          amountMinor: 1999,
          currency: 'EUR',
          providerPaymentId: 'pi_1',
        }),
      }),
    ]);
  });

  it('turns a 402 decline into PaymentFailed instead of an error', async () => {
    const intent = {
      id: 'pi_2',
      object: 'payment_intent',
      amount: 1999,
      currency: 'eur',
      status: 'requires_payment_method',
      metadata: {},
      last_payment_error: {
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Insufficient funds.',
      },
    };
    const { published, refs } = await handle({
      status: 402,
      body: { error: { type: 'card_error', code: 'card_declined', payment_intent: intent } },
    });
    expect(refs).toEqual([['payment_intent', 'pi_2', 'pay-1']]);
    expect(published).toEqual([
      expect.objectContaining({
        type: 'payments.payment.failed',
        data: expect.objectContaining({
          failureCode: 'INSUFFICIENT_FUNDS',
          providerFailureCode: 'insufficient_funds',
        }),
      }),
    ]);
  });

  it('lets any other 4xx through as a non-retriable error (DLQ)', async () => {
    await expect(
      handle({ status: 400, body: { error: { type: 'invalid_request_error' } } }),
    ).rejects.toMatchObject({
      code: 'PROVIDER_REJECTED',
      retriable: false,
    });
  });
});

describe('payments connector: past the 24 h of a Stripe idempotency key', () => {
  const weekAgo = Date.now() - 7 * 86_400_000;
  const succeeded = (id: string, created: number) => ({
    id,
    object: 'payment_intent',
    amount: 1999,
    amount_received: 1999,
    currency: 'eur',
    status: 'succeeded',
    metadata: { tributary_payment_id: 'pay-1' },
    created,
  });

  it('finds the PaymentIntent of the first attempt by our paymentId and publishes its outcome without a create', async () => {
    const { seen, searches, published, refs } = await handle(
      { status: 500, body: { error: { type: 'api_error' } } },
      { firstAttemptAt: weekAgo, found: [succeeded('pi_first', 1_700_000_000)] },
    );
    expect(searches).toEqual(["metadata['tributary_payment_id']:'pay-1'"]);
    expect(seen).toHaveLength(0);
    expect(refs).toEqual([['payment_intent', 'pi_first', 'pay-1']]);
    expect(
      published.map((e) => [e.type, (e.data as { providerPaymentId?: string }).providerPaymentId]),
    ).toEqual([['payments.payment.succeeded', 'pi_first']]);
  });

  it('creates when the search finds nothing (the first attempt never reached Stripe)', async () => {
    const { seen, searches, published } = await handle(
      { status: 200, body: succeeded('pi_new', 1_700_000_100) },
      { firstAttemptAt: weekAgo },
    );
    expect(searches).toHaveLength(1);
    expect(seen).toHaveLength(1);
    expect(published.map((e) => e.type)).toEqual(['payments.payment.succeeded']);
  });

  it('does not search while the key is younger than 23 h: Stripe answers the repeat itself', async () => {
    const { seen, searches } = await handle(
      { status: 200, body: succeeded('pi_1', 1_700_000_000) },
      { firstAttemptAt: Date.now() - 22 * 3_600_000, found: [succeeded('pi_other', 1)] },
    );
    expect(searches).toEqual([]);
    expect(seen).toHaveLength(1);
  });
});

describe('payments connector: credentials', () => {
  it("tells Stripe's live and test secret and restricted keys apart (checked against TRIBUTARY_ENV at boot)", () => {
    const classify = (key: string) => paymentsConnector.credentials?.STRIPE_API_KEY?.classify(key);
    expect(
      ['sk_live_1', 'rk_live_1', 'sk_test_1', 'rk_test_1', 'pk_live_1', 'whsec_1'].map(classify),
    ).toEqual(['live', 'live', 'test', 'test', 'unknown', 'unknown']);
  });
});
