/**
 * `npm run schemas:check`: fails (exit 1) when a schema breaks BACKWARD_TRANSITIVE compatibility with any
 * version registered for its subject or with its last committed version, or when the generated types are stale.
 *
 *   --base <rev>          git revision to compare with (default HEAD)
 *   --no-git              skip the git comparison
 *   --schemas <dir>       schema directory (default packages/contracts/schemas)
 *   --topic-prefix <p>    prepended to topics and so to subjects (test runs, shared registries)
 * SCHEMA_REGISTRY_URL    registry to compare with; unset: git only.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkSchemas, gitBaseline } from '../src/tooling/check.js';
import { renderEventsModule } from '../src/tooling/codegen.js';
import { SchemaRegistryAdmin } from '../src/tooling/registry-admin.js';
import { defaultSchemasDir, loadSchemaFiles } from '../src/tooling/schema-files.js';

const { values } = parseArgs({
  options: {
    base: { type: 'string', default: 'HEAD' },
    'no-git': { type: 'boolean', default: false },
    schemas: { type: 'string' },
    'topic-prefix': { type: 'string', default: '' },
  },
});

const schemasDir = values.schemas ?? defaultSchemasDir;
const registryUrl = process.env.SCHEMA_REGISTRY_URL;

try {
  const files = loadSchemaFiles(schemasDir);
  const problems: string[] = [];

  if (!values.schemas) {
    const generated = fileURLToPath(new URL('../src/generated/events.ts', import.meta.url));
    if (readFileSync(generated, 'utf8') !== renderEventsModule(files)) {
      problems.push(`${generated} is stale: run npm run schemas:generate`);
    }
  }

  if (!registryUrl)
    console.log('SCHEMA_REGISTRY_URL is not set: checking against git only, not the registry.');
  const report = await checkSchemas({
    files,
    ...(registryUrl ? { registry: new SchemaRegistryAdmin({ url: registryUrl }) } : {}),
    ...(values['no-git'] ? {} : { baseline: gitBaseline(schemasDir, values.base) }),
    topicPrefix: values['topic-prefix'],
  });

  for (const result of report.results) {
    const against = result.comparedWith.length > 0 ? result.comparedWith.join(', ') : 'nothing yet';
    console.log(`${result.issues.length === 0 ? 'ok  ' : 'FAIL'} ${result.subject} (vs ${against})`);
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
  console.log(`\n${files.length} schemas compatible (BACKWARD_TRANSITIVE).`);
} catch (error) {
  console.error(`schemas:check could not run: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
