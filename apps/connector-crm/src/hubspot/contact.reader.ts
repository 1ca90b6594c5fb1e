import { decodeCursor, encodeCursor, malformedAnswer, pageSizeFor } from '@tributary/connector-sdk';
import type {
  ConnectorReader,
  ReadPage,
  ReadRecord,
  ReadRequest,
  ReaderContext,
} from '@tributary/connector-sdk';
import { TributaryError } from '@tributary/contracts';
import { z } from 'zod';
import {
  CONTACT_REF,
  HUBSPOT_PROPERTIES,
  epochMs,
  platformStage,
  present,
  truthy,
} from './contact-properties.js';
import type { HubSpotClient, HubSpotContact, SearchFilter } from './hubspot.client.js';

/** HubSpot's largest search page, and its largest list page. */
const SEARCH_MAX_PAGE = 200;
const LIST_MAX_PAGE = 100;
/** A search answers at most 10,000 results: `after` from there on is a 400. */
const SEARCH_RESULT_CAP = 10_000;
/** Values of one `IN` filter: an IDS page is one search. */
const IDS_PAGE = 100;

export const HubSpotReadErrorCode = {
  /**
   * More contacts share one `lastmodifieddate` (to the millisecond) than a search can page through (10,000):
   * no window can be narrowed past them. A FULL run reads them by id order.
   */
  tiesExceedSearchCap: 'HUBSPOT_SEARCH_TIES_EXCEED_CAP',
} as const;

export interface ContactReaderConfig {
  readonly HUBSPOT_MARKETING_CONSENT_PROPERTY: string;
}

const incrementalCursor = z.object({
  mode: z.literal('INCREMENTAL'),
  /** The window's current lower bound (inclusive), epoch ms: the last `lastmodifieddate` answered. */
  from: z.number().int(),
  /** Its upper bound (inclusive), fixed at the first page. */
  to: z.number().int(),
  /** Contacts already answered whose `lastmodifieddate` is exactly `from`: re-read, not answered again. */
  skip: z.array(z.string()),
  /** Offset into the search from `from` on: only while a page holds nothing but contacts at `from`. */
  after: z.number().int().min(0),
});
const fullCursor = z.object({
  mode: z.literal('FULL'),
  /** Live contacts first, then the recycling bin. */
  archived: z.boolean(),
  after: z.string().nullable(),
});
const idsCursor = z.object({ mode: z.literal('IDS'), offset: z.number().int().min(0) });

type Context = ReaderContext<HubSpotClient, ContactReaderConfig>;

/**
 * Contacts as HubSpot holds them, normalised to `reconciledEntities.contact.ownedFields` the way
 * `crm.contact.upserted` states them (so equal contacts hash equal): `email`, `givenName` (firstname),
 * `familyName` (lastname), `phone`, `marketingConsent` ("true"/"false" from the consent property).
 * `internalId` is `tributary_contact_id`, else external_refs; the version is `lastmodifieddate`.
 *
 * - INCREMENTAL: one search a page, `lastmodifieddate` from the window's current lower bound to its upper one
 *   (both inclusive), ascending, 200 a page. Every page starts the search again from the last
 *   `lastmodifieddate` it answered (the contacts answered at exactly that time are read again and left out):
 *   HubSpot's `after` is an offset into the live result, and a contact changed during the walk leaves its
 *   place, shifting every later one back, so offset paging would skip one for each such change; restarting
 *   also keeps every search far below HubSpot's 10,000-result cap. Only a run of contacts with the very same
 *   `lastmodifieddate` longer than a page is paged by offset, and one longer than the cap fails
 *   (`HUBSPOT_SEARCH_TIES_EXCEED_CAP`). Without `changedTo` the window ends when the first page is read:
 *   contacts changed during the walk are the next run's.
 * - FULL: live contacts in id order, then archived ones (`deleted: true`), 100 a page: one list call a page.
 * - IDS: one search a page, `tributary_contact_id IN` up to 100 of the ids; ids HubSpot does not hold are
 *   left out.
 */
export const contactReader: ConnectorReader<HubSpotClient, ContactReaderConfig> = async (request, ctx) => {
  switch (request.mode) {
    case 'INCREMENTAL':
      return readChanges(request, ctx);
    case 'FULL':
      return readAll(request, ctx);
    case 'IDS':
      return readIds(request, ctx);
  }
};

/**
 * What a reader asks HubSpot for: the sources of the owned fields and of those the platform writes, our id
 * and the version.
 */
export function readProperties(config: ContactReaderConfig): string[] {
  return [
    'email',
    'firstname',
    'lastname',
    'phone',
    config.HUBSPOT_MARKETING_CONSENT_PROPERTY,
    'lifecyclestage',
    HUBSPOT_PROPERTIES.lastPaidOrderId,
    HUBSPOT_PROPERTIES.contactId,
    'lastmodifieddate',
  ];
}

