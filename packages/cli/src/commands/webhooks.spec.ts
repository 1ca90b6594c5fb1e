import { webhookDefinitions } from '@tributary/webhooks';
import { curlCommand, exampleBody, signedDelivery, webhooksCommand } from './webhooks.js';

// The secrets' shapes are the ones npm run dev generates (platform.ts): Stripe's whsec_..., hex elsewhere.
const secrets: Record<string, string> = {
  stripe: `whsec_${Buffer.alloc(24, 7).toString('base64')}`,
  easypost: 'ab'.repeat(24),
  hubspot: 'cd'.repeat(24),
};
const now = new Date('2026-12-06T15:00:00Z');

describe('webhooks sign', () => {
  it.each(Object.keys(secrets))('%s: the delivery verifies with the scheme ingestion uses', (provider) => {
    const definition = webhookDefinitions[provider]!;
    const delivery = signedDelivery({
      provider,
      secret: secrets[provider]!,
      ingestionUrl: 'http://127.0.0.1:3101/',
      body: exampleBody(provider, now),
      now,
    });
    expect(delivery.url).toBe(`http://127.0.0.1:3101/webhooks/${provider}`);
    const request = {
      method: 'POST',
      url: delivery.url,
      headers: delivery.headers,
      body: Buffer.from(delivery.body),
    };
    const key = definition.scheme.keyOf(secrets[provider]!);
    expect(definition.scheme.verify(request, [key], now)).toEqual(
      expect.objectContaining({ secretIndex: 0 }),
    );
    // Another secret does not verify: the signature covers the key, not just the shape.
    const other = definition.scheme.keyOf(
      provider === 'stripe' ? 'whsec_another_secret_123' : 'ef'.repeat(24),
    );
    expect(() => definition.scheme.verify(request, [other], now)).toThrow();
    // The example is an envelope the provider's definition accepts, so ingestion stores it (2xx).
    expect(definition.events(JSON.parse(delivery.body), request).length).toBeGreaterThan(0);
  });

  it('gives fresh event ids, so a second example is not a duplicate', () => {
    for (const provider of Object.keys(secrets)) {
      expect(exampleBody(provider, now)).not.toBe(exampleBody(provider, now));
    }
  });

  it('prints a curl with the body quoted for a shell, a single quote included', () => {
    const command = curlCommand({
      url: 'http://127.0.0.1:3101/webhooks/stripe',
      headers: { 'stripe-signature': 't=1,v1=ab' },
      body: `{"note":"it's"}`,
    });
    expect(command).toBe(
      [
        'curl -sS -i --fail-with-body -X POST http://127.0.0.1:3101/webhooks/stripe',
        "-H 'stripe-signature: t=1,v1=ab'",
        `--data-binary '{"note":"it'\\''s"}'`,
      ].join(' \\\n  '),
    );
  });

  it('takes the secret and the URL from the session when the environment has none, and says when neither has', async () => {
    const out: string[] = [];
    await expect(
      webhooksCommand(['sign', 'stripe'], {
        env: {},
        out: (line) => out.push(line),
        sessionFile: '/nonexistent/session.json',
      }),
    ).rejects.toThrow('STRIPE_WEBHOOK_SECRET is not set (STRIPE_WEBHOOK_SECRET unset; no dev session file)');
    await expect(
      webhooksCommand(['sign', 'stripe'], {
        env: { STRIPE_WEBHOOK_SECRET: secrets.stripe, INGESTION_URL: 'http://ingestion:3101' },
        out: (line) => out.push(line),
        sessionFile: '/nonexistent/session.json',
        now: () => now,
      }),
    ).resolves.toBe(0);
    expect(out[0]).toMatch(
      /^curl .* http:\/\/ingestion:3101\/webhooks\/stripe \\\n {2}-H 'content-type: application\/json' \\\n {2}-H 'stripe-signature: t=1796569200,v1=[0-9a-f]{64}'/,
    );
    await expect(webhooksCommand(['sign', 'nope'], { env: {}, out: () => undefined })).rejects.toThrow(
      'webhooks sign needs a provider: one of stripe, hubspot, easypost, github (got nope)',
    );
  });
});
