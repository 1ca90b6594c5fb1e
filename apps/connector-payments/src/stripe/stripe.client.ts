import { malformedAnswer } from '@tributary/connector-sdk';
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
  /** Seconds. */
  created?: number;
  /** Seconds; set once canceled. */
  canceled_at?: number | null;
  /** The latest charge's id, or the charge itself when expanded (`expand[]=latest_charge`). */
  latest_charge?: string | StripeCharge | null;
}

/** The fields of Stripe's Charge the reconciliation reader reads (an expanded `latest_charge`). */
export interface StripeCharge {
  id: string;
  object: 'charge';
  /** Seconds. */
  created: number;
  status?: string;
}

/** Stripe's event: `data.object` is the object as it was right after the change. */
export interface StripeEvent<T = unknown> {
  id: string;
  object: 'event';
  type: string;
  /** Seconds. */
  created: number;
  data: { object: T };
}

/** Stripe's list envelope, newest first. */
export interface StripeList<T> {
  object: 'list';
  has_more: boolean;
  data: T[];
}

/** Stripe's list parameters: one page of at most `limit` (≤ 100), after a cursor, within `created` (seconds). */
export interface ListParams {
  limit: number;
  startingAfter?: string;
  created?: { gte?: number; lte?: number };
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

  async retrievePaymentIntent(
    id: string,
    signal?: AbortSignal,
    options: { expandLatestCharge?: boolean } = {},
  ): Promise<StripePaymentIntent> {
    const query = options.expandLatestCharge
      ? `?${new URLSearchParams({ 'expand[]': 'latest_charge' })}`
      : '';
    const response = await this.http.request<StripePaymentIntent>({
      method: 'GET',
      path: `/v1/payment_intents/${encodeURIComponent(id)}${query}`,
      operation: 'payment_intents.retrieve',
      ...(signal ? { signal } : {}),
    });
    return intentOf(response.body, 'payment_intents.retrieve');
  }

  /** One page of PaymentIntents, newest first, each with its latest charge expanded. */
  async listPaymentIntents(
    params: ListParams,
    signal?: AbortSignal,
  ): Promise<StripeList<StripePaymentIntent>> {
    const query = listQuery(params);
    query.append('expand[]', 'data.latest_charge');
    const response = await this.http.request<unknown>({
      method: 'GET',
      path: `/v1/payment_intents?${query}`,
      operation: 'payment_intents.list',
      ...(signal ? { signal } : {}),
    });
    const list = listOf(response.body, 'payment_intents.list');
    list.data.forEach((intent) => intentOf(intent, 'payment_intents.list'));
    return list as StripeList<StripePaymentIntent>;
  }

  /**
   * The PaymentIntents whose metadata `key` is `value`, newest first (Stripe's search API). Search is
   * eventually consistent: an intent created within about a minute may be missing, so it is for effects old
   * enough that their idempotency key may be forgotten, never for read-after-write.
   */
  async searchPaymentIntentsByMetadata(
    key: string,
    value: string,
    signal?: AbortSignal,
  ): Promise<StripePaymentIntent[]> {
    const query = new URLSearchParams({ query: `metadata['${key}']:'${searchLiteral(value)}'`, limit: '10' });
    const response = await this.http.request<unknown>({
      method: 'GET',
      path: `/v1/payment_intents/search?${query}`,
      operation: 'payment_intents.search',
      ...(signal ? { signal } : {}),
    });
    const result = response.body as { object?: string; data?: unknown } | undefined;
    if (result?.object !== 'search_result' || !Array.isArray(result.data))
      throw malformedAnswer('stripe', 'payment_intents.search', 'not a search result');
    return result.data.map((intent) => intentOf(intent, 'payment_intents.search'));
  }

  /** One page of events of `type` (exact, or `payment_intent.*`), newest first. */
  async listEvents(
    type: string,
    params: ListParams,
    signal?: AbortSignal,
  ): Promise<StripeList<StripeEvent<StripePaymentIntent>>> {
    const query = listQuery(params);
    query.set('type', type);
    const response = await this.http.request<unknown>({
      method: 'GET',
      path: `/v1/events?${query}`,
      operation: 'events.list',
      ...(signal ? { signal } : {}),
    });
    const list = listOf(response.body, 'events.list');
    for (const event of list.data as StripeEvent[]) {
      if (typeof event?.id !== 'string' || !Number.isInteger(event.created) || !event.data?.object)
        throw malformedAnswer('stripe', 'events.list', 'an event without id, created or data.object');
      intentOf(event.data.object, 'events.list');
    }
    return list as StripeList<StripeEvent<StripePaymentIntent>>;
  }
}

/** A value inside single quotes of Stripe's search query language: quotes and backslashes escaped. */
function searchLiteral(value: string): string {
  return value.replace(/[\\']/g, (c) => `\\${c}`);
}

function listQuery(params: ListParams): URLSearchParams {
  const query = new URLSearchParams({ limit: String(params.limit) });
  if (params.startingAfter) query.set('starting_after', params.startingAfter);
  if (params.created?.gte !== undefined) query.set('created[gte]', String(params.created.gte));
  if (params.created?.lte !== undefined) query.set('created[lte]', String(params.created.lte));
  return query;
}

/** A list envelope, or PROVIDER_ANSWER_MALFORMED: a page read from half an answer must not pass for a page. */
function listOf(body: unknown, operation: string): StripeList<unknown> {
  const list = body as Partial<StripeList<unknown>> | undefined;
  if (list?.object !== 'list' || !Array.isArray(list.data) || typeof list.has_more !== 'boolean')
    throw malformedAnswer('stripe', operation, 'not a list envelope');
  return list as StripeList<unknown>;
}

function intentOf(body: unknown, operation: string): StripePaymentIntent {
  const intent = body as Partial<StripePaymentIntent> | undefined;
  if (
    typeof intent?.id !== 'string' ||
    typeof intent.status !== 'string' ||
    typeof intent.amount !== 'number' ||
    typeof intent.currency !== 'string'
  )
    throw malformedAnswer('stripe', operation, 'not a PaymentIntent');
  return intent as StripePaymentIntent;
}

/** Stripe's 402 on a declined confirmation carries the PaymentIntent in `error.payment_intent`. */
export function declinedIntent(body: unknown): StripePaymentIntent | undefined {
  const error = (body as { error?: { type?: string; payment_intent?: StripePaymentIntent } } | undefined)
    ?.error;
  return error?.type === 'card_error' ? error.payment_intent : undefined;
}
