import { readFileSync } from 'node:fs';
import type { RunningPlatform } from '@tributary/cli';

export interface RssFigures {
  readonly peakBytes: number;
  readonly lastBytes: number;
}

/** Samples VmRSS of every app instance (whatever pid it has now: restarts included) every few seconds. */
export function sampleRss(platform: RunningPlatform, everyMs = 5_000) {
  const figures = new Map<string, RssFigures>();
  const sample = () => {
    for (const [name, app] of platform.apps) {
      if (name === 'provider-sim') continue;
      const bytes = rssOf(app.pid);
      if (bytes === undefined) continue;
      const before = figures.get(name);
      figures.set(name, { peakBytes: Math.max(before?.peakBytes ?? 0, bytes), lastBytes: bytes });
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return figures;
    },
  };
}

function rssOf(pid: number): number | undefined {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}
