import { goalLine } from '../../goals.js';
import { ENTITY_SPECS } from './entities.js';
import {
  comparedPerSecond,
  entityGoals,
  floorRequests,
  formatSeconds,
  parseProcStatus,
  requestsPerRecord,
  runMs,
  sweepSeconds,
} from './figures.js';
import type { EntityMeasurement, GoalInputs, RunView } from './figures.js';
import { formatShare, renderReconciliationReport } from './report.js';
import type { ReconciliationResults } from './report.js';

const MiB = 1024 * 1024;

function run(overrides: Partial<RunView> = {}): RunView {
  return {
    id: '01a24986-0000-7000-8000-000000000000',
    status: 'succeeded',
    pages: 1_000,
    compared: 100_000,
    mismatches: 1_000,
    deferred: 0,
    unverifiable: 0,
    error: null,
    startedAt: '2026-12-06T04:00:00.000Z',
    finishedAt: '2026-12-06T04:02:30.000Z',
    ...overrides,
  };
}

/** 100,000 payments, 1 % drifted, read in 150 s through 1,000 requests; the raw read took 20 s. */
function measured(overrides: Partial<EntityMeasurement> = {}): EntityMeasurement {
  return {
    entity: 'payment',
    records: 100_000,
    drifted: 1_000,
    ownerObjects: 100_000,
    seedMs: 5_000,
    localRowsMs: 2_000,
    connectorRows: 0,
    run: run(),
    requests: 1_000,
    peakRequestsPerSecond: 9,
    findings: { stale_locally: 1_000 },
    breakdown: {
      value: {
        pages: 999,
        reconcilerPageAndRelay: 122,
        connectorConsumeAndRead: 9.3,
        connectorCommitAndRelay: 11.7,
        reconcilerConsume: 2,
      },
    },
    reconciler: { atStart: 200 * MiB, peak: 290 * MiB },
    connector: { atStart: 240 * MiB, peak: 320 * MiB },
    readCeiling: { value: { requests: 1_000, records: 100_000, ms: 20_000 } },
    sqlCeiling: { value: { rows: 100_000, mismatches: 1_000, ms: 250 } },
    ...overrides,
  };
}

const paymentGoals: GoalInputs = {
  entity: 'payment',
  plural: 'payments',
  records: 100_000,
  limit: ENTITY_SPECS.payment.limit,
  largestPage: 100,
  closingRequests: 0,
};

function results(overrides: Partial<ReconciliationResults> = {}): ReconciliationResults {
  return {
    run: 'bench.reconciliation_x',
    records: 100_000,
    driftRate: 0.01,
    settings: ['dry run'],
    entities: [{ entity: 'payment', outcome: { value: measured() } }],
    busy: [],
    cleanupProblems: [],
    ...overrides,
  };
}

describe('reconciliation figures', () => {
  it('rates the records compared over the run’s own start and end', () => {
    expect(runMs(run())).toBe(150_000);
    expect(comparedPerSecond(run())).toBeCloseTo(666.67, 2);
    expect(comparedPerSecond(run({ status: 'running', finishedAt: null }))).toBeNaN();
  });

  it('counts requests per record the walk returned, deferred ones included', () => {
    expect(requestsPerRecord({ requests: 1_000, run: run() })).toBe(0.01);
    expect(requestsPerRecord({ requests: 1_001, run: run({ compared: 99_990, deferred: 10 }) })).toBe(
      0.01001,
    );
  });

  it('times a full sweep at a documented limit: requests ÷ the sustained rate', () => {
    expect(sweepSeconds(1_000, { requests: 25, perSeconds: 1 })).toBe(40);
    expect(sweepSeconds(1_000, { requests: 100, perSeconds: 1 })).toBe(10);
    // HubSpot's 190 per rolling 10 s is 19 a second sustained.
    expect(sweepSeconds(1_001, { requests: 190, perSeconds: 10 })).toBeCloseTo(52.68, 2);
    expect(sweepSeconds(Number.NaN, { requests: 25, perSeconds: 1 })).toBeNaN();
  });

  it('takes one request a full page, plus the walk’s closing requests, as the floor', () => {
    expect(floorRequests(100_000, 100, 0)).toBe(1_000);
    expect(floorRequests(100_000, 100, 1)).toBe(1_001);
    expect(floorRequests(150, 100, 0)).toBe(2);
    expect(floorRequests(1, 100, 1)).toBe(2);
  });

  it('prints durations in the unit that reads best', () => {
    expect(formatSeconds(0.042)).toBe('42 ms');
    expect(formatSeconds(4.25)).toBe('4.3 s');
    expect(formatSeconds(40)).toBe('40 s');
    expect(formatSeconds(750)).toBe('12.5 min');
    expect(formatSeconds(3_600)).toBe('1 h');
    expect(formatSeconds(9_000)).toBe('2.5 h');
    expect(formatSeconds(Number.NaN)).toBe('n/a');
  });

  it('reads VmRSS and VmHWM from /proc/<pid>/status as bytes', () => {
    const status =
      'Name:\tnode\nVmPeak:\t 1200000 kB\nVmHWM:\t  300000 kB\nVmRSS:\t  250000 kB\nThreads:\t11\n';
    expect(parseProcStatus(status)).toEqual({ rss: 250_000 * 1024, hwm: 300_000 * 1024 });
    expect(parseProcStatus('Name:\tzombie\n').rss).toBeNaN();
  });
});

