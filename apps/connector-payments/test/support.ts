import { fileURLToPath } from 'node:url';
import { connectorProcessHarness } from '@tributary/connector-sdk/testing';
import type { ConnectorProcessHarness } from '@tributary/connector-sdk/testing';
import { v7 as uuidv7 } from 'uuid';

/**
 * connector-payments as a process on the real stack, against the provider simulator, with its own database
 * and consumer group: what the SDK's conformance suite drives. The trigger is a hand-written
 * PaymentRequested (a sampled one would carry an arbitrary payment method the simulator need not know).
 * `env` overrides the connector's variables (a lower rate limit).
 */
export function paymentsHarness(env: Record<string, string> = {}): Promise<ConnectorProcessHarness> {
  return connectorProcessHarness({
    env,
    connectorId: 'payments',
    main: fileURLToPath(new URL('../dist/main.js', import.meta.url)),
    effectRoute: 'POST /v1/payment_intents',
    providerEnv: (simUrl) => ({ STRIPE_API_BASE: simUrl, STRIPE_API_KEY: 'sk_test_conformance' }),
    eventType: 'payments.payment.requested',
    event: ({ eventId, subject }) => ({
      id: eventId,
      type: 'payments.payment.requested',
      source: '/tributary/conformance',
      subject,
      time: new Date().toISOString(),
      data: {
        paymentId: subject,
        orderId: uuidv7(),
        customerId: uuidv7(),
        amountMinor: 4200,
        currency: 'EUR',
        paymentMethod: null,
        description: null,
        requestedAt: Date.now(),
      },
    }),
  });
}
