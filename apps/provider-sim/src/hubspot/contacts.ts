import { z } from 'zod';
import { SimClock } from '../core/clock.js';

export interface Contact {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  /** When it was archived (HubSpot's recycling bin). */
  archivedAt?: string;
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

/** HubSpot's record properties no write may set. */
const READ_ONLY = new Set(['hs_object_id', 'createdate']);

/**
 * HubSpot contacts: upsert by a unique property, dashboard edits, archiving (the recycling bin), and the
 * reads a reconciliation walks. Ids grow with creation, so the id order is the creation order. Lookups by
 * a unique property go through an index built on first use; archived contacts are out of every index, as
 * they are out of HubSpot's unique-value checks.
 */
export class ContactStore {
  readonly #contacts = new Map<string, Contact>();
  /** Every id, ascending: the order `GET /crm/v3/objects/contacts` pages in. */
  readonly #order: number[] = [];
  readonly #indexes = new Map<string, Map<string, Contact>>();
  #nextId = 101;
  #version = 0;
  #archived = 0;

  constructor(private readonly clock: SimClock = new SimClock()) {}

  /** Changes on every write, so a search can reuse its sorted matches while nothing changed. */
  get version(): number {
    return this.#version;
  }

  /** Contacts, archived ones included. */
  get size(): number {
    return this.#contacts.size;
  }

  get archivedCount(): number {
    return this.#archived;
  }

  /** A live (not archived) contact by a unique property, `hs_object_id` being the record id. */
  find(idProperty: string, id: string): Contact | undefined {
    if (idProperty === 'hs_object_id') {
      const contact = this.#contacts.get(id);
      return contact && !contact.archived ? contact : undefined;
    }
    return this.#index(idProperty).get(id);
  }

  /** By record id, archived or not. */
  get(id: string): Contact | undefined {
    return this.#contacts.get(id);
  }

  /** Live contacts, in id order. */
  *live(): IterableIterator<Contact> {
    for (const contact of this.#contacts.values()) if (!contact.archived) yield contact;
  }

  /**
   * Up to `limit` contacts from id `from` on (inclusive), archived or live as asked, and the id the next
   * page starts at.
   */
  pageById(from: number, limit: number, archived: boolean): { contacts: Contact[]; next?: string } {
    let low = 0;
    let high = this.#order.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#order[middle]! < from) low = middle + 1;
      else high = middle;
    }
    const contacts: Contact[] = [];
    for (let i = low; i < this.#order.length; i++) {
      const contact = this.#contacts.get(String(this.#order[i]))!;
      if (contact.archived !== archived) continue;
      if (contacts.length === limit) return { contacts, next: contact.id };
      contacts.push(contact);
    }
    return { contacts };
  }

  upsert(input: UpsertInput, now = this.clock.date()): UpsertResult {
    const existing = this.find(input.idProperty, input.id);
    if (!existing) {
      const at = now.toISOString();
      const contact = this.#create(
        {
          ...input.properties,
          ...(input.idProperty === 'hs_object_id' ? {} : { [input.idProperty]: input.id }),
        },
        at,
        at,
      );
      return { contact, created: true, changed: true, changedProperties: { ...contact.properties } };
    }
    const changedProperties = this.#set(existing, input.properties, now);
    const changed = Object.keys(changedProperties).length > 0;
    return { contact: existing, created: false, changed, changedProperties };
  }

  /** A change made in HubSpot's own UI: the new values, `lastmodifieddate` moved on when any changed. */
  edit(
    contact: Contact,
    properties: Record<string, string>,
    now = this.clock.date(),
  ): Record<string, string> {
    return this.#set(contact, properties, now);
  }

  /** Moves a live contact to the recycling bin; false when it was archived already. */
  archive(contact: Contact, now = this.clock.date()): boolean {
    if (contact.archived) return false;
    for (const [property, index] of this.#indexes) {
      const value = contact.properties[property];
      if (value !== undefined && index.get(value) === contact) index.delete(value);
    }
    contact.archived = true;
    this.#archived += 1;
    contact.archivedAt = now.toISOString();
    contact.updatedAt = contact.archivedAt;
    this.#version += 1;
    return true;
  }

  /** Many new contacts at once (seeding), each created and last modified at the given times (ms). */
  createMany(
    items: readonly { properties: Record<string, string>; createdAt: number; modifiedAt: number }[],
  ) {
    return items.map((item) =>
      this.#create(
        item.properties,
        new Date(item.createdAt).toISOString(),
        new Date(item.modifiedAt).toISOString(),
      ),
    );
  }

  #create(properties: Record<string, string>, createdAt: string, modifiedAt: string): Contact {
    const id = String(this.#nextId++);
    const contact: Contact = {
      id,
      properties: { ...properties, hs_object_id: id, createdate: createdAt, lastmodifieddate: modifiedAt },
      createdAt,
      updatedAt: modifiedAt,
      archived: false,
    };
    this.#contacts.set(id, contact);
    this.#order.push(Number(id));
    for (const [property, index] of this.#indexes) {
      const value = contact.properties[property];
      if (value !== undefined) index.set(value, contact);
    }
    this.#version += 1;
    return contact;
  }

  /** Sets the values that differ; the ones that did, with their new values. */
  #set(contact: Contact, properties: Record<string, string>, now: Date): Record<string, string> {
    const changed = Object.fromEntries(
      Object.entries(properties).filter(
        ([name, value]) => !READ_ONLY.has(name) && contact.properties[name] !== value,
      ),
    );
    if (Object.keys(changed).length === 0) return changed;
    for (const [property, value] of Object.entries(changed)) {
      const index = this.#indexes.get(property);
      if (!index) continue;
      const old = contact.properties[property];
      if (old !== undefined && index.get(old) === contact) index.delete(old);
      index.set(value, contact);
    }
    const at = now.toISOString();
    Object.assign(contact.properties, changed, { lastmodifieddate: at });
    contact.updatedAt = at;
    this.#version += 1;
    return changed;
  }

  #index(property: string): Map<string, Contact> {
    let index = this.#indexes.get(property);
    if (!index) {
      index = new Map();
      for (const contact of this.live()) {
        const value = contact.properties[property];
        if (value !== undefined) index.set(value, contact);
      }
      this.#indexes.set(property, index);
    }
    return index;
  }
}
