/**
 * The hot path's fingerprint of a body's shape: one walk that mixes member names, JSON types and the values
 * at enum paths into two 32-bit hashes, allocating nothing per field. Equal fingerprints are taken to be
 * equal shapes (a false match needs a 53-bit collision); a body whose fingerprint is new is reduced the
 * slow way (`shapeOf`), so a fingerprint that differs for an equal shape (members in another order, array
 * elements in another order) costs one more canonical reduction, never a wrong shape.
 */

/** Enum paths as a tree of member names (`[]` for array elements), walked alongside the body. */
export interface EnumTrie {
  readonly children: Map<string, EnumTrie>;
  isEnum: boolean;
}

// Same bounds as shapeOf: what it does not read cannot tell shapes apart.
const MAX_ARRAY_ELEMENTS = 10;
const MAX_DEPTH = 16;
const MAX_ENUM_VALUE_LENGTH = 100;

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
  Member: 10,
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

/** Splits `$.a.b[].c` into `a`, `b`, `[]`, `c`, undoing `\` escapes; undefined when it is not a path. */
export function pathSegments(path: string): string[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const segments: string[] = [];
  let i = 1;
  while (i < path.length) {
    if (path.startsWith('[]', i)) {
      segments.push('[]');
      i += 2;
    } else if (path[i] === '.') {
      let name = '';
      i++;
      while (i < path.length && path[i] !== '.' && path[i] !== '[') {
        if (path[i] === '\\' && i + 1 < path.length) i++;
        name += path[i];
        i++;
      }
      segments.push(name);
    } else {
      return undefined;
    }
  }
  return segments;
}

export function enumTrieOf(paths: Iterable<string>): EnumTrie {
  const root: EnumTrie = { children: new Map(), isEnum: false };
  for (const path of paths) {
    const segments = pathSegments(path);
    if (!segments) continue;
    let node = root;
    for (const segment of segments) {
      let child = node.children.get(segment);
      if (!child) node.children.set(segment, (child = { children: new Map(), isEnum: false }));
      node = child;
    }
    node.isEnum = true;
  }
  return root;
}

/**
 * The fingerprint of `body`, an integer of 53 bits. Members are mixed in the order the body holds them;
 * consecutive array elements of one fingerprint count once, so a list of 3 or 10 equal items is one shape.
 */
export function structureKey(body: unknown, enums: EnumTrie): number {
  let h1 = SEED1;
  let h2 = SEED2;
  // One mixing step per field: a member's name hash and its value's type tag go in together.
  const mix = (a: number, b: number) => {
    h1 = Math.imul(h1 ^ a, 0x01000193);
    h2 = Math.imul(h2 ^ b, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  };
  const walk = (value: unknown, node: EnumTrie | undefined, depth: number, a: number, b: number): void => {
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
      if (depth < MAX_DEPTH) {
        const elements = node?.children.get('[]');
        let last1 = 0;
        let last2 = 0;
        const count = Math.min(value.length, MAX_ARRAY_ELEMENTS);
        for (let i = 0; i < count; i++) {
          const outer1 = h1;
          const outer2 = h2;
          h1 = SEED1;
          h2 = SEED2;
          walk(value[i], elements, depth + 1, 0, 0);
          const item1 = h1;
          const item2 = h2;
          h1 = outer1;
          h2 = outer2;
          if (i > 0 && item1 === last1 && item2 === last2) continue;
          mix(item1, item2);
          last1 = item1;
          last2 = item2;
        }
      }
      return mix(Tag.ArrayClose, Tag.ArrayClose);
    }
    mix(a ^ Tag.ObjectOpen, b ^ Tag.ObjectOpen);
    if (depth < MAX_DEPTH) {
      const object = value as Record<string, unknown>;
      const children = node?.children;
      for (const name of Object.keys(object)) {
        const [x, y] = textHash(name);
        walk(object[name], children?.get(name), depth + 1, x, y);
      }
    }
    mix(Tag.ObjectClose, Tag.ObjectClose);
  };
  walk(body, enums, 0, 0, 0);
  // 32 bits of one lane and 21 of the other: a number a Map hashes without building a string.
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}
