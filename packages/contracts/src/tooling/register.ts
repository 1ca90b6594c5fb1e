/**
 * `schemas:register`: each schema under its TopicRecordNameStrategy subject, with the subject's
 * compatibility pinned to BACKWARD_TRANSITIVE. Idempotent: a schema the subject already holds is found, not
 * registered again (Apicurio would add a duplicate version for text that differs only in whitespace, so the
 * text is always `schemaTextOf(schema)`).
 */
import { schemaTextOf } from '../naming.js';
import type { CompatibilityLevel } from './compatibility.js';
import type { SchemaRegistryAdmin } from './registry-admin.js';
import { subjectOf } from './schema-files.js';
import type { SchemaFile } from './schema-files.js';

export interface RegistrationResult {
  readonly subject: string;
  readonly id: number;
  /** `registered`: a new version; `unchanged`: the subject already held this schema. */
  readonly status: 'registered' | 'unchanged';
  /** True when this run changed the subject's compatibility level. */
  readonly compatibilitySet: boolean;
}

export interface RegisterOptions {
  readonly topicPrefix?: string;
  /** Default BACKWARD_TRANSITIVE. */
  readonly level?: CompatibilityLevel;
}

/** Registers in file order and stops at the first refusal (`SCHEMA_REGISTRY_INCOMPATIBLE` and friends). */
export async function registerSchemas(
  registry: SchemaRegistryAdmin,
  files: readonly SchemaFile[],
  options: RegisterOptions = {},
): Promise<RegistrationResult[]> {
  const level = options.level ?? 'BACKWARD_TRANSITIVE';
  const results: RegistrationResult[] = [];
  for (const file of files) {
    const subject = subjectOf(file, options.topicPrefix);
    // Level first: the first version must never land under a laxer global default.
    const compatibilitySet = (await registry.getCompatibility(subject)) !== level;
    if (compatibilitySet) await registry.setCompatibility(subject, level);

    const text = schemaTextOf(file.schema);
    const existing = await registry.lookup(subject, text);
    if (existing) {
      results.push({ subject, id: existing.id, status: 'unchanged', compatibilitySet });
    } else {
      const { id } = await registry.register(subject, text);
      results.push({ subject, id, status: 'registered', compatibilitySet });
    }
  }
  return results;
}
