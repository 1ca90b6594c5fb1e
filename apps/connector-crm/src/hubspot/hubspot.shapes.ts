import type { ShapeDeclarations, ShapeReliance } from '@tributary/provider-shapes';
import { HUBSPOT_PROPERTIES } from './contact-properties.js';

const UPSERT = 'connector-crm: src/crm.connector.ts upsertAndPublish';
const OUR_RESULT = 'connector-crm: src/crm.connector.ts ourResult';
const CHANGED = 'connector-crm: src/crm.connector.ts readChangedContact';
const EVENT = 'connector-crm: src/crm.connector.ts toContactUpserted';
const RECORD = 'connector-crm: src/hubspot/contact.reader.ts recordOf';
const FIELDS = 'connector-crm: src/hubspot/contact.reader.ts contactFields';
const VERSION = 'connector-crm: src/hubspot/contact.reader.ts versionOf';
const INCREMENTAL = 'connector-crm: src/hubspot/contact.reader.ts readChanges';
const FULL = 'connector-crm: src/hubspot/contact.reader.ts readAll';
const PAGE = 'connector-crm: src/hubspot/hubspot.client.ts pageOf';

/**
 * HubSpot contact properties holding personal data under names the ownership map does not use (its
 * `email` and `phone` are HubSpot's too), and HubSpot's error `message`, which quotes the values it refused.
 */
export const HUBSPOT_PERSONAL_DATA = ['firstname', 'lastname', 'message'];

const relies = (path: string, usedBy: string): ShapeReliance => ({ path, usedBy });

/**
 * What ContactUpserted is made of, from a contact at `at`. The consent property is left out: its name is
 * the deployment's HUBSPOT_MARKETING_CONSENT_PROPERTY, which a declaration made at build time cannot know.
 */
const eventReads = (at: string) => [
  relies(`${at}.id`, UPSERT),
  relies(`${at}.properties.email`, EVENT),
  relies(`${at}.properties.phone`, EVENT),
  relies(`${at}.properties.firstname`, EVENT),
  relies(`${at}.properties.lastname`, EVENT),
  relies(`${at}.properties.hs_language`, EVENT),
  relies(`${at}.properties.lastmodifieddate`, EVENT),
  relies(`${at}.updatedAt`, EVENT),
];

/** What the reconciliation reader makes a contact record of, from a contact at `at`. */
const readerReads = (at: string) => [
  relies(`${at}.id`, RECORD),
  relies(`${at}.properties.${HUBSPOT_PROPERTIES.contactId}`, RECORD),
  relies(`${at}.properties.email`, FIELDS),
  relies(`${at}.properties.firstname`, FIELDS),
  relies(`${at}.properties.lastname`, FIELDS),
  relies(`${at}.properties.phone`, FIELDS),
  relies(`${at}.properties.lifecyclestage`, FIELDS),
  relies(`${at}.properties.${HUBSPOT_PROPERTIES.lastPaidOrderId}`, FIELDS),
  relies(`${at}.properties.lastmodifieddate`, VERSION),
  relies(`${at}.updatedAt`, VERSION),
];

/**
 * What the CRM connector reads of each HubSpot answer, by the operation label its client sends
 * (docs/architecture.md#provider-shapes).
 */
export const hubspotShapes: ShapeDeclarations = {
  // Our input's result is found by the trace id HubSpot echoes, else by our id property.
  'contacts.batch_upsert': {
    reliesOn: [
      relies('$.results[].objectWriteTraceId', OUR_RESULT),
      relies(`$.results[].properties.${HUBSPOT_PROPERTIES.contactId}`, OUR_RESULT),
      relies('$.errors', OUR_RESULT),
      relies('$.results[].properties', UPSERT),
      ...eventReads('$.results[]'),
    ],
    personalData: HUBSPOT_PERSONAL_DATA,
  },
  // Read after an upsert whose answer lacked properties, and for every ContactChanged.
  'contacts.get': {
    reliesOn: [
      relies('$.id', CHANGED),
      relies(`$.properties.${HUBSPOT_PROPERTIES.contactId}`, CHANGED),
      ...eventReads('$'),
    ],
    personalData: HUBSPOT_PERSONAL_DATA,
  },
  'contacts.search': {
    reliesOn: [
      relies('$.results', PAGE),
      relies('$.paging.next.after', INCREMENTAL),
      ...readerReads('$.results[]'),
    ],
    personalData: HUBSPOT_PERSONAL_DATA,
  },
  'contacts.list': {
    reliesOn: [
      relies('$.results', PAGE),
      relies('$.paging.next.after', FULL),
      relies('$.results[].archivedAt', FULL),
      ...readerReads('$.results[]'),
    ],
    personalData: HUBSPOT_PERSONAL_DATA,
  },
};
