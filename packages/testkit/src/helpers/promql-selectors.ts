/**
 * The instant vector selectors of a PromQL expression (`metric{label="v"}`, `{__name__=~"..."}`), without
 * their ranges or offsets: what must exist for the expression to compute anything. An alert's expression
 * returns nothing while it does not fire, so "does this alert see its data?" is asked of its selectors.
 *
 * A scanner, not a parser: it skips string literals, numbers and durations, range brackets and the label
 * lists of `by`, `without`, `on`, `ignoring`, `group_left` and `group_right`, and drops function names and
 * keywords. That is enough for the rules and dashboards of this repository, which its test checks.
 */
export function vectorSelectors(expr: string): string[] {
  const found: string[] = [];
  let i = 0;
  while (i < expr.length) {
    const rest = expr.slice(i);
    const skipped =
      /^"(?:[^"\\]|\\.)*"|^'(?:[^'\\]|\\.)*'|^`[^`]*`/.exec(rest) ??
      /^\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/.exec(rest) ??
      /^\[[^\]]*\]/.exec(rest) ??
      /^(?:0x[0-9a-f]+|\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:ms|[smhdwy])?(?:\d+(?:ms|[smhdwy]))*)/i.exec(rest);
    if (skipped) {
      i += skipped[0].length;
      continue;
    }
    const selector = new RegExp(`^([a-zA-Z_:][a-zA-Z0-9_:]*)?\\s*(${MATCHERS})?`).exec(rest);
    if (selector && selector[0].trim()) {
      const [whole, name, matchers] = selector;
      i += whole.length;
      const calls = /^\s*\(/.test(expr.slice(i));
      if (name && (calls || KEYWORDS.has(name.toLowerCase()))) {
        // A function or aggregation name; `sum by (x) (...)`'s label list is skipped on the next turn.
        continue;
      }
      found.push(`${name ?? ''}${matchers ?? ''}`);
      continue;
    }
    i += 1;
  }
  return [...new Set(found)];
}

/** A `{...}` block whose label values may hold braces inside their quotes. */
const MATCHERS = String.raw`\{(?:[^}"']|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')*\}`;

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
  // Aggregations written with their grouping first: `sum by (x) (...)`, `topk without (y) (3, ...)`.
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
]);
