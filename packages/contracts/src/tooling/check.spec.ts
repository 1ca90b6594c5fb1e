import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkSchemas, gitBaseline } from './check.js';
import type { SchemaBaseline } from './check.js';
import { resolveGitBase } from './git-base.js';
import { gitSchemaHistory } from './git-history.js';
import type { SchemaRegistryAdmin } from './registry-admin.js';
import { defaultSchemasDir, loadSchemaFiles } from './schema-files.js';

const exec = promisify(execFile);
const packageDir = fileURLToPath(new URL('../../', import.meta.url));
const files = loadSchemaFiles();
const placed = files.find((f) => f.recordName === 'OrderPlaced')!;
const cancelled = files.find((f) => f.recordName === 'OrderCancelled')!;
const placedSubject = 'commerce.order.v1-tributary.commerce.order.OrderPlaced';

/** A baseline holding exactly these files as they are now. */
function baselineOf(held: typeof files, label = 'git base'): SchemaBaseline {
  const byPath = new Map(held.map((f) => [f.relativePath, JSON.stringify(f.schema)]));
  return {
    label,
    read: async (path) => byPath.get(path),
    list: async () => [...byPath.keys()],
  };
}

/** Only what checkSchemas calls, answering from a fixed subject list; unit tests only. */
function registryHolding(subjects: string[]): SchemaRegistryAdmin {
  return {
    listSubjects: async () => subjects,
    getAllVersions: async () => [],
    testCompatibility: async () => ({ compatible: true, messages: [] }),
  } as unknown as SchemaRegistryAdmin;
}

describe('checkSchemas: removals', () => {
  it('fails a schema file removed since the base, naming subject, event type and file', async () => {
    const report = await checkSchemas({
      files: files.filter((f) => f !== placed),
      baseline: baselineOf(files, 'git v1.4.0'),
    });
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual([
      `${placedSubject}: event type commerce.order.placed removed: commerce/order/v1/OrderPlaced.avsc is in git v1.4.0 but no longer in the schema files. Consumers of its topic still read it; a schema goes only with its topic, after the deprecation window (CHANGELOG.md)`,
    ]);
  });

  it('fails an event type the registry holds and no file defines, under the check’s prefix only', async () => {
    const prefix = 'staging.';
    const report = await checkSchemas({
      files: [cancelled],
      registry: registryHolding([
        `${prefix}commerce.order.v1-tributary.commerce.order.OrderCancelled`,
        `${prefix}${placedSubject}`,
        placedSubject, // another prefix's (none): not this check's
        `it-1234.${placedSubject}`,
        `${prefix}payments-value`, // not an event subject
      ]),
      topicPrefix: prefix,
    });
    expect(report.errors).toEqual([
      expect.stringMatching(
        /^staging\.commerce\.order\.v1-tributary\.commerce\.order\.OrderPlaced: event type commerce\.order\.placed removed: the registry holds it but no schema file defines it\./,
      ),
    ]);
  });

  it('reports a file and its registry subject once', async () => {
    const report = await checkSchemas({
      files: [cancelled],
      baseline: baselineOf([cancelled, placed]),
      registry: registryHolding([subjectFor(cancelled), placedSubject]),
    });
    expect(report.removed.map((r) => [r.subject, r.seenIn])).toEqual([[placedSubject, 'git base']]);
    expect(report.errors).toHaveLength(1);
  });

  it('lets a retired topic lose its schemas, as a note', async () => {
    const report = await checkSchemas({
      files: files.filter((f) => f.topic !== 'commerce.order.v1'),
      baseline: baselineOf(files),
      retiredTopics: new Set(['commerce.order.v1']),
    });
    expect(report.errors).toEqual([]);
    expect(report.notes.filter((n) => n.includes('removed'))).toHaveLength(2);
  });

  it('reports a base file whose names cannot be read by its path', async () => {
    const baseline: SchemaBaseline = {
      label: 'git base',
      read: async (path) => (path === 'old/place.avsc' ? JSON.stringify(placed.schema) : undefined),
      list: async () => ['old/place.avsc'],
    };
    const report = await checkSchemas({ files: [placed], baseline });
    expect(report.removed.map((r) => r.subject)).toEqual(['old/place.avsc']);
  });
});

