import type { IngestionConfig } from '../ingestion.config.js';
import { KeyedRateLimiter } from './token-bucket.js';

/** The app's limiters, in-process (per instance). */
export interface RateLimiters {
  /** Keyed by provider: protects the database from a provider's burst. */
  readonly webhook: KeyedRateLimiter;
  /** Keyed by API key id. */
  readonly apiKey: KeyedRateLimiter;
  /** Keyed by API key id; replays are expensive, so they have their own, much lower budget. */
  readonly replay: KeyedRateLimiter;
}

export const RATE_LIMITERS = Symbol('RateLimiters');

export function createRateLimiters(config: IngestionConfig): RateLimiters {
  return {
    webhook: new KeyedRateLimiter('webhook', config.rateLimits.webhookPerProvider),
    apiKey: new KeyedRateLimiter('api-key', config.rateLimits.apiPerKey),
    replay: new KeyedRateLimiter('replay', config.rateLimits.replayPerKey),
  };
}
