import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { seedBase } from '../core/seed.js';
import type { SeedHandler } from '../core/seed.js';
import type { ContactStore } from './contacts.js';

const hubspotSeed = seedBase.extend({
  provider: z.literal('hubspot'),
  lifecyclestage: z.string().min(1).default('customer'),
  /** The value a drifted contact's `lifecyclestage` was changed to in HubSpot's UI. */
  driftedLifecyclestage: z.string().min(1).default('evangelist'),
});

type HubspotSeed = z.infer<typeof hubspotSeed>;

/**
 * Contacts upserted by the CRM connector, in bulk: `tributary_contact_id` (our id), an email, a name and a
 * lifecycle stage. A drifted contact was later edited in HubSpot's UI: another stage, a later
 * `lastmodifieddate`, and no webhook.
 */
export function hubspotSeeder(contacts: ContactStore): SeedHandler<HubspotSeed> {
  return {
    schema: hubspotSeed,
    apply(request, plan) {
      const items: { properties: Record<string, string>; createdAt: number; modifiedAt: number }[] = [];
      for (let index = 0; index < request.count; index++) {
        const createdAt = plan.createdAt(index);
        const contactId = randomUUID();
        const drifted = plan.drifted(index);
        items.push({
          properties: {
            tributary_contact_id: contactId,
            email: `${contactId}@example.com`,
            firstname: 'Seed',
            lastname: `Contact ${index}`,
            lifecyclestage: drifted ? request.driftedLifecyclestage : request.lifecyclestage,
          },
          createdAt,
          modifiedAt: drifted ? createdAt + Math.floor((plan.now - createdAt) / 2) : createdAt,
        });
      }
      const created = contacts.createMany(items);
      const objects = created.map((contact, index) => ({
        id: contact.id,
        contactId: contact.properties.tributary_contact_id!,
        email: contact.properties.email!,
        lifecyclestage: request.lifecyclestage,
        lastmodifieddate: new Date(items[index]!.createdAt).toISOString(),
      }));
      const drift = created
        .filter((_, index) => plan.drifted(index))
        .map((contact) => ({
          id: contact.id,
          property: 'lifecyclestage',
          local: request.lifecyclestage,
          provider: request.driftedLifecyclestage,
          lastmodifieddate: contact.properties.lastmodifieddate!,
        }));
      return {
        status: 200,
        body: { provider: 'hubspot', count: objects.length, drifted: drift.length, objects, drift },
      };
    },
  };
}
