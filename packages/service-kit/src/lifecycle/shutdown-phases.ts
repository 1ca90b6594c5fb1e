/**
 * Shutdown runs in this order, whatever the order in which components were built:
 * - `intake`: stop taking new work that is not HTTP (pollers, schedulers). HTTP already answers 503 and
 *   has finished its in-flight requests when the phases start.
 * - `consumers`: stop fetching, let in-flight handlers finish their transactions, commit their offsets.
 * - `producers`: flush what consumers and requests wrote (outbox relay's last batch, producer disconnect).
 * - `resources`: close what the others used (database pools, admin clients).
 */
export const SHUTDOWN_PHASES = ['intake', 'consumers', 'producers', 'resources'] as const;
export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

export type ShutdownStepRun = () => Promise<void> | void;

/** One drain or close step of a component, in the phase it belongs to. */
export interface ShutdownStepSpec {
  readonly phase: ShutdownPhase;
  readonly name: string;
  readonly run: ShutdownStepRun;
}
