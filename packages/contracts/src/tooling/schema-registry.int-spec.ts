/**
 * The schema tooling against the real registry of the stack (SCHEMA_REGISTRY_URL). Every test registers
 * under its own topic prefix, so its subjects are its own; they are deleted afterwards.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { schemaTextOf } from '../naming.js';
import { checkSchemas } from './check.js';
import { registerSchemas } from './register.js';
import { SchemaRegistryAdmin } from './registry-admin.js';
import { defaultSchemasDir, loadSchemaFiles, parseSchemaFile, subjectOf } from './schema-files.js';
import type { SchemaFile } from './schema-files.js';

const exec = promisify(execFile);
const packageDir = fileURLToPath(new URL('../../', import.meta.url));

const registryUrl = process.env.SCHEMA_REGISTRY_URL;
let admin: SchemaRegistryAdmin;
const usedSubjects = new Set<string>();

/** A topic prefix no other test or run uses. */
function uniquePrefix(): string {
  return `it-${randomUUID().slice(0, 8)}.`;
}

function subjectsOf(files: readonly SchemaFile[], prefix: string): string[] {
  const subjects = files.map((f) => subjectOf(f, prefix));
  subjects.forEach((s) => usedSubjects.add(s));
  return subjects;
}

/** OrderPlaced with its fields edited. */
function orderPlacedWith(
  file: SchemaFile,
  edit: (fields: Record<string, unknown>[]) => Record<string, unknown>[],
) {
  const schema = structuredClone(file.schema) as unknown as { fields: Record<string, unknown>[] };
  return parseSchemaFile(file.relativePath, JSON.stringify({ ...schema, fields: edit(schema.fields) }));
}

