import { z } from 'zod';

/** The one place the simulator reads the environment. */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(12111),
  HOST: z.string().default('127.0.0.1'),
  STRIPE_WEBHOOK_URL: z.url().optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
});

export interface ProviderSimConfig {
  port: number;
  host: string;
  stripeWebhook?: { url: string; secret: string };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): ProviderSimConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw Object.assign(new Error(`invalid configuration:\n  ${problems.join('\n  ')}`), {
      code: 'CONFIG_INVALID',
    });
  }
  const c = parsed.data;
  if (Boolean(c.STRIPE_WEBHOOK_URL) !== Boolean(c.STRIPE_WEBHOOK_SECRET)) {
    throw Object.assign(new Error('STRIPE_WEBHOOK_URL and STRIPE_WEBHOOK_SECRET go together'), {
      code: 'CONFIG_INVALID',
    });
  }
  return {
    port: c.PORT,
    host: c.HOST,
    ...(c.STRIPE_WEBHOOK_URL && c.STRIPE_WEBHOOK_SECRET
      ? { stripeWebhook: { url: c.STRIPE_WEBHOOK_URL, secret: c.STRIPE_WEBHOOK_SECRET } }
      : {}),
  };
}
