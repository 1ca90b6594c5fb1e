/**
 * The entities this suite sweeps: every reconciled entity, each through its owner's connector's reader. Its
 * own module, free of imports: the command line reads it before the bench relaunches itself, when nothing of
 * the platform may be loaded yet.
 */
export const BENCH_ENTITIES = ['payment', 'contact', 'shipment'] as const;
export type BenchEntityName = (typeof BENCH_ENTITIES)[number];
