import { z } from 'zod';
import { SimClock } from '../core/clock.js';
import { randomHex, sortableId } from '../core/ids.js';
import { Timeline } from '../core/timeline.js';
import type { Page, PageQuery, Stamp } from '../core/timeline.js';

const address = z.object({
  name: z.string().nullish(),
  company: z.string().nullish(),
  street1: z.string().min(1),
  street2: z.string().nullish(),
  city: z.string().min(1),
  state: z.string().nullish(),
  zip: z.string().min(1),
  country: z.string().min(2),
  phone: z.string().nullish(),
  email: z.string().nullish(),
});

export const createShipmentSchema = z.object({
  shipment: z.object({
    reference: z.string().nullish(),
    to_address: address,
    from_address: address,
    parcel: z.object({
      weight: z.number().positive(),
      length: z.number().positive().nullish(),
      width: z.number().positive().nullish(),
      height: z.number().positive().nullish(),
    }),
  }),
});

export const buySchema = z.object({ rate: z.object({ id: z.string().min(1) }) });

export type CreateShipment = z.infer<typeof createShipmentSchema>['shipment'];

export interface Rate {
  id: string;
  object: 'Rate';
  shipment_id: string;
  carrier: string;
  service: string;
  rate: string;
  currency: 'USD';
  delivery_days: number;
  mode: 'test';
}

export const TRACKER_STATUSES = [
  'unknown',
  'pre_transit',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'available_for_pickup',
  'return_to_sender',
  'failure',
  'cancelled',
  'error',
] as const;

export type TrackerStatus = (typeof TRACKER_STATUSES)[number];

export interface TrackingDetail {
  object: 'TrackingDetail';
  status: TrackerStatus;
  message: string;
  datetime: string;
}

export interface Tracker {
  id: string;
  object: 'Tracker';
  mode: 'test';
  status: TrackerStatus;
  tracking_code: string;
  carrier: string;
  shipment_id: string;
  public_url: string;
  est_delivery_date: string;
  created_at: string;
  updated_at: string;
  tracking_details: TrackingDetail[];
}

export interface Shipment {
  id: string;
  object: 'Shipment';
  mode: 'test';
  reference: string | null;
  status: string;
  to_address: Record<string, unknown>;
  from_address: Record<string, unknown>;
  parcel: Record<string, unknown>;
  rates: Rate[];
  selected_rate: Rate | null;
  tracking_code: string | null;
  postage_label: { id: string; object: 'PostageLabel'; label_url: string; created_at: string } | null;
  tracker: Tracker | null;
  created_at: string;
  updated_at: string;
}

const TRACKING_MESSAGES: Record<TrackerStatus, string> = {
  unknown: 'Status unknown',
  pre_transit: 'Pre-Shipment information sent to carrier',
  in_transit: 'Arrived at facility',
  out_for_delivery: 'Out for delivery',
  delivered: 'Delivered, In/At Mailbox',
  available_for_pickup: 'Available for pickup',
  return_to_sender: 'Returned to sender',
  failure: 'Delivery attempt failed',
  cancelled: 'Shipment cancelled',
  error: 'Carrier error',
};

/** The carriers and services every simulated shipment is quoted. */
export const SERVICES = [
  { carrier: 'USPS', service: 'GroundAdvantage', rate: '5.93', delivery_days: 3 },
  { carrier: 'USPS', service: 'Priority', rate: '8.24', delivery_days: 2 },
  { carrier: 'UPS', service: 'Ground', rate: '11.40', delivery_days: 4 },
] as const;

export const id = (prefix: string) => `${prefix}_${randomHex(32)}`;

export function trackingDetail(status: TrackerStatus, at: string): TrackingDetail {
  return { object: 'TrackingDetail', status, message: TRACKING_MESSAGES[status], datetime: at };
}

const stampOf = (object: { id: string; created_at: string }): Stamp => ({
  at: Date.parse(object.created_at),
  id: object.id,
});

/**
 * EasyPost shipments: created with rates, bought once (postage and a tracker), tracked to delivery; listed
 * newest first (shipments by their creation, trackers by theirs, at the buy).
 */
export class ShipmentStore {
  readonly #shipments = new Map<string, Shipment>();
  readonly #shipmentOrder = new Timeline();
  /** Bought shipments by their tracker's id and by tracking code. */
  readonly #byTracker = new Map<string, Shipment>();
  readonly #byTrackingCode = new Map<string, Shipment>();
  readonly #trackerOrder = new Timeline();
  /** The latest shipment with each reference. */
  readonly #byReference = new Map<string, Shipment>();
  #trackingNumber = 0;

  constructor(private readonly clock: SimClock = new SimClock()) {}

  get size(): number {
    return this.#shipments.size;
  }

  get trackerCount(): number {
    return this.#byTracker.size;
  }

  create(input: CreateShipment, now = this.clock.date()): Shipment {
    const at = now.toISOString();
    const shipmentId = sortableId('shp', 32);
    const shipment: Shipment = {
      id: shipmentId,
      object: 'Shipment',
      mode: 'test',
      reference: input.reference ?? null,
      status: 'unknown',
      to_address: { id: id('adr'), object: 'Address', ...input.to_address },
      from_address: { id: id('adr'), object: 'Address', ...input.from_address },
      parcel: { id: id('prcl'), object: 'Parcel', ...input.parcel },
      rates: SERVICES.map((service) => ({
        id: id('rate'),
        object: 'Rate',
        shipment_id: shipmentId,
        ...service,
        currency: 'USD',
        mode: 'test',
      })),
      selected_rate: null,
      tracking_code: null,
      postage_label: null,
      tracker: null,
      created_at: at,
      updated_at: at,
    };
    this.#add(shipment);
    return shipment;
  }

