/**
 * `schemas:register`: each schema under its TopicRecordNameStrategy subject, with the subject's
 * compatibility pinned to BACKWARD_TRANSITIVE. Idempotent: a schema the subject already holds is found, not
 * registered again (Apicurio would add a duplicate version for text that differs only in whitespace, so the
 * text is always `schemaTextOf(schema)`).
 */
import { schemaTextOf } from '../naming.js';
import type { CompatibilityLevel } from './compatibility.js';
import type { SchemaRegistryAdmin } from './registry-admin.js';
import { parseSchemaFile, subjectOf } from './schema-files.js';
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

/** A historical version the registry would not take. */
export interface SeedRefusal {
  readonly subject: string;
  readonly file: string;
  /** `git 1a2b3c4` */
  readonly version: string;
  /** Registry versions of the subject that are no text of this history (a reused registry's). */
  readonly foreignVersions: readonly number[];
  /** One sentence for the output, naming subject, file, commit and why. */
  readonly message: string;
}

export interface SeedResult {
  readonly registered: number;
  /** Versions the registry held already (a reused stack), left as they are. */
  readonly alreadyThere: number;
  readonly refused: readonly SeedRefusal[];
  /**
   * Historical texts that are not a valid schema file today; nothing to register. gitSchemaHistory sets the
   * same texts aside already (and withdrawn ones), so the check and the seeding leave out the same versions.
   */
  readonly skipped: readonly string[];
}

/**
 * Fills a registry with every committed version of every schema, oldest first per subject, so its
 * BACKWARD_TRANSITIVE verdict covers the whole history. A version the subject already holds is skipped, so a
 * reused registry gets only what it lacks, in order. A refusal (409) does not stop the seeding: it is
 * reported, naming the commit, and the next version is tried — the schema files are still compared with the
 * refused text by the local check.
 */
export async function seedRegistryFromHistory(
  registry: SchemaRegistryAdmin,
  history: readonly { relativePath: string; versions: readonly { label: string; text: string }[] }[],
  options: RegisterOptions = {},
): Promise<SeedResult> {
  const level = options.level ?? 'BACKWARD_TRANSITIVE';
  let registered = 0;
  let alreadyThere = 0;
  const refused: SeedRefusal[] = [];
  const skipped: string[] = [];
  for (const { relativePath, versions } of history) {
    const parsed: { label: string; file: SchemaFile }[] = [];
    for (const version of versions) {
      try {
        parsed.push({ label: version.label, file: parseSchemaFile(relativePath, version.text) });
      } catch (error) {
        skipped.push(`${relativePath} as of ${version.label}: ${(error as Error).message}`);
      }
    }
    if (parsed.length === 0) continue;
    const subject = subjectOf(parsed[0]!.file, options.topicPrefix);
    if ((await registry.getCompatibility(subject)) !== level) await registry.setCompatibility(subject, level);

    const ours = new Set(parsed.map((p) => schemaTextOf(p.file.schema)));
    for (const { label, file } of parsed) {
      const text = schemaTextOf(file.schema);
      if (await registry.lookup(subject, text)) {
        alreadyThere += 1;
        continue;
      }
      try {
        await registry.register(subject, text);
        registered += 1;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SCHEMA_REGISTRY_INCOMPATIBLE') throw error;
        const held = await registry.getAllVersions(subject);
        const foreignVersions = held.filter((h) => !ours.has(canonical(h.schema))).map((h) => h.version);
        const why =
          foreignVersions.length > 0
            ? `it already holds version ${foreignVersions.join(', ')}, which this history never had (a registry reused from another branch or run: seed a fresh one), and this text is incompatible with its versions`
            : 'it breaks a version committed before it';
        refused.push({
          subject,
          file: relativePath,
          version: label,
          foreignVersions,
          message: `${subject}: the registry refuses ${relativePath} as of ${label}: ${why}; the schema file is still compared with that text locally (${(error as Error).message})`,
        });
      }
    }
  }
  return { registered, alreadyThere, refused, skipped };
}

/** The registry's text as this tooling would send it, so formatting does not make a version foreign. */
function canonical(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}
