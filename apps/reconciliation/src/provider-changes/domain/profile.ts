import type { JsonType, ObservedShape, ShapeObservation, ShapeReliance } from '@tributary/provider-shapes';
import { ancestorPaths, parentPath } from './paths.js';

/**
 * What reconciliation knows of one endpoint's shapes, and the comparison of each observation with it: the
 * profile learns an endpoint (and each status it answers) silently from its first samples, then reports
 * what departs from it, each departure once, absorbing it so the next sample of the same shape is quiet.
 * Learning is silent but for one thing: an enum value the code relying on it does not handle.
 */

export type ShapeChangeKind =
  'field_added' | 'field_missing' | 'type_changed' | 'enum_value_added' | 'status_added';

export const SHAPE_CHANGE_KINDS: readonly ShapeChangeKind[] = [
  'field_added',
  'field_missing',
  'type_changed',
  'enum_value_added',
  'status_added',
];

export type ShapeChangeSeverity = 'info' | 'warning' | 'error';

export const SHAPE_CHANGE_SEVERITIES: readonly ShapeChangeSeverity[] = ['info', 'warning', 'error'];

export interface FieldProfile {
  /** Sorted. */
  types: JsonType[];
  /** Absent in some sample while learning, or reported missing once: never reported missing (again). */
  optional: boolean;
  /** Consecutive samples, where its parent was present as an object, without it. */
  absentRun: number;
}

export interface StatusProfile {
  samples: number;
  fields: Record<string, FieldProfile>;
  /** Enum path → the values seen, sorted. */
  enums: Record<string, string[]>;
}

export interface EndpointProfile {
  /** All samples of the endpoint, every status. */
  samples: number;
  /** `String(status)` for responses, `none` for webhooks (status null). */
  statuses: Record<string, StatusProfile>;
}

export interface ShapeChange {
  kind: ShapeChangeKind;
  severity: ShapeChangeSeverity;
  status: number | null;
  /** Null for status_added. */
  path: string | null;
  /** The new type (type_changed), the new enum value, the new status as text; null otherwise. */
  value: string | null;
  /** type_changed: the known types joined with `|`; enum_value_added: the known values joined with `, `. */
  previous: string | null;
  /** The usedBy of the reliances the change touches, joined with `; ` (severity error). */
  usedBy: string | null;
  /** The shape that showed it. */
  shapeHash: string;
  /** One sentence for an operator. */
  message: string;
}

export interface ProfileOptions {
  /** A status profile (and the endpoint, for new statuses) gives no findings before this many samples. */
  learningSamples: number;
  /** Consecutive absent samples before field_missing (at least 2: one sample without a field is noise). */
  missingAfter: number;
}

/**
 * Statuses a provider answers in passing (timeouts, throttling, outages): never a status_added, and their
 * samples are only ever absorbed, never compared (an outage's body is whatever the failing layer sends).
 */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export function emptyProfile(): EndpointProfile {
  return { samples: 0, statuses: {} };
}

/** Applies the observation's runs in order; returns the new profile (input not mutated) and the changes found. */
export function applyObservation(
  profile: EndpointProfile,
  observation: ShapeObservation,
  options: ProfileOptions,
): { profile: EndpointProfile; changes: ShapeChange[] } {
  assertOptions(options);
  const next = structuredClone(profile);
  const shapes = new Map(observation.shapes.map((shape) => [shape.hash, shape]));
  const views = new Map<string, ShapeView>();
  const reliances = indexReliances(observation.declaration.reliesOn ?? []);
  const changes: ShapeChange[] = [];
  for (const run of observation.runs) {
    const shape = shapes.get(run.hash);
    if (!shape || run.count < 1) continue;
    let view = views.get(run.hash);
    if (!view) {
      view = viewOf(shape);
      views.set(run.hash, view);
    }
    changes.push(...applyRun(next, view, run.count, options, reliances));
  }
  return { profile: next, changes };
}

function assertOptions(options: ProfileOptions) {
  if (!Number.isInteger(options.learningSamples) || options.learningSamples < 1) {
    throw new RangeError(`learningSamples must be a positive integer, got ${options.learningSamples}`);
  }
  if (!Number.isInteger(options.missingAfter) || options.missingAfter < 2) {
    throw new RangeError(`missingAfter must be an integer of at least 2, got ${options.missingAfter}`);
  }
}

/** One shape indexed by path, built once per observation however many runs name it. */
interface ShapeView {
  readonly shape: ObservedShape;
  /** Path → its types in this shape, sorted. */
  readonly types: ReadonlyMap<string, readonly JsonType[]>;
  /** Enum path → its values in this shape. */
  readonly enums: ReadonlyMap<string, readonly string[]>;
}

