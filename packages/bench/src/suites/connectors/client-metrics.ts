import type { ClientPacing } from './report.js';

/** The connector's Prometheus text, or undefined when it cannot be read (the figures then go without). */
async function scrape(port: number): Promise<string[] | undefined> {
  try {
    return (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).split('\n');
  } catch {
    return undefined;
  }
}

const value = (line: string) => Number(line.split(' ').at(-1));

function throttled(lines: readonly string[], reason: string): number {
  return lines
    .filter(
      (line) => line.startsWith('tributary_provider_throttled_total') && line.includes(`reason="${reason}"`),
    )
    .reduce((sum, line) => sum + value(line), 0);
}

/**
 * The connector's adaptive pacing (SDK ProviderHttpClient): the pacing rate gauge (absent while not pacing)
 * and the calls that waited for a slot at a lowered rate so far.
 */
export async function clientPacing(port: number): Promise<ClientPacing | undefined> {
  const lines = await scrape(port);
  if (!lines) return undefined;
  const rate = lines.find((line) => line.startsWith('tributary_provider_pacing_rate{'));
  return {
    rateAtEnd: rate === undefined ? Number.POSITIVE_INFINITY : value(rate),
    heldCalls: throttled(lines, 'pacing'),
  };
}

/**
 * Watches the connector during a phase, polling its /metrics every `intervalMs`: when the provider first
 * answered 429 (from the connector's own count of 429s, so up to `intervalMs` late; the provider's bucket was
 * empty then, its first full bucket spent), and the pacing rate once a second.
 */
export function watchPhase(
  port: number,
  intervalMs = 200,
): { stop(): Promise<{ firstRefusalAt: number | undefined; pacingPerSecond: number[] }> } {
  let stopped = false;
  let firstAt: number | undefined;
  const pacing: number[] = [];
  const running = (async () => {
    const initial = await scrape(port);
    if (!initial) return;
    const before = throttled(initial, 'status_429');
    const started = Date.now();
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      const lines = await scrape(port);
      if (!lines) continue;
      if (firstAt === undefined && throttled(lines, 'status_429') > before) firstAt = Date.now();
      const second = Math.floor((Date.now() - started) / 1000);
      if (pacing.length <= second) {
        const rate = lines.find((line) => line.startsWith('tributary_provider_pacing_rate{'));
        pacing.push(rate === undefined ? Number.POSITIVE_INFINITY : value(rate));
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      await running;
      return { firstRefusalAt: firstAt, pacingPerSecond: pacing };
    },
  };
}
