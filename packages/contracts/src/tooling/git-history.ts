/**
 * Every committed version of the schema files up to a revision, for `schemas:check`. Comparing with the git
 * base alone let a breaking or removed schema through as soon as any commit landed on top of it (CI runs once
 * on the last of many commits), so the check compares with the whole history instead, and CI seeds its
 * registry with it.
 *
 * "History" is the first-parent chain of the revision: the states main itself went through, with a merged
 * branch counted as its merge commit. One `git log --raw` names every blob each commit gave each schema
 * path, and one `git cat-file --batch` reads every distinct blob once, so the cost does not grow with the
 * number of commits that leave the schemas alone. Renames are not followed: a schema's path is its subject,
 * so a moved file is a new subject and the old one a removal.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { TributaryError } from '../errors.js';
import type { SchemaBaseline } from './check.js';
import { parseSchemaFile } from './schema-files.js';
import type { WithdrawnVersion } from './withdrawn.js';

const exec = promisify(execFile);

/** One distinct committed text of a schema file. */
export interface HistoricalSchemaVersion {
  /** The commit that gave the file this text. */
  readonly commit: string;
  /** `git 1a2b3c4` */
  readonly label: string;
  readonly text: string;
}

/** A historical version left out of the comparison and of the seeding. */
export interface SetAsideVersion {
  readonly relativePath: string;
  readonly commit: string;
  readonly label: string;
  /** `invalid`: not a valid schema file, so nothing was written with it; `withdrawn`: listed in withdrawn.json. */
  readonly kind: 'invalid' | 'withdrawn';
  readonly reason: string;
}

/** A schema path and every text it had that counts, oldest first. */
export interface SchemaFileHistory {
  readonly relativePath: string;
  /** Valid and not withdrawn; never empty. */
  readonly versions: readonly HistoricalSchemaVersion[];
  /** The commit that deleted the file, when it is absent at the revision. */
  readonly removedBy: string | undefined;
}

export interface GitSchemaHistory extends SchemaBaseline {
  /** Every schema path that existed at some commit up to the revision, sorted. */
  readonly files: readonly SchemaFileHistory[];
  /** Commits of the chain that changed a schema file. */
  readonly commits: number;
  /** Time spent in git, for the check's output. */
  readonly elapsedMs: number;
  /** True when the clone is shallow, so the history may start later than the repository's. */
  readonly shallow: boolean;
  /** Versions neither compared nor seeded, oldest first per path. */
  readonly setAside: readonly SetAsideVersion[];
  /** One line per set-aside version (path, commit, why) and per withdrawal a shallow clone cannot place. */
  readonly notes: readonly string[];
}

export interface GitSchemaHistoryOptions {
  /** schemas/withdrawn.json; an entry that names no version of this history is an error. */
  readonly withdrawn?: readonly WithdrawnVersion[];
}

const zeroBlob = /^0+$/;

/**
 * The history of the `.avsc` files under `schemasDir` along the first-parent chain ending at `rev`.
 * Consecutive versions whose JSON is equal (whitespace changes) count once: the registry sees the same text.
 * A version that is not a valid schema file (a typo fixed by the next commit) or that withdrawn.json lists is
 * set aside: nothing can have been written with it, so holding later versions to it would fail every run
 * after it. A path left with no version is not part of the history at all, so deleting it is no removal.
 */
