import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface MemorySnapshot {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  /** Buffers live outside the heap; 1 KiB records show up here, not in heapUsed. */
  readonly external: number;
}

export interface MemoryReport {
  readonly before: MemorySnapshot;
  readonly after: MemorySnapshot;
  /** Highest RSS seen while the phase ran (sampled), the figure that decides a container's limit. */
  readonly peakRss: number;
}

export function snapshot(): MemorySnapshot {
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external };
}

let gc: (() => void) | undefined;

/**
 * A full collection between phases, so "before" does not carry the previous phase's garbage. The npm script
 * cannot pass --expose-gc to node through tsx, so the flag is set at run time and the function taken from a
 * fresh context, where V8 installs it.
 */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/** Measures memory around `work`: a collection, a snapshot, RSS samples while it runs, a snapshot. */
export async function measureMemory<T>(
  work: () => Promise<T>,
  sampleEveryMs = 50,
): Promise<{ result: T; memory: MemoryReport }> {
  collectGarbage();
  const before = snapshot();
  let peakRss = before.rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, sampleEveryMs);
  sampler.unref();
  try {
    const result = await work();
    const after = snapshot();
    return { result, memory: { before, after, peakRss: Math.max(peakRss, after.rss) } };
  } finally {
    clearInterval(sampler);
  }
}
