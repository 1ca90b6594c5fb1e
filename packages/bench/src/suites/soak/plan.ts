import { seededRandom } from './prng.js';

/** One fault of the soak, at `atMs` after the flow started. */
export type PlannedFault =
  | { readonly kind: 'kill'; readonly atMs: number; readonly instance: string; readonly downMs: number }
  | { readonly kind: 'broker'; readonly atMs: number; readonly downMs: number }
  | { readonly kind: 'postgres'; readonly atMs: number };

export interface FaultPlanInput {
  readonly seed: number;
  /** How long orders flow; faults fall within its 10 %..80 %, so the tail of the run sees recovery. */
  readonly flowMs: number;
  /** Every app instance to SIGKILL (`ingestion`, `ingestion.2`, ...). */
  readonly instances: readonly string[];
  readonly killsPerInstance: number;
  readonly brokerRestarts: number;
  readonly postgresRestarts: number;
}

/**
 * The faults of a run, ordered by time, drawn from the seed alone (pure: the same seed and input give the
 * same plan). They are carried out one after the other: a fault that comes due while another is still
 * being healed waits for it, so two faults never overlap by accident of timing.
 */
export function planFaults(input: FaultPlanInput): PlannedFault[] {
  const random = seededRandom(input.seed);
  const at = () => Math.round(input.flowMs * (0.1 + 0.7 * random()));
  const faults: PlannedFault[] = [];
  for (const instance of input.instances) {
    for (let n = 0; n < input.killsPerInstance; n += 1) {
      faults.push({ kind: 'kill', atMs: at(), instance, downMs: Math.round(3_000 * random()) });
    }
  }
  for (let n = 0; n < input.brokerRestarts; n += 1) {
    faults.push({ kind: 'broker', atMs: at(), downMs: 3_000 + Math.round(7_000 * random()) });
  }
  for (let n = 0; n < input.postgresRestarts; n += 1) faults.push({ kind: 'postgres', atMs: at() });
  return faults.sort((a, b) => a.atMs - b.atMs);
}

export function describeFault(fault: PlannedFault): string {
  switch (fault.kind) {
    case 'kill':
      return `SIGKILL ${fault.instance}`;
    case 'broker':
      return 'Kafka broker stopped';
    case 'postgres':
      return 'Postgres restarted';
  }
}
