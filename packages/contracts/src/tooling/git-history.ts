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

const exec = promisify(execFile);

/** One distinct committed text of a schema file. */
export interface HistoricalSchemaVersion {
  /** The commit that gave the file this text. */
  readonly commit: string;
  /** `git 1a2b3c4` */
  readonly label: string;
  readonly text: string;
}

/** A schema path and every text it had, oldest first. */
export interface SchemaFileHistory {
  readonly relativePath: string;
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
}

const zeroBlob = /^0+$/;

/**
 * The history of the `.avsc` files under `schemasDir` along the first-parent chain ending at `rev`.
 * Consecutive versions whose JSON is equal (whitespace changes) count once: the registry sees the same text.
 */
export async function gitSchemaHistory(
  schemasDir: string,
  rev: string,
  label = `git history to ${rev}`,
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

  const files: SchemaFileHistory[] = [];
  for (const [relativePath, list] of [...changes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const versions: HistoricalSchemaVersion[] = [];
    let last: string | undefined;
    let removedBy: string | undefined;
    for (const change of list) {
      if (!change.blob) {
        removedBy = change.commit;
        continue;
      }
      removedBy = undefined;
      const text = texts.get(change.blob)!;
      const normal = normalized(text);
      if (normal === last) continue; // deleted and restored, or reformatted: one version for the registry
      last = normal;
      versions.push({ commit: change.commit, label: `git ${change.commit.slice(0, 7)}`, text });
    }
    if (versions.length > 0) files.push({ relativePath, versions, removedBy });
  }

  const shallow = (await git(schemasDir, ['rev-parse', '--is-shallow-repository'])).trim() === 'true';
  const byPath = new Map(files.map((f) => [f.relativePath, f]));
  return {
    label,
    files,
    commits,
    shallow,
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
