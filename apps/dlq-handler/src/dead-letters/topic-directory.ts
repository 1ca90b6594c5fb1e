import type { Admin } from 'kafkajs';
import { firstRetryTiers } from './dlq-topics.js';

/** The cluster's topic list, read at most every `maxAgeMs`: replays ask for it per batch. */
export class TopicDirectory {
  private cached: { at: number; tiers: Map<string, string> } | undefined;

  constructor(
    private readonly admin: Pick<Admin, 'listTopics'>,
    private readonly maxAgeMs = 2_000,
  ) {}

  /** Consumer group → its first retry tier topic. */
  async firstRetryTiers(): Promise<ReadonlyMap<string, string>> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > this.maxAgeMs) {
      this.cached = { at: now, tiers: firstRetryTiers(await this.admin.listTopics()) };
    }
    return this.cached.tiers;
  }
}
