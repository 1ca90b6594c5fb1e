import type { ShapeDeclarations, ShapeReliance } from '@tributary/provider-shapes';
import { EASYPOST_TRACKER_STATUSES } from '@tributary/webhooks';

const BOOK = 'connector-logistics: src/logistics.connector.ts bookShipment';
const CHOOSE = 'connector-logistics: src/logistics.connector.ts chooseRate';
const POSTAGE_EXISTS = 'connector-logistics: src/easypost/easypost.client.ts isPostageExists';
const LIST = 'connector-logistics: src/easypost/shipment.reader.ts readList';
const IDS = 'connector-logistics: src/easypost/shipment.reader.ts readIds';
const RECORDS = 'connector-logistics: src/easypost/shipment.reader.ts recordsOf';
const FIELDS = 'connector-logistics: src/easypost/shipment.reader.ts shipmentFields';
const STATUS = 'connector-logistics: src/easypost/shipment.reader.ts shipmentStatus';
const VERSION = 'connector-logistics: src/easypost/shipment.reader.ts versionOf';
const PAGE = 'connector-logistics: src/easypost/easypost.client.ts listShipments';

/**
 * The recipient's and sender's addresses EasyPost echoes on every shipment, under member names the
 * ownership map does not use, and the name of whoever signed for the parcel.
 */
export const EASYPOST_PERSONAL_DATA = [
  ...['to_address', 'from_address', 'return_address', 'buyer_address'].flatMap((address) =>
    ['name', 'street1', 'street2', 'phone', 'email'].map((member) => `${address}.${member}`),
  ),
  'signed_by',
];

const relies = (path: string, usedBy: string, values?: readonly string[]): ShapeReliance =>
  values ? { path, usedBy, values } : { path, usedBy };

/** The rate chosen from an offer at `at` and bought by its id. */
const rateReads = (at: string) => [
  relies(`${at}.selected_rate.id`, BOOK),
  relies(`${at}.rates[].id`, CHOOSE),
  relies(`${at}.rates[].service`, CHOOSE),
  relies(`${at}.rates[].rate`, CHOOSE),
  relies(`${at}.rates[].delivery_days`, CHOOSE),
];

/** What ShipmentCreated is made of, from a bought shipment at `at`. */
const boughtReads = (at: string) => [
  relies(`${at}.id`, BOOK),
  relies(`${at}.selected_rate.carrier`, BOOK),
  relies(`${at}.selected_rate.delivery_date`, BOOK),
  relies(`${at}.tracking_code`, BOOK),
  relies(`${at}.tracker.tracking_code`, BOOK),
  relies(`${at}.tracker.public_url`, BOOK),
  relies(`${at}.tracker.est_delivery_date`, BOOK),
  relies(`${at}.postage_label.created_at`, BOOK),
  relies(`${at}.updated_at`, BOOK),
];

/** What the reconciliation reader makes a shipment record of, from a shipment at `at`. */
const readerReads = (at: string) => [
  relies(`${at}.id`, RECORDS),
  relies(`${at}.reference`, RECORDS),
  relies(`${at}.tracking_code`, FIELDS),
  relies(`${at}.tracker.tracking_code`, FIELDS),
  relies(`${at}.selected_rate.carrier`, FIELDS),
  relies(`${at}.tracker.carrier`, FIELDS),
  relies(`${at}.tracker.status`, STATUS, EASYPOST_TRACKER_STATUSES),
  relies(`${at}.updated_at`, VERSION),
  relies(`${at}.tracker.updated_at`, VERSION),
];

/**
 * What the logistics connector reads of each EasyPost answer, by the operation label its client sends
 * (docs/architecture.md#provider-shapes).
 */
export const easypostShapes: ShapeDeclarations = {
  'shipments.create': {
    reliesOn: [relies('$.id', BOOK), ...rateReads('$')],
    personalData: EASYPOST_PERSONAL_DATA,
  },
  // A 200 is the bought shipment; a 422 SHIPMENT.POSTAGE.EXISTS says an earlier buy went through.
  'shipments.buy': {
    reliesOn: [...boughtReads('$'), relies('$.error.code', POSTAGE_EXISTS)],
    personalData: EASYPOST_PERSONAL_DATA,
  },
  // The handler's lookup by our reference (then the offer or the bought shipment), and the reader's IDS pages.
  'shipments.retrieve': {
    reliesOn: [
      relies('$.reference', BOOK),
      relies('$.reference', IDS),
      ...rateReads('$'),
      ...boughtReads('$'),
      ...readerReads('$'),
    ],
    personalData: EASYPOST_PERSONAL_DATA,
  },
  'shipments.list': {
    reliesOn: [relies('$.shipments', PAGE), relies('$.has_more', LIST), ...readerReads('$.shipments[]')],
    personalData: EASYPOST_PERSONAL_DATA,
  },
};
