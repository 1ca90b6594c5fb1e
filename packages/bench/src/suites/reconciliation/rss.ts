import { readFileSync } from 'node:fs';
import { parseProcStatus } from './figures.js';
import type { MemoryFigures } from './figures.js';

/**
 * RSS of another process (an app the bench started), sampled from /proc/<pid>/status. VmHWM alone would be
 * the process's peak over its whole life, boot included; sampling gives the figure at the run's start and
 * the highest while it went on.
 */
export class RssSampler {
  #atStart = Number.NaN;
  #peak = Number.NaN;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    everyMs = 250,
  ) {
    this.#sample();
    this.#atStart = this.#peak;
    this.#timer = setInterval(() => this.#sample(), everyMs);
    this.#timer.unref();
  }

  #sample(): void {
    try {
      const { rss } = parseProcStatus(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      if (Number.isFinite(rss) && !(rss <= this.#peak)) this.#peak = rss;
    } catch {
      // The process ended: its last sample stands.
    }
  }

  stop(): MemoryFigures {
    clearInterval(this.#timer);
    this.#sample();
    return { atStart: this.#atStart, peak: this.#peak };
  }
}
