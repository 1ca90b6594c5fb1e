/**
 * Shape paths (`$`, `$.a.b`, `$.items[]`, `$.items[].sku`) as `@tributary/provider-shapes` writes them: a
 * member name holding `.`, `[`, `]` or `\` has them escaped with `\`, so a segment boundary is an
 * unescaped `.` or `[`.
 */

/** The path one level up: `$.a` for `$.a.b` and `$.a[]`, `$.a[]` for `$.a[].b`, `$` for `$.a`; none for `$`. */
export function parentPath(path: string): string | null {
  let lastSegmentStart = -1;
  for (let index = 1; index < path.length; index += 1) {
    const char = path[index];
    if (char === '\\') {
      // The escaped character belongs to the member name, whatever it is.
      index += 1;
    } else if (char === '.' || char === '[') {
      lastSegmentStart = index;
    }
  }
  return lastSegmentStart > 0 ? path.slice(0, lastSegmentStart) : null;
}

/** Every path above this one, nearest first, ending with `$`. */
export function ancestorPaths(path: string): string[] {
  const ancestors: string[] = [];
  for (let parent = parentPath(path); parent !== null; parent = parentPath(parent)) ancestors.push(parent);
  return ancestors;
}
