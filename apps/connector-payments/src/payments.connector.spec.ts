import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderHttpClient } from '@tributary/connector-sdk';
import { fakeHandlerContext } from '@tributary/connector-sdk/testing';
import type { EventOf } from '@tributary/contracts';
import { paymentsConnector } from './payments.connector.js';
import { StripeClient } from './stripe/stripe.client.js';

/** A Stripe stand-in that answers every PaymentIntent creation with `answer`, recording what it got. */
async function stripe(answer: { status: number; body: unknown }) {
  const seen: { headers: IncomingMessage['headers']; form: URLSearchParams }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ headers: req.headers, form: new URLSearchParams(body) });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
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

async function handle(answer: { status: number; body: unknown }) {
  const sim = await stripe(answer);
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
  });
  try {
    await paymentsConnector.handlers['payments.payment.requested']!(request, ctx);
  } finally {
    await http.close();
    sim.server.close();
  }
  const refs = ctx.upserted.map((ref) => [ref.externalType, ref.externalId, ref.internalId]);
  return { seen: sim.seen, published: ctx.published, refs };
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

describe('payments connector: credentials', () => {
  it("tells Stripe's live and test secret and restricted keys apart (checked against TRIBUTARY_ENV at boot)", () => {
    const classify = (key: string) => paymentsConnector.credentials?.STRIPE_API_KEY?.classify(key);
    expect(
      ['sk_live_1', 'rk_live_1', 'sk_test_1', 'rk_test_1', 'pk_live_1', 'whsec_1'].map(classify),
    ).toEqual(['live', 'live', 'test', 'test', 'unknown', 'unknown']);
  });
});
