import type { ProviderHttpClient } from '@tributary/connector-sdk';

/** The fields of Stripe's PaymentIntent this connector reads. */
export interface StripePaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received?: number;
  currency: string;
  status: string;
  metadata: Record<string, string>;
  last_payment_error?: { code?: string | null; decline_code?: string | null; message?: string | null } | null;
}

export interface CreatePaymentIntent {
  amount: number;
  currency: string;
  confirm?: boolean;
  paymentMethod?: string;
  paymentMethodTypes?: readonly string[];
  description?: string;
  metadata?: Record<string, string>;
}

export interface CallOptions {
  idempotencyKey: string;
  signal?: AbortSignal;
}

/**
 * The slice of Stripe's API the payments connector uses, on the SDK's HTTP client (so timeouts, retries,
 * the breaker and rate limits apply). Stripe takes form-encoded bodies with bracketed nesting and answers
 * JSON; the same key with the same parameters returns the first answer.
 */
export class StripeClient {
  constructor(private readonly http: ProviderHttpClient) {}

  async createPaymentIntent(params: CreatePaymentIntent, options: CallOptions): Promise<StripePaymentIntent> {
    const form: Record<string, string> = {
      amount: String(params.amount),
      currency: params.currency.toLowerCase(),
    };
    if (params.confirm) form.confirm = 'true';
    if (params.paymentMethod) form.payment_method = params.paymentMethod;
    params.paymentMethodTypes?.forEach((type, i) => (form[`payment_method_types[${i}]`] = type));
    if (params.description) form.description = params.description;
    for (const [key, value] of Object.entries(params.metadata ?? {})) form[`metadata[${key}]`] = value;
    const response = await this.http.request<StripePaymentIntent>({
      method: 'POST',
      path: '/v1/payment_intents',
      operation: 'payment_intents.create',
      form,
      idempotencyKey: options.idempotencyKey,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return response.body;
  }

  async retrievePaymentIntent(id: string, signal?: AbortSignal): Promise<StripePaymentIntent> {
    const response = await this.http.request<StripePaymentIntent>({
      method: 'GET',
      path: `/v1/payment_intents/${encodeURIComponent(id)}`,
      operation: 'payment_intents.retrieve',
      ...(signal ? { signal } : {}),
    });
    return response.body;
  }
}

/** Stripe's 402 on a declined confirmation carries the PaymentIntent in `error.payment_intent`. */
export function declinedIntent(body: unknown): StripePaymentIntent | undefined {
  const error = (body as { error?: { type?: string; payment_intent?: StripePaymentIntent } } | undefined)
    ?.error;
  return error?.type === 'card_error' ? error.payment_intent : undefined;
}
