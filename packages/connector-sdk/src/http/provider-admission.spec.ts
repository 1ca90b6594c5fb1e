import { metrics } from '@tributary/observability';
import type { Gauge } from 'prom-client';
import { VirtualClock } from '@tributary/testkit';
import { ProviderAdmission } from './provider-admission.js';
import type { ProviderAdmissionOptions } from './provider-admission.js';

// The process-wide gauges: every test uses a provider name of its own.
async function gaugeValue(gauge: Gauge<'provider'>, provider: string): Promise<number | undefined> {
  return (await gauge.get()).values.find((v) => v.labels.provider === provider)?.value;
}

function admission(provider: string, options: Partial<ProviderAdmissionOptions> = {}) {
  const clock = new VirtualClock();
  const admission = new ProviderAdmission({
    provider,
    clock,
    retryAfter: { minMs: 1_000, maxMs: 300_000 },
    adaptivePacing: false,
    ...options,
  });
  const answer = (headers: Record<string, string>, status = 200) =>
    admission.observe({ status, headers, body: {} }, clock.now());
  return { admission, answer };
}

describe('ProviderAdmission rate-limit gauges', () => {
  it('records the quota of the window next to what is left of it, from each response', async () => {
    const { answer } = admission('quota-hubspot');
    answer({ 'x-hubspot-ratelimit-max': '190', 'x-hubspot-ratelimit-remaining': '19' });
    expect(await gaugeValue(metrics.providerRateLimitLimit, 'quota-hubspot')).toBe(190);
    expect(await gaugeValue(metrics.providerRateLimitRemaining, 'quota-hubspot')).toBe(19);

    // The IETF draft's list of policies: the first is the current limit. A 429 reports its headers too.
    answer({ 'ratelimit-limit': '100, 100;w=60', 'ratelimit-remaining': '0', 'retry-after': '1' }, 429);
    expect(await gaugeValue(metrics.providerRateLimitLimit, 'quota-hubspot')).toBe(100);
    expect(await gaugeValue(metrics.providerRateLimitRemaining, 'quota-hubspot')).toBe(0);
  });

  it("reads a connector's own header names instead of the defaults", async () => {
    const { answer } = admission('quota-acme', {
      remainingHeaders: ['x-acme-left'],
      limitHeaders: ['x-acme-quota'],
    });
    answer({ 'x-acme-quota': '60', 'x-acme-left': '6', 'x-ratelimit-limit': '5000' });
    expect(await gaugeValue(metrics.providerRateLimitLimit, 'quota-acme')).toBe(60);

    // Only the default names: not this provider's quota, so the last one it reported stands.
    answer({ 'x-ratelimit-limit': '5000', 'x-acme-left': '5' });
    expect(await gaugeValue(metrics.providerRateLimitLimit, 'quota-acme')).toBe(60);
    expect(await gaugeValue(metrics.providerRateLimitRemaining, 'quota-acme')).toBe(5);
  });

  it('reports no limit for a provider that sends none', async () => {
    const { answer } = admission('quota-silent');
    answer({ 'x-ratelimit-remaining': '3' });
    answer({ 'ratelimit-limit': 'unlimited' });
    expect(await gaugeValue(metrics.providerRateLimitLimit, 'quota-silent')).toBeUndefined();
    expect(await gaugeValue(metrics.providerRateLimitRemaining, 'quota-silent')).toBe(3);
  });
});
