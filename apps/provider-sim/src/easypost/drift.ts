import { z } from 'zod';
import { adminError } from '../core/admin.js';
import { objectNotFound } from '../core/drift.js';
import type { DriftHandler } from '../core/drift.js';
import type { SimCore } from '../core/provider.js';
import { TRACKER_STATUSES } from './shipments.js';
import type { ShipmentStore } from './shipments.js';
import { trackerUpdated } from './tracking-events.js';

const trackerStatus = z.object({
  provider: z.literal('easypost'),
  kind: z.literal('tracker-status'),
  /** The shipment (`shp_…`) or its tracker (`trk_…`). */
  id: z.string().min(1),
  status: z.enum(TRACKER_STATUSES),
  /** Whether EasyPost's `tracker.updated` webhook goes out for it. */
  webhook: z.boolean().default(true),
});

/** EasyPost's out-of-band change: the carrier reports a status the platform did not hear of. */
export function easypostDrift(
  core: SimCore,
  shipments: ShipmentStore,
): DriftHandler<z.infer<typeof trackerStatus>> {
  return {
    schema: trackerStatus,
    apply(request) {
      const shipment = shipments.get(request.id) ?? shipments.byTracker(request.id);
      if (!shipment) return objectNotFound('easypost', request.id);
      if (!shipment.tracker)
        return adminError(409, 'ADMIN_CONFLICT', `shipment ${shipment.id} is not bought: it has no tracker`);
      const previous = shipment.tracker.status;
      const tracker = shipments.advance(shipment, request.status);
      if (request.webhook)
        core.webhooks.emit('easypost', [{ afterMs: 0, produce: () => trackerUpdated(tracker, previous) }]);
      return { status: 200, body: tracker };
    },
  };
}