function subjectFor(file: (typeof files)[number]): string {
  return `${file.topic}-${file.recordFullName}`;
}

/** A scratch git repository holding a copy of the schemas; the real repository's branches are never touched. */
async function scratchRepo() {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-schema-gate-'));
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  const git = async (...args: string[]) =>
    (
      await exec(
        'git',
        [
          '-C',
          dir,
          '-c',
          'user.name=test',
          '-c',
          'user.email=test@example.invalid',
          '-c',
          'commit.gpgsign=false',
          ...args,
        ],
        { env },
      )
    ).stdout.trim();
  await git('init', '-q', '-b', 'main');
  const schemas = join(dir, 'schemas');
  await cp(defaultSchemasDir, schemas, { recursive: true });
  await git('add', '.');
  await git('commit', '-q', '-m', 'v1 schemas');
  const placedPath = join(schemas, placed.relativePath);
  const editPlaced = async (edit: (fields: object[]) => object[]) => {
    const schema = JSON.parse(await readFile(placedPath, 'utf8')) as { fields: object[] };
    await writeFile(placedPath, JSON.stringify({ ...schema, fields: edit(schema.fields) }, null, 2));
  };
  return { dir, schemas, git, editPlaced, remove: () => rm(dir, { recursive: true, force: true }) };
}

describe('resolveGitBase', () => {
  let repo: Awaited<ReturnType<typeof scratchRepo>>;
  beforeEach(async () => {
    repo = await scratchRepo();
  });
  afterEach(() => repo.remove());

  it('has no base on the first commit, then the previous commit, then the last release tag', async () => {
    expect(await resolveGitBase(repo.schemas)).toMatchObject({ rev: undefined });

    const first = await repo.git('rev-parse', 'HEAD');
    await repo.git('commit', '-q', '--allow-empty', '-m', 'second');
    expect(await resolveGitBase(repo.schemas)).toMatchObject({
      rev: first,
      label: `git HEAD~1 (${first.slice(0, 7)})`,
    });

    await repo.git('tag', 'v1.0.0', first);
    await repo.git('commit', '-q', '--allow-empty', '-m', 'third');
    expect(await resolveGitBase(repo.schemas)).toMatchObject({ rev: first, label: 'git v1.0.0' });

    // HEAD itself tagged: the release before it, never HEAD.
    await repo.git('tag', 'v1.1.0');
    expect(await resolveGitBase(repo.schemas)).toMatchObject({ label: 'git v1.0.0' });
  });

  it('takes the merge base with main on another branch, and an explicit --base over both', async () => {
    const main = await repo.git('rev-parse', 'HEAD');
    await repo.git('switch', '-q', '-c', 'feature');
    await repo.git('commit', '-q', '--allow-empty', '-m', 'on the branch');
    await repo.git('commit', '-q', '--allow-empty', '-m', 'again');
    expect(await resolveGitBase(repo.schemas)).toMatchObject({
      rev: main,
      label: `git merge base with main (${main.slice(0, 7)})`,
    });
    expect(await resolveGitBase(repo.schemas, 'HEAD~1')).toMatchObject({ label: 'git HEAD~1' });
    await expect(resolveGitBase(repo.schemas, 'no-such-rev')).rejects.toMatchObject({
      code: 'SCHEMA_BASELINE_FAILED',
    });
  });
});

/** The real gate: the check script as CI runs it, without --base, in a scratch repository. */
async function runCheck(schemas: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.SCHEMA_REGISTRY_URL; // git only: the registry side has its int-spec
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      ['--import', 'tsx', 'scripts/check.ts', '--schemas', schemas],
      { cwd: packageDir, env, timeout: 60_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    };
  }
}

