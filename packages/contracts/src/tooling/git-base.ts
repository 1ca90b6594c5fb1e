/**
 * Which committed state `schemas:check` compares the working tree with when no `--base` is given. Comparing
 * with HEAD let a clean checkout pass against itself, so the base is always a commit other than HEAD:
 *
 * 1. its merge base with the default branch (`origin/HEAD`, `origin/main`, `main`, `origin/master`, `master`:
 *    the first that exists and is not the checked-out branch itself), i.e. what the branch — or local main's
 *    unpushed commits — change;
 * 2. when that is HEAD itself (on the default branch, or no other branch exists): the newest tag `v*` before
 *    HEAD — the last release, whose schemas a registry somewhere holds;
 * 3. without such a tag: HEAD~1, the previous commit, so the last commit plus the working tree are checked;
 * 4. a repository with a single commit has nothing earlier: no git base (the registry alone judges).
 * A shallow clone whose history stops before the base cannot tell, and is refused rather than waved through.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TributaryError } from '../errors.js';

const exec = promisify(execFile);

export interface GitBase {
  /** A revision git understands (a commit id), or undefined when the history has nothing before HEAD. */
  readonly rev: string | undefined;
  /** For messages: `git merge base with main (1a2b3c4)`, `git v1.2.0`, `git HEAD~1`. */
  readonly label: string;
  /** Why this base, in a sentence the check prints. */
  readonly reason: string;
}

const defaultBranchCandidates = ['origin/HEAD', 'origin/main', 'main', 'origin/master', 'master'];

/** The base for the git repository holding `dir`; `explicit` (from `--base`) wins when given. */
export async function resolveGitBase(dir: string, explicit?: string): Promise<GitBase> {
  const git = async (...args: string[]): Promise<string | undefined> => {
    try {
      return (await exec('git', ['-C', dir, ...args])).stdout.trim();
    } catch {
      return undefined;
    }
  };
  const commitOf = (rev: string) => git('rev-parse', '--verify', '--quiet', `${rev}^{commit}`);
  const short = (id: string) => id.slice(0, 7);

  if (explicit !== undefined) {
    const id = await commitOf(explicit);
    if (!id) throw baseError(`--base ${explicit} is not a commit of the repository holding ${dir}`);
    return { rev: id, label: `git ${explicit}`, reason: `--base ${explicit}` };
  }

  const head = await commitOf('HEAD');
  if (!head) throw baseError(`${dir} is not inside a git repository with a commit`);

  const branch = await git('symbolic-ref', '--quiet', '--short', 'HEAD');
  for (const candidate of defaultBranchCandidates) {
    if (candidate === branch) continue; // local main itself; origin/main may still be behind it
    const tip = await commitOf(candidate);
    if (!tip) continue;
    const mergeBase = await git('merge-base', 'HEAD', tip);
    if (mergeBase && mergeBase !== head) {
      return {
        rev: mergeBase,
        label: `git merge base with ${candidate} (${short(mergeBase)})`,
        reason: `${branch ?? 'detached HEAD'}: what it changes since ${candidate}`,
      };
    }
    break;
  }

  const parent = await commitOf('HEAD~1');
  if (!parent) {
    if ((await git('rev-parse', '--is-shallow-repository')) === 'true') {
      throw baseError(
        'a shallow clone has no commit before HEAD to compare with: fetch more history (git fetch --deepen=50 or fetch-depth: 0) or pass --base',
      );
    }
    return { rev: undefined, label: 'no git base', reason: 'HEAD is the first commit: nothing before it' };
  }
  const tag = await git('describe', '--tags', '--abbrev=0', '--match', 'v[0-9]*', 'HEAD~1');
  if (tag) {
    const id = (await commitOf(tag))!;
    return { rev: id, label: `git ${tag}`, reason: `no other branch: the last release tag before HEAD` };
  }
  return {
    rev: parent,
    label: `git HEAD~1 (${short(parent)})`,
    reason: 'no other branch and no release tag (v*): the previous commit',
  };
}

function baseError(message: string): TributaryError {
  return new TributaryError('SCHEMA_BASELINE_FAILED', message);
}
