import { createHash } from 'node:crypto';
import type { JsonType, ObservedShape, ShapeEnumValue, ShapeField } from './observation.js';

/** Arrays are read up to this many elements: a list endpoint's 100 items share their shape. */
const MAX_ARRAY_ELEMENTS = 10;
/** Deeper levels are not part of the shape: no provider payload we map nests further. */
const MAX_DEPTH = 16;
/** An enum value longer than this is not an enum: it is kept out of the shape. */
const MAX_ENUM_VALUE_LENGTH = 100;

/** The shape of one sample before it is made canonical: what the hot path computes. */
export interface SampleShape {
  /**
   * Paths and types, then enum values, in the order the walk met them: equal bodies give equal keys. Paths
   * and values are preceded by their length, so a member name or a value holding the separator cannot make
   * two different shapes read as one.
   */
  readonly key: string;
  readonly fields: ReadonlyMap<string, ReadonlySet<JsonType>>;
  readonly enums: ReadonlyMap<string, ReadonlySet<string>>;
}

function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'object';
  }
}

const escapeMember = (name: string) => name.replace(/[.[\]\\]/g, (c) => `\\${c}`);

/**
 * Reduces a parsed JSON body to its paths with their types, plus the values found at `enumPaths`. One walk,
 * no sorting: the order-dependent `key` finds a known shape in a cache before anything canonical is built.
 */
export function shapeOf(body: unknown, enumPaths: ReadonlySet<string> = new Set()): SampleShape {
  const fields = new Map<string, Set<JsonType>>();
  const enums = new Map<string, Set<string>>();
  const parts: string[] = [];
  const visit = (value: unknown, path: string, depth: number): void => {
    const type = jsonTypeOf(value);
    let types = fields.get(path);
    if (!types) fields.set(path, (types = new Set()));
    if (!types.has(type)) {
      types.add(type);
      parts.push(`${path.length}`, path, type);
    }
    if (type === 'string' && enumPaths.has(path) && (value as string).length <= MAX_ENUM_VALUE_LENGTH) {
      let values = enums.get(path);
      if (!values) enums.set(path, (values = new Set()));
      if (!values.has(value as string)) {
        values.add(value as string);
        parts.push('=', `${path.length}`, path, `${(value as string).length}`, value as string);
      }
    }
    if (depth >= MAX_DEPTH) return;
    if (type === 'array') {
      const items = value as unknown[];
      const elements = `${path}[]`;
      for (let i = 0; i < items.length && i < MAX_ARRAY_ELEMENTS; i++) visit(items[i], elements, depth + 1);
    } else if (type === 'object') {
      for (const name of Object.keys(value as object))
        visit((value as Record<string, unknown>)[name], `${path}.${escapeMember(name)}`, depth + 1);
    }
  };
  visit(body, '$', 0);
  return { key: parts.join('\u0000'), fields, enums };
}

const byPathThen =
  <T extends { path: string }>(second: (item: T) => string) =>
  (a: T, b: T) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : second(a) < second(b) ? -1 : second(a) > second(b) ? 1 : 0;

/** The canonical, hashed form of a sample's shape; `example` is the caller's redacted sample. */
export function canonicalShape(sample: SampleShape, status: number | null, example: string): ObservedShape {
  const fields: ShapeField[] = [];
  for (const [path, types] of sample.fields) for (const type of types) fields.push({ path, type });
  fields.sort(byPathThen((field) => field.type));
  const enums: ShapeEnumValue[] = [];
  for (const [path, values] of sample.enums) for (const value of values) enums.push({ path, value });
  enums.sort(byPathThen((item) => item.value));
  const hash = createHash('sha256')
    .update(
      JSON.stringify([status, fields.map((f) => [f.path, f.type]), enums.map((e) => [e.path, e.value])]),
    )
    .digest('hex')
    .slice(0, 16);
  return { hash, status, fields, enums, example };
}

/**
 * Known shapes by their fingerprint (or walk key) and status, so a repeated shape costs one walk and one map lookup: no sort,
 * no hash, no redaction. Bounded: past `capacity` entries it starts over (a provider sending ever new shapes
 * costs hashing, never memory).
 */
export class ShapeCache {
  readonly #byStatus = new Map<number | null, Map<string | number, ObservedShape>>();
  #size = 0;

  constructor(private readonly capacity = 2_000) {}

  get(status: number | null, key: string | number): ObservedShape | undefined {
    return this.#byStatus.get(status)?.get(key);
  }

  set(status: number | null, key: string | number, shape: ObservedShape): void {
    if (this.#size >= this.capacity) {
      this.#byStatus.clear();
      this.#size = 0;
    }
    let shapes = this.#byStatus.get(status);
    if (!shapes) this.#byStatus.set(status, (shapes = new Map()));
    if (!shapes.has(key)) this.#size++;
    shapes.set(key, shape);
  }
}
