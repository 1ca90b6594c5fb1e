import { Worker } from 'node:worker_threads';
import type { EncodedRecord } from '@tributary/kafka';
import { Outbox } from '@tributary/persistence';
import type { DataSource } from 'typeorm';

export interface WriterSettings {
  readonly writers: number;
  readonly transactionSize: number;
}

export interface WriterResults {
  /** Per record: when its transaction's COMMIT returned, in epoch milliseconds (comparable across threads). */
  readonly committedAt: Float64Array;
  /** Per record: its transaction's duration (BEGIN .. COMMIT) in milliseconds. */
  readonly transactionMs: Float64Array;
  /** When the writers started and when the last commit returned, epoch milliseconds. */
  readonly startedAt: number;
  readonly finishedAt: number;
}

/** Epoch milliseconds with sub-millisecond precision; `performance.now()` alone differs between threads. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * `writers` concurrent loops, each taking the next `transactionSize` records and adding them to the outbox
 * in one transaction, until all are written — the application side of the outbox.
 */
export async function writeOutbox(
  dataSource: DataSource,
  records: readonly EncodedRecord[],
  settings: WriterSettings,
): Promise<WriterResults> {
  const outbox = new Outbox();
  const committedAt = new Float64Array(records.length);
  const transactionMs = new Float64Array(records.length);
  let next = 0;
  const writer = async () => {
    for (;;) {
      const from = next;
      if (from >= records.length) return;
      const to = Math.min(records.length, from + settings.transactionSize);
      next = to;
      const began = epochNow();
      await dataSource.transaction((manager) => outbox.add(manager, records.slice(from, to)));
      const now = epochNow();
      committedAt.fill(now, from, to);
      transactionMs.fill(now - began, from, to);
    }
  };
  const startedAt = epochNow();
  await Promise.all(Array.from({ length: settings.writers }, writer));
  return { committedAt, transactionMs, startedAt, finishedAt: epochNow() };
}

/** Writers ready to go: `run()` writes every record once and resolves with the figures. */
export interface OutboxWriters {
  run(): Promise<WriterResults>;
  stop(): Promise<void>;
}

/** The writers on the caller's event loop, sharing it with whatever else runs there. */
export function inlineWriters(
  dataSource: DataSource,
  records: readonly EncodedRecord[],
  settings: WriterSettings,
): OutboxWriters {
  return { run: () => writeOutbox(dataSource, records, settings), stop: async () => undefined };
}

/** What the writer thread needs: everything is plain data, cloned into the worker. */
export interface WriterThreadData extends WriterSettings {
  readonly url: string;
  readonly schema: string;
  readonly records: readonly EncodedRecord[];
}

export type WriterThreadMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly results: WriterResults }
  | { readonly type: 'failed'; readonly message: string };

/**
 * The writers on a thread of their own, as an application's request handlers would be in their own
 * processes: on the relay's event loop they would slow it down with work that is not the relay's. Resolves
 * once the thread is connected; `run()` then writes everything and resolves with the writers' figures.
 */
export async function startWriterThread(data: WriterThreadData): Promise<OutboxWriters> {
  const worker = new Worker(new URL('./outbox-writers.worker.ts', import.meta.url), { workerData: data });
  const next = () =>
    new Promise<WriterThreadMessage>((resolve, reject) => {
      const onMessage = (message: WriterThreadMessage) => {
        worker.off('error', onError);
        resolve(message);
      };
      const onError = (error: Error) => {
        worker.off('message', onMessage);
        reject(error);
      };
      worker.once('message', onMessage);
      worker.once('error', onError);
    });
  const expect = async <T extends WriterThreadMessage['type']>(type: T) => {
    const message = await next();
    if (message.type === 'failed') throw new Error(`outbox writer thread: ${message.message}`);
    if (message.type !== type) throw new Error(`outbox writer thread: expected ${type}, got ${message.type}`);
    return message as Extract<WriterThreadMessage, { type: T }>;
  };
  try {
    await expect('ready');
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return {
    async run() {
      const done = expect('done');
      worker.postMessage('start');
      return (await done).results;
    },
    async stop() {
      await worker.terminate();
    },
  };
}