describe('schemas:check on a temporary branch', () => {
  let repo: Awaited<ReturnType<typeof scratchRepo>>;
  beforeAll(async () => {
    repo = await scratchRepo();
  });
  afterAll(() => repo.remove());

  it('fails a committed breaking change against the merge base, naming subject and field', async () => {
    const main = (await repo.git('rev-parse', 'HEAD')).slice(0, 7);
    await repo.git('switch', '-q', '-c', 'breaking');
    await repo.editPlaced((fields) => [...fields, { name: 'giftWrapFeeMinor', type: 'long', doc: 'Total.' }]);
    await repo.git('commit', '-q', '-am', 'OrderPlaced: a required field');

    const result = await runCheck(repo.schemas);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`git base: git merge base with main (${main})`);
    expect(result.stderr).toContain(
      `${placedSubject}: field "giftWrapFeeMinor" was added without a default (BACKWARD_TRANSITIVE vs git ${main})`,
    );
  }, 60_000);

  it('passes a committed compatible change on another branch', async () => {
    await repo.git('switch', '-q', 'main');
    await repo.git('switch', '-q', '-c', 'compatible');
    await repo.editPlaced((fields) => [
      ...fields,
      { name: 'couponCode', type: ['null', 'string'], default: null, doc: 'Coupon applied, if any.' },
    ]);
    await repo.git('commit', '-q', '-am', 'OrderPlaced: an optional field');

    const result = await runCheck(repo.schemas);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toContain(`${files.length} schemas compatible`);
  }, 60_000);

  it('fails a committed removal of a schema file', async () => {
    await repo.git('switch', '-q', 'main');
    await repo.git('switch', '-q', '-c', 'removal');
    await repo.git('rm', '-q', join(repo.schemas, cancelled.relativePath));
    await repo.git('commit', '-q', '-m', 'drop OrderCancelled');

    const result = await runCheck(repo.schemas);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'commerce.order.v1-tributary.commerce.order.OrderCancelled: event type commerce.order.cancelled removed',
    );
  }, 60_000);
});

describe('schemas:check over the history of main (no branch, no tag: the base is HEAD~1)', () => {
  let repo: Awaited<ReturnType<typeof scratchRepo>>;
  beforeEach(async () => {
    repo = await scratchRepo();
  });
  afterEach(() => repo.remove());

  const short = async () => (await repo.git('rev-parse', '--short=7', 'HEAD')).slice(0, 7);
  /** A commit that touches no schema, like most of a session's. */
  const unrelatedCommit = async (name: string) => {
    await writeFile(join(repo.dir, `${name}.md`), name);
    await repo.git('add', '.');
    await repo.git('commit', '-q', '-m', name);
  };
  const optionalField = (name: string) => ({
    name,
    type: ['null', 'string'],
    default: null,
    doc: 'Optional.',
  });

  it('fails a breaking commit once an unrelated commit lands on top of it, against every earlier version', async () => {
    const first = await short();
    await repo.editPlaced((fields) => [...fields, optionalField('couponCode')]);
    await repo.git('commit', '-q', '-am', 'OrderPlaced: an optional field');
    const second = await short();
    await repo.editPlaced((fields) => [...fields, { name: 'giftWrapFeeMinor', type: 'long', doc: 'Fee.' }]);
    await repo.git('commit', '-q', '-am', 'OrderPlaced: a required field');
    await unrelatedCommit('later');

    // The base alone (HEAD~1, the breaking commit) sees nothing wrong: what CI compared with before.
    const againstBase = await checkSchemas({
      files: loadSchemaFiles(repo.schemas),
      baseline: gitBaseline(repo.schemas, 'HEAD~1'),
    });
    expect(againstBase.errors).toEqual([]);

    const result = await runCheck(repo.schemas);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('git base: git HEAD~1');
    expect(result.stdout).toMatch(
      new RegExp(
        `git history: 3 commits changed schemas, ${files.length + 2} versions of ${files.length} files \\(read in \\d+ ms\\)`,
      ),
    );
    expect(result.stderr).toContain(
      `${placedSubject}: field "giftWrapFeeMinor" was added without a default (BACKWARD_TRANSITIVE vs git ${first}, git ${second})\n`,
    );
    expect(result.stderr).toMatch(/\(checked in \d+ ms\)/);
  }, 60_000);

  it('fails a removal once another commit lands on top of it, naming the commits', async () => {
    const first = await short();
    await repo.git('rm', '-q', join(repo.schemas, cancelled.relativePath));
    await repo.git('commit', '-q', '-m', 'drop OrderCancelled');
    const removal = await short();
    await unrelatedCommit('later');

    const result = await runCheck(repo.schemas);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `commerce.order.v1-tributary.commerce.order.OrderCancelled: event type commerce.order.cancelled removed: ${cancelled.relativePath} is in git ${first} (removed by ${removal}) but no longer in the schema files.`,
    );
  }, 60_000);

  it('passes a compatible history, a reformatting counting as no version', async () => {
    const first = await short();
    await repo.editPlaced((fields) => [...fields, optionalField('couponCode')]);
    await repo.git('commit', '-q', '-am', 'OrderPlaced: couponCode');
    const second = await short();
    const placedPath = join(repo.schemas, placed.relativePath);
    await writeFile(placedPath, JSON.stringify(JSON.parse(await readFile(placedPath, 'utf8'))));
    await repo.git('commit', '-q', '-am', 'OrderPlaced: one line');
    await repo.editPlaced((fields) => [...fields, optionalField('giftMessage')]);
    await repo.git('commit', '-q', '-am', 'OrderPlaced: giftMessage');
    const fourth = await short();
    await unrelatedCommit('later');
    await repo.editPlaced((fields) => [...fields, optionalField('salesNote')]); // the working tree too

    const result = await runCheck(repo.schemas);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toContain(
      `ok   ${placedSubject} (vs git ${first}, git ${second}, git ${fourth})\n`,
    );
    expect(result.stdout).toMatch(
      new RegExp(
        `${files.length} schemas compatible \\(BACKWARD_TRANSITIVE\\), none removed \\(checked in \\d+ ms\\)`,
      ),
    );
  }, 60_000);
});

