import { KeyedRateLimiter } from '@tributary/service-kit';
import type { IngestionConfig } from '../ingestion.config.js';

/**
 * Ingestion's own limiters, in-process (per instance). The per-API-key limit of every guarded route is the
 * kit's (ServiceModule `apiKeys.rateLimit`).
 */
export interface RateLimiters {
  /** Keyed by provider: protects the database from a provider's burst. */
  readonly webhook: KeyedRateLimiter;
  /** Keyed by API key id; replays are expensive, so they have their own, much lower budget. */
  readonly replay: KeyedRateLimiter;
}

export const RATE_LIMITERS = Symbol('RateLimiters');

export function createRateLimiters(config: IngestionConfig): RateLimiters {
  return {
    webhook: new KeyedRateLimiter('webhook', config.rateLimits.webhookPerProvider),
    replay: new KeyedRateLimiter('replay', config.rateLimits.replayPerKey),
  };
}
