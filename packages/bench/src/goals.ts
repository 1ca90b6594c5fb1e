/**
 * The goals a suite states, printed the same way by every suite: one line a goal, at the end of its report.
 * Pure, so the format and each suite's thresholds are unit-tested.
 */
export interface Goal {
  readonly what: string;
  readonly figure: string;
  readonly target: string;
  /** undefined: not measured (printed as NOT MET: a goal nobody measured is not met). */
  readonly met: boolean | undefined;
}

/** `goal <what>: <figure> (target <target>): MET` or `NOT MET`. */
export function goalLine(goal: Goal): string {
  return `goal ${goal.what}: ${goal.figure} (target ${goal.target}): ${goal.met ? 'MET' : 'NOT MET'}`;
}
