import { TributaryError } from '@tributary/contracts';
import { decodeCursor, encodeCursor, isProviderError, pageSizeFor } from '@tributary/connector-sdk';
import type {
  ConnectorReader,
  ReadPage,
  ReadRecord,
  ReadRequest,
  ReaderContext,
} from '@tributary/connector-sdk';
import { STRIPE_METADATA } from '@tributary/webhooks';
import { z } from 'zod';
import type { StripeClient, StripePaymentIntent } from './stripe.client.js';

/** The external_refs type the payment handler records a PaymentIntent under. */
export const PAYMENT_INTENT_REF = 'payment_intent';

/** Stripe's largest list page. */
const STRIPE_MAX_PAGE = 100;
/**
 * Ids per IDS page: each costs one GET at low priority, and a page must fit in what the bucket holds above
 * its reserve (25 burst, 12.5 reserved) or its last calls are refused and the whole page is read again.
 */
const IDS_PAGE = 10;
/**
 * Intents an incremental cursor may remember (see `seen`): far above what a window holds in practice (only
 * intents created before the walk's position and changed after it stay remembered), and a bound on the size
 * of the token the reconciler stores and sends back.
 */
const MAX_REMEMBERED = 2_000;

export const StripeReadErrorCode = {
  /** An incremental window holds more long-lived intents than its cursor can remember: use a FULL run. */
  windowTooLarge: 'STRIPE_READ_WINDOW_TOO_LARGE',
} as const;

const incrementalCursor = z.object({
  mode: z.literal('INCREMENTAL'),
  /** The last event read: Stripe's `starting_after`. */
  after: z.string(),
  /** [intent id, its `created` (s)] of intents already answered whose older events may still come. */
  seen: z.array(z.tuple([z.string(), z.number()])),
});
const fullCursor = z.object({ mode: z.literal('FULL'), after: z.string() });
const idsCursor = z.object({ mode: z.literal('IDS'), offset: z.number().int().min(0) });

type Context = ReaderContext<StripeClient, unknown>;

/**
 * Payments as Stripe holds them, normalised to `reconciledEntities.payment.ownedFields`.
 *
 * - INCREMENTAL: the `payment_intent.*` events created in [changedFrom, changedTo] (whole seconds, both
 *   inclusive), newest first, one list call per page. An intent answers once per walk, with the object of
 *   its newest event in the window (`data.object`, no extra call) and that event's time as its version: an
 *   older state answered later would read as the owner going back. The cursor remembers the intents
 *   answered until the walk has passed their creation (no older event of theirs can follow).
 * - FULL: every PaymentIntent, newest first, with its latest charge expanded: one list call per page; the
 *   version is the latest of `created`, `canceled_at` and the charge's `created`.
 * - IDS: each id's PaymentIntents from external_refs (`payment_intent`), one GET each, 10 ids a page; an id
 *   Stripe or external_refs does not know is left out.
 */
export const paymentReader: ConnectorReader<StripeClient, unknown> = async (request, ctx) => {
  switch (request.mode) {
    case 'INCREMENTAL':
      return readChanges(request, ctx);
    case 'FULL':
      return readAll(request, ctx);
    case 'IDS':
      return readIds(request, ctx);
  }
};

async function readChanges(request: ReadRequest, ctx: Context): Promise<ReadPage> {
  const state = request.cursor ? decodeCursor(request.cursor, incrementalCursor) : undefined;
  const created = {
    ...(request.changedFrom === null ? {} : { gte: Math.floor(request.changedFrom / 1000) }),
    ...(request.changedTo === null ? {} : { lte: Math.floor(request.changedTo / 1000) }),
  };
  const page = await ctx.provider.listEvents(
    'payment_intent.*',
    {
      limit: pageSizeFor(request, STRIPE_MAX_PAGE),
      ...(state ? { startingAfter: state.after } : {}),
      created,
    },
    ctx.signal,
  );
  const seen = new Map(state?.seen ?? []);
  const records: ReadRecord[] = [];
  for (const event of page.data) {
    const intent = event.data.object;
    // Newest first: the first event of an intent in the walk is its newest in the window.
    if (seen.has(intent.id)) continue;
    seen.set(intent.id, intent.created ?? event.created);
    records.push(await recordOf(intent, event.created * 1000, ctx));
  }
  const last = page.data.at(-1);
  if (!page.has_more || !last) return { records, nextCursor: null, complete: true };
  // Older events of an intent come no earlier than its creation: once the walk is past it, forget it.
  const remembered = [...seen].filter(([, createdAt]) => createdAt <= last.created);
  if (remembered.length > MAX_REMEMBERED) {
    throw new TributaryError(
      StripeReadErrorCode.windowTooLarge,
      `more than ${MAX_REMEMBERED} intents changed across this incremental window: reconcile payments with a FULL run`,
    );
  }
  return {
    records,
    nextCursor: encodeCursor({ mode: 'INCREMENTAL', after: last.id, seen: remembered }),
    complete: false,
  };
}

