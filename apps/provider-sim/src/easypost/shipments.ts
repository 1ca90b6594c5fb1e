import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SimClock } from '../core/clock.js';

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

export type TrackerStatus = 'pre_transit' | 'in_transit' | 'out_for_delivery' | 'delivered';

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
  pre_transit: 'Pre-Shipment information sent to carrier',
  in_transit: 'Arrived at facility',
  out_for_delivery: 'Out for delivery',
  delivered: 'Delivered, In/At Mailbox',
};

/** The carriers and services every simulated shipment is quoted. */
const SERVICES = [
  { carrier: 'USPS', service: 'GroundAdvantage', rate: '5.93', delivery_days: 3 },
  { carrier: 'USPS', service: 'Priority', rate: '8.24', delivery_days: 2 },
  { carrier: 'UPS', service: 'Ground', rate: '11.40', delivery_days: 4 },
] as const;

const id = (prefix: string) => `${prefix}_${randomBytes(16).toString('hex')}`;

function detail(status: TrackerStatus, at: string): TrackingDetail {
  return { object: 'TrackingDetail', status, message: TRACKING_MESSAGES[status], datetime: at };
}

/** EasyPost shipments: created with rates, bought once (postage and a tracker), tracked to delivery. */
export class ShipmentStore {
  readonly #shipments = new Map<string, Shipment>();
  #trackingNumber = 0;

  constructor(private readonly clock: SimClock = new SimClock()) {}

  create(input: CreateShipment, now = this.clock.date()): Shipment {
    const at = now.toISOString();
    const shipmentId = id('shp');
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
    this.#shipments.set(shipment.id, shipment);
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
    const byId = this.#shipments.get(idOrReference);
    if (byId) return byId;
    let latest: Shipment | undefined;
    // Insertion order is creation order: the last match is the latest.
    for (const shipment of this.#shipments.values()) {
      if (shipment.reference === idOrReference) latest = shipment;
    }
    return latest;
  }

  /** The effect: postage for the chosen rate and a tracker in `pre_transit`. */
  buy(shipment: Shipment, rate: Rate, now = this.clock.date()): Shipment {
    const at = now.toISOString();
    this.#trackingNumber += 1;
    const trackingCode = `EZ${String(this.#trackingNumber).padStart(10, '0')}`;
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
      id: id('trk'),
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
      tracking_details: [detail('pre_transit', at)],
    };
    shipment.status = 'pre_transit';
    shipment.updated_at = at;
    return shipment;
  }

  /** The carrier moved the parcel on: the tracker (and the shipment's status) advance. */
  advance(shipment: Shipment, status: TrackerStatus, now = this.clock.date()): Tracker {
    const tracker = shipment.tracker!;
    const at = now.toISOString();
    tracker.status = status;
    tracker.updated_at = at;
    tracker.tracking_details.push(detail(status, at));
    shipment.status = status;
    shipment.updated_at = at;
    return structuredClone(tracker);
  }
}
