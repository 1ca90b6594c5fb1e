/**
 * What a provider sends, reduced to its shape (docs/architecture.md#provider-shapes). A path names a place in
 * a JSON document: `$` is the document, `$.a.b` a member, `$.items[]` every element of an array
 * (`$.items[].sku` a member of any element). A member name holding `.`, `[`, `]` or `\` has them escaped
 * with `\`.
 */

/** Where a sample came from: a connector's call to the provider, or a verified webhook ingestion accepted. */
export type ShapeSurface = 'response' | 'webhook';

export const SHAPE_SURFACES: readonly ShapeSurface[] = ['response', 'webhook'];

/** The JSON type of a value; integers and decimals are both `number`. */
export type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

export const JSON_TYPES: readonly JsonType[] = ['string', 'number', 'boolean', 'null', 'object', 'array'];

/** One path of a shape with one of its types (a path seen with two types is listed twice). */
export interface ShapeField {
  readonly path: string;
  readonly type: JsonType;
}

/** A string value seen at a path declared as an enum. */
export interface ShapeEnumValue {
  readonly path: string;
  readonly value: string;
}

/** A distinct shape: the same fields, types, enum values and status give the same hash. */
export interface ObservedShape {
  /** Hex, 16 characters: SHA-256 of the status, fields and enum values in canonical order. */
  readonly hash: string;
  /** The HTTP status of a response; null for a webhook. */
  readonly status: number | null;
  /** Sorted by path, then type. `$` is always there (the document's own type). */
  readonly fields: readonly ShapeField[];
  /** Sorted by path, then value. */
  readonly enums: readonly ShapeEnumValue[];
  /**
   * The first sample of this shape as JSON, with every personal data field's value replaced by
   * `[REDACTED]`, arrays cut to their first elements and long strings shortened; at most 8 KiB.
   */
  readonly example: string;
}

/** Consecutive samples of one shape. */
export interface ShapeRun {
  readonly hash: string;
  readonly count: number;
}

/** A field or enum the connector's code depends on: a change to it is an error-level finding. */
export interface ShapeReliance {
  readonly path: string;
  /** The values the code handles, when the path is an enum: any other value is an error. */
  readonly values?: readonly string[];
  /** The code that breaks when this changes, e.g. `connector-payments: handlers/payment-requested.ts`. */
  readonly usedBy: string;
}

/** What a definition says about one endpoint (an operation) or webhook event type. */
export interface EndpointDeclaration {
  /** Paths whose string values are a closed set (a `status`): their values are part of the shape. */
  readonly enums?: readonly string[];
  readonly reliesOn?: readonly ShapeReliance[];
  /**
   * Objects whose member names are data, not fields (id-keyed maps, merchant-chosen metadata): their members
   * are one path, `$.a.*`. An object of more than 200 members is read so whether declared or not.
   */
  readonly maps?: readonly string[];
  /**
   * Provider paths holding personal data beyond the ownership map's `personalDataFields` (which are
   * redacted everywhere): their values never leave the process in an example.
   */
  readonly personalData?: readonly string[];
}

/** Endpoint (operation name or webhook event type) → its declaration. */
export type ShapeDeclarations = Readonly<Record<string, EndpointDeclaration>>;

/**
 * The samples of one endpoint one process saw in one window, in the order it saw them. Reconciliation
 * compares them with what it knows of the endpoint (`integrations.provider.shapes_observed`).
 */
export interface ShapeObservation {
  readonly provider: string;
  readonly surface: ShapeSurface;
  /** The connector operation (`payment_intents.create`) or the provider's webhook event type. */
  readonly endpoint: string;
  /** The app that saw them (`connector-payments`, `ingestion`). */
  readonly observer: string;
  readonly windowStart: Date;
  readonly windowEnd: Date;
  /** Every sample of the window, consecutive ones of one shape counted together. */
  readonly runs: readonly ShapeRun[];
  /** Every shape `runs` names, once. */
  readonly shapes: readonly ObservedShape[];
  /** The endpoint's declaration as the observing build has it (maps and personal data paths left out). */
  readonly declaration: Pick<EndpointDeclaration, 'enums' | 'reliesOn'>;
}

/** The Kafka key of an endpoint's observations: one endpoint's windows stay in order on one partition. */
export function endpointKeyOf(observation: Pick<ShapeObservation, 'provider' | 'surface' | 'endpoint'>) {
  return `${observation.provider}/${observation.surface}/${observation.endpoint}`;
}