describe('reconciliation goals', () => {
  it('meets the four goals of a clean sweep and says by how much', () => {
    expect(entityGoals(paymentGoals, measured()).map(goalLine)).toEqual([
      'goal mismatches found equal the injected drift (payment): 1,000 (target 1,000): MET',
      'goal requests per record (payment): 0.0100 (target ≤ 0.0110): MET',
      "goal full sweep of 100,000 payments at Stripe's test-mode limit (25/s): 40 s (target ≤ 1 h): MET",
      // 666.7/s against the raw read's 5,000/s.
      "goal records compared per second ÷ the raw read's (payment): 0.13× (target ≥ 0.50×): NOT MET",
    ]);
  });

  it('misses the drift goal by one mismatch, the requests goal past 10 % over the floor, the sweep past an hour', () => {
    const [drift, requests, sweep] = entityGoals(
      paymentGoals,
      measured({ run: run({ mismatches: 999 }), requests: 90_001 }),
    );
    expect(drift!.met).toBe(false);
    expect(requests!.figure).toBe('0.9000');
    expect(requests!.met).toBe(false);
    expect(sweep!.figure).toBe('1 h');
    expect(sweep!.met).toBe(false);
    expect(entityGoals(paymentGoals, measured({ requests: 1_100 }))[1]!.met).toBe(true);
    expect(entityGoals(paymentGoals, measured({ requests: 1_101 }))[1]!.met).toBe(false);
  });

  it('meets the throughput goal from half the raw read’s rate on', () => {
    const at = (ms: number) =>
      entityGoals(
        paymentGoals,
        measured({ readCeiling: { value: { requests: 1_000, records: 100_000, ms } } }),
      )[3]!;
    // The run compares 666.7/s: half of a raw read of 100,000 in 75 s.
    expect(at(75_000).met).toBe(true);
    expect(at(74_000).met).toBe(false);
    expect(
      entityGoals(paymentGoals, measured({ readCeiling: { error: 'refused' } }))[3]!.met,
    ).toBeUndefined();
  });

  it('meets no goal of a run that did not succeed, and none of an entity not measured', () => {
    const stopped = entityGoals(paymentGoals, measured({ run: run({ status: 'failed', error: 'page 3' }) }));
    expect(stopped.every((goal) => goal.met === false)).toBe(true);
    const none = entityGoals(paymentGoals, undefined);
    expect(none.map((goal) => goal.met)).toEqual([undefined, undefined, undefined, undefined]);
    expect(none.map(goalLine).every((line) => line.endsWith(': NOT MET'))).toBe(true);
  });
});

