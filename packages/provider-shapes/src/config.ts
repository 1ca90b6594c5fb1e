import { z } from 'zod';

const flag = z.enum(['on', 'off']).default('on');

/**
 * Environment variables of every app that observes provider shapes (a connector, ingestion). Spread into
 * the app's config schema; `providerShapesConfig` reads them.
 */
export const providerShapesEnv = {
  /** `off` stops sampling: nothing is walked, nothing is sent. */
  PROVIDER_SHAPES: flag,
  /** How often each endpoint's samples are sent to reconciliation. */
  PROVIDER_SHAPES_FLUSH_MS: z.coerce.number().int().min(100).max(300_000).default(5_000),
};

export interface ProviderShapesConfig {
  readonly enabled: boolean;
  readonly flushIntervalMs: number;
}

export function providerShapesConfig(values: {
  readonly PROVIDER_SHAPES: 'on' | 'off';
  readonly PROVIDER_SHAPES_FLUSH_MS: number;
}): ProviderShapesConfig {
  return { enabled: values.PROVIDER_SHAPES === 'on', flushIntervalMs: values.PROVIDER_SHAPES_FLUSH_MS };
}
