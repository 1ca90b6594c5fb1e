import { waitFor } from '@tributary/connector-sdk/testing';
import type { ConnectorProcessHarness, ConnectorReplica } from '@tributary/connector-sdk/testing';
import { v7 as uuidv7 } from 'uuid';
import { paymentsHarness } from './support.js';

/**
 * Two replicas of connector-payments against one Stripe quota (docs/architecture.md#connectors): each paces
 * to the share of the quota its partitions give it, so together they send what one would, not twice it,
 * and a backlog drains at the quota's whole rate. The simulator counts every request it received, with
 * its arrival time; no throttle is set there, so what it saw is what the replicas chose to send.
 */
const QUOTA_RPS = 20;
const QUOTA_BURST = 4;
/** About 15 s of the quota's rate: long enough to see a sustained rate, not only the saved-up bursts. */
const BACKLOG = 300;

interface RateReport {
  requests: number;
  maxIn1s: number;
}

describe('connector-payments: two replicas share the provider quota', () => {
  let harness: ConnectorProcessHarness;
  let second: ConnectorReplica;

  beforeAll(async () => {
    const env = {
      PROVIDER_RATE_LIMIT_RPS: String(QUOTA_RPS),
      PROVIDER_RATE_LIMIT_BURST: String(QUOTA_BURST),
      LOG_LEVEL: 'info',
    };
    harness = await paymentsHarness(env);
    second = await harness.startReplica(env);
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('together stay within the quota per second and use the whole of it while the backlog lasts', async () => {
    const replicas = [
      { name: 'first', metrics: () => harness.metrics() },
      { name: 'second', metrics: () => second.metrics() },
    ];
    // Both joined the group and split its six partitions: half the quota each.
    await waitFor(
      async () => {
        const shares = await Promise.all(replicas.map(async (r) => gauge(await r.metrics(), 'share')));
        return shares.every((share) => share === 0.5);
      },
      { timeoutMs: 60_000, message: 'both replicas at half the quota' },
    );
    await admin(harness.simUrl, '/rate', { method: 'DELETE' });

    // Each replica's own count of calls, sampled while the backlog drains: a replica is saturated until its
    // count stops growing (its partitions are empty), which ends the stretch both send at once.
    const samples = replicas.map(() => [] as Array<{ at: number; calls: number }>);
    const sampler = setInterval(() => {
      void Promise.all(
        replicas.map(async (r, i) => samples[i]!.push({ at: Date.now(), calls: calls(await r.metrics()) })),
      ).catch(() => undefined);
    }, 200);

    const events = Array.from({ length: BACKLOG }, () => uuidv7());
    try {
      for (const id of events) await harness.trigger({ eventId: id, subject: uuidv7() });
      await waitFor(
        async () => (await Promise.all(events.map((id) => harness.processed(id)))).every(Boolean),
        { timeoutMs: 120_000, intervalMs: 500, message: 'every payment request handled' },
      );
    } finally {
      clearInterval(sampler);
    }

    // Once each: one PaymentIntent per request, whichever replica handled it.
    const ledger = await harness.sim.ledger();
    const effects = ledger.filter((entry) => entry.route === 'POST /v1/payment_intents');
    expect(effects).toHaveLength(BACKLOG);
    expect(effects.every((entry) => entry.effects === 1)).toBe(true);

    // Never above the quota: in any sliding second, the rate plus the burst saved up, and two requests for
    // the arrival jitter of a shared machine (the replicas' bucket arithmetic itself allows exactly N + B).
    const rate = (await (await admin(harness.simUrl, '/rate?provider=stripe')).json()) as RateReport;
    expect(rate.requests).toBeGreaterThanOrEqual(BACKLOG);
    expect(rate.maxIn1s).toBeLessThanOrEqual(QUOTA_RPS + QUOTA_BURST + 2);

    // Both replicas worked: each handled a part of the backlog.
    const finals = samples.map((s) => s[s.length - 1]?.calls ?? 0);
    for (const total of finals) expect(total).toBeGreaterThan(BACKLOG / 6);

    // No collapse: while both replicas had records, the provider saw at least 0.9 × its quota.
    const arrivals = (
      (await (await admin(harness.simUrl, '/requests?route=POST%20/v1/payment_intents')).json()) as Array<{
        at: string;
      }>
    ).map((request) => Date.parse(request.at));
    const start = Math.min(...arrivals);
    const saturatedUntil = Math.min(...samples.map((s, i) => lastGrowth(s, finals[i]!)));
    const seconds = (saturatedUntil - start) / 1000;
    const served = arrivals.filter((at) => at <= saturatedUntil).length;
    expect(seconds).toBeGreaterThan(5);
    process.stdout.write(
      `quota ${QUOTA_RPS}/s burst ${QUOTA_BURST}: ${served} requests in ${seconds.toFixed(1)} s saturated ` +
        `(${(served / seconds).toFixed(1)}/s), max in 1 s ${rate.maxIn1s}, per replica ${finals.join(' + ')}\n`,
    );
    expect(served / seconds).toBeGreaterThanOrEqual(0.9 * QUOTA_RPS);
    expect(served / seconds).toBeLessThanOrEqual(QUOTA_RPS + QUOTA_BURST / seconds + 1);
  }, 240_000);
});

/** `tributary_provider_rate_limit_share{provider="stripe"}` (or another provider gauge) from /metrics. */
function gauge(metrics: string, name: string): number | undefined {
  const line = metrics
    .split('\n')
    .find((l) => l.startsWith(`tributary_provider_rate_limit_${name}{provider="stripe"}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

/** Calls this replica made to the simulator's effect route, by its own duration histogram. */
function calls(metrics: string): number {
  return metrics
    .split('\n')
    .filter(
      (l) =>
        l.startsWith('tributary_provider_request_duration_seconds_count{') &&
        l.includes('provider="stripe"') &&
        !l.includes('status="circuit_open"'),
    )
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

/** When a replica's count first reached its final value: the end of its backlog. */
function lastGrowth(samples: ReadonlyArray<{ at: number; calls: number }>, final: number): number {
  return samples.find((sample) => sample.calls >= final)!.at;
}

async function admin(simUrl: string, path: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(`${simUrl}/__admin${path}`, init);
  if (!response.ok) throw new Error(`provider-sim ${path} → ${response.status}: ${await response.text()}`);
  return response;
}
