/**
 * The hot path's fingerprint of a body's shape: one walk that mixes member names, JSON types and the values
 * at enum paths into two 32-bit hashes, allocating nothing per field. Equal fingerprints are taken to be
 * equal shapes (a false match needs a 53-bit collision); a body whose fingerprint is new is reduced the
 * slow way (`shapeOf`), so a fingerprint that differs for an equal shape (members in another order, array
 * elements in another order) costs one more canonical reduction, never a wrong shape.
 */

import { MAX_ARRAY_ELEMENTS, MAX_DEPTH, MAX_ENUM_VALUE_LENGTH, MAX_MEMBERS, MAX_VALUES } from './bounds.js';
import { readsAsMap } from './paths.js';
import type { PathTrie } from './paths.js';

// Tokens mixed between the names and values, so that structure, not only the names, decides the hash.
const Tag = {
  Null: 1,
  String: 2,
  Number: 3,
  Boolean: 4,
  ObjectOpen: 5,
  ObjectClose: 6,
  ArrayOpen: 7,
  ArrayClose: 8,
  EnumValue: 9,
  MapOpen: 10,
  MapClose: 11,
} as const;

/**
 * Member names' (and enum values') own hashes, two lanes each. A body's member names are internalized strings whose hash V8
 * keeps, so one Map lookup replaces hashing a name character by character on every sample. Bounded: a
 * provider sending ever new names (ids as keys) costs hashing, never memory.
 */
const textHashes = new Map<string, readonly [number, number]>();
const MAX_TEXT_HASHES = 10_000;
const SEED1 = 0x811c9dc5;
const SEED2 = 0x2545f491;

/** Two 32-bit hashes of a member name or an enum value (a handful of values per enum path), cached. */
function textHash(name: string): readonly [number, number] {
  let hash = textHashes.get(name);
  if (!hash) {
    let a = SEED1 ^ name.length;
    let b = SEED2 ^ name.length;
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    if (textHashes.size >= MAX_TEXT_HASHES) textHashes.clear();
    textHashes.set(name, (hash = [a, b]));
  }
  return hash;
}

/**
 * The fingerprint of `body`, an integer of 53 bits. Members are mixed in the order the body holds them;
 * consecutive array elements of one fingerprint count once, so a list of 3 or 10 equal items is one shape.
 */
export function structureKey(body: unknown, declared: PathTrie): number {
  let h1 = SEED1;
  let h2 = SEED2;
  let budget = MAX_VALUES;
  // One mixing step per field: a member's name hash and its value's type tag go in together.
  const mix = (a: number, b: number) => {
    h1 = Math.imul(h1 ^ a, 0x01000193);
    h2 = Math.imul(h2 ^ b, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  };
  const walk = (value: unknown, node: PathTrie | undefined, depth: number, a: number, b: number): void => {
    if (budget-- <= 0) return;
    if (value === null) return mix(a ^ Tag.Null, b ^ Tag.Null);
    switch (typeof value) {
      case 'string':
        mix(a ^ Tag.String, b ^ Tag.String);
        if (node?.isEnum && value.length <= MAX_ENUM_VALUE_LENGTH) {
          const [x, y] = textHash(value);
          mix(x ^ Tag.EnumValue, y ^ Tag.EnumValue);
        }
        return;
      case 'number':
        return mix(a ^ Tag.Number, b ^ Tag.Number);
      case 'boolean':
        return mix(a ^ Tag.Boolean, b ^ Tag.Boolean);
      default:
        break;
    }
    if (Array.isArray(value)) {
      mix(a ^ Tag.ArrayOpen, b ^ Tag.ArrayOpen);
      if (depth < MAX_DEPTH) elements(value, node?.children.get('[]'), depth);
      return mix(Tag.ArrayClose, Tag.ArrayClose);
    }
    const object = value as Record<string, unknown>;
    const names = Object.keys(object);
    if (readsAsMap(node, names.length, MAX_MEMBERS)) {
      mix(a ^ Tag.MapOpen, b ^ Tag.MapOpen);
      if (depth < MAX_DEPTH)
        elements(
          names.slice(0, MAX_ARRAY_ELEMENTS).map((name) => object[name]),
          node?.children.get('*'),
          depth,
        );
      return mix(Tag.MapClose, Tag.MapClose);
    }
    mix(a ^ Tag.ObjectOpen, b ^ Tag.ObjectOpen);
    if (depth < MAX_DEPTH) {
      const children = node?.children;
      for (const name of names) {
        const [x, y] = textHash(name);
        walk(object[name], children?.get(name), depth + 1, x, y);
      }
    }
    mix(Tag.ObjectClose, Tag.ObjectClose);
  };
  /** Array elements (a map's values): each hashed alone, consecutive equal ones mixed once. */
  const elements = (items: readonly unknown[], node: PathTrie | undefined, depth: number) => {
    let last1 = 0;
    let last2 = 0;
    const count = Math.min(items.length, MAX_ARRAY_ELEMENTS);
    for (let i = 0; i < count; i++) {
      const outer1 = h1;
      const outer2 = h2;
      h1 = SEED1;
      h2 = SEED2;
      walk(items[i], node, depth + 1, 0, 0);
      const item1 = h1;
      const item2 = h2;
      h1 = outer1;
      h2 = outer2;
      if (i > 0 && item1 === last1 && item2 === last2) continue;
      mix(item1, item2);
      last1 = item1;
      last2 = item2;
    }
  };
  walk(body, declared, 0, 0, 0);
  // 32 bits of one lane and 21 of the other: a number a Map hashes without building a string.
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}