export async function gitSchemaHistory(
  schemasDir: string,
  rev: string,
  label = `git history to ${rev}`,
  options: GitSchemaHistoryOptions = {},
): Promise<GitSchemaHistory> {
  const started = performance.now();
  const log = await git(schemasDir, [
    'log',
    '--reverse',
    '--first-parent',
    '--diff-merges=first-parent',
    '--root',
    '--raw',
    '--no-renames',
    '--no-abbrev',
    '--relative',
    '--format=commit %H',
    rev,
    '--',
    '.',
  ]);

  // path → [commit, blob | undefined (deleted)] in commit order
  const changes = new Map<string, { commit: string; blob: string | undefined }[]>();
  let commit = '';
  let commits = 0;
  for (const line of log.split('\n')) {
    if (line.startsWith('commit ')) {
      commit = line.slice('commit '.length);
      commits += 1;
      continue;
    }
    // :<old mode> <new mode> <old blob> <new blob> <status>\t<path>
    const match = /^:\d+ \d+ [0-9a-f]+ ([0-9a-f]+) [A-Z]\d*\t(.+)$/.exec(line);
    if (!match || !match[2]!.endsWith('.avsc')) continue;
    const [, blob = '', path = ''] = match;
    const list = changes.get(path) ?? [];
    list.push({ commit, blob: zeroBlob.test(blob) ? undefined : blob });
    changes.set(path, list);
  }

  const blobs = new Set<string>();
  for (const list of changes.values()) for (const c of list) if (c.blob) blobs.add(c.blob);
  const texts = await readBlobs(schemasDir, [...blobs]);

  const shallow = (await git(schemasDir, ['rev-parse', '--is-shallow-repository'])).trim() === 'true';
  const withdrawals = placeWithdrawals(options.withdrawn ?? [], changes, shallow);

  const files: SchemaFileHistory[] = [];
  const setAside: SetAsideVersion[] = [];
  for (const [relativePath, list] of [...changes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const versions: HistoricalSchemaVersion[] = [];
    let last: string | undefined;
    let lastSeen: string | undefined;
    let removedBy: string | undefined;
    for (const change of list) {
      if (!change.blob) {
        removedBy = change.commit;
        continue;
      }
      removedBy = undefined;
      const text = texts.get(change.blob)!;
      const normal = normalized(text);
      if (normal === lastSeen) continue; // deleted and restored, or reformatted: one version for the registry
      lastSeen = normal;
      const version = { commit: change.commit, label: `git ${change.commit.slice(0, 7)}`, text };
      const key = `${relativePath}\u0000${change.commit}`;
      const withdrawal = withdrawals.entries.get(key);
      withdrawals.entries.delete(key);
      const invalid = withdrawal ? undefined : invalidity(relativePath, text);
      if (withdrawal || invalid) {
        setAside.push({
          relativePath,
          commit: change.commit,
          label: version.label,
          kind: withdrawal ? 'withdrawn' : 'invalid',
          reason: withdrawal ? withdrawal.reason : invalid!,
        });
        continue;
      }
      // Compared with the last version kept, so a typo and its fix leave one version, not two.
      if (normal === last) continue;
      last = normal;
      versions.push(version);
    }
    if (versions.length > 0) files.push({ relativePath, versions, removedBy });
  }
  const unused = [...withdrawals.entries.values()];
  if (unused.length > 0) {
    const which = unused.map((e) => `commit ${e.commit} of ${e.path} only reformatted or restored it`);
    throw new TributaryError(
      'SCHEMA_WITHDRAWN_INVALID',
      `withdrawn.json: ${which.join('; ')}: name the commit that gave it the withdrawn text`,
    );
  }

  const notes = [
    ...setAside.map((v) =>
      v.kind === 'invalid'
        ? `${v.relativePath} as of ${v.label} is not a valid schema file, so nothing was written with it; not compared, not seeded (${v.reason})`
        : `${v.relativePath} as of ${v.label} is withdrawn (withdrawn.json: ${v.reason}); not compared, not seeded`,
    ),
    ...withdrawals.notes,
  ];
  const byPath = new Map(files.map((f) => [f.relativePath, f]));
  return {
    label,
    files,
    commits,
    shallow,
    setAside,
    notes,
    elapsedMs: Math.round(performance.now() - started),
    read: async (path) => byPath.get(path)?.versions.at(-1)?.text,
    list: async () => files.map((f) => f.relativePath),
    versions: async (path) => byPath.get(path)?.versions ?? [],
    seenIn: async (path) => {
      const file = byPath.get(path);
      if (!file?.removedBy) return label;
      return `${file.versions.at(-1)!.label} (removed by ${file.removedBy.slice(0, 7)})`;
    },
  };
}

/** Why `text` is no schema file at `relativePath` (the same rules as the working tree's), or undefined. */
function invalidity(relativePath: string, text: string): string | undefined {
  try {
    parseSchemaFile(relativePath, text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Each withdrawn.json entry matched to the one commit that gave its path a new text, keyed `path\0commit`.
 * An entry naming no such commit is an error: a typo there would leave the version it meant in the check.
 * In a shallow clone the commit may lie before the clone's first one, so that is a note.
 */
function placeWithdrawals(
  withdrawn: readonly WithdrawnVersion[],
  changes: ReadonlyMap<string, readonly { commit: string; blob: string | undefined }[]>,
  shallow: boolean,
): { entries: Map<string, WithdrawnVersion>; notes: string[] } {
  const entries = new Map<string, WithdrawnVersion>();
  const notes: string[] = [];
  const problems: string[] = [];
  for (const entry of withdrawn) {
    const list = changes.get(entry.path);
    if (!list) {
      if (shallow) notes.push(`withdrawn.json: ${entry.path} is not in this shallow clone's history`);
      else problems.push(`${entry.path} is no schema file of the history`);
      continue;
    }
    const commits = [
      ...new Set(list.filter((c) => c.blob && c.commit.startsWith(entry.commit)).map((c) => c.commit)),
    ];
    if (commits.length === 1) {
      entries.set(`${entry.path}\u0000${commits[0]}`, entry);
    } else if (commits.length > 1) {
      problems.push(
        `commit ${entry.commit} of ${entry.path} is ambiguous (${commits.map((c) => c.slice(0, 12)).join(', ')})`,
      );
    } else if (shallow) {
      notes.push(
        `withdrawn.json: commit ${entry.commit} of ${entry.path} is not in this shallow clone's history`,
      );
    } else {
      problems.push(`commit ${entry.commit} gave ${entry.path} no version in the history`);
    }
  }
  if (problems.length > 0) {
    throw new TributaryError('SCHEMA_WITHDRAWN_INVALID', `withdrawn.json: ${problems.join('; ')}`);
  }
  return { entries, notes };
}

/** JSON without its formatting, so a reformatted file is not a new version; the raw text when not JSON. */
function normalized(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

async function git(dir: string, args: string[]): Promise<string> {
  try {
    return (await exec('git', ['-C', dir, ...args], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? (error as Error).message;
    throw new TributaryError('SCHEMA_BASELINE_FAILED', `git ${args[0]} in ${dir}: ${stderr.trim()}`);
  }
}

/** Every blob's text through one `git cat-file --batch`: `<id> blob <size>\n<bytes>\n` per blob. */
async function readBlobs(dir: string, ids: readonly string[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  if (ids.length === 0) return texts;
  const out = await new Promise<Buffer>((resolve, reject) => {
    const child = spawn('git', ['-C', dir, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(chunks));
      else reject(new TributaryError('SCHEMA_BASELINE_FAILED', `git cat-file in ${dir}: ${stderr.trim()}`));
    });
    child.stdin.end(ids.join('\n') + '\n');
  });
  let offset = 0;
  for (const id of ids) {
    const headerEnd = out.indexOf(0x0a, offset);
    const header = out.subarray(offset, headerEnd).toString();
    const [, type, size] = header.split(' ');
    if (type !== 'blob' || size === undefined) {
      throw new TributaryError('SCHEMA_BASELINE_FAILED', `git cat-file ${id} in ${dir}: ${header}`);
    }
    const start = headerEnd + 1;
    texts.set(id, out.subarray(start, start + Number(size)).toString('utf8'));
    offset = start + Number(size) + 1;
  }
  return texts;
}
