import type { Contact } from './contacts.js';

/** What HubSpot returns of a contact when a read names no properties. */
export const DEFAULT_PROPERTIES = ['email', 'firstname', 'lastname'];
/** Returned whatever a read names. */
const ALWAYS = ['hs_object_id', 'createdate', 'lastmodifieddate'];

/** A contact with every property it holds (the upsert's and the single read's answer). */
export function fullContact(contact: Contact) {
  return {
    id: contact.id,
    properties: { ...contact.properties },
    createdAt: contact.createdAt,
    updatedAt: contact.updatedAt,
    archived: contact.archived,
    ...(contact.archivedAt ? { archivedAt: contact.archivedAt } : {}),
  };
}

/** A contact as a list or search renders it: the named properties (null when unset) and the three always. */
export function renderContact(contact: Contact, properties: readonly string[] = DEFAULT_PROPERTIES) {
  const selected: Record<string, string | null> = {};
  for (const name of [...properties, ...ALWAYS]) selected[name] = contact.properties[name] ?? null;
  return { ...fullContact(contact), properties: selected };
}
