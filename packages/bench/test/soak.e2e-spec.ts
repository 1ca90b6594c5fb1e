import { startPrivateStack } from '@tributary/testkit';
import type { PrivateStack } from '@tributary/testkit';
import { goalLine } from '../src/goals.js';
import { soakGoals } from '../src/suites/soak/report.js';
import { runSoak } from '../src/suites/soak/run.js';
import type { SoakResult } from '../src/suites/soak/run.js';

// Needs the builds of every app (`npm run build`). The small version of `npm run bench -- soak`: a private
// stack (its broker is stopped on purpose), a few thousand events, each app SIGKILLed once (one replica
// each), one broker stop and start. It asserts counts only, never timings.

describe('the chaos soak, small (every app with two replicas on a private stack)', () => {
  let stack: PrivateStack;
  let result: SoakResult;

  beforeAll(async () => {
    stack = await startPrivateStack();
  }, 180_000);

  afterAll(async () => {
    await stack?.down();
  });

  it('loses, doubles and reorders nothing through SIGKILLs of every app and a broker restart', async () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    result = await runSoak(
      stack,
      {
        events: 2_200,
        ordersPerSecond: 5,
        seed,
        replicas: 2,
        // One kill per instance would be two per app; the test kills one replica of each app.
        killsPerInstance: 1,
        brokerRestarts: 1,
        postgresRestarts: 0,
        providerFaultRate: 0.05,
        stallMs: 60_000,
        killOnlyFirstReplica: true,
      },
      (line) => process.stderr.write(`[soak] ${line}\n`),
    );
    process.stderr.write(`${result.report}\n`);
    const { findings } = result;
    expect(findings.accepted).toBeGreaterThan(100);
    expect(findings.lost).toEqual([]);
    expect(findings.doubled).toEqual([]);
    expect(findings.orderViolations).toEqual([]);
    expect(findings.unexplained).toEqual([]);
    expect(result.faults.filter((f) => f.error)).toEqual([]);
    expect(
      soakGoals(findings, result.faults)
        .map(goalLine)
        .filter((line) => line.endsWith('NOT MET')),
    ).toEqual([]);
    // Usually ~140 s; the drain may wait out the simulator's webhook retries (run.ts, WEBHOOK_RETRY_SPAN_MS).
  }, 900_000);
});
