import type { Answer } from '../core/http.js';
import type { ContactStore } from './contacts.js';
import { hubspotError } from './errors.js';
import { DEFAULT_PROPERTIES, renderContact } from './render.js';

export const LIST_MAX_LIMIT = 100;

/** `properties=a,b` or `properties=a&properties=b`, as HubSpot takes both. */
function propertiesOf(query: URLSearchParams): string[] {
  const named = query.getAll('properties').flatMap((value) => value.split(','));
  const kept = named.map((name) => name.trim()).filter(Boolean);
  return kept.length > 0 ? kept : DEFAULT_PROPERTIES;
}

/**
 * `GET /crm/v3/objects/contacts`: contacts in id order, `limit` up to 100, `after` the id the page starts
 * at (HubSpot's `paging.next.after`), `archived=true` for the recycling bin alone.
 */
export function listContacts(contacts: ContactStore, query: URLSearchParams): Answer {
  const limitText = query.get('limit') ?? '10';
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > LIST_MAX_LIMIT)
    return hubspotError(400, 'VALIDATION_ERROR', `limit must be between 1 and ${LIST_MAX_LIMIT}`);
  const afterText = query.get('after');
  if (afterText !== null && !/^\d+$/.test(afterText))
    return hubspotError(400, 'VALIDATION_ERROR', `after must be a paging token from a previous answer`);
  const archivedText = query.get('archived') ?? 'false';
  if (archivedText !== 'true' && archivedText !== 'false')
    return hubspotError(400, 'VALIDATION_ERROR', 'archived must be true or false');
  const properties = propertiesOf(query);
  const page = contacts.pageById(Number(afterText ?? 0), limit, archivedText === 'true');
  const next = page.next;
  return {
    status: 200,
    body: {
      results: page.contacts.map((contact) => renderContact(contact, properties)),
      ...(next === undefined
        ? {}
        : {
            paging: {
              next: {
                after: next,
                link: `https://api.hubapi.com/crm/v3/objects/contacts?after=${next}&limit=${limit}`,
              },
            },
          }),
    },
  };
}
