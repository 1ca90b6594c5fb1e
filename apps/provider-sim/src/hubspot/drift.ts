import { z } from 'zod';
import { objectNotFound } from '../core/drift.js';
import type { DriftHandler } from '../core/drift.js';
import type { HubspotContactWebhooks } from './contact-webhooks.js';
import type { ContactStore } from './contacts.js';
import { fullContact } from './render.js';

const hubspotDriftSchema = z.discriminatedUnion('kind', [
  z.object({
    provider: z.literal('hubspot'),
    kind: z.literal('edit'),
    id: z.string().min(1),
    properties: z.record(z.string(), z.string()),
    /** Whether HubSpot's propertyChange webhooks go out for it. */
    webhook: z.boolean().default(true),
  }),
  z.object({ provider: z.literal('hubspot'), kind: z.literal('archive'), id: z.string().min(1) }),
]);

/**
 * HubSpot's out-of-band changes, made by someone in HubSpot's UI: an edit (`lastmodifieddate` moves on; its
 * propertyChange webhooks say `changeSource: "CRM_UI"`) and an archive. `id` is the record id.
 */
export function hubspotDrift(
  contacts: ContactStore,
  webhooks: HubspotContactWebhooks,
): DriftHandler<z.infer<typeof hubspotDriftSchema>> {
  return {
    schema: hubspotDriftSchema,
    apply(request) {
      const contact = contacts.get(request.id);
      if (!contact || contact.archived) return objectNotFound('hubspot', request.id);
      if (request.kind === 'archive') {
        contacts.archive(contact);
        return { status: 200, body: fullContact(contact) };
      }
      const changed = contacts.edit(contact, request.properties);
      if (request.webhook && Object.keys(changed).length > 0) {
        webhooks.record([
          {
            contactId: contact.id,
            created: false,
            changed,
            at: Date.parse(contact.updatedAt),
            changeSource: 'CRM_UI',
          },
        ]);
      }
      return { status: 200, body: fullContact(contact) };
    },
  };
}
