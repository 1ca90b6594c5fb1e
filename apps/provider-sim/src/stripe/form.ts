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
