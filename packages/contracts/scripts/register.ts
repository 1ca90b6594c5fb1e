/**
 * `npm run schemas:register`: registers every schema under `<topic>-<record full name>` with subject
 * compatibility BACKWARD_TRANSITIVE. Safe to re-run: a schema already registered is reported `unchanged`.
 *
 *   --schemas <dir>       schema directory (default packages/contracts/schemas)
 *   --topic-prefix <p>    prepended to topics and so to subjects
 * SCHEMA_REGISTRY_URL    required.
 */
import { parseArgs } from 'node:util';
import { registerSchemas } from '../src/tooling/register.js';
import { SchemaRegistryAdmin } from '../src/tooling/registry-admin.js';
import { defaultSchemasDir, loadSchemaFiles } from '../src/tooling/schema-files.js';

const { values } = parseArgs({
  options: {
    schemas: { type: 'string' },
    'topic-prefix': { type: 'string', default: '' },
  },
});

const registryUrl = process.env.SCHEMA_REGISTRY_URL;
if (!registryUrl) {
  console.error('SCHEMA_REGISTRY_URL is not set: nothing to register with (e.g. http://localhost:8081).');
  process.exit(2);
}

try {
  const files = loadSchemaFiles(values.schemas ?? defaultSchemasDir);
  const results = await registerSchemas(new SchemaRegistryAdmin({ url: registryUrl }), files, {
    topicPrefix: values['topic-prefix'],
  });
  for (const r of results) {
    console.log(`${r.subject} -> id ${r.id} (${r.status}${r.compatibilitySet ? ', compatibility set' : ''})`);
  }
  const added = results.filter((r) => r.status === 'registered').length;
  console.log(`\n${added} registered, ${results.length - added} unchanged.`);
} catch (error) {
  console.error(`schemas:register failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
