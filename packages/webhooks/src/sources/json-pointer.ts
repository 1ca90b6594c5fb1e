/** RFC 6901: `""` is the whole document, `/a/0/b~1c` walks `a`, then index 0, then the member `b/c`. */
export const JSON_POINTER_PATTERN = /^(\/([^~/]|~[01])*)*$/;

/** The value at `pointer` in a parsed JSON document, or undefined when the path leads nowhere. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let current = document;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(current)) {
      // Indexes as the RFC writes them: no sign, no leading zero, no `-` (the element after the last).
      if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
      current = current[Number(token)];
    } else if (typeof current === 'object' && current !== null && Object.hasOwn(current, token)) {
      current = (current as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return current;
}
