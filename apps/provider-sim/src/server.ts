import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripeWebhook } from '@tributary/webhooks';
import { FaultTable, faultSchema } from './faults.js';
import { EffectsLedger } from './ledger.js';
import { fingerprint, parseStripeForm } from './stripe/form.js';
import { PaymentIntentStore, stripeError, validateCreate } from './stripe/payment-intents.js';
import type { StripeAnswer } from './stripe/payment-intents.js';
import { sendPaymentIntentEvent } from './stripe/webhook-sender.js';
import type { WebhookDelivery, WebhookTarget } from './stripe/webhook-sender.js';

export interface ProviderSimOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Where to send signed Stripe events about created PaymentIntents; none when absent. */
  stripeWebhook?: WebhookTarget;
}

export interface ProviderSim {
  readonly url: string;
  readonly ledger: EffectsLedger;
  readonly faults: FaultTable;
  close(): Promise<void>;
}

interface KeyState {
  fingerprint: string;
  /** Set once the effect is applied: every later request with the key gets exactly this. */
  answer?: StripeAnswer;
}

const CREATE_INTENT = 'POST /v1/payment_intents';

/**
 * A Stripe-shaped provider for tests, demos and benchmarks (DESIGN §8): PaymentIntents with Stripe's
 * idempotency rules, faults per route, and a ledger of effects per idempotency key at `/__admin/ledger`.
 */
export async function startProviderSim(options: ProviderSimOptions = {}): Promise<ProviderSim> {
  // A secret the Stripe scheme cannot use stops the start, instead of every delivery failing later.
  if (options.stripeWebhook) stripeWebhook.scheme.keyOf(options.stripeWebhook.secret);
  const ledger = new EffectsLedger();
  const faults = new FaultTable();
  const intents = new PaymentIntentStore();
  const keys = new Map<string, KeyState>();
  const webhooks: WebhookDelivery[] = [];
  const held = new Set<ServerResponse>();

  async function createIntent(req: IncomingMessage, res: ServerResponse): Promise<void> {
    ledger.countRequest(CREATE_INTENT);
    if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) {
      return send(res, stripeError(401, 'invalid_request_error', 'You did not provide an API key.'));
    }
    const params = parseStripeForm(await readBody(req));
    const key = header(req, 'idempotency-key') ?? '(no key)';
    const latency = faults.latencyMs(CREATE_INTENT, key);
    if (latency > 0) await sleep(latency);
    const print = fingerprint(params);
    const entry = ledger.entry(CREATE_INTENT, key);
    entry.requests += 1;

    const known = keys.get(key);
    if (known && known.fingerprint !== print) {
      return send(
        res,
        stripeError(
          400,
          'idempotency_error',
          `Keys for idempotent requests can only be used with the same parameters they were first used with.`,
        ),
      );
    }
    if (known?.answer) {
      const late = faults.afterEffectDelayMs(CREATE_INTENT, key);
      if (late > 0) await sleep(late);
      return send(res, known.answer, { 'idempotent-replayed': 'true' });
    }
    if (known) {
      return send(
        res,
        stripeError(
          409,
          'idempotency_error',
          'There is currently another in-progress request using this Idempotency-Key.',
          {
            code: 'idempotency_key_in_use',
          },
        ),
      );
    }

    const invalid = validateCreate(params);
    if (invalid) return send(res, invalid);
    const before = faults.beforeEffect(CREATE_INTENT, key);
    if (before.kind === 'error')
      return send(res, stripeError(before.status, 'api_error', 'Simulated provider failure.'));
    if (before.kind === 'rate_limited') {
      return send(res, stripeError(429, 'rate_limit_error', 'Too many requests.'), {
        'retry-after': String(before.retryAfterSeconds),
      });
    }

    const state: KeyState = { fingerprint: print };
    keys.set(key, state);
    const { intent, answer } = intents.create(params);
    state.answer = answer;
    entry.effects += 1;
    entry.objectId = intent.id;
    if (options.stripeWebhook)
      void sendPaymentIntentEvent(options.stripeWebhook, intent).then((d) => webhooks.push(d));

    const after = faults.afterEffect(CREATE_INTENT, key);
    if (after.kind === 'timeout') {
      // The answer is lost: hold the request until the client gives up.
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    if (after.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    const delay = faults.afterEffectDelayMs(CREATE_INTENT, key);
    if (delay > 0) await sleep(delay);
    send(res, answer);
  }

  function getIntent(id: string, req: IncomingMessage, res: ServerResponse): void {
    ledger.countRequest('GET /v1/payment_intents/:id');
    if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) {
      return send(res, stripeError(401, 'invalid_request_error', 'You did not provide an API key.'));
    }
    const intent = intents.get(id);
    send(
      res,
      intent
        ? { status: 200, body: intent }
        : stripeError(404, 'invalid_request_error', `No such payment_intent: '${id}'`, {
            code: 'resource_missing',
          }),
    );
  }

  async function admin(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && path === '/__admin/ledger')
      return send(res, { status: 200, body: ledger.snapshot() });
    if (req.method === 'GET' && path === '/__admin/faults')
      return send(res, { status: 200, body: faults.list() });
    if (req.method === 'GET' && path === '/__admin/webhooks')
      return send(res, { status: 200, body: webhooks });
    if (req.method === 'POST' && path === '/__admin/faults') {
      const parsed = faultSchema.safeParse(JSON.parse((await readBody(req)) || '{}'));
      if (!parsed.success) return send(res, { status: 400, body: { error: parsed.error.issues } });
      faults.set(parsed.data);
      return send(res, { status: 200, body: parsed.data });
    }
    if (req.method === 'DELETE' && path === '/__admin/faults') {
      faults.clear();
      return send(res, { status: 200, body: [] });
    }
    if (req.method === 'POST' && path === '/__admin/reset') {
      faults.clear();
      ledger.reset();
      return send(res, { status: 200, body: {} });
    }
    send(res, { status: 404, body: { error: 'unknown admin route' } });
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://sim').pathname;
    const route = async () => {
      if (path === '/health') return send(res, { status: 200, body: { status: 'ok' } });
      if (path.startsWith('/__admin/')) return admin(path, req, res);
      if (req.method === 'POST' && path === '/v1/payment_intents') return createIntent(req, res);
      const get = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
      if (req.method === 'GET' && get) return getIntent(get[1]!, req, res);
      send(
        res,
        stripeError(404, 'invalid_request_error', `Unrecognized request URL (${req.method}: ${path}).`),
      );
    };
    route().catch((error: unknown) => {
      if (!res.headersSent) send(res, stripeError(500, 'api_error', (error as Error).message));
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    ledger,
    faults,
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, answer: StripeAnswer, headers: Record<string, string> = {}): void {
  // The client may have given up while a fault held the answer back.
  if (res.destroyed) return;
  const body = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    'request-id': `req_${Date.now()}`,
    ...headers,
  });
  res.end(body);
}
