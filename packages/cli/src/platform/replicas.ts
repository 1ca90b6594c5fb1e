// Names and counts of an app's replicas in the platform runner (PlatformOptions.replicas).

/** Replica 1 keeps the app's name, so a run without replicas names its processes as it always did. */
export function instanceName(app: string, replica: number): string {
  return replica === 1 ? app : `${app}.${replica}`;
}

/** The app an instance is a replica of: `ingestion` for `ingestion.2`. App names have no dots. */
export function appOfInstance(instance: string): string {
  return instance.replace(/\.\d+$/, '');
}

/**
 * Validated replica counts by app: every name one the platform runs and may scale, every count a whole
 * number of at least 1. A typo would otherwise run one replica silently, and a test would prove nothing.
 */
export function replicaCounts(
  requested: Readonly<Record<string, number>>,
  scalable: readonly string[],
): Readonly<Record<string, number>> {
  for (const [app, count] of Object.entries(requested)) {
    if (!scalable.includes(app))
      throw new Error(`replicas: no app ${app} to scale (scalable: ${scalable.join(', ')})`);
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`replicas: ${app}=${count} is not a whole number of at least 1`);
  }
  return requested;
}
