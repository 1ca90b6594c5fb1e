import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { sortableId } from '../core/ids.js';
import { seedBase } from '../core/seed.js';
import type { SeedHandler } from '../core/seed.js';
import { id, SERVICES, trackingDetail } from './shipments.js';
import type { Rate, Shipment, ShipmentStore, TrackerStatus } from './shipments.js';

const easypostSeed = seedBase.extend({ provider: z.literal('easypost') });

type EasypostSeed = z.infer<typeof easypostSeed>;

const LOCAL: TrackerStatus = 'in_transit';
const DRIFTED: TrackerStatus = 'delivered';

// One address and one parcel for every seeded shipment: a hundred thousand copies would only cost memory.
const ADDRESS = Object.freeze({
  id: 'adr_seeded',
  object: 'Address',
  street1: '1 Main St',
  city: 'Springfield',
  state: 'IL',
  zip: '62701',
  country: 'US',
});
const PARCEL = Object.freeze({ id: 'prcl_seeded', object: 'Parcel', weight: 16 });

/**
 * Shipments the logistics connector created and bought, in bulk: `reference` our shipment id, a tracker in
 * transit. A drifted shipment's carrier has since reported it delivered, with no webhook.
 */
export function easypostSeeder(shipments: ShipmentStore): SeedHandler<EasypostSeed> {
  return {
    schema: easypostSeed,
    apply(request, plan) {
      const made: Shipment[] = [];
      for (let index = 0; index < request.count; index++) {
        const at = new Date(plan.createdAt(index)).toISOString();
        const shipmentId = sortableId('shp', 32);
        const rates: Rate[] = SERVICES.map((service) => ({
          id: id('rate'),
          object: 'Rate',
          shipment_id: shipmentId,
          ...service,
          currency: 'USD',
          mode: 'test',
        }));
        const rate = rates[0]!;
        const trackingCode = shipments.nextTrackingCode();
        const drifted = plan.drifted(index);
        const status = drifted ? DRIFTED : LOCAL;
        const updatedAt = drifted
          ? new Date(plan.createdAt(index) + Math.floor((plan.now - plan.createdAt(index)) / 2)).toISOString()
          : at;
        made.push({
          id: shipmentId,
          object: 'Shipment',
          mode: 'test',
          reference: randomUUID(),
          status,
          to_address: ADDRESS,
          from_address: ADDRESS,
          parcel: PARCEL,
          rates,
          selected_rate: rate,
          tracking_code: trackingCode,
          postage_label: {
            id: id('pl'),
            object: 'PostageLabel',
            label_url: `https://easypost-files.s3.amazonaws.com/files/postage_label/${shipmentId}.png`,
            created_at: at,
          },
          tracker: {
            id: sortableId('trk', 32),
            object: 'Tracker',
            mode: 'test',
            status,
            tracking_code: trackingCode,
            carrier: rate.carrier,
            shipment_id: shipmentId,
            public_url: `https://track.easypost.com/${trackingCode}`,
            est_delivery_date: at,
            created_at: at,
            updated_at: updatedAt,
            tracking_details: [
              trackingDetail('pre_transit', at),
              trackingDetail(LOCAL, at),
              ...(drifted ? [trackingDetail(DRIFTED, updatedAt)] : []),
            ],
          },
          created_at: at,
          updated_at: updatedAt,
        });
      }
      shipments.addMany(made);
      const objects = made.map((shipment) => ({
        id: shipment.id,
        reference: shipment.reference!,
        trackerId: shipment.tracker!.id,
        trackingCode: shipment.tracking_code!,
        status: LOCAL,
      }));
      const drift = made
        .filter((_, index) => plan.drifted(index))
        .map((shipment) => ({
          id: shipment.id,
          trackerId: shipment.tracker!.id,
          local: LOCAL,
          provider: DRIFTED,
        }));
      return {
        status: 200,
        body: { provider: 'easypost', count: objects.length, drifted: drift.length, objects, drift },
      };
    },
  };
}
