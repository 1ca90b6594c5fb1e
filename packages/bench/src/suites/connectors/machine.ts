import { readFileSync, readdirSync } from 'node:fs';

/**
 * Other test runs on this machine (jest processes not belonging to this run): the benchmark measures
 * anyway, but says the machine was busy, because every figure here shares the same cores.
 */
export function otherTestRuns(): string[] {
  const found: string[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return found;
  }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (/jest(\.js)?\b/.test(command) && !command.includes('jest-worker')) {
        found.push(`${pid}: ${command.slice(0, 120)}`);
      }
    } catch {
      // The process ended meanwhile.
    }
  }
  return found;
}
