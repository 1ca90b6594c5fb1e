import type { Admin } from 'kafkajs';
import { firstRetryTiers } from './domain/dlq-topics.js';

/** What a replay needs to know of the cluster: where each group's replays go, and which topics exist. */
export interface ReplayTopics {
  /**
   * Group → its shortest retry tier on the cluster: the target of rows whose DLQ record named none (written
   * by a consumer before records said where replays go). May be a few seconds old.
   */
  firstRetryTiers(): Promise<ReadonlyMap<string, string>>;
  /** Topics on the cluster now: a replay must not be accepted for, or sent to, a tier deleted a moment ago. */
  existingTopics(): Promise<ReadonlySet<string>>;
}

/** The cluster's topic list; `firstRetryTiers` reads a copy at most `maxAgeMs` old, `existingTopics` a fresh one. */
export class TopicDirectory implements ReplayTopics {
  private cached: { at: number; topics: Set<string>; tiers: Map<string, string> } | undefined;

  constructor(
    private readonly admin: Pick<Admin, 'listTopics'>,
    private readonly maxAgeMs = 2_000,
  ) {}

  async firstRetryTiers(): Promise<ReadonlyMap<string, string>> {
    if (!this.cached || Date.now() - this.cached.at > this.maxAgeMs) await this.refresh();
    return this.cached!.tiers;
  }

  async existingTopics(): Promise<ReadonlySet<string>> {
    return (await this.refresh()).topics;
  }

  private async refresh() {
    const at = Date.now();
    const topics = await this.admin.listTopics();
    this.cached = { at, topics: new Set(topics), tiers: firstRetryTiers(topics) };
    return this.cached;
  }
}
