/**
 * The timing of replay claims (docs/architecture.md#retries-and-dead-letters), pure so it is tested without a
 * clock. A claim is renewed every third of its lease while its send (or its in-doubt look-up) runs, so two
 * renewals may be late or fail before another replica may take the rows: a slow produce (kafkajs retries it
 * for longer than any sensible lease) never makes a live replica's rows look in doubt. Only a process that
 * stops renewing (it died, or its event loop or database stalled for a whole lease) loses its claims.
 */
export function leaseRenewalMs(leaseMs: number): number {
  return Math.max(50, Math.floor(leaseMs / 3));
}

/**
 * How often a replica looks for claims whose holder died: half a lease (200 ms–30 s), so a dead replica's
 * rows are settled within about one and a half leases of its last renewal.
 */
export function inDoubtCheckMs(leaseMs: number): number {
  return Math.min(30_000, Math.max(200, Math.floor(leaseMs / 2)));
}

/** Rows in doubt grouped by the tier they went to, and those with no tier on the cluster (nothing to read). */
export function inDoubtByTopic<Row extends { readonly id: string; readonly since: Date }>(
  rows: readonly Row[],
  targets: ReadonlyMap<string, string | undefined>,
  existing: ReadonlySet<string>,
): { byTopic: Map<string, { ids: Set<string>; since: Date }>; nowhere: string[] } {
  const byTopic = new Map<string, { ids: Set<string>; since: Date }>();
  const nowhere: string[] = [];
  for (const row of rows) {
    const topic = targets.get(row.id);
    if (topic === undefined || !existing.has(topic)) {
      nowhere.push(row.id);
      continue;
    }
    const entry = byTopic.get(topic) ?? { ids: new Set<string>(), since: row.since };
    entry.ids.add(row.id);
    if (row.since < entry.since) entry.since = row.since;
    byTopic.set(topic, entry);
  }
  return { byTopic, nowhere };
}
