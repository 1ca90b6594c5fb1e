import { createHash } from 'node:crypto';
import { MAX_ARRAY_ELEMENTS, MAX_DEPTH, MAX_ENUM_VALUE_LENGTH, MAX_MEMBERS, MAX_VALUES } from './bounds.js';
import type { JsonType, ObservedShape, ShapeEnumValue, ShapeField } from './observation.js';
import { pathTrieOf, readsAsMap } from './paths.js';
import type { PathTrie } from './paths.js';

/** The paths and enum values of one sample: what `canonicalShape` sorts and hashes. */
export interface SampleShape {
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

const escapeMember = (name: string) => name.replace(/[.[\]\\*]/g, (c) => `\\${c}`);

/**
 * Reduces a parsed JSON body to its paths with their types, plus the values found at enum paths. Reads what
 * `structureKey` reads, in the same order (bounds.ts): arrays' first elements, maps (declared, or objects of
 * more than MAX_MEMBERS members) as `*` with their first values, at most MAX_VALUES values in all.
 */
export function shapeOf(body: unknown, declared: PathTrie = pathTrieOf({})): SampleShape {
  const fields = new Map<string, Set<JsonType>>();
  const enums = new Map<string, Set<string>>();
  let budget = MAX_VALUES;
  const visit = (value: unknown, path: string, node: PathTrie | undefined, depth: number): void => {
    if (budget-- <= 0) return;
    const type = jsonTypeOf(value);
    let types = fields.get(path);
    if (!types) fields.set(path, (types = new Set()));
    types.add(type);
    if (type === 'string' && node?.isEnum && (value as string).length <= MAX_ENUM_VALUE_LENGTH) {
      let values = enums.get(path);
      if (!values) enums.set(path, (values = new Set()));
      values.add(value as string);
    }
    if (depth >= MAX_DEPTH) return;
    if (type === 'array') {
      const items = value as unknown[];
      const child = node?.children.get('[]');
      for (let i = 0; i < items.length && i < MAX_ARRAY_ELEMENTS; i++)
        visit(items[i], `${path}[]`, child, depth + 1);
    } else if (type === 'object') {
      const object = value as Record<string, unknown>;
      const names = Object.keys(object);
      if (readsAsMap(node, names.length, MAX_MEMBERS)) {
        const child = node?.children.get('*');
        for (let i = 0; i < names.length && i < MAX_ARRAY_ELEMENTS; i++)
          visit(object[names[i]!], `${path}.*`, child, depth + 1);
      } else {
        for (const name of names)
          visit(object[name], `${path}.${escapeMember(name)}`, node?.children.get(name), depth + 1);
      }
    }
  };
  visit(body, '$', declared, 0);
  return { fields, enums };
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