function viewOf(shape: ObservedShape): ShapeView {
  const types = new Map<string, JsonType[]>();
  for (const field of shape.fields) {
    const known = types.get(field.path);
    if (known) known.push(field.type);
    else types.set(field.path, [field.type]);
  }
  for (const list of types.values()) list.sort();
  const enums = new Map<string, string[]>();
  for (const entry of shape.enums) {
    const known = enums.get(entry.path);
    if (known) known.push(entry.value);
    else enums.set(entry.path, [entry.value]);
  }
  return { shape, types, enums };
}

/** The reliances a change can touch, looked up by the changed path. */
interface RelianceIndex {
  /** A path → the usedBy of every reliance on it or below it (a missing object breaks what reads inside it). */
  readonly byPathOrAncestor: ReadonlyMap<string, readonly string[]>;
  /** An enum path → the reliances listing the values their code handles. */
  readonly enumValues: ReadonlyMap<string, readonly ShapeReliance[]>;
}

function indexReliances(reliances: readonly ShapeReliance[]): RelianceIndex {
  const byPathOrAncestor = new Map<string, string[]>();
  const enumValues = new Map<string, ShapeReliance[]>();
  for (const reliance of reliances) {
    for (const path of [reliance.path, ...ancestorPaths(reliance.path)]) {
      const usedBy = byPathOrAncestor.get(path) ?? [];
      if (!usedBy.includes(reliance.usedBy)) usedBy.push(reliance.usedBy);
      byPathOrAncestor.set(path, usedBy);
    }
    if (reliance.values) enumValues.set(reliance.path, [...(enumValues.get(reliance.path) ?? []), reliance]);
  }
  return { byPathOrAncestor, enumValues };
}

function applyRun(
  profile: EndpointProfile,
  view: ShapeView,
  count: number,
  options: ProfileOptions,
  reliances: RelianceIndex,
): ShapeChange[] {
  const { status } = view.shape;
  const key = status === null ? 'none' : String(status);
  const transient = status !== null && isTransientStatus(status);
  const changes: ShapeChange[] = [];
  let statusProfile = own(profile.statuses, key);
  if (!statusProfile) {
    if (!transient && profile.samples >= options.learningSamples) changes.push(statusAdded(view, key));
    statusProfile = { samples: 0, fields: {}, enums: {} };
    profile.statuses[key] = statusProfile;
  }
  if (transient) {
    absorb(statusProfile, view);
  } else if (statusProfile.samples < options.learningSamples) {
    // Learning must not make a value the code does not handle known without a word.
    changes.push(...enumValuesAdded(statusProfile, view, reliances, 'unhandled'));
    absorb(statusProfile, view);
  } else {
    changes.push(...compare(statusProfile, view, count, options, reliances));
  }
  statusProfile.samples += count;
  profile.samples += count;
  return changes.sort(byPathThenKind);
}

/** Learning: the shape widens what is known, and what varies between samples becomes optional. */
function absorb(statusProfile: StatusProfile, view: ShapeView) {
  const hadSamples = statusProfile.samples > 0;
  for (const [path, types] of view.types) {
    const known = own(statusProfile.fields, path);
    if (known) {
      known.types = union(known.types, types);
      known.absentRun = 0;
    } else {
      statusProfile.fields[path] = { types: [...types], optional: hadSamples, absentRun: 0 };
    }
  }
  if (hadSamples) {
    for (const [path, field] of Object.entries(statusProfile.fields)) {
      if (isAbsent(path, view)) field.optional = true;
    }
  }
  absorbEnums(statusProfile, view);
}

function compare(
  statusProfile: StatusProfile,
  view: ShapeView,
  count: number,
  options: ProfileOptions,
  reliances: RelianceIndex,
): ShapeChange[] {
  const { status, hash } = view.shape;
  const changes: ShapeChange[] = [];
  const touched = (path: string) => reliances.byPathOrAncestor.get(path) ?? [];

  // Type changes first: below a retyped path, every other difference is a consequence of it.
  const retyped = new Map<string, JsonType[]>();
  for (const [path, types] of view.types) {
    const known = own(statusProfile.fields, path);
    const added = known ? types.filter((type) => !known.types.includes(type)) : [];
    if (added.length > 0) retyped.set(path, added);
  }
  const belowRetyped = (path: string) => ancestorPaths(path).some((ancestor) => retyped.has(ancestor));
  for (const [path, added] of retyped) {
    const field = statusProfile.fields[path] as FieldProfile;
    if (!belowRetyped(path)) {
      const previous = field.types.join('|');
      for (const type of added) {
        changes.push(
          change('type_changed', 'warning', touched(path), {
            status,
            path,
            value: type,
            previous,
            shapeHash: hash,
            message: `${path} was ${previous}, now ${type}`,
          }),
        );
      }
    }
    field.types = union(field.types, added);
  }

  const added = [...view.types.keys()].filter((path) => !own(statusProfile.fields, path));
  const addedSet = new Set(added);
  for (const path of added) {
    const parent = parentPath(path);
    const types = view.types.get(path) as readonly JsonType[];
    if ((parent === null || !addedSet.has(parent)) && !belowRetyped(path)) {
      // A new field is nothing the connector's code can rely on yet: never an error.
      changes.push(
        change('field_added', 'info', [], {
          status,
          path,
          value: null,
          previous: null,
          shapeHash: hash,
          message: `${path} appeared as ${types.join('|')}`,
        }),
      );
    }
    statusProfile.fields[path] = { types: [...types], optional: false, absentRun: 0 };
  }

  for (const [path, field] of Object.entries(statusProfile.fields)) {
    if (view.types.has(path)) {
      field.absentRun = 0;
    } else if (!field.optional && isAbsent(path, view)) {
      field.absentRun += count;
      if (field.absentRun >= options.missingAfter) {
        // Absorbed: a field that comes and goes is optional from now on, as if learning had seen it so.
        field.optional = true;
        changes.push(
          change('field_missing', 'warning', touched(path), {
            status,
            path,
            value: null,
            previous: null,
            shapeHash: hash,
            message: `${path} was absent from the last ${field.absentRun} samples`,
          }),
        );
      }
    }
  }

  changes.push(...enumValuesAdded(statusProfile, view, reliances, 'all'));
  absorbEnums(statusProfile, view);
  return changes;
}

