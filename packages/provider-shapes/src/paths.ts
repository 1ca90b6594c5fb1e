/**
 * Declared paths as a tree walked alongside a body: member names, `[]` for array elements, `*` for any
 * member of a map.
 */
export interface PathTrie {
  readonly children: Map<string, PathTrie>;
  /** String values here are part of the shape. */
  isEnum: boolean;
  /** Member names here are data, not fields: every member is `*`. */
  isMap: boolean;
  /** String values here are kept in examples (enums and relied-on fields); every other string is masked. */
  isKept: boolean;
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

export interface DeclaredPaths {
  readonly enums?: Iterable<string>;
  readonly maps?: Iterable<string>;
  readonly kept?: Iterable<string>;
}

export function pathTrieOf(declared: DeclaredPaths): PathTrie {
  const root = node();
  const mark = (paths: Iterable<string> | undefined, flag: 'isEnum' | 'isMap' | 'isKept') => {
    for (const path of paths ?? []) {
      const segments = pathSegments(path);
      if (!segments) continue;
      let at = root;
      for (const segment of segments) {
        let child = at.children.get(segment);
        if (!child) at.children.set(segment, (child = node()));
        at = child;
      }
      at[flag] = true;
    }
  };
  mark(declared.enums, 'isEnum');
  mark(declared.enums, 'isKept');
  mark(declared.maps, 'isMap');
  mark(declared.kept, 'isKept');
  return root;
}

/** A trie of enum paths only. */
export const enumTrieOf = (paths: Iterable<string>): PathTrie => pathTrieOf({ enums: paths });

function node(): PathTrie {
  return { children: new Map(), isEnum: false, isMap: false, isKept: false };
}

/** Whether an object is read as a map at this node: declared so, or too many members to be fields. */
export const readsAsMap = (trie: PathTrie | undefined, members: number, maxMembers: number) =>
  trie?.isMap === true || members > maxMembers;
