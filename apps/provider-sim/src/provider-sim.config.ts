import { z } from 'zod';
import type { ProviderSimOptions } from './server.js';

const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

/** The one place the simulator reads the environment. */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(12111),
  HOST: z.string().default('127.0.0.1'),
  STRIPE_WEBHOOK_URL: z.url().optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  EASYPOST_WEBHOOK_URL: z.url().optional(),
  EASYPOST_WEBHOOK_SECRET: z.string().min(1).optional(),
  EASYPOST_TRACKING_STEP_MS: z.coerce.number().int().min(0).default(500),
  HUBSPOT_WEBHOOK_URL: z.url().optional(),
  HUBSPOT_WEBHOOK_SECRET: z.string().min(1).optional(),
  HUBSPOT_WEBHOOK_BATCH_MS: z.coerce.number().int().min(0).default(250),
  HUBSPOT_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(190),
  HUBSPOT_SEARCH_RATE_LIMIT: z.coerce.number().int().positive().default(5),
  WEBHOOK_DUPLICATE: z.coerce.number().int().min(1).max(100).default(1),
  WEBHOOK_DELAY_MS: z.coerce.number().int().min(0).default(0),
  WEBHOOK_REORDER: flag.default(false),
  WEBHOOK_DROP_RATE: z.coerce.number().min(0).max(1).default(0),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(4),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(0).default(500),
  // Idempotency keys are forgotten after this long on the simulator's clock (POST /__admin/clock).
  STRIPE_IDEMPOTENCY_KEY_LIFETIME_MS: z.coerce.number().int().positive().default(86_400_000),
  EASYPOST_IDEMPOTENCY_KEY_LIFETIME_MS: z.coerce.number().int().positive().default(86_400_000),
  GENERIC_IDEMPOTENCY_KEY_LIFETIME_MS: z.coerce.number().int().positive().default(86_400_000),
  // Stripe's search is eventually consistent: a new PaymentIntent shows in it after this long (real time).
  STRIPE_SEARCH_INDEX_DELAY_MS: z.coerce.number().int().min(0).default(1_000),
});

export type ProviderSimConfig = ProviderSimOptions & { port: number; host: string };

function invalid(message: string): Error {
  return Object.assign(new Error(message), { code: 'CONFIG_INVALID' });
}

function endpoint(provider: string, url: string | undefined, secret: string | undefined) {
  if (Boolean(url) !== Boolean(secret)) {
    throw invalid(`${provider}_WEBHOOK_URL and ${provider}_WEBHOOK_SECRET go together`);
  }
  return url && secret ? { url, secret } : undefined;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): ProviderSimConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw invalid(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const c = parsed.data;
  const stripeWebhook = endpoint('STRIPE', c.STRIPE_WEBHOOK_URL, c.STRIPE_WEBHOOK_SECRET);
  const easypostWebhook = endpoint('EASYPOST', c.EASYPOST_WEBHOOK_URL, c.EASYPOST_WEBHOOK_SECRET);
  const hubspotWebhook = endpoint('HUBSPOT', c.HUBSPOT_WEBHOOK_URL, c.HUBSPOT_WEBHOOK_SECRET);
  return {
    port: c.PORT,
    host: c.HOST,
    ...(stripeWebhook ? { stripeWebhook } : {}),
    ...(easypostWebhook ? { easypostWebhook } : {}),
    ...(hubspotWebhook ? { hubspotWebhook } : {}),
    hubspotWebhookBatchMs: c.HUBSPOT_WEBHOOK_BATCH_MS,
    easypostTrackingStepMs: c.EASYPOST_TRACKING_STEP_MS,
    hubspotRateLimitMax: c.HUBSPOT_RATE_LIMIT_MAX,
    hubspotSearchRateLimit: c.HUBSPOT_SEARCH_RATE_LIMIT,
    webhookDelivery: {
      duplicate: c.WEBHOOK_DUPLICATE,
      delayMs: c.WEBHOOK_DELAY_MS,
      reorder: c.WEBHOOK_REORDER,
      dropRate: c.WEBHOOK_DROP_RATE,
    },
    webhookRetry: { maxAttempts: c.WEBHOOK_MAX_ATTEMPTS, baseDelayMs: c.WEBHOOK_RETRY_BASE_MS },
    idempotencyKeyLifetimeMs: {
      stripe: c.STRIPE_IDEMPOTENCY_KEY_LIFETIME_MS,
      easypost: c.EASYPOST_IDEMPOTENCY_KEY_LIFETIME_MS,
      generic: c.GENERIC_IDEMPOTENCY_KEY_LIFETIME_MS,
    },
    stripeSearchIndexDelayMs: c.STRIPE_SEARCH_INDEX_DELAY_MS,
  };
}
