import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { faultSchema } from './faults.js';
import { parseJson, readBody, send } from './http.js';
import type { Answer } from './http.js';
import type { SimCore } from './provider.js';
import type { Router } from './router.js';
import { throttleSchema } from './throttle.js';
import { shapeChangeSchema } from './shape-changes.js';
import { deliveryControlsSchema, providerName } from './webhooks.js';

export { providerName };

const clockRequest = z.object({ offsetMs: z.number().int() });

const deliveryRequest = deliveryControlsSchema.extend({
  provider: providerName,
  /** Drop exactly the next n events of this provider, whatever `dropRate` says. */
  dropNext: z.number().int().min(0).optional(),
});

export const ok = (body: unknown): Answer => ({ status: 200, body });

export const adminError = (status: number, code: string, message: string, extra: object = {}): Answer => ({
  status,
  body: { error: { code, message, ...extra } },
});

const invalid = (issues: unknown): Answer => ({
  status: 400,
  body: { error: { code: 'ADMIN_INVALID_BODY', issues } },
});

/** Parses an admin body with a schema: the value, or the 400 to send. */
export async function adminBody<T>(
  req: IncomingMessage,
  schema: z.ZodType<T>,
): Promise<{ value: T } | { answer: Answer }> {
  const json = parseJson(await readBody(req)) ?? {};
  const parsed = schema.safeParse(json);
  return parsed.success ? { value: parsed.data } : { answer: invalid(parsed.error.issues) };
}

/** An admin route beyond the core ones, e.g. drift and seeding, which need the providers' stores. */
export type AdminRoute = (req: IncomingMessage, url: URL) => Promise<Answer>;

/**
 * The simulator's control surface under `/__admin` (see the README): faults, throttles, shape changes, the
 * ledger, webhook delivery controls and attempts, the clock, observed request rates, and the `extra` routes.
 */
export function adminApi(core: SimCore, router: Router<unknown>, extra: Record<string, AdminRoute> = {}) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const route = `${req.method} ${url.pathname.replace(/\/$/, '')}`;
    const answer = async (): Promise<Answer> => {
      switch (route) {
        case 'GET /__admin/routes':
          return ok(router.routes());
        case 'GET /__admin/ledger':
          return ok(core.ledger.snapshot());
        case 'GET /__admin/requests':
          return ok(core.requests.list(url.searchParams.get('route') ?? undefined));
        case 'DELETE /__admin/requests':
          core.requests.clear();
          return ok([]);
        case 'GET /__admin/faults':
          return ok(core.faults.list());
        case 'POST /__admin/faults': {
          const parsed = await adminBody(req, faultSchema);
          if ('answer' in parsed) return parsed.answer;
          core.faults.set(parsed.value);
          return ok(parsed.value);
        }
        case 'DELETE /__admin/faults':
          core.faults.clear();
          return ok([]);
        case 'GET /__admin/throttle':
          return ok(core.throttle.list());
        case 'POST /__admin/throttle': {
          const parsed = await adminBody(req, throttleSchema);
          if ('answer' in parsed) return parsed.answer;
          core.throttle.set(parsed.value);
          return ok(parsed.value);
        }
        case 'DELETE /__admin/throttle':
          core.throttle.clear(url.searchParams.get('route') ?? undefined);
          return ok(core.throttle.list());
        case 'GET /__admin/shape-changes':
          return ok(core.shapes.list());
        case 'POST /__admin/shape-changes': {
          const parsed = await adminBody(req, shapeChangeSchema);
          if ('answer' in parsed) return parsed.answer;
          const { response } = parsed.value;
          // A misspelt route would never match: the test would wait for a change that cannot come.
          if (response !== undefined && !router.routes().includes(response))
            return adminError(
              400,
              'ADMIN_INVALID_BODY',
              `no route ${response}; GET /__admin/routes lists them`,
            );
          return ok(core.shapes.add(parsed.value));
        }
        case 'DELETE /__admin/shape-changes':
          core.shapes.clear();
          return ok([]);
        case 'GET /__admin/webhooks':
          return ok(core.webhooks.attempts());
        case 'DELETE /__admin/webhooks':
          core.webhooks.clearAttempts();
          return ok([]);
        case 'GET /__admin/webhooks/pending':
          return ok({ series: core.webhooks.pending() });
        case 'GET /__admin/webhooks/delivery':
          return ok(core.webhooks.allControls());
        case 'POST /__admin/webhooks/delivery': {
          const parsed = await adminBody(req, deliveryRequest);
          if ('answer' in parsed) return parsed.answer;
          const { provider, dropNext, ...controls } = parsed.value;
          const merged = core.webhooks.setControls(provider, controls);
          if (dropNext !== undefined) core.webhooks.setDropNext(provider, dropNext);
          return ok({ provider, ...merged, dropNext: core.webhooks.dropNext(provider) });
        }
        case 'DELETE /__admin/webhooks/delivery':
          core.webhooks.resetControls();
          return ok(core.webhooks.allControls());
        case 'GET /__admin/clock':
          return ok(clockView(core));
        case 'POST /__admin/clock': {
          const parsed = await adminBody(req, clockRequest);
          if ('answer' in parsed) return parsed.answer;
          core.clock.setOffset(parsed.value.offsetMs);
          return ok(clockView(core));
        }
        case 'GET /__admin/rate': {
          const provider = providerName.safeParse(url.searchParams.get('provider'));
          if (!provider.success)
            return adminError(
              400,
              'ADMIN_INVALID_QUERY',
              'provider must be one of stripe, hubspot, easypost, generic',
            );
          return ok(core.rates.report(provider.data, url.searchParams.get('route') ?? undefined));
        }
        case 'DELETE /__admin/rate':
          core.rates.reset();
          return ok({});
        case 'POST /__admin/reset':
          core.faults.clear();
          core.shapes.clear();
          core.ledger.reset();
          core.throttle.clear();
          core.webhooks.resetControls();
          core.webhooks.clearAttempts();
          core.rates.reset();
          core.requests.clear();
          core.clock.setOffset(0);
          return ok({});
        default: {
          const handler = extra[route];
          if (handler) return handler(req, url);
          return adminError(404, 'ADMIN_UNKNOWN_ROUTE', `no admin route ${route}`);
        }
      }
    };
    send(res, await answer());
  };
}

function clockView(core: SimCore) {
  return { offsetMs: core.clock.offsetMs, now: core.clock.date().toISOString() };
}
