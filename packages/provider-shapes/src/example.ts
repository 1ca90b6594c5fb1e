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

function cut(value: unknown, limits: Cut, depth: number): unknown {
  if (typeof value === 'string')
    return value.length > limits.stringLength ? `${value.slice(0, limits.stringLength)}…` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= limits.depth) return Array.isArray(value) ? ['…'] : { '…': '…' };
  if (Array.isArray(value)) {
    const kept = value.slice(0, limits.arrayElements).map((item) => cut(item, limits, depth + 1));
    return value.length > limits.arrayElements
      ? [...kept, `… ${value.length - limits.arrayElements} more`]
      : kept;
  }
  // fromEntries defines members: assigning a parsed `__proto__` member would set the prototype and drop it.
  return Object.fromEntries(
    Object.entries(value).map(([name, item]) => [name, cut(item, limits, depth + 1)]),
  );
}

/**
 * The example kept with a new shape: the sample after `redact` (personal data and secrets replaced), arrays
 * and strings cut, as JSON of at most MAX_EXAMPLE_BYTES. Redaction comes first, so a cut never leaves part of
 * a personal value behind.
 */
export function exampleOf(body: unknown, redact: (value: unknown) => unknown): string {
  const redacted = redact(body);
  for (const limits of CUTS) {
    const text = JSON.stringify(cut(redacted, limits, 0));
    if (Buffer.byteLength(text) <= MAX_EXAMPLE_BYTES) return text;
  }
  return JSON.stringify({ '…': `example over ${MAX_EXAMPLE_BYTES} bytes even when cut` });
}