async function runScript(
  script: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      ['--import', 'tsx', `scripts/${script}.ts`, ...args],
      {
        cwd: packageDir,
        env: { ...process.env, SCHEMA_REGISTRY_URL: registryUrl },
        timeout: 90_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(() => {
  if (!registryUrl) throw new Error('SCHEMA_REGISTRY_URL must be set (the testkit global setup sets it)');
  admin = new SchemaRegistryAdmin({ url: registryUrl });
});

afterAll(async () => {
  await Promise.all([...usedSubjects].map((subject) => admin.deleteSubject(subject, { permanent: true })));
}, 60_000);

describe('schema tooling against the real registry', () => {
  const files = loadSchemaFiles();
  const orderPlaced = files.find((f) => f.recordName === 'OrderPlaced')!;

  it('registers every schema under <topic>-<record full name> with BACKWARD_TRANSITIVE, and re-running adds nothing', async () => {
    const prefix = uniquePrefix();
    const subjects = subjectsOf(files, prefix);

    const first = await registerSchemas(admin, files, { topicPrefix: prefix });
    expect(first.map((r) => [r.subject, r.status, r.compatibilitySet])).toEqual(
      subjects.map((s) => [s, 'registered', true]),
    );
    expect(subjects).toContain(`${prefix}payments.payment.v1-tributary.payments.payment.PaymentSucceeded`);

    for (const [i, file] of files.entries()) {
      const subject = subjects[i]!;
      expect(await admin.getCompatibility(subject)).toBe('BACKWARD_TRANSITIVE');
      const latest = await admin.getVersion(subject, 'latest');
      expect([latest.version, latest.id, latest.schema]).toEqual([
        1,
        first[i]!.id,
        schemaTextOf(file.schema),
      ]);
    }

    const second = await registerSchemas(admin, files, { topicPrefix: prefix });
    expect(second).toEqual(first.map((r) => ({ ...r, status: 'unchanged', compatibilitySet: false })));
    for (const subject of subjects) expect(await admin.listVersions(subject)).toEqual([1]);
  }, 30_000);

  it('refuses a breaking version in the registry (409) and in checkSchemas, naming subject and field, transitively', async () => {
    const prefix = uniquePrefix();
    const [subject] = subjectsOf([orderPlaced], prefix);
    await registerSchemas(admin, [orderPlaced], { topicPrefix: prefix });

    // v2: a compatible change, accepted by both.
    const v2 = orderPlacedWith(orderPlaced, (f) => [
      ...f,
      { name: 'couponCode', type: ['null', 'string'], default: null, doc: 'Coupon applied, if any.' },
    ]);
    expect((await checkSchemas({ files: [v2], registry: admin, topicPrefix: prefix })).errors).toEqual([]);
    expect((await registerSchemas(admin, [v2], { topicPrefix: prefix }))[0]!.status).toBe('registered');

    // v3: couponCode becomes required. Fine against nothing, broken against v2 and (transitively) v1.
    const v3 = orderPlacedWith(orderPlaced, (f) => [
      ...f,
      { name: 'couponCode', type: 'string', doc: 'Coupon.' },
    ]);
    const report = await checkSchemas({ files: [v3], registry: admin, topicPrefix: prefix });
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual([
      `${subject}: field "couponCode" was added without a default (BACKWARD_TRANSITIVE vs registry version 1)`,
      `${subject}: field "couponCode" changed type from union<null, string> to string (BACKWARD_TRANSITIVE vs registry version 2)`,
    ]);

    expect(await admin.testCompatibility(subject!, schemaTextOf(v3.schema))).toMatchObject({
      compatible: false,
    });
    await expect(admin.register(subject!, schemaTextOf(v3.schema))).rejects.toMatchObject({
      code: 'SCHEMA_REGISTRY_INCOMPATIBLE',
      status: 409,
      retriable: false,
    });
    expect(await admin.listVersions(subject!)).toEqual([1, 2]);
  }, 30_000);

  it('runs the register and check scripts as processes: a broken schema fails check against registry and git', async () => {
    const prefix = uniquePrefix();
    subjectsOf(files, prefix);
    const repo = await mkdtemp(join(tmpdir(), 'tributary-contracts-'));
    try {
      const schemas = join(repo, 'schemas');
      await cp(defaultSchemasDir, schemas, { recursive: true });
      const git = (...args: string[]) =>
        exec('git', ['-C', repo, '-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args]);
      await git('init', '-q');
      await git('add', '.');
      await git('commit', '-q', '-m', 'v1 schemas');
      // No other branch and no tag: the check's base is the previous commit, which holds the v1 schemas.
      await git('commit', '-q', '--allow-empty', '-m', 'second');

      const registered = await runScript('register', ['--schemas', schemas, '--topic-prefix', prefix]);
      expect([registered.code, registered.stderr]).toEqual([0, '']);
      expect(registered.stdout).toMatch(
        new RegExp(
          `^${prefix.replace('.', '\\.')}commerce\\.order\\.v1-tributary\\.commerce\\.order\\.OrderPlaced -> id \\d+ \\(registered, compatibility set\\)$`,
          'm',
        ),
      );
      const again = await runScript('register', ['--schemas', schemas, '--topic-prefix', prefix]);
      expect(again.stdout).toContain(`0 registered, ${files.length} unchanged.`);

      const clean = await runScript('check', ['--schemas', schemas, '--topic-prefix', prefix]);
      expect([clean.code, clean.stdout]).toEqual([
        0,
        expect.stringContaining(`${files.length} schemas compatible`),
      ]);

      const file = join(schemas, orderPlaced.relativePath);
      const broken = JSON.parse(await readFile(file, 'utf8')) as { fields: unknown[] };
      broken.fields.push({ name: 'totalAmount', type: 'long', doc: 'Total in minor units.' });
      await writeFile(file, JSON.stringify(broken, null, 2));

      const failed = await runScript('check', ['--schemas', schemas, '--topic-prefix', prefix]);
      const subject = subjectOf(orderPlaced, prefix);
      expect(failed.code).toBe(1);
      // One line for the field, naming every version it breaks against: the registry's and git's.
      const first = (await git('rev-parse', '--short=7', 'HEAD~1')).stdout.trim();
      expect(failed.stderr).toContain(
        `${subject}: field "totalAmount" was added without a default (BACKWARD_TRANSITIVE vs registry version 1, git ${first})\n`,
      );
      expect(failed.stdout).toContain(`FAIL ${subject}`);
    } finally {
      await rm(repo, { recursive: true, force: true });
    }
  }, 90_000); // four tsx processes on a shared two-core machine

  /** A scratch repository on main: the schemas, then OrderPlaced with couponCode, then a commit elsewhere. */
  async function historyRepo() {
    const repo = await mkdtemp(join(tmpdir(), 'tributary-contracts-'));
    const schemas = join(repo, 'schemas');
    await cp(defaultSchemasDir, schemas, { recursive: true });
    const git = async (...args: string[]) =>
      (
        await exec('git', [
          '-C',
          repo,
          '-c',
          'user.name=test',
          '-c',
          'user.email=test@example.invalid',
          ...args,
        ])
      ).stdout.trim();
    await git('init', '-q', '-b', 'main');
    await git('add', '.');
    await git('commit', '-q', '-m', 'v1 schemas');
    const file = join(schemas, orderPlaced.relativePath);
    const edited = JSON.parse(await readFile(file, 'utf8')) as { fields: unknown[] };
    edited.fields.push({ name: 'couponCode', type: ['null', 'string'], default: null, doc: 'Coupon.' });
    await writeFile(file, JSON.stringify(edited, null, 2));
    await git('commit', '-q', '-am', 'couponCode');
    const second = (await git('rev-parse', 'HEAD')).slice(0, 7);
    await writeFile(join(repo, 'notes.md'), 'not a schema');
    await git('add', '.');
    await git('commit', '-q', '-m', 'unrelated');
    return { repo, schemas, second, remove: () => rm(repo, { recursive: true, force: true }) };
  }

  it('seeds every historical version oldest first, and a reused registry only with what it lacks', async () => {
    const prefix = uniquePrefix();
    subjectsOf(files, prefix);
    const { schemas, remove } = await historyRepo();
    try {
      const args = ['--schemas', schemas, '--topic-prefix', prefix, '--seed-registry'];
      const seeded = await runScript('check', args);
      expect([seeded.code, seeded.stderr]).toEqual([0, '']);
      expect(seeded.stdout).toContain(`registry seeded from git history to HEAD~1 (`);
      expect(seeded.stdout).toContain(`${files.length + 1} registered, 0 already there, 0 refused`);
      const subject = subjectOf(orderPlaced, prefix);
      const versions = await admin.getAllVersions(subject);
      expect(versions.map((v) => JSON.parse(v.schema).fields.at(-1).name)).toEqual([
        'placedAt',
        'couponCode',
      ]);
      expect(seeded.stdout).toContain(`ok   ${subject} (vs registry version 1, registry version 2, git `);

      const reused = await runScript('check', args);
      expect([reused.code, reused.stderr]).toEqual([0, '']);
      expect(reused.stdout).toContain(`0 registered, ${files.length + 1} already there, 0 refused`);
      expect(await admin.listVersions(subject)).toEqual([1, 2]);
    } finally {
      await remove();
    }
  }, 90_000);

  it('reports a historical version a reused registry refuses because of a version it never had', async () => {
    const prefix = uniquePrefix();
    subjectsOf(files, prefix);
    const subject = subjectOf(orderPlaced, prefix);
    // Another run's version 2: couponCode as an int, compatible with version 1 but not with this history's.
    await registerSchemas(admin, [orderPlaced], { topicPrefix: prefix });
    const foreign = orderPlacedWith(orderPlaced, (f) => [
      ...f,
      { name: 'couponCode', type: 'int', default: 0, doc: 'Another idea of a coupon.' },
    ]);
    await admin.register(subject, schemaTextOf(foreign.schema));
    const { schemas, second, remove } = await historyRepo();
    try {
      const result = await runScript('check', [
        '--schemas',
        schemas,
        '--topic-prefix',
        prefix,
        '--seed-registry',
      ]);
      expect(result.stdout).toContain(`${files.length - 1} registered, 1 already there, 1 refused`);
      expect(result.stdout).toContain(
        `REFUSED ${subject}: the registry refuses ${orderPlaced.relativePath} as of git ${second}: it already holds version 2, which this history never had`,
      );
      // The schema file itself cannot read version 2's records: the check fails on that, not on the seeding.
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${subject}: field "couponCode"`);
      expect(result.stderr).toContain('(BACKWARD_TRANSITIVE vs registry version 2)');
      expect(await admin.listVersions(subject)).toEqual([1, 2]);
    } finally {
      await remove();
    }
  }, 90_000);

  it('fails an event type the registry holds and the files no longer define', async () => {
    const prefix = uniquePrefix();
    const [placedSubject, cancelledSubject] = subjectsOf(
      [orderPlaced, files.find((f) => f.recordName === 'OrderCancelled')!],
      prefix,
    );
    await registerSchemas(admin, files, { topicPrefix: prefix });
    subjectsOf(files, prefix);

    const report = await checkSchemas({
      files: files.filter((f) => f !== orderPlaced),
      registry: admin,
      topicPrefix: prefix,
    });
    expect(report.errors).toEqual([
      expect.stringContaining(
        `${placedSubject}: event type commerce.order.placed removed: the registry holds it but no schema file defines it.`,
      ),
    ]);
    expect(report.results.map((r) => r.subject)).toContain(cancelledSubject);
  }, 30_000);

  it('seeds a fresh registry with the base revision, so the check compares with the previous versions', async () => {
    const prefix = uniquePrefix();
    subjectsOf(files, prefix);
    const repo = await mkdtemp(join(tmpdir(), 'tributary-contracts-'));
    try {
      const schemas = join(repo, 'schemas');
      await cp(defaultSchemasDir, schemas, { recursive: true });
      const git = (...args: string[]) =>
        exec('git', ['-C', repo, '-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args]);
      await git('init', '-q', '-b', 'main');
      await git('add', '.');
      await git('commit', '-q', '-m', 'v1 schemas');
      const main = (await git('rev-parse', '--short=7', 'HEAD')).stdout.trim();
      await git('switch', '-q', '-c', 'feature');
      const file = join(schemas, orderPlaced.relativePath);
      const edited = JSON.parse(await readFile(file, 'utf8')) as { fields: unknown[] };
      edited.fields.push({ name: 'couponCode', type: ['null', 'string'], default: null, doc: 'Coupon.' });
      await writeFile(file, JSON.stringify(edited, null, 2));
      await git('commit', '-q', '-am', 'couponCode');

      const seeded = await runScript('check', [
        '--schemas',
        schemas,
        '--topic-prefix',
        prefix,
        '--seed-registry',
      ]);
      expect([seeded.code, seeded.stderr]).toEqual([0, '']);
      expect(seeded.stdout).toContain(`registry seeded from git history to merge base with main`);
      expect(seeded.stdout).toContain(`${files.length} registered, 0 already there, 0 refused`);
      const subject = subjectOf(orderPlaced, prefix);
      // The registry holds main's version only: the branch's is compared, not registered.
      expect(await admin.listVersions(subject)).toEqual([1]);
      expect(seeded.stdout).toContain(`ok   ${subject} (vs registry version 1, git ${main})`);
    } finally {
      await rm(repo, { recursive: true, force: true });
    }
  }, 60_000);
});