  get(shipmentId: string): Shipment | undefined {
    return this.#shipments.get(shipmentId);
  }

  /**
   * By id, or by `reference` as EasyPost allows in place of an id: the latest shipment with that reference,
   * so a client can find what it created before a crash without creating it again.
   */
  find(idOrReference: string): Shipment | undefined {
    return this.#shipments.get(idOrReference) ?? this.#byReference.get(idOrReference);
  }

  /** The bought shipment a tracker belongs to, by the tracker's id. */
  byTracker(trackerId: string): Shipment | undefined {
    return this.#byTracker.get(trackerId);
  }

  byTrackingCode(code: string): Shipment | undefined {
    return this.#byTrackingCode.get(code);
  }

  shipmentStamp(shipmentId: string): Stamp | undefined {
    const shipment = this.#shipments.get(shipmentId);
    return shipment ? stampOf(shipment) : undefined;
  }

  trackerStamp(trackerId: string): Stamp | undefined {
    const tracker = this.#byTracker.get(trackerId)?.tracker;
    return tracker ? stampOf(tracker) : undefined;
  }

  listShipments(query: PageQuery): { page: Page; shipments: Shipment[] } {
    const page = this.#shipmentOrder.page(query);
    return { page, shipments: page.ids.map((shipmentId) => this.#shipments.get(shipmentId)!) };
  }

  /** Newest first; with `codes`, only those trackers, found by code rather than by a walk of all of them. */
  listTrackers(query: PageQuery, codes?: readonly string[]): { page: Page; trackers: Tracker[] } {
    let order = this.#trackerOrder;
    if (codes && codes.length > 0) {
      order = new Timeline();
      const found = codes.flatMap((code) => this.#byTrackingCode.get(code)?.tracker ?? []);
      order.addMany([...new Map(found.map((tracker) => [tracker.id, stampOf(tracker)])).values()]);
    }
    const page = order.page(query);
    return { page, trackers: page.ids.map((trackerId) => this.#byTracker.get(trackerId)!.tracker!) };
  }

  /** Many shipments at once (seeding), bought ones with their trackers. */
  addMany(shipments: readonly Shipment[]): void {
    for (const shipment of shipments) this.#index(shipment);
    this.#shipmentOrder.addMany(shipments.map(stampOf));
    const trackers = shipments.flatMap((shipment) => (shipment.tracker ? [stampOf(shipment.tracker)] : []));
    this.#trackerOrder.addMany(trackers);
  }

  /** The next tracking code, as a carrier hands them out. */
  nextTrackingCode(): string {
    this.#trackingNumber += 1;
    return `EZ${String(this.#trackingNumber).padStart(10, '0')}`;
  }

  #add(shipment: Shipment): void {
    this.#index(shipment);
    this.#shipmentOrder.add(stampOf(shipment));
  }

  #index(shipment: Shipment): void {
    this.#shipments.set(shipment.id, shipment);
    if (shipment.reference) {
      const known = this.#byReference.get(shipment.reference);
      if (!known || known.created_at <= shipment.created_at)
        this.#byReference.set(shipment.reference, shipment);
    }
    if (shipment.tracker) {
      this.#byTracker.set(shipment.tracker.id, shipment);
      this.#byTrackingCode.set(shipment.tracker.tracking_code, shipment);
    }
  }

  /** The effect: postage for the chosen rate and a tracker in `pre_transit`. */
  buy(shipment: Shipment, rate: Rate, now = this.clock.date()): Shipment {
    const at = now.toISOString();
    const trackingCode = this.nextTrackingCode();
    const estimate = new Date(now.getTime() + rate.delivery_days * 86_400_000).toISOString();
    shipment.selected_rate = rate;
    shipment.tracking_code = trackingCode;
    shipment.postage_label = {
      id: id('pl'),
      object: 'PostageLabel',
      label_url: `https://easypost-files.s3.amazonaws.com/files/postage_label/${shipment.id}.png`,
      created_at: at,
    };
    shipment.tracker = {
      id: sortableId('trk', 32),
      object: 'Tracker',
      mode: 'test',
      status: 'pre_transit',
      tracking_code: trackingCode,
      carrier: rate.carrier,
      shipment_id: shipment.id,
      public_url: `https://track.easypost.com/${trackingCode}`,
      est_delivery_date: estimate,
      created_at: at,
      updated_at: at,
      tracking_details: [trackingDetail('pre_transit', at)],
    };
    shipment.status = 'pre_transit';
    shipment.updated_at = at;
    this.#index(shipment);
    this.#trackerOrder.add(stampOf(shipment.tracker));
    return shipment;
  }

  /** The carrier moved the parcel on: the tracker (and the shipment's status) advance. */
  advance(shipment: Shipment, status: TrackerStatus, now = this.clock.date()): Tracker {
    const tracker = shipment.tracker!;
    const at = now.toISOString();
    tracker.status = status;
    tracker.updated_at = at;
    tracker.tracking_details.push(trackingDetail(status, at));
    shipment.status = status;
    shipment.updated_at = at;
    return structuredClone(tracker);
  }
}