/**
 * The shape's enum values the profile does not know yet: every one once the status learned, only those a
 * reliance listing its handled values does not list while it learns. The caller absorbs them.
 */
function enumValuesAdded(
  statusProfile: StatusProfile,
  view: ShapeView,
  reliances: RelianceIndex,
  which: 'all' | 'unhandled',
): ShapeChange[] {
  const { status, hash } = view.shape;
  const changes: ShapeChange[] = [];
  for (const [path, values] of view.enums) {
    const known = own(statusProfile.enums, path) ?? [];
    const knownSet = new Set(known);
    const previous = known.length > 0 ? known.join(', ') : null;
    for (const value of values) {
      if (knownSet.has(value)) continue;
      const unhandledBy = (reliances.enumValues.get(path) ?? [])
        .filter((reliance) => !reliance.values?.includes(value))
        .map((reliance) => reliance.usedBy);
      if (which === 'unhandled' && unhandledBy.length === 0) continue;
      changes.push(
        change('enum_value_added', 'info', unhandledBy, {
          status,
          path,
          value,
          previous,
          shapeHash: hash,
          message: previous
            ? `${path} took the new value "${value}" (known: ${previous})`
            : `${path} took the value "${value}"`,
        }),
      );
    }
  }
  return changes;
}

function statusAdded(view: ShapeView, key: string): ShapeChange {
  return change('status_added', 'info', [], {
    status: view.shape.status,
    path: null,
    value: key,
    previous: null,
    shapeHash: view.shape.hash,
    message: `the endpoint answered status ${key} for the first time`,
  });
}

/** A change at its kind's severity, raised to error when it breaks code that relies on it. */
function change(
  kind: ShapeChangeKind,
  severity: ShapeChangeSeverity,
  usedBy: readonly string[],
  details: Omit<ShapeChange, 'kind' | 'severity' | 'usedBy'>,
): ShapeChange {
  const unique = [...new Set(usedBy)];
  return unique.length > 0
    ? { kind, severity: 'error', usedBy: unique.join('; '), ...details }
    : { kind, severity, usedBy: null, ...details };
}

function absorbEnums(statusProfile: StatusProfile, view: ShapeView) {
  for (const [path, values] of view.enums) {
    statusProfile.enums[path] = union(own(statusProfile.enums, path) ?? [], values);
  }
}

/**
 * Absent: not in the shape although its parent is there as an object. Under a parent that is missing,
 * null, an empty array or not an object, the path does not apply to the sample at all.
 */
/**
 * Absent: the parent is there as an object and lacks it. A map's members (`$.metadata.*`) are never absent:
 * an empty map is a map.
 */
function isAbsent(path: string, view: ShapeView): boolean {
  if (view.types.has(path) || path.endsWith('.*')) return false;
  const parent = parentPath(path);
  return parent !== null && (view.types.get(parent)?.includes('object') ?? false);
}

function union<T extends string>(known: readonly T[], more: readonly T[]): T[] {
  return [...new Set([...known, ...more])].sort();
}

/** Profiles come back from storage as plain objects: a key must be the record's own, never inherited. */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Run order is kept by the caller; within a run, by path (a status_added, pathless, first), then kind. */
function byPathThenKind(a: ShapeChange, b: ShapeChange): number {
  return (
    compareText(a.path ?? '', b.path ?? '') ||
    SHAPE_CHANGE_KINDS.indexOf(a.kind) - SHAPE_CHANGE_KINDS.indexOf(b.kind) ||
    compareText(a.value ?? '', b.value ?? '')
  );
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
