/**
 * `schemas:check`: every schema file against every version its subject has in the registry and against every
 * version it had in git up to the base (git-base.ts, git-history.ts). Breaking changes are reported with
 * subject and field; so is a schema that disappeared — from the files at any commit up to the base, or from
 * the files while the registry still holds its subject — because its topic's consumers would be left with
 * records nobody describes any more.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TributaryError } from '../errors.js';
import { eventTypeFor, schemaTextOf, topicNameFor } from '../naming.js';
import { checkCompatibility } from './compatibility.js';
import type { CompatibilityIssue, CompatibilityLevel, PreviousVersion } from './compatibility.js';
import type { SchemaRegistryAdmin } from './registry-admin.js';
import { parseSchemaFile, subjectOf } from './schema-files.js';
import type { SchemaFile } from './schema-files.js';

/** Where earlier committed versions of the schema files come from. */
export interface SchemaBaseline {
  /** e.g. `git HEAD~1 (1a2b3c4)` */
  readonly label: string;
  /**
   * The text at the baseline of the file at this relative path (with history: the last text it had);
   * undefined when the file is new.
   */
  read(relativePath: string): Promise<string | undefined>;
  /** Relative paths of every schema file at the baseline (with history: at any commit), to notice removals. */
  list(): Promise<string[]>;
  /** With history: every distinct text of the file, oldest first; each is compared, not only the last. */
  versions?(relativePath: string): Promise<readonly { label: string; text: string }[]>;
  /** With history: where a listed path was seen last, for the removal message; default `label`. */
  seenIn?(relativePath: string): Promise<string>;
  /** With history: versions left out (invalid or withdrawn), one line each, for the report's notes. */
  readonly notes?: readonly string[];
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
  /**
   * Topics (without prefix) whose schemas may go: deprecated ones past `removeAfter` (CHANGELOG.md). A
   * schema of any other topic that disappears is an error.
   */
  readonly retiredTopics?: ReadonlySet<string>;
}

/** A schema the files no longer define. */
export interface RemovedSchema {
  readonly subject: string;
  /** The ce_type that went with it, when its file could be read. */
  readonly eventType: string | undefined;
  /** Where it was seen last: `git <base>` (with the file's path) or `registry`. */
  readonly seenIn: string;
  readonly file: string | undefined;
  /** True when its topic is retired, so the removal is a note, not an error. */
  readonly allowed: boolean;
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
  /** Worth knowing, not failing: subjects without history, removals of retired topics. */
  readonly notes: readonly string[];
  readonly removed: readonly RemovedSchema[];
}

export async function checkSchemas(options: SchemaCheckOptions): Promise<SchemaCheckReport> {
  const level = options.level ?? 'BACKWARD_TRANSITIVE';
  const results: SchemaCheckResult[] = [];
  const errors: string[] = [];
  const notes: string[] = [...(options.baseline?.notes ?? [])];

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
    if (options.baseline?.versions) {
      const versions = await options.baseline.versions(file.relativePath);
      compare(versions.map((v) => ({ label: v.label, schema: v.text })));
    } else if (options.baseline) {
      const committed = await options.baseline.read(file.relativePath);
      if (committed !== undefined) compare([{ label: options.baseline.label, schema: committed }]);
    }

    if (comparedWith.length === 0) notes.push(`${subject}: new, nothing to compare with`);
    const merged = mergeIssues(issues);
    results.push({ subject, file: file.relativePath, comparedWith, issues: merged });
    errors.push(...merged.map((i) => i.message));
  }

  const removed = await findRemoved(options, new Set(results.map((r) => r.subject)));
  for (const r of removed) {
    const what = `${r.subject}: ${r.eventType ? `event type ${r.eventType}` : 'schema'} removed`;
    const where = r.file
      ? `${r.file} is in ${r.seenIn} but no longer in the schema files`
      : `the ${r.seenIn} holds it but no schema file defines it`;
    if (r.allowed) notes.push(`${what} (${where}); its topic is retired`);
    else {
      errors.push(
        `${what}: ${where}. Consumers of its topic still read it; a schema goes only with its topic, after the deprecation window (CHANGELOG.md)`,
      );
    }
  }
  return { ok: errors.length === 0, results, errors, notes, removed };
}

/**
 * One issue per field and reason, naming every version it breaks against: a field added without a default
 * breaks the same way against each of a file's twenty committed versions, and one line says so.
 */