describe('schemas:check over a history with a bad version (invalid, or breaking and reverted)', () => {
  let repo: Awaited<ReturnType<typeof scratchRepo>>;
  beforeEach(async () => {
    repo = await scratchRepo();
  });
  afterEach(() => repo.remove());

  const placedPath = () => join(repo.schemas, placed.relativePath);
  const commitAll = async (message: string) => {
    await repo.git('add', '.');
    await repo.git('commit', '-q', '-m', message);
    return repo.git('rev-parse', 'HEAD');
  };
  const withdraw = (entries: object[]) =>
    writeFile(join(repo.schemas, 'withdrawn.json'), JSON.stringify(entries, null, 2));

  it('passes once a JSON typo is fixed and another commit lands, printing the typo as a note', async () => {
    const good = await readFile(placedPath(), 'utf8');
    await writeFile(placedPath(), good.replace('"fields"', '"fields",')); // not JSON
    const typo = await commitAll('OrderPlaced: a typo');
    await writeFile(placedPath(), good);
    await commitAll('OrderPlaced: the typo fixed');
    await writeFile(join(repo.dir, 'later.md'), 'later');
    await commitAll('later');

    const result = await runCheck(repo.schemas);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toContain(
      `note: ${placed.relativePath} as of git ${typo.slice(0, 7)} is not a valid schema file, so nothing was written with it; not compared, not seeded (`,
    );
    // The typo and its fix leave the one version there was.
    const first = (await repo.git('rev-parse', 'HEAD~3')).slice(0, 7);
    expect(result.stdout).toContain(`ok   ${placedSubject} (vs git ${first})\n`);
  }, 60_000);

  it('fails a breaking change reverted before release until withdrawn.json lists it, then notes it', async () => {
    const good = await readFile(placedPath(), 'utf8');
    await repo.editPlaced((fields) =>
      fields.map((f) => ((f as { name: string }).name === 'totalAmountMinor' ? { ...f, type: 'string' } : f)),
    );
    const breaking = await commitAll('OrderPlaced: amount as a string');
    await writeFile(placedPath(), good);
    await commitAll('Revert "OrderPlaced: amount as a string"');
    await writeFile(join(repo.dir, 'later.md'), 'later');
    await commitAll('later');

    const failing = await runCheck(repo.schemas);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain(
      `${placedSubject}: field "totalAmountMinor" changed type from string to long (BACKWARD_TRANSITIVE vs git ${breaking.slice(0, 7)})`,
    );

    await withdraw([
      { path: placed.relativePath, commit: breaking.slice(0, 9), reason: 'reverted before release' },
    ]);
    const passing = await runCheck(repo.schemas);
    expect([passing.code, passing.stderr]).toEqual([0, '']);
    expect(passing.stdout).toContain(
      `note: ${placed.relativePath} as of git ${breaking.slice(0, 7)} is withdrawn (withdrawn.json: reverted before release); not compared, not seeded`,
    );
    expect(passing.stdout).not.toContain(`git ${breaking.slice(0, 7)},`);
  }, 60_000);

  it('refuses a withdrawn.json entry that names no version of the history, naming it', async () => {
    await writeFile(join(repo.dir, 'later.md'), 'later');
    const unrelated = await commitAll('later'); // no schema changed
    await withdraw([{ path: placed.relativePath, commit: unrelated.slice(0, 7), reason: 'typo' }]);
    let result = await runCheck(repo.schemas);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `withdrawn.json: commit ${unrelated.slice(0, 7)} gave ${placed.relativePath} no version in the history`,
    );

    await withdraw([{ path: 'commerce/order/v1/Nope.avsc', commit: unrelated, reason: 'typo' }]);
    result = await runCheck(repo.schemas);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('commerce/order/v1/Nope.avsc is no schema file of the history');

    await withdraw([{ path: placed.relativePath, commit: 'abc', reason: '' }]);
    result = await runCheck(repo.schemas);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/withdrawn\.json: \[0\]\[commit\] a commit sha.*; \[0\]\[reason\] say why/);
  }, 60_000);
});

