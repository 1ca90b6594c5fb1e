/**
 * `npm run schemas:check`: fails (exit 1) when a schema breaks BACKWARD_TRANSITIVE compatibility with any
 * version registered for its subject or with any version it had in git up to the base, when a schema (an
 * event type) that existed at any commit up to the base is gone, or when the generated types are stale.
 *
 *   --base <rev>          git revision whose history to compare with; default: chosen by
 *                         src/tooling/git-base.ts (the merge base with main on a branch, else the last v* tag
 *                         before HEAD, else HEAD~1); its first-parent history back to the first commit counts
 *   --no-git              skip the git comparison
 *   --seed-registry       first register every historical version of every schema, oldest first, that the
 *                         registry lacks, so a fresh registry (CI's) holds the whole history; a refused
 *                         version is reported and the seeding goes on
 *   --schemas <dir>       schema directory (default packages/contracts/schemas); its withdrawn.json lists
 *                         historical versions that never reached a shared registry: neither compared nor
 *                         seeded, like a version that is no valid schema file (both printed as notes)
 *   --topic-prefix <p>    prepended to topics and so to subjects (test runs, shared registries)
 * SCHEMA_REGISTRY_URL    registry to compare with; unset: git only, and the check says so.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { topics } from '../src/topics.js';
import { checkSchemas } from '../src/tooling/check.js';
import { renderEventsModule } from '../src/tooling/codegen.js';
import { resolveGitBase } from '../src/tooling/git-base.js';
import { gitSchemaHistory } from '../src/tooling/git-history.js';
import { seedRegistryFromHistory } from '../src/tooling/register.js';
import { SchemaRegistryAdmin } from '../src/tooling/registry-admin.js';
import { defaultSchemasDir, loadSchemaFiles } from '../src/tooling/schema-files.js';
import { loadWithdrawn } from '../src/tooling/withdrawn.js';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    'no-git': { type: 'boolean', default: false },
    'seed-registry': { type: 'boolean', default: false },
    schemas: { type: 'string' },
    'topic-prefix': { type: 'string', default: '' },
  },
});

const schemasDir = values.schemas ?? defaultSchemasDir;
const registryUrl = process.env.SCHEMA_REGISTRY_URL;
const topicPrefix = values['topic-prefix'];

const started = performance.now();
try {
  const files = loadSchemaFiles(schemasDir);
  const withdrawn = loadWithdrawn(schemasDir);
  const problems: string[] = [];

  if (!values.schemas) {
    const generated = fileURLToPath(new URL('../src/generated/events.ts', import.meta.url));
    if (readFileSync(generated, 'utf8') !== renderEventsModule(files)) {
      problems.push(`${generated} is stale: run npm run schemas:generate`);
    }
  }

  const registry = registryUrl ? new SchemaRegistryAdmin({ url: registryUrl }) : undefined;
  if (!registry) console.log('SCHEMA_REGISTRY_URL is not set: checking against git only, not the registry.');

  const base = values['no-git'] ? undefined : await resolveGitBase(schemasDir, values.base);
  if (base) console.log(`git base: ${base.label} — ${base.reason}`);
  const baseline = base?.rev
    ? await gitSchemaHistory(schemasDir, base.rev, `git history to ${base.label.replace(/^git /, '')}`, {
        withdrawn,
      })
    : undefined;
  if (baseline) {
    const versions = baseline.files.reduce((n, f) => n + f.versions.length, 0);
    console.log(
      `git history: ${baseline.commits} commits changed schemas, ${versions} versions of ${baseline.files.length} files (read in ${baseline.elapsedMs} ms)${baseline.shallow ? '; shallow clone: history before its first commit is not seen' : ''}`,
    );
  }

  const seedNotes: string[] = [];
  if (values['seed-registry']) {
    if (!registry) throw new Error('--seed-registry needs SCHEMA_REGISTRY_URL');
    // Versions the registry holds are skipped, so a reused stack gets only what it lacks, in order.
    const seed = await seedRegistryFromHistory(registry, baseline?.files ?? [], { topicPrefix });
    console.log(
      `registry seeded from ${baseline?.label ?? 'nothing'}: ${seed.registered} registered, ${seed.alreadyThere} already there, ${seed.refused.length} refused`,
    );
    for (const refusal of seed.refused) console.log(`REFUSED ${refusal.message}`);
    seedNotes.push(...seed.skipped.map((s) => `not seeded, not a valid schema file today: ${s}`));
  }

  // A deprecated topic past its removeAfter may lose its schemas (CHANGELOG.md); any other removal fails.
  const today = new Date().toISOString().slice(0, 10);
  const retiredTopics = new Set(
    topics.filter((t) => t.deprecation && t.deprecation.removeAfter <= today).map((t) => t.name),
  );

  const report = await checkSchemas({
    files,
    ...(registry ? { registry } : {}),
    ...(baseline ? { baseline } : {}),
    topicPrefix,
    retiredTopics,
  });

  for (const result of report.results) {
    const against = result.comparedWith.length > 0 ? result.comparedWith.join(', ') : 'nothing yet';
    console.log(`${result.issues.length === 0 ? 'ok  ' : 'FAIL'} ${result.subject} (vs ${against})`);
  }
  for (const removed of report.removed) {
    console.log(`${removed.allowed ? 'ok  ' : 'FAIL'} ${removed.subject} (removed; in ${removed.seenIn})`);
  }
  for (const note of [...seedNotes, ...report.notes]) console.log(`note: ${note}`);
  const took = `${Math.round(performance.now() - started)} ms`;
  problems.push(...report.errors);

  if (problems.length > 0) {
    console.error(`\n${problems.length} problem(s):`);
    for (const problem of problems) console.error(`  ${problem}`);
    if (report.errors.length > 0) {
      console.error(
        '\nA breaking change needs a new major topic and a deprecation window: see packages/contracts/CHANGELOG.md.',
      );
    }
    console.error(`(checked in ${took})`);
    process.exit(1);
  }
  console.log(
    `\n${files.length} schemas compatible (BACKWARD_TRANSITIVE), none removed (checked in ${took}).`,
  );
} catch (error) {
  console.error(`schemas:check could not run: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
