import { MAX_MEMBERS } from './bounds.js';
import { readsAsMap } from './paths.js';
import type { PathTrie } from './paths.js';

/** What a masked string reads as in an example. */
export const MASKED = '<string>';

/** An example is for reading, not replaying: bounded so a shape row stays small whatever the provider sends. */
export const MAX_EXAMPLE_BYTES = 8_192;

interface Cut {
  readonly arrayElements: number;
  readonly stringLength: number;
  readonly depth: number;
}

// Tried in order until the example fits: a typical provider object fits the first.
const CUTS: readonly Cut[] = [
  { arrayElements: 2, stringLength: 200, depth: 16 },
  { arrayElements: 1, stringLength: 40, depth: 6 },
  { arrayElements: 1, stringLength: 16, depth: 3 },
];

/**
 * Masks and cuts: a string survives only where the declaration keeps it (enum paths, relied-on fields), so
 * what nobody declared (a new field, a provider's free text, a name under an unexpected key) never reaches
 * an example, however deep.
 */
function cut(value: unknown, node: PathTrie | undefined, limits: Cut, depth: number): unknown {
  if (typeof value === 'string') {
    if (!node?.isKept) return MASKED;
    return value.length > limits.stringLength ? `${value.slice(0, limits.stringLength)}…` : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= limits.depth) return Array.isArray(value) ? ['…'] : { '…': '…' };
  if (Array.isArray(value)) {
    const items = node?.children.get('[]');
    const kept = value.slice(0, limits.arrayElements).map((item) => cut(item, items, limits, depth + 1));
    return value.length > limits.arrayElements
      ? [...kept, `… ${value.length - limits.arrayElements} more`]
      : kept;
  }
  const entries = Object.entries(value);
  if (readsAsMap(node, entries.length, MAX_MEMBERS)) {
    // A map's keys are data (ids, merchant-chosen names): they are masked like values.
    const members = node?.children.get('*');
    const kept = entries
      .slice(0, limits.arrayElements)
      .map(([, item], i): [string, unknown] => [`${MASKED}${i + 1}`, cut(item, members, limits, depth + 1)]);
    if (entries.length > limits.arrayElements)
      kept.push(['…', `${entries.length - limits.arrayElements} more`]);
    return Object.fromEntries(kept);
  }
  // fromEntries defines members: assigning a parsed `__proto__` member would set the prototype and drop it.
  return Object.fromEntries(
    entries.map(([name, item]) => [name, cut(item, node?.children.get(name), limits, depth + 1)]),
  );
}

/**
 * The example kept with a new shape: every string masked but those `kept` declares, arrays, maps and kept
 * strings cut, then `redact` (personal data and secrets among the kept fields, by name), as JSON of at most
 * MAX_EXAMPLE_BYTES. Numbers, booleans and nulls stay: amounts and flags are what a reader of a changed
 * shape needs, and no personal data is a bare number in the providers' payloads we map.
 */
export function exampleOf(body: unknown, redact: (value: unknown) => unknown, kept?: PathTrie): string {
  for (const limits of CUTS) {
    const text = JSON.stringify(redact(cut(body, kept, limits, 0)));
    if (Buffer.byteLength(text) <= MAX_EXAMPLE_BYTES) return text;
  }
  return JSON.stringify({ '…': `example over ${MAX_EXAMPLE_BYTES} bytes even when cut` });
}