function mergeIssues(issues: readonly CompatibilityIssue[]): CompatibilityIssue[] {
  const merged = new Map<string, CompatibilityIssue>();
  for (const issue of issues) {
    const key = `${issue.field}\u0000${issue.reason}`;
    const first = merged.get(key);
    if (!first) {
      merged.set(key, issue);
      continue;
    }
    // The message ends with `vs <against>)` (compatibility.ts); only that tail grows.
    const against = `${first.against}, ${issue.against}`;
    const head = first.message.slice(0, first.message.length - first.against.length - 1);
    merged.set(key, { ...first, against, message: `${head}${against})` });
  }
  return [...merged.values()];
}

/** Subjects of the baseline's files and of the registry that the current files no longer define. */
async function findRemoved(
  options: SchemaCheckOptions,
  present: ReadonlySet<string>,
): Promise<RemovedSchema[]> {
  const prefix = options.topicPrefix ?? '';
  const retired = options.retiredTopics ?? new Set<string>();
  const removed = new Map<string, RemovedSchema>();
  if (options.baseline) {
    const currentPaths = new Set(options.files.map((f) => f.relativePath));
    for (const path of await options.baseline.list()) {
      if (currentPaths.has(path)) continue;
      const text = await options.baseline.read(path);
      let old: SchemaFile | undefined;
      try {
        old = text === undefined ? undefined : parseSchemaFile(path, text);
      } catch {
        // An invalid file at the base still counts as removed; only its names are unknown.
      }
      const subject = old ? subjectOf(old, prefix) : path;
      if (present.has(subject)) continue; // moved without a change of names
      removed.set(subject, {
        subject,
        eventType: old?.eventType,
        seenIn: (await options.baseline.seenIn?.(path)) ?? options.baseline.label,
        file: path,
        allowed: old !== undefined && retired.has(old.topic),
      });
    }
  }
  if (options.registry) {
    for (const subject of await options.registry.listSubjects()) {
      const names = eventSubjectNames(subject, prefix);
      if (names === undefined || present.has(subject) || removed.has(subject)) continue;
      removed.set(subject, {
        subject,
        eventType: names.eventType,
        seenIn: 'registry',
        file: undefined,
        allowed: retired.has(names.topic),
      });
    }
  }
  return [...removed.values()];
}

/**
 * Topic and ce_type of a registry subject that names an event schema under this prefix
 * (`<prefix><domain>.<aggregate>.v<N>-tributary.<domain>.<aggregate>[.v<N>].<Record>`); undefined for any
 * other subject, such as another prefix's (test runs share a registry).
 */
function eventSubjectNames(
  subject: string,
  prefix: string,
): { topic: string; eventType: string } | undefined {
  if (!subject.startsWith(prefix)) return undefined;
  const match =
    /^([a-z][a-z0-9]*)\.([a-z][a-z0-9]*)\.v([1-9][0-9]*)-tributary\.([a-z][a-z0-9]*)\.([a-z][a-z0-9]*)(?:\.v[1-9][0-9]*)?\.([A-Z][A-Za-z0-9]*)$/.exec(
      subject.slice(prefix.length),
    );
  const [, domain = '', aggregate = '', major = '', domainNs, aggregateNs, record = ''] = match ?? [];
  if (!match || domain !== domainNs || aggregate !== aggregateNs) return undefined;
  try {
    return {
      topic: topicNameFor(domain, aggregate, Number(major)),
      eventType: eventTypeFor(domain, aggregate, Number(major), record),
    };
  } catch {
    return undefined; // a record name no event type can come from
  }
}

/**
 * The schema files as they are at the baseline, for seeding a fresh registry (CI's) with the previous
 * versions before the check. Throws `SCHEMA_FILE_INVALID` for a baseline file that does not parse.
 */
export async function baselineFiles(baseline: SchemaBaseline): Promise<SchemaFile[]> {
  const files: SchemaFile[] = [];
  for (const path of await baseline.list()) {
    const text = await baseline.read(path);
    if (text !== undefined) files.push(parseSchemaFile(path, text));
  }
  return files;
}

const exec = promisify(execFile);

/** The schema files as committed at `rev` in the git repository holding `schemasDir`. */
export function gitBaseline(schemasDir: string, rev: string, label = `git ${rev}`): SchemaBaseline {
  const git = async (args: string[]) => {
    try {
      return (await exec('git', ['-C', schemasDir, ...args], { maxBuffer: 16 * 1024 * 1024 })).stdout;
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? (error as Error).message;
      return { failed: stderr.trim() };
    }
  };
  return {
    label,
    async read(relativePath) {
      const out = await git(['show', `${rev}:./${relativePath}`]);
      if (typeof out === 'string') return out;
      // New file: git says the path "does not exist" or "exists on disk, but not in" the revision.
      if (/does not exist|exists on disk, but not in/.test(out.failed)) return undefined;
      throw new TributaryError('SCHEMA_BASELINE_FAILED', `git show ${rev}:${relativePath}: ${out.failed}`);
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
