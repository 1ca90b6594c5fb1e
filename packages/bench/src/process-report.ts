import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface MemorySnapshot {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  /** Buffers live outside the heap; 1 KiB records show up here, not in heapUsed. */
  readonly external: number;
}

/** What a phase cost this process: memory around it, and how busy its one thread was. */
export interface ProcessReport {
  readonly before: MemorySnapshot;
  readonly after: MemorySnapshot;
  /** Highest RSS seen while the phase ran (sampled), the figure that decides a container's limit. */
  readonly peakRss: number;
  readonly wallMs: number;
  /** User + system CPU time of the process (all its threads: libuv, GC, the JIT). */
  readonly cpuMs: number;
  /** Share of the wall time the event loop was busy, 0..1. Near 1: the process itself is the bottleneck. */
  readonly loopUtilization: number;
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

/** Runs `work` between a collection and a snapshot, sampling RSS and counting CPU and event-loop time. */
export async function measureProcess<T>(
  work: () => Promise<T>,
  sampleEveryMs = 50,
): Promise<{ result: T; process: ProcessReport }> {
  collectGarbage();
  const before = snapshot();
  let peakRss = before.rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, sampleEveryMs);
  sampler.unref();
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const started = performance.now();
  try {
    const result = await work();
    const wallMs = performance.now() - started;
    const { user, system } = process.cpuUsage(cpu);
    const after = snapshot();
    return {
      result,
      process: {
        before,
        after,
        peakRss: Math.max(peakRss, after.rss),
        wallMs,
        cpuMs: (user + system) / 1000,
        loopUtilization: performance.eventLoopUtilization(loop).utilization,
      },
    };
  } finally {
    clearInterval(sampler);
  }
}
