import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { adminBody, adminError, providerName } from './admin.js';
import type { AdminRoute } from './admin.js';
import type { Answer } from './http.js';
import { seededRandom } from './random.js';
import type { Random } from './random.js';
import type { ProviderName } from './webhooks.js';

export const MAX_SEED = 1_000_000;
const WEEK_MS = 7 * 24 * 3600 * 1000;

/** What every provider's seeding takes, besides its own options. */
export const seedBase = z.object({
  count: z.number().int().min(1).max(MAX_SEED),
  /** The share of objects the provider then changes behind the platform's back (exactly round(count × rate)). */
  driftRate: z.number().min(0).max(1).default(0),
  /** Dice for the drifted objects and any other draw, so a benchmark can repeat a run. */
  seed: z.number().int().optional(),
  /** Objects are created evenly over the last `spreadMs` (by the simulator's clock), oldest first. */
  spreadMs: z.number().int().min(0).default(WEEK_MS),
});

export type SeedBase = z.infer<typeof seedBase>;

/** Where seeded object `index` sits in time, and whether it drifted. */
export interface SeedPlan {
  readonly count: number;
  readonly now: number;
  createdAt(index: number): number;
  drifted(index: number): boolean;
  readonly random: Random;
}

/** One provider's bulk creation: many objects at once, no webhooks, and the ids it used. */
export interface SeedHandler<T extends SeedBase = SeedBase> {
  readonly schema: z.ZodType<T>;
  apply(request: T, plan: SeedPlan): Answer;
}

/**
 * Exactly `round(count × rate)` distinct indexes, drawn by a partial Fisher–Yates shuffle: a benchmark knows
 * how many objects drifted, and with a seed which ones.
 */
export function pickDrifted(count: number, rate: number, random: Random): Uint8Array {
  const marks = new Uint8Array(count);
  const wanted = Math.round(count * rate);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = 0; i < wanted; i++) {
    const j = i + Math.floor(random() * (count - i));
    const picked = order[j]!;
    order[j] = order[i]!;
    order[i] = picked;
    marks[picked] = 1;
  }
  return marks;
}

export function seedPlan(request: SeedBase, now: number): SeedPlan {
  const random = request.seed === undefined ? Math.random : seededRandom(request.seed);
  const marks = pickDrifted(request.count, request.driftRate, random);
  const start = now - request.spreadMs;
  return {
    count: request.count,
    now,
    random,
    createdAt: (index) => start + Math.floor((index * request.spreadMs) / request.count),
    drifted: (index) => marks[index] === 1,
  };
}

const envelope = z.object({ provider: providerName }).loose();

/** `POST /__admin/seed`: hands the body to the named provider's seeder. */
export function seedRoute(
  handlers: Partial<Record<ProviderName, SeedHandler>>,
  now: () => number,
): AdminRoute {
  return async (req: IncomingMessage): Promise<Answer> => {
    const parsed = await adminBody(req, envelope);
    if ('answer' in parsed) return parsed.answer;
    const handler = handlers[parsed.value.provider];
    if (!handler) return adminError(400, 'ADMIN_INVALID_BODY', `${parsed.value.provider} takes no seeding`);
    const request = handler.schema.safeParse(parsed.value);
    if (!request.success)
      return { status: 400, body: { error: { code: 'ADMIN_INVALID_BODY', issues: request.error.issues } } };
    return handler.apply(request.data, seedPlan(request.data, now()));
  };
}
