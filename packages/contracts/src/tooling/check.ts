/**
 * `schemas:check`: every schema file against every version its subject has in the registry and against the
 * last committed version of the file. Breaking changes are reported with subject and field.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TributaryError } from '../errors.js';
import { schemaTextOf } from '../naming.js';
import { checkCompatibility } from './compatibility.js';
import type { CompatibilityIssue, CompatibilityLevel, PreviousVersion } from './compatibility.js';
import type { SchemaRegistryAdmin } from './registry-admin.js';
import { subjectOf } from './schema-files.js';
import type { SchemaFile } from './schema-files.js';

/** Where earlier committed versions of the schema files come from. */
export interface SchemaBaseline {
  /** e.g. `git HEAD` */
  readonly label: string;
  /** The file's text at the baseline; undefined when the file is new. */
  read(file: SchemaFile): Promise<string | undefined>;
  /** Relative paths of every schema file at the baseline, to notice removed files. */
  list(): Promise<string[]>;
}

export interface SchemaCheckOptions {
  readonly files: readonly SchemaFile[];
  /** Omit to check against git only. */
  readonly registry?: SchemaRegistryAdmin;
  /** Omit to check against the registry only. */
  readonly baseline?: SchemaBaseline;
  /** Prepended to every topic, and so to every subject. */
  readonly topicPrefix?: string;
  /** Default BACKWARD_TRANSITIVE. */
  readonly level?: CompatibilityLevel;
}

export interface SchemaCheckResult {
  readonly subject: string;
  readonly file: string;
  /** Labels of the versions compared with, e.g. `registry version 1`, `git HEAD`. */
  readonly comparedWith: readonly string[];
  readonly issues: readonly CompatibilityIssue[];
}

export interface SchemaCheckReport {
  readonly ok: boolean;
  readonly results: readonly SchemaCheckResult[];
  /** Every breaking change, one message each. */
  readonly errors: readonly string[];
  /** Worth knowing, not failing: removed files, subjects without history. */
  readonly notes: readonly string[];
}

export async function checkSchemas(options: SchemaCheckOptions): Promise<SchemaCheckReport> {
  const level = options.level ?? 'BACKWARD_TRANSITIVE';
  const results: SchemaCheckResult[] = [];
  const errors: string[] = [];
  const notes: string[] = [];

  for (const file of options.files) {
    const subject = subjectOf(file, options.topicPrefix);
    const text = schemaTextOf(file.schema);
    const issues: CompatibilityIssue[] = [];
    const comparedWith: string[] = [];
    const compare = (previous: PreviousVersion[]) => {
      if (previous.length === 0) return;
      comparedWith.push(...previous.map((p) => p.label));
      issues.push(...checkCompatibility(file.schema, previous, { level, subject }).issues);
    };

    if (options.registry) {
      const registered = await options.registry.getAllVersions(subject);
      compare(registered.map((r) => ({ label: `registry version ${r.version}`, schema: r.schema })));
      if (registered.length > 0 && issues.length === 0) {
        // The registry has the last word: its rules may be stricter than ours.
        const verdict = await options.registry.testCompatibility(subject, text);
        if (!verdict.compatible) {
          const why = verdict.messages.length > 0 ? `: ${verdict.messages.join('; ')}` : '';
          issues.push({
            field: '',
            reason: `the registry refuses this schema${why}`,
            against: 'registry',
            message: `${subject}: the registry refuses this schema${why} (${level} vs registry)`,
          });
        }
      }
    }
    if (options.baseline) {
      const committed = await options.baseline.read(file);
      if (committed !== undefined) compare([{ label: options.baseline.label, schema: committed }]);
    }

    if (comparedWith.length === 0) notes.push(`${subject}: new, nothing to compare with`);
    results.push({ subject, file: file.relativePath, comparedWith, issues });
    errors.push(...issues.map((i) => i.message));
  }

  if (options.baseline) {
    const present = new Set(options.files.map((f) => f.relativePath));
    for (const removed of (await options.baseline.list()).filter((p) => !present.has(p))) {
      notes.push(
        `${removed}: removed since ${options.baseline.label}; consumers of its topic need the deprecation window of CHANGELOG.md`,
      );
    }
  }
  return { ok: errors.length === 0, results, errors, notes };
}

const exec = promisify(execFile);

/** The schema files as committed at `rev` (default HEAD) in the git repository holding `schemasDir`. */
export function gitBaseline(schemasDir: string, rev = 'HEAD'): SchemaBaseline {
  const git = async (args: string[]) => {
    try {
      return (await exec('git', ['-C', schemasDir, ...args], { maxBuffer: 16 * 1024 * 1024 })).stdout;
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? (error as Error).message;
      return { failed: stderr.trim() };
    }
  };
  return {
    label: `git ${rev}`,
    async read(file) {
      const out = await git(['show', `${rev}:./${file.relativePath}`]);
      if (typeof out === 'string') return out;
      // New file: git says the path "does not exist" or "exists on disk, but not in" the revision.
      if (/does not exist|exists on disk, but not in/.test(out.failed)) return undefined;
      throw new TributaryError(
        'SCHEMA_BASELINE_FAILED',
        `git show ${rev}:${file.relativePath}: ${out.failed}`,
      );
    },
    async list() {
      const out = await git(['ls-tree', '-r', '--name-only', rev, '--', '.']);
      if (typeof out !== 'string') {
        throw new TributaryError(
          'SCHEMA_BASELINE_FAILED',
          `git ls-tree ${rev} in ${schemasDir}: ${out.failed}`,
        );
      }
      return out.split('\n').filter((p) => p.endsWith('.avsc'));
    },
  };
}