async function readAll(request: ReadRequest, ctx: Context): Promise<ReadPage> {
  const state = request.cursor ? decodeCursor(request.cursor, fullCursor) : undefined;
  const page = await ctx.provider.listPaymentIntents(
    { limit: pageSizeFor(request, STRIPE_MAX_PAGE), ...(state ? { startingAfter: state.after } : {}) },
    ctx.signal,
  );
  const records: ReadRecord[] = [];
  for (const intent of page.data) records.push(await recordOf(intent, versionOf(intent), ctx));
  const last = page.data.at(-1);
  if (!page.has_more || !last) return { records, nextCursor: null, complete: true };
  return { records, nextCursor: encodeCursor({ mode: 'FULL', after: last.id }), complete: false };
}

async function readIds(request: ReadRequest, ctx: Context): Promise<ReadPage> {
  const offset = request.cursor ? decodeCursor(request.cursor, idsCursor).offset : 0;
  const end = Math.min(request.ids.length, offset + Math.min(IDS_PAGE, pageSizeFor(request, IDS_PAGE)));
  const records: ReadRecord[] = [];
  for (const id of request.ids.slice(offset, end)) {
    for (const ref of await ctx.externalRefs.findByInternalId(PAYMENT_INTENT_REF, id)) {
      let intent: StripePaymentIntent;
      try {
        intent = await ctx.provider.retrievePaymentIntent(ref.externalId, ctx.signal, {
          expandLatestCharge: true,
        });
      } catch (error) {
        // Stripe no longer has it (test data purged, another account): not an object of this page.
        if (isProviderError(error) && error.status === 404) continue;
        throw error;
      }
      records.push(await recordOf(intent, versionOf(intent), ctx, ref.internalId));
    }
  }
  if (end >= request.ids.length) return { records, nextCursor: null, complete: true };
  return { records, nextCursor: encodeCursor({ mode: 'IDS', offset: end }), complete: false };
}

async function recordOf(
  intent: StripePaymentIntent,
  ownerUpdatedAt: number,
  ctx: Context,
  knownInternalId?: string,
): Promise<ReadRecord> {
  const internalId =
    intent.metadata?.[STRIPE_METADATA.paymentId] ??
    knownInternalId ??
    (await ctx.externalRefs.find(PAYMENT_INTENT_REF, intent.id))?.internalId ??
    null;
  return {
    externalId: intent.id,
    internalId,
    ownerUpdatedAt,
    deleted: false,
    fields: paymentFields(intent),
  };
}

/** `reconciledEntities.payment.ownedFields` of an intent: status, amountMinor, currency, orderId. */
export function paymentFields(intent: StripePaymentIntent): Record<string, string | null> {
  const status = paymentStatus(intent);
  return {
    status,
    amountMinor: String(status === 'succeeded' ? (intent.amount_received ?? intent.amount) : intent.amount),
    currency: intent.currency.toUpperCase(),
    orderId: intent.metadata?.[STRIPE_METADATA.orderId] ?? null,
  };
}

/**
 * Stripe's statuses onto ours: an intent back at `requires_payment_method` with an error is a failed
 * attempt; everything else that is neither succeeded nor canceled is still on its way.
 */
export function paymentStatus(intent: StripePaymentIntent): 'pending' | 'succeeded' | 'failed' | 'canceled' {
  if (intent.status === 'succeeded') return 'succeeded';
  if (intent.status === 'canceled') return 'canceled';
  if (intent.status === 'requires_payment_method' && intent.last_payment_error) return 'failed';
  return 'pending';
}

/**
 * When Stripe last changed the intent, as far as the object tells (it has no `updated`): the latest of its
 * creation, its cancellation and its latest charge (a confirmation or a failed attempt makes one). Epoch ms.
 */
export function versionOf(intent: StripePaymentIntent): number {
  const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
  const seconds = Math.max(intent.created ?? 0, intent.canceled_at ?? 0, charge?.created ?? 0);
  return seconds * 1000;
}
