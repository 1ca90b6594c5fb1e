/**
 * `npm run schemas:check`: fails (exit 1) when a schema breaks BACKWARD_TRANSITIVE compatibility with any
 * version registered for its subject or with its version at the git base, when a schema (an event type)
 * disappeared, or when the generated types are stale.
 *
 *   --base <rev>          git revision to compare with; default: chosen by src/tooling/git-base.ts (the merge
 *                         base with main on a branch, else the last v* tag before HEAD, else HEAD~1)
 *   --no-git              skip the git comparison
 *   --seed-registry       first register the base's schemas under the subjects the registry lacks, so a fresh
 *                         registry (CI's) holds the previous versions; subjects it holds are left alone
 *   --schemas <dir>       schema directory (default packages/contracts/schemas)
 *   --topic-prefix <p>    prepended to topics and so to subjects (test runs, shared registries)
 * SCHEMA_REGISTRY_URL    registry to compare with; unset: git only, and the check says so.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { topics } from '../src/topics.js';
import { baselineFiles, checkSchemas, gitBaseline } from '../src/tooling/check.js';
import { renderEventsModule } from '../src/tooling/codegen.js';
import { resolveGitBase } from '../src/tooling/git-base.js';
import { registerSchemas } from '../src/tooling/register.js';
import { SchemaRegistryAdmin } from '../src/tooling/registry-admin.js';
import { defaultSchemasDir, loadSchemaFiles, subjectOf } from '../src/tooling/schema-files.js';

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

try {
  const files = loadSchemaFiles(schemasDir);
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
  const baseline = base?.rev ? gitBaseline(schemasDir, base.rev, base.label) : undefined;

  if (values['seed-registry']) {
    if (!registry) throw new Error('--seed-registry needs SCHEMA_REGISTRY_URL');
    // Only subjects the registry lacks: one it holds keeps its own history, which is never rewritten here.
    const previous = baseline ? await baselineFiles(baseline) : [];
    const lacking: typeof previous = [];
    for (const file of previous) {
      if ((await registry.listVersions(subjectOf(file, topicPrefix))).length === 0) lacking.push(file);
    }
    await registerSchemas(registry, lacking, { topicPrefix });
    console.log(
      `registry seeded from ${base?.label ?? 'nothing'}: ${lacking.length} registered, ${previous.length - lacking.length} already there`,
    );
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
  for (const note of report.notes) console.log(`note: ${note}`);
  problems.push(...report.errors);

  if (problems.length > 0) {
    console.error(`\n${problems.length} problem(s):`);
    for (const problem of problems) console.error(`  ${problem}`);
    if (report.errors.length > 0) {
      console.error(
        '\nA breaking change needs a new major topic and a deprecation window: see packages/contracts/CHANGELOG.md.',
      );
    }
    process.exit(1);
  }
  console.log(`\n${files.length} schemas compatible (BACKWARD_TRANSITIVE), none removed.`);
} catch (error) {
  console.error(`schemas:check could not run: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
