import { loadConfig } from './provider-sim.config.js';

describe('provider-sim config', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toMatchObject({
      port: 12111,
      host: '127.0.0.1',
      easypostTrackingStepMs: 500,
      hubspotRateLimitMax: 190,
      hubspotSearchRateLimit: 5,
      webhookDelivery: { duplicate: 1, delayMs: 0, reorder: false, dropRate: 0 },
    });
  });

  it('reads webhook targets and delivery controls', () => {
    const config = loadConfig({
      EASYPOST_WEBHOOK_URL: 'http://127.0.0.1:3000/webhooks/easypost',
      EASYPOST_WEBHOOK_SECRET: 'secret-secret',
      EASYPOST_TRACKING_STEP_MS: '50',
      WEBHOOK_DUPLICATE: '2',
      WEBHOOK_DELAY_MS: '100',
      WEBHOOK_REORDER: 'true',
    });
    expect(config).toMatchObject({
      easypostWebhook: { url: 'http://127.0.0.1:3000/webhooks/easypost', secret: 'secret-secret' },
      easypostTrackingStepMs: 50,
      webhookDelivery: { duplicate: 2, delayMs: 100, reorder: true },
    });
  });

  it('refuses a webhook URL without its secret, and bad values, with CONFIG_INVALID', () => {
    expect(() => loadConfig({ STRIPE_WEBHOOK_URL: 'http://x/y' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => loadConfig({ WEBHOOK_REORDER: 'maybe' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
