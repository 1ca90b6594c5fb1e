import {
  decodeCursor,
  encodeCursor,
  isProviderError,
  malformedAnswer,
  pageSizeFor,
} from '@tributary/connector-sdk';
import type {
  ConnectorReader,
  ReadPage,
  ReadRecord,
  ReadRequest,
  ReaderContext,
} from '@tributary/connector-sdk';
import { EASYPOST_REFS } from '@tributary/webhooks';
import { z } from 'zod';
import type { EasyPostClient, EasyPostShipment } from './easypost.client.js';

/** EasyPost's largest list page. */
const LIST_MAX_PAGE = 100;
/**
 * References per IDS page: each costs one GET at low priority, and a page must fit in what the bucket holds
 * above its reserve (20 burst, 10 reserved) or its last calls are refused and the page is read again.
 */
const IDS_PAGE = 8;
const DAY_MS = 24 * 3600 * 1000;

export interface ShipmentReaderConfig {
  /** How far before the window an incremental read lists shipments whose trackers may still move. */
  readonly EASYPOST_RECONCILE_LOOKBACK_DAYS: number;
}

const listCursor = z.object({ mode: z.enum(['INCREMENTAL', 'FULL']), before: z.string() });
const idsCursor = z.object({ mode: z.literal('IDS'), offset: z.number().int().min(0) });

type Context = ReaderContext<EasyPostClient, ShipmentReaderConfig>;

/**
 * Shipments as EasyPost holds them, normalised to `reconciledEntities.shipment.ownedFields`: `status`
 * (`delivered` once the tracker says so, `created` once it has a tracking code, else `requested`), `carrier`,
 * `trackingNumber`, `orderId`. EasyPost holds no order id of ours: `orderId` is the one the handler recorded
 * with the shipment (`external_refs` `shipment_order`), so it never disagrees by itself. `internalId` is the
 * shipment's `reference` (our shipment id, as the handler creates it), else `external_refs` `shipment`. The
 * version is the later of the shipment's and its tracker's `updated_at`.
 *
 * - INCREMENTAL: EasyPost filters lists by creation only, while a shipment changes for as long as its parcel
 *   moves. So the reader lists (newest first, 100 a page, one call) the shipments created from
 *   `changedFrom` minus `EASYPOST_RECONCILE_LOOKBACK_DAYS` (14 by default: a parcel is nearly always delivered,
 *   returned or lost by then) up to `changedTo`, and answers those whose version lies in the window. A parcel
 *   still moving after the look-back is only seen by a FULL run.
 * - FULL: every shipment, bought or not, newest first, 100 a page: one list call a page.
 * - IDS: `GET /v2/shipments/<our id>` (EasyPost takes the reference in place of its id), 8 a page; ids EasyPost
 *   does not know are left out.
 */
export const shipmentReader: ConnectorReader<EasyPostClient, ShipmentReaderConfig> = async (request, ctx) => {
  switch (request.mode) {
    case 'INCREMENTAL':
    case 'FULL':
      return readList(request, ctx);
    case 'IDS':
      return readIds(request, ctx);
  }
};

async function readList(request: ReadRequest, ctx: Context): Promise<ReadPage> {
  const state = request.cursor ? decodeCursor(request.cursor, listCursor) : undefined;
  const incremental = request.mode === 'INCREMENTAL';
  const from = request.changedFrom ?? 0;
  const to = request.changedTo ?? Number.POSITIVE_INFINITY;
  const lookbackMs = ctx.config.EASYPOST_RECONCILE_LOOKBACK_DAYS * DAY_MS;
  const page = await ctx.provider.listShipments(
    {
      pageSize: pageSizeFor(request, LIST_MAX_PAGE),
      purchased: false,
      ...(state ? { beforeId: state.before } : {}),
      ...(incremental ? { createdFrom: new Date(Math.max(0, from - lookbackMs)) } : {}),
      ...(incremental && request.changedTo !== null ? { createdTo: new Date(request.changedTo) } : {}),
    },
    ctx.signal,
  );
  const inWindow = page.shipments.filter((shipment) => {
    const version = versionOf(shipment);
    return !incremental || (version >= from && version <= to);
  });
  const records = await recordsOf(inWindow, ctx);
  const last = page.shipments.at(-1);
  if (!page.has_more || !last) return { records, nextCursor: null, complete: true };
  return {
    records,
    nextCursor: encodeCursor({ mode: request.mode, before: last.id }),
    complete: false,
  };
}

async function readIds(request: ReadRequest, ctx: Context): Promise<ReadPage> {
  const offset = request.cursor ? decodeCursor(request.cursor, idsCursor).offset : 0;
  const end = Math.min(request.ids.length, offset + pageSizeFor(request, IDS_PAGE));
  const records: ReadRecord[] = [];
  for (const id of request.ids.slice(offset, end)) {
    let shipment: EasyPostShipment;
    try {
      shipment = await ctx.provider.retrieveShipment(id, ctx.signal);
    } catch (error) {
      if (isProviderError(error) && error.status === 404) continue;
      throw error;
    }
    // EasyPost answers an id it takes for one of its own too: only our reference makes it ours.
    if (shipment.reference !== id) continue;
    records.push(...(await recordsOf([shipment], ctx)));
  }
  if (end >= request.ids.length) return { records, nextCursor: null, complete: true };
  return { records, nextCursor: encodeCursor({ mode: 'IDS', offset: end }), complete: false };
}

/** The page's shipments as owner records; the refs they need are read in two queries for the page. */
async function recordsOf(shipments: readonly EasyPostShipment[], ctx: Context): Promise<ReadRecord[]> {
  const ids = shipments.map((shipment) => shipment.id);
  const [ours, orders] = await Promise.all([
    ctx.externalRefs.findMany(EASYPOST_REFS.shipment, ids),
    ctx.externalRefs.findMany(EASYPOST_REFS.order, ids),
  ]);
  return shipments.map((shipment) => ({
    externalId: shipment.id,
    internalId: shipment.reference ?? ours.get(shipment.id)?.internalId ?? null,
    ownerUpdatedAt: versionOf(shipment),
    deleted: false,
    fields: shipmentFields(shipment, orders.get(shipment.id)?.internalId ?? null),
  }));
}

/** `reconciledEntities.shipment.ownedFields` of a shipment, with the order id recorded for it. */
export function shipmentFields(
  shipment: EasyPostShipment,
  orderId: string | null,
): Record<string, string | null> {
  const trackingNumber = shipment.tracking_code ?? shipment.tracker?.tracking_code ?? null;
  return {
    status: shipmentStatus(shipment),
    carrier: shipment.selected_rate?.carrier ?? shipment.tracker?.carrier ?? null,
    trackingNumber,
    orderId,
  };
}

/** Ours are coarser than EasyPost's: a label bought (a tracking code) is `created`, the tracker's last word `delivered`. */
export function shipmentStatus(shipment: EasyPostShipment): 'requested' | 'created' | 'delivered' {
  if (shipment.tracker?.status === 'delivered') return 'delivered';
  if (shipment.tracking_code ?? shipment.tracker?.tracking_code) return 'created';
  return 'requested';
}

/** The later of the shipment's and its tracker's `updated_at`, epoch ms. */
export function versionOf(shipment: EasyPostShipment): number {
  const times = [shipment.updated_at, shipment.tracker?.updated_at].map((at) =>
    at ? Date.parse(at) : Number.NaN,
  );
  const version = Math.max(...times.filter((at) => Number.isFinite(at)));
  if (!Number.isFinite(version))
    throw malformedAnswer('easypost', 'shipments', `shipment ${shipment.id} without updated_at`);
  return version;
}
