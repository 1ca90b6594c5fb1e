import type { EndpointDeclaration } from '@tributary/provider-shapes';

/** The provider and operation the payments connector samples its PaymentIntent answers under. */
export const PAYMENT_INTENT_ENDPOINT = { provider: 'stripe', operation: 'payment_intents.create' } as const;

/**
 * A declaration like the payments connector's for the operation: the status as an enum the handler relies
 * on, the fields it reads, and the personal data paths beyond the ownership map. Its enum and reliance paths
 * make the walk record values as well as types, as in production.
 */
export const PAYMENT_INTENT_DECLARATION: EndpointDeclaration = {
  enums: ['$.status', '$.capture_method', '$.confirmation_method'],
  reliesOn: [
    {
      path: '$.status',
      usedBy: 'connector-payments: requestPayment',
      values: ['succeeded', 'requires_payment_method', 'requires_action', 'processing'],
    },
    { path: '$.id', usedBy: 'connector-payments: requestPayment' },
    { path: '$.amount', usedBy: 'connector-payments: requestPayment' },
    { path: '$.amount_received', usedBy: 'connector-payments: requestPayment' },
    { path: '$.currency', usedBy: 'connector-payments: requestPayment' },
    { path: '$.last_payment_error.code', usedBy: 'connector-payments: requestPayment' },
  ],
  personalData: ['receipt_email', 'shipping.name', 'shipping.phone', 'shipping.address'],
};

/**
 * A confirmed card PaymentIntent as Stripe answers `POST /v1/payment_intents` (API 2024 and later: the charge
 * as `latest_charge`, not expanded), with the shipping, metadata and payment method options a commerce
 * integration sends: about 2 KB of JSON, nested three levels, one short array. `variant` adds a metadata
 * member of that name, which makes a shape of its own.
 */
export function paymentIntentAnswer(variant?: string): Record<string, unknown> {
  const metadata: Record<string, string> = {
    order_id: '0190f3a2-7c4e-7d1b-9a61-5e2b8c0d4f17',
    customer_id: '0190f3a2-7c4e-7d1b-9a61-5e2b8c0d4f18',
    tributary_event: '0190f3a2-7c4f-7aa0-8e3c-1f9d2b6a7c05',
    cart_id: 'cart_7Hq2LmX9vB4nR1tZ',
    channel: 'web',
    locale: 'de-DE',
  };
  if (variant !== undefined) metadata[variant] = 'x';
  return {
    id: 'pi_3PqLk2HbN4x8ZtQv1c9eR7aB',
    object: 'payment_intent',
    amount: 4200,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 4200,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: { allow_redirects: 'never', enabled: true },
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: 'pi_3PqLk2HbN4x8ZtQv1c9eR7aB_secret_Wm5tKq0vYd2nXe8LhR3pZsJ6u',
    confirmation_method: 'automatic',
    created: 1_722_513_600,
    currency: 'eur',
    customer: 'cus_QhX2mV7pLc4tN9',
    excluded_payment_method_types: null,
    description: 'Order 0190f3a2-7c4e-7d1b-9a61-5e2b8c0d4f17',
    invoice: null,
    last_payment_error: null,
    latest_charge: 'ch_3PqLk2HbN4x8ZtQv1q2wE3rT',
    livemode: false,
    metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: 'pm_1PqLk1HbN4x8ZtQvA7sD9fGh',
    payment_method_configuration_details: null,
    payment_method_options: {
      card: {
        installments: null,
        mandate_options: null,
        network: null,
        request_three_d_secure: 'automatic',
        require_cvc_recollection: false,
        setup_future_usage: null,
      },
      link: { persistent_token: null },
    },
    payment_method_types: ['card', 'link'],
    processing: null,
    receipt_email: 'jane.doe@example.com',
    radar_options: { session: 'rse_1PqLk0HbN4x8ZtQvKp3mW8yS' },
    review: null,
    setup_future_usage: null,
    shipping: {
      address: {
        city: 'Berlin',
        country: 'DE',
        line1: 'Torstraße 1',
        line2: null,
        postal_code: '10119',
        state: null,
      },
      carrier: 'DHL',
      name: 'Jane Doe',
      phone: '+49 30 1234567',
      tracking_number: null,
    },
    source: null,
    statement_descriptor: 'TRIBUTARY SHOP',
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
}