describe('gitSchemaHistory', () => {
  let repo: Awaited<ReturnType<typeof scratchRepo>>;
  beforeEach(async () => {
    repo = await scratchRepo();
  });
  afterEach(() => repo.remove());

  it('keeps one version for a file deleted and restored unchanged, and marks a deleted one', async () => {
    const cancelledPath = join(repo.schemas, cancelled.relativePath);
    const text = await readFile(cancelledPath, 'utf8');
    await repo.git('rm', '-q', cancelledPath);
    await repo.git('commit', '-q', '-m', 'drop');
    await writeFile(cancelledPath, text);
    await repo.git('add', '.');
    await repo.git('commit', '-q', '-m', 'restore');
    await repo.git('rm', '-q', join(repo.schemas, placed.relativePath));
    await repo.git('commit', '-q', '-m', 'drop OrderPlaced');
    const dropped = await repo.git('rev-parse', 'HEAD');

    const history = await gitSchemaHistory(repo.schemas, 'HEAD');
    expect(history.commits).toBe(4);
    expect(history.files).toHaveLength(files.length);
    const byPath = new Map(history.files.map((f) => [f.relativePath, f]));
    expect(byPath.get(cancelled.relativePath)).toMatchObject({ removedBy: undefined });
    expect(byPath.get(cancelled.relativePath)!.versions.map((v) => v.text)).toEqual([text]);
    expect(byPath.get(placed.relativePath)).toMatchObject({ removedBy: dropped });
    expect(await history.list()).toContain(placed.relativePath);
    expect(await history.seenIn!(placed.relativePath)).toMatch(
      new RegExp(`^git [0-9a-f]{7} \\(removed by ${dropped.slice(0, 7)}\\)$`),
    );
  });
});

describe('gitBaseline', () => {
  it('reads the files at a revision of the real repository', async () => {
    const baseline = gitBaseline(defaultSchemasDir, 'HEAD');
    expect(await baseline.list()).toContain(placed.relativePath);
    expect(await baseline.read('commerce/order/v9/Nope.avsc')).toBeUndefined();
  });
});
