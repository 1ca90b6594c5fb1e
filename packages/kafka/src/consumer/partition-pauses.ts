export type PauseReason =
  'retry_due' | 'rate_limited' | 'backpressure' | 'forward_failed' | 'parking_unavailable';

interface Paused {
  readonly reasons: Set<PauseReason>;
  readonly timers: Map<PauseReason, NodeJS.Timeout>;
}

/**
 * Pause bookkeeping per topic-partition. A partition can be held for several reasons at once (a tier record
 * not yet due and the application asking for backpressure); it resumes only when the last one is released,
 * so a due-time timer never undoes an application's pause.
 */
export class PartitionPauses {
  private readonly paused = new Map<string, Paused>();

  constructor(
    private readonly pause: (topic: string, partition: number) => void,
    private readonly resume: (topic: string, partition: number) => void,
  ) {}

  hold(topic: string, partition: number, reason: PauseReason, forMs?: number): void {
    const key = `${topic}\u0000${partition}`;
    let entry = this.paused.get(key);
    if (!entry) {
      entry = { reasons: new Set(), timers: new Map() };
      this.paused.set(key, entry);
      this.pause(topic, partition);
    }
    entry.reasons.add(reason);
    clearTimeout(entry.timers.get(reason));
    if (forMs !== undefined) {
      entry.timers.set(
        reason,
        setTimeout(() => this.release(topic, partition, reason), forMs),
      );
    }
  }

  release(topic: string, partition: number, reason: PauseReason): void {
    const key = `${topic}\u0000${partition}`;
    const entry = this.paused.get(key);
    if (!entry || !entry.reasons.has(reason)) return;
    clearTimeout(entry.timers.get(reason));
    entry.timers.delete(reason);
    entry.reasons.delete(reason);
    if (entry.reasons.size === 0) {
      this.paused.delete(key);
      this.resume(topic, partition);
    }
  }

  isHeld(topic: string, partition: number): boolean {
    return this.paused.has(`${topic}\u0000${partition}`);
  }

  /** Every held partition: a new consumer replacing the old one must hold them too. */
  held(): { topic: string; partition: number }[] {
    return [...this.paused.keys()].map((key) => {
      const [topic = '', partition = '0'] = key.split('\u0000');
      return { topic, partition: Number(partition) };
    });
  }

  /** On shutdown: no timer may fire into a disconnected consumer. */
  clear(): void {
    for (const entry of this.paused.values()) for (const timer of entry.timers.values()) clearTimeout(timer);
    this.paused.clear();
  }
}