describe('reconciliation report', () => {
  it('prints the run, the drift check, ceilings, the breakdown, the sweep at the limit, memory and the goals', () => {
    const text = renderReconciliationReport(results());
    expect(text).toContain('100,000 records per entity, 1 % of them drifted');
    expect(text).toMatch(
      /payment\s+succeeded\s+100,000\s+100,000\s+0\s+0\s+1,000\s+1,000\s+0\.0100\s+9\s+2\.5 min\s+667/,
    );
    expect(text).toContain('payment: 1,000 drifted, 1,000 mismatches found (findings: stale_locally 1,000)');
    expect(text).not.toContain('DIFFERS');
    expect(text).toMatch(/payment\s+1,000\s+20 s\s+5,000\s+0\.13×\s+250 ms\s+400,000\s+0\.0017×\s+1,000/);
    expect(text).toContain(
      "payment: 150 ms a page end to end, of which the read alone 20 ms: 130 ms a page are the platform's",
    );
    expect(text).toMatch(/payment\s+999\s+122\s+9\.30\s+11\.7\s+2\.00/);
    expect(text).toContain(
      "payment: 1,000 requests → 40 s at Stripe's test-mode limit (25/s); 10 s at Stripe's live-mode limit (100/s); " +
        'measured unthrottled: 2.5 min (slower than the limit allows: the platform, not the provider, bounds this sweep)',
    );
    expect(text).toContain(
      'payment: reconciler 200.0 MiB, peak 290.0 MiB; connector-payments 240.0 MiB, peak 320.0 MiB',
    );
    expect(text).toContain('machine: no other test run seen while measuring.');
    const goals = text.split('\n').filter((line) => line.startsWith('goal '));
    expect(goals).toHaveLength(4);
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^goal .*: (MET|NOT MET)$/);
  });

  it('prints small ratios with two significant digits', () => {
    expect(formatShare(0.004495)).toBe('0.0045×');
    expect(formatShare(0.0202)).toBe('0.02×');
    expect(formatShare(0.13)).toBe('0.13×');
    expect(formatShare(Number.NaN)).toBe('n/a');
  });

  it('flags mismatches that differ from the drift, a walk short of the owner, deferrals and a failed run', () => {
    const text = renderReconciliationReport(
      results({
        entities: [
          {
            entity: 'contact',
            outcome: {
              value: measured({
                entity: 'contact',
                run: run({
                  status: 'failed',
                  error: 'page 7 could not be read',
                  mismatches: 990,
                  deferred: 3,
                  compared: 99_000,
                }),
                findings: { stale_locally: 989, conflict: 1 },
              }),
            },
          },
        ],
        busy: ['4242'],
      }),
    );
    expect(text).toContain(
      'contact: 1,000 drifted, 990 mismatches found (findings: conflict 1, stale_locally 989) — DIFFERS by -10',
    );
    expect(text).toContain('the run ended failed: page 7 could not be read');
    expect(text).toContain('the walk returned 99,003 records of the 100,000 the owner holds');
    expect(text).toContain('3 deferred (changed within the settle window): not compared');
    expect(text).toContain('BUSY while measuring (other test runs: 4242)');
    expect(text).toContain(
      'goal mismatches found equal the injected drift (contact): 990 (target 1,000): NOT MET',
    );
  });

  it('prints an entity that could not be measured, and its goals as NOT MET', () => {
    const text = renderReconciliationReport(
      results({ entities: [{ entity: 'contact', outcome: { error: 'connector-crm exited early' } }] }),
    );
    expect(text).toMatch(/contact\s+not measured \(connector-crm exited early\)/);
    expect(text).toContain('not measured:\n  contact: connector-crm exited early');
    expect(text).toContain(
      'goal mismatches found equal the injected drift (contact): n/a (target the drift): NOT MET',
    );
    expect(text).toContain(
      "goal full sweep of 100,000 contacts at HubSpot's list limit (190/10 s): n/a (target ≤ 1 h): NOT MET",
    );
  });

  it('prints ceilings that could not be measured without dropping the run’s figures', () => {
    const text = renderReconciliationReport(
      results({
        entities: [
          {
            entity: 'payment',
            outcome: {
              value: measured({
                readCeiling: {
                  error: 'GET /v2/shipments?page_size=100 → 401: {"error":{"code":"APIKEY.REQUIRED"}}',
                },
                sqlCeiling: { error: 'no owner copies: the raw read failed' },
                breakdown: { error: 'relation does not exist' },
              }),
            },
          },
        ],
      }),
    );
    // Narrow in the table, whole under it.
    expect(text).toContain('not measured (GET /v2/shipments?page_size=100 → 401: …)');
    expect(text).toContain(
      'payment raw read: GET /v2/shipments?page_size=100 → 401: {"error":{"code":"APIKEY.REQUIRED"}}',
    );
    expect(text).toContain('not measured (relation does not exist)');
    expect(text).toContain('payment page breakdown: relation does not exist');
    expect(text).toContain('payment: 1,000 drifted, 1,000 mismatches found');
    expect(text).toContain(
      "goal records compared per second ÷ the raw read's (payment): n/a (target ≥ 0.50×): NOT MET",
    );
  });
});