async function readChanges(request: ReadRequest, ctx: Context): Promise<ReadPage> {
  const state = request.cursor
    ? decodeCursor(request.cursor, incrementalCursor)
    : {
        mode: 'INCREMENTAL' as const,
        from: request.changedFrom ?? 0,
        to: request.changedTo ?? Date.now(),
        skip: [],
        after: 0,
      };
  const limit = pageSizeFor(request, SEARCH_MAX_PAGE);
  const filters: SearchFilter[] = [
    { propertyName: 'lastmodifieddate', operator: 'GTE', value: String(state.from) },
    { propertyName: 'lastmodifieddate', operator: 'LTE', value: String(state.to) },
  ];
  const page = await ctx.provider.searchContacts(
    {
      filterGroups: [{ filters }],
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
      properties: readProperties(ctx.config),
      limit,
      ...(state.after > 0 ? { after: String(state.after) } : {}),
    },
    ctx.signal,
  );
  const versions = page.results.map((contact) => versionOf(contact, 'contacts.search'));
  const skip = new Set(state.skip);
  const records: ReadRecord[] = [];
  for (const [i, contact] of page.results.entries()) {
    if (versions[i] === state.from && skip.has(contact.id)) continue;
    records.push(await recordOf(contact, versions[i]!, false, ctx));
  }
  const lastVersion = versions.at(-1);
  if (!page.paging?.next || lastVersion === undefined) return { records, nextCursor: null, complete: true };

  if (lastVersion > state.from) {
    const next = {
      ...state,
      from: lastVersion,
      skip: page.results.filter((_, i) => versions[i] === lastVersion).map((contact) => contact.id),
      after: 0,
    };
    return { records, nextCursor: encodeCursor(next), complete: false };
  }
  // The whole page sits at `from`: the only way on is the offset, which HubSpot caps.
  const after = state.after + page.results.length;
  if (after + limit > SEARCH_RESULT_CAP) {
    throw new TributaryError(
      HubSpotReadErrorCode.tiesExceedSearchCap,
      `more than ${SEARCH_RESULT_CAP - limit} contacts were last modified at ${new Date(state.from).toISOString()}: a search cannot page past them`,
    );
  }
  return { records, nextCursor: encodeCursor({ ...state, after }), complete: false };
}

async function readAll(request: ReadRequest, ctx: Context): Promise<ReadPage> {
  const state = request.cursor
    ? decodeCursor(request.cursor, fullCursor)
    : { mode: 'FULL' as const, archived: false, after: null };
  const page = await ctx.provider.listContacts(
    {
      archived: state.archived,
      limit: pageSizeFor(request, LIST_MAX_PAGE),
      ...(state.after ? { after: state.after } : {}),
      properties: readProperties(ctx.config),
    },
    ctx.signal,
  );
  const records: ReadRecord[] = [];
  for (const contact of page.results) {
    const version = state.archived
      ? (epochMs(contact.archivedAt) ?? versionOf(contact, 'contacts.list'))
      : versionOf(contact, 'contacts.list');
    records.push(await recordOf(contact, version, state.archived, ctx));
  }
  const after = page.paging?.next?.after;
  if (after) return { records, nextCursor: encodeCursor({ ...state, after }), complete: false };
  if (!state.archived) {
    return {
      records,
      nextCursor: encodeCursor({ mode: 'FULL', archived: true, after: null }),
      complete: false,
    };
  }
  return { records, nextCursor: null, complete: true };
}

async function readIds(request: ReadRequest, ctx: Context): Promise<ReadPage> {
  const offset = request.cursor ? decodeCursor(request.cursor, idsCursor).offset : 0;
  const end = Math.min(request.ids.length, offset + pageSizeFor(request, IDS_PAGE));
  const ids = request.ids.slice(offset, end);
  const records: ReadRecord[] = [];
  if (ids.length > 0) {
    const page = await ctx.provider.searchContacts(
      {
        filterGroups: [
          { filters: [{ propertyName: HUBSPOT_PROPERTIES.contactId, operator: 'IN', values: ids }] },
        ],
        properties: readProperties(ctx.config),
        limit: IDS_PAGE,
      },
      ctx.signal,
    );
    for (const contact of page.results)
      records.push(await recordOf(contact, versionOf(contact, 'contacts.search'), false, ctx));
  }
  if (end >= request.ids.length) return { records, nextCursor: null, complete: true };
  return { records, nextCursor: encodeCursor({ mode: 'IDS', offset: end }), complete: false };
}

async function recordOf(
  contact: HubSpotContact,
  ownerUpdatedAt: number,
  deleted: boolean,
  ctx: Context,
): Promise<ReadRecord> {
  const internalId =
    present(contact.properties[HUBSPOT_PROPERTIES.contactId]) ??
    (await ctx.externalRefs.find(CONTACT_REF, contact.id))?.internalId ??
    null;
  return {
    externalId: contact.id,
    internalId,
    ownerUpdatedAt,
    deleted,
    fields: contactFields(contact, ctx.config),
  };
}

/**
 * The owned fields as `crm.contact.upserted` states them (`toContactUpserted`), as strings, and the fields
 * the platform writes (the payment handler's upsert) in the platform's vocabulary.
 */
export function contactFields(
  contact: Pick<HubSpotContact, 'properties'>,
  config: ContactReaderConfig,
): Record<string, string | null> {
  const p = contact.properties;
  return {
    email: present(p.email),
    givenName: present(p.firstname),
    familyName: present(p.lastname),
    phone: present(p.phone),
    marketingConsent: String(truthy(p[config.HUBSPOT_MARKETING_CONSENT_PROPERTY])),
    lifecycleStage: platformStage(p.lifecyclestage),
    lastPaidOrderId: present(p[HUBSPOT_PROPERTIES.lastPaidOrderId]),
  };
}

/** `lastmodifieddate`, else `updatedAt`: a contact without either is not a contact HubSpot sent whole. */
function versionOf(contact: HubSpotContact, operation: string): number {
  const version = epochMs(contact.properties.lastmodifieddate) ?? epochMs(contact.updatedAt);
  if (version === undefined)
    throw malformedAnswer('hubspot', operation, `contact ${contact.id} without a version`);
  return version;
}
