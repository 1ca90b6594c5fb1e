/**
 * Stripe's form encoding: `amount=100&metadata[order]=o1&payment_method_types[0]=card`. Only the one level
 * of nesting the simulated endpoints use.
 */
export type StripeParams = Record<string, string | Record<string, string>>;

export function parseStripeForm(body: string): StripeParams {
  const params: StripeParams = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const nested = /^([a-z_]+)\[([^\]]+)\]$/.exec(name);
    if (nested) {
      const [, parent, child] = nested as unknown as [string, string, string];
      const bag = params[parent];
      params[parent] = { ...(typeof bag === 'object' ? bag : {}), [child]: value };
    } else {
      params[name] = value;
    }
  }
  return params;
}

/** A query string as Stripe reads it: `created[gte]=1` nests, `expand[]=a` and `types[0]=b` make arrays. */
export type StripeQuery = Record<string, string | string[] | Record<string, string>>;

export function parseStripeQuery(query: URLSearchParams): StripeQuery {
  const params: StripeQuery = {};
  for (const [name, value] of query) {
    const nested = /^([a-z_]+)\[([^\]]*)\]$/.exec(name);
    if (!nested) {
      params[name] = value;
      continue;
    }
    const [, parent, child] = nested as unknown as [string, string, string];
    const current = params[parent];
    if (child === '' || /^\d+$/.test(child)) {
      params[parent] = [...(Array.isArray(current) ? current : []), value];
    } else {
      const bag = typeof current === 'object' && !Array.isArray(current) ? current : {};
      params[parent] = { ...bag, [child]: value };
    }
  }
  return params;
}
