import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { easypostWebhook, hubspotWebhook, stripeWebhook } from '@tributary/webhooks';
import { adminApi } from './core/admin.js';
import { SimClock } from './core/clock.js';
import { driftRoute } from './core/drift.js';
import { seedRoute } from './core/seed.js';
import { ShapeChanges } from './core/shape-changes.js';
import { FaultTable } from './core/faults.js';
import { header, send } from './core/http.js';
import { IdempotencyStore } from './core/idempotency.js';
import { EffectsLedger } from './core/ledger.js';
import type { Provider, RouteHandler, SimCore } from './core/provider.js';
import { Router } from './core/router.js';
import type { Random } from './core/random.js';
import { RateObserver } from './core/rates.js';
import { RequestLog } from './core/request-log.js';
import { Throttle } from './core/throttle.js';
import { DEFAULT_DELIVERY, WebhookSender } from './core/webhooks.js';
import type { DeliveryControls, ProviderName, RetryPolicy, WebhookEndpoint } from './core/webhooks.js';
import { easypostProvider } from './easypost/easypost.provider.js';
import { genericProvider } from './generic/generic.provider.js';
import { hubspotProvider } from './hubspot/hubspot.provider.js';
import { stripeProvider } from './stripe/stripe.provider.js';

export interface ProviderSimOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Where to send signed Stripe events about created PaymentIntents; none when absent. */
  stripeWebhook?: WebhookEndpoint;
  /** Where to send signed EasyPost `tracker.updated` events after a buy; none when absent. */
  easypostWebhook?: WebhookEndpoint;
  /**
   * Where to send HubSpot contact webhooks (batched subscription events, signature v3) after upserts that
   * created or changed a contact; none when absent. The URL is signed, so it must be the one the receiver sees.
   */
  hubspotWebhook?: WebhookEndpoint;
  /** How long HubSpot webhook events collect into one batched request. Default 250 ms. */
  hubspotWebhookBatchMs?: number;
  /** Time between tracker statuses after a buy. Default 500 ms. */
  easypostTrackingStepMs?: number;
  /** HubSpot's requests per rolling ten seconds. Default 190. */
  hubspotRateLimitMax?: number;
  /** HubSpot's searches per second per token, on top of the ten-second window. Default 5. */
  hubspotSearchRateLimit?: number;
  /** Delivery controls every provider starts with (the admin API changes them per provider). */
  webhookDelivery?: Partial<DeliveryControls>;
  webhookRetry?: Partial<RetryPolicy>;
  /** How long each provider keeps an idempotency key on the simulator's clock (defaults: 24 h). */
  idempotencyKeyLifetimeMs?: Partial<Record<ProviderName, number>>;
  /** Real time before a new PaymentIntent shows in Stripe's search (eventually consistent there). */
  stripeSearchIndexDelayMs?: number;
  /** Dice for faults, latency draws and dropped webhooks; seed it for repeatable runs. */
  random?: Random;
}

export interface ProviderSim {
  readonly url: string;
  readonly ledger: EffectsLedger;
  readonly faults: FaultTable;
  readonly throttle: Throttle;
  readonly webhooks: WebhookSender;
  close(): Promise<void>;
}

/**
 * Provider APIs for tests, demos and benchmarks (docs/architecture.md#connectors): Stripe, HubSpot, EasyPost
 * and a generic effect route, on one shared core (routing, faults, throttle, shape changes, idempotency, ledger,
 * webhooks),
 * with an admin API under `/__admin`.
 */
export async function startProviderSim(options: ProviderSimOptions = {}): Promise<ProviderSim> {
  const random = options.random ?? Math.random;
  const shapes = new ShapeChanges();
  const webhooks = new WebhookSender(
    { ...DEFAULT_DELIVERY, ...options.webhookDelivery },
    { maxAttempts: 4, baseDelayMs: 500, ...options.webhookRetry },
    random,
    (provider, event) => shapes.webhook(provider, event),
  );
  // A secret the provider's scheme refuses stops the start (register checks it).
  if (options.stripeWebhook) webhooks.register('stripe', options.stripeWebhook, stripeWebhook.scheme);
  if (options.easypostWebhook) webhooks.register('easypost', options.easypostWebhook, easypostWebhook.scheme);
  if (options.hubspotWebhook) webhooks.register('hubspot', options.hubspotWebhook, hubspotWebhook.scheme);

  const clock = new SimClock();
  const core: SimCore = {
    faults: new FaultTable(random),
    ledger: new EffectsLedger(),
    throttle: new Throttle(),
    shapes,
    idempotency: new IdempotencyStore(clock, options.idempotencyKeyLifetimeMs),
    webhooks,
    held: new Set(),
    rates: new RateObserver(),
    clock,
    requests: new RequestLog(),
  };
  const providers: Provider[] = [
    stripeProvider(core, { searchIndexDelayMs: options.stripeSearchIndexDelayMs ?? 1_000 }),
    hubspotProvider(core, {
      rateLimitMax: options.hubspotRateLimitMax ?? 190,
      webhookBatchWindowMs: options.hubspotWebhookBatchMs ?? 250,
      searchRateLimitPerSecond: options.hubspotSearchRateLimit ?? 5,
    }),
    easypostProvider(core, { trackingStepMs: options.easypostTrackingStepMs ?? 500 }),
    genericProvider(core),
  ];
  const router = new Router<{ provider: Provider; handler: RouteHandler }>();
  for (const provider of providers) {
    for (const route of provider.routes)
      router.add(route.method, route.path, { provider, handler: route.handler });
  }

  const drifts = Object.fromEntries(providers.flatMap((p) => (p.drift ? [[p.name, p.drift]] : [])));
  const seeders = Object.fromEntries(providers.flatMap((p) => (p.seed ? [[p.name, p.seed]] : [])));
  const admin = adminApi(core, router, {
    'POST /__admin/drift': driftRoute(drifts),
    'POST /__admin/seed': seedRoute(seeders, () => core.clock.now()),
    'GET /__admin/objects': async () => ({
      status: 200,
      body: Object.fromEntries(providers.flatMap((p) => (p.counts ? [[p.name, p.counts()]] : []))),
    }),
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    const handle = async () => {
      if (path === '/health') return send(res, { status: 200, body: { status: 'ok' } });
      if (path.startsWith('/__admin/')) return admin(req, res, url);
      const match = router.match(req.method ?? 'GET', path);
      if (match) {
        const { provider, handler } = match.value;
        core.rates.record(provider.name, match.route);
        core.requests.record(provider.name, match.route, header(req, 'traceparent'));
        return handler(
          core,
          provider,
          { req, route: match.route, params: match.params, query: url.searchParams },
          res,
        );
      }
      send(res, owner(providers, path).errors.notFound(req.method ?? 'GET', path));
    };
    handle().catch((error: unknown) => {
      if (!res.headersSent)
        send(res, {
          status: 500,
          body: { error: { code: 'SIM_INTERNAL', message: (error as Error).message } },
        });
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    ledger: core.ledger,
    faults: core.faults,
    throttle: core.throttle,
    webhooks,
    close: async () => {
      await webhooks.close();
      for (const res of core.held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The provider whose prefix is the longest match, so unknown paths get a plausible 404. */
function owner(providers: readonly Provider[], path: string): Provider {
  let best = providers[0]!;
  let length = -1;
  for (const provider of providers) {
    for (const prefix of provider.prefixes) {
      if (path.startsWith(prefix) && prefix.length > length) {
        best = provider;
        length = prefix.length;
      }
    }
  }
  return best;
}
