import { randomHex } from '../core/ids.js';
import type { ProducedEvent } from '../core/webhooks.js';
import type { Tracker, TrackerStatus } from './shipments.js';

/** EasyPost's `tracker.updated` Event for a tracker that just moved on from `previous`. */
export function trackerUpdated(tracker: Tracker, previous: TrackerStatus): ProducedEvent {
  const id = `evt_${randomHex(32)}`;
  return {
    id,
    type: 'tracker.updated',
    detail: tracker.status,
    payload: {
      id,
      object: 'Event',
      mode: 'test',
      description: 'tracker.updated',
      status: 'pending',
      previous_attributes: { status: previous },
      result: tracker,
      created_at: tracker.updated_at,
      updated_at: tracker.updated_at,
    },
  };
}
