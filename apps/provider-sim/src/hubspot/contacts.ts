import { z } from 'zod';
import { SimClock } from '../core/clock.js';

export interface Contact {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: false;
}

export const upsertSchema = z.object({
  inputs: z
    .array(
      z.object({
        /** A unique property naming the contact, e.g. `tributary_contact_id` or `email`. */
        idProperty: z.string().min(1),
        id: z.string().min(1),
        properties: z.record(z.string(), z.string()),
        /** HubSpot's write trace id: the simulator's ledger key for the input. */
        objectWriteTraceId: z.string().min(1).optional(),
      }),
    )
    .min(1)
    .max(100),
});

export type UpsertInput = z.infer<typeof upsertSchema>['inputs'][number];

export interface UpsertResult {
  contact: Contact;
  created: boolean;
  /** Whether the write created the contact or changed a value: what the ledger counts as an effect. */
  changed: boolean;
  /** The properties the write set to a new value, with those values (every given one on a creation). */
  changedProperties: Record<string, string>;
}

/** HubSpot contacts with upsert by a unique property. */
export class ContactStore {
  readonly #contacts = new Map<string, Contact>();
  #nextId = 101;

  constructor(private readonly clock: SimClock = new SimClock()) {}

  find(idProperty: string, id: string): Contact | undefined {
    if (idProperty === 'hs_object_id') return this.#contacts.get(id);
    for (const contact of this.#contacts.values()) {
      if (contact.properties[idProperty] === id) return contact;
    }
    return undefined;
  }

  upsert(input: UpsertInput, now = this.clock.date()): UpsertResult {
    const at = now.toISOString();
    const existing = this.find(input.idProperty, input.id);
    if (!existing) {
      const id = String(this.#nextId++);
      const contact: Contact = {
        id,
        properties: {
          ...input.properties,
          ...(input.idProperty === 'hs_object_id' ? {} : { [input.idProperty]: input.id }),
          hs_object_id: id,
          createdate: at,
          lastmodifieddate: at,
        },
        createdAt: at,
        updatedAt: at,
        archived: false,
      };
      this.#contacts.set(id, contact);
      return { contact, created: true, changed: true, changedProperties: { ...contact.properties } };
    }
    const changedProperties = Object.fromEntries(
      Object.entries(input.properties).filter(([name, value]) => existing.properties[name] !== value),
    );
    const changed = Object.keys(changedProperties).length > 0;
    if (changed) {
      Object.assign(existing.properties, input.properties, { lastmodifieddate: at });
      existing.updatedAt = at;
    }
    return { contact: existing, created: false, changed, changedProperties };
  }
}
