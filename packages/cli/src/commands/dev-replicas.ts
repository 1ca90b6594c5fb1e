// `tributary dev --replicas`: how many processes of each app the runner starts (PlatformOptions.replicas).

/**
 * The `--replicas` values, each a comma-separated list of `<n>` (every app in `all`) or `<app>=<n>` (one app
 * in `known`); a later entry wins over an earlier one, so `--replicas 2,ingestion=3` runs three ingestions
 * and two of everything else. Throws on an unknown app or a count that is not a whole number of at least 1.
 */
export function parseReplicas(
  values: readonly string[],
  apps: { readonly all: readonly string[]; readonly known: readonly string[] },
): Record<string, number> {
  const replicas: Record<string, number> = {};
  for (const entry of values.flatMap((value) => value.split(',')).map((e) => e.trim())) {
    if (!entry) continue;
    const [, app, count] = /^(?:([a-z][a-z0-9-]*)=)?(\S+)$/.exec(entry) ?? [];
    const n = Number(count);
    if (count === undefined || !/^\d+$/.test(count) || n < 1)
      throw new Error(`--replicas ${entry}: expected <n> or <app>=<n>, n a whole number of at least 1`);
    if (app === undefined) {
      for (const name of apps.all) replicas[name] = n;
    } else if (apps.known.includes(app)) {
      replicas[app] = n;
    } else {
      throw new Error(`--replicas ${entry}: no app ${app} to scale (scalable: ${apps.known.join(', ')})`);
    }
  }
  return replicas;
}
