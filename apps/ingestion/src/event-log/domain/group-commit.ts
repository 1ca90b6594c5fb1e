/** What a group commit writes: anything with an id. */
export interface Identified {
  readonly id: string;
}

/**
 * Writes entries in one atomic step and resolves with the ids of those that were new (not deduplicated
 * away). Rejects when nothing was written.
 */
export type CommitEntries<T extends Identified> = (entries: readonly T[]) => Promise<Set<string>>;

interface Pending<T extends Identified> {
  readonly entries: readonly T[];
  resolve(fresh: Set<string>): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions {
  /** Entries per transaction at most. */
  readonly maxEntries?: number;
  /** Transactions in flight at once: one being written while the next is prepared. */
  readonly concurrency?: number;
}

/**
 * Group commit for the event log: requests that arrive while a write is in flight are written together in
 * the next one, so one statement (and one WAL flush) carries many webhooks instead of one. A lone request
 * is written at once, so at low load latency is a single transaction; under load the batches grow with the
 * queue and throughput follows.
 *
 * Each request still gets its own answer: which of its own entries were new. When a batch fails, its
 * requests are written again one by one, so one bad entry cannot fail the webhooks that arrived with it.
 */
export class GroupCommitWriter<T extends Identified> {
  readonly #queue: Pending<T>[] = [];
  readonly #maxEntries: number;
  readonly #concurrency: number;
  #inFlight = 0;

  constructor(
    private readonly commit: CommitEntries<T>,
    options: GroupCommitOptions = {},
  ) {
    this.#maxEntries = options.maxEntries ?? 256;
    this.#concurrency = options.concurrency ?? 2;
  }

  /** Resolves with the ids of the entries that were new (not deduplicated away) once they are committed. */
  write(entries: readonly T[]): Promise<Set<string>> {
    return new Promise<Set<string>>((resolve, reject) => {
      this.#queue.push({ entries, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.#concurrency && this.#queue.length > 0) {
      this.#inFlight++;
      void this.#flush(this.#take()).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  /** The oldest requests, up to maxEntries entries (always at least one request). */
  #take(): Pending<T>[] {
    const batch: Pending<T>[] = [];
    let size = 0;
    while (this.#queue.length > 0) {
      const next = this.#queue[0]!;
      if (batch.length > 0 && size + next.entries.length > this.#maxEntries) break;
      batch.push(this.#queue.shift()!);
      size += next.entries.length;
    }
    return batch;
  }

  async #flush(batch: readonly Pending<T>[]): Promise<void> {
    try {
      const fresh = await this.commit(batch.flatMap((pending) => pending.entries));
      // Each request learns about its own entries only: a duplicate that shares a batch with the original
      // must not see the original's id and be told "accepted".
      for (const pending of batch) pending.resolve(ownEntries(pending, fresh));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      for (const pending of batch) {
        await this.commit(pending.entries).then(pending.resolve, pending.reject);
      }
    }
  }
}

function ownEntries<T extends Identified>(pending: Pending<T>, fresh: ReadonlySet<string>): Set<string> {
  return new Set(pending.entries.filter((entry) => fresh.has(entry.id)).map((entry) => entry.id));
}
