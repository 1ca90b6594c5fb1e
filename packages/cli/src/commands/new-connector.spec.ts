import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { eventTypes } from '@tributary/contracts';
import * as prettier from 'prettier';
import {
  NewConnectorErrorCode,
  findRepoRoot,
  newConnectorCommand,
  renderConnector,
  validateConnectorName,
  writeConnector,
} from './new-connector.js';

const repoRoot = findRepoRoot();
const fileOf = (scaffold: ReturnType<typeof renderConnector>, path: string) => {
  const file = scaffold.files.find((f) => f.path === path);
  if (!file) throw new Error(`no ${path} among ${scaffold.files.map((f) => f.path).join(', ')}`);
  return file.content;
};

const temps: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'new-connector-'));
  temps.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('renderConnector', () => {
  it('renders one app folder: package, tsconfigs, main, one definition file, its specs, README, .env.example', () => {
    const scaffold = renderConnector({ name: 'acme-crm', repoRoot });
    expect(scaffold.dir).toBe(join(repoRoot, 'apps', 'connector-acme-crm'));
    expect(scaffold.packageName).toBe('@tributary/connector-acme-crm');
    expect(scaffold.files.map((f) => f.path).sort()).toEqual([
      '.env.example',
      'README.md',
      'package.json',
      'src/acme-crm.connector.spec.ts',
      'src/acme-crm.connector.ts',
      'src/main.ts',
      'test/conformance.e2e-spec.ts',
      'tsconfig.build.json',
      'tsconfig.json',
    ]);
    for (const file of scaffold.files) expect(file.content).not.toMatch(/\{\{|\}\}|__name__/);
  });

  it('substitutes the name in every form and the default event type', () => {
    const scaffold = renderConnector({ name: 'acme-crm', repoRoot });
    const manifest = JSON.parse(fileOf(scaffold, 'package.json')) as Record<string, Record<string, string>>;
    expect(manifest.name).toBe('@tributary/connector-acme-crm');
    expect(manifest.dependencies).toMatchObject({ '@tributary/connector-sdk': '*' });
    // The same versions as the SDK's, so the lock file resolves nothing new.
    const sdk = JSON.parse(readFileSync(join(repoRoot, 'packages/connector-sdk/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(manifest.dependencies!.zod).toBe(sdk.dependencies.zod);

    const definition = fileOf(scaffold, 'src/acme-crm.connector.ts');
    expect(definition).toContain("id: 'acme-crm'");
    expect(definition).toContain('ACME_CRM_API_BASE: z.url()');
    expect(definition).toContain('ACME_CRM_API_KEY: z.string().min(1)');
    expect(definition).toContain('export class AcmeCrmClient');
    expect(definition).toContain('export const acmeCrmConnector = defineConnector(');
    expect(definition).toContain("'commerce.order.placed': onOrderPlaced");
    expect(definition).toContain("path: '/v1/effects'");
    expect(definition).toContain('idempotencyKey: ctx.idempotencyKey');
    expect(definition).toContain("lateReplay: { 'commerce.order.placed': 'lookup' }");
    expect(definition).toContain('ctx.lookupBeforeCall(');
    expect(definition).toContain('ctx.commit(');
    expect(fileOf(scaffold, 'src/main.ts')).toContain('await runConnector(acmeCrmConnector);');
    expect(fileOf(scaffold, 'src/acme-crm.connector.spec.ts')).toContain("['commerce.order.v1']");
    expect(fileOf(scaffold, 'src/acme-crm.connector.spec.ts')).toContain("toBe('connector_acme_crm')");

    const conformance = fileOf(scaffold, 'test/conformance.e2e-spec.ts');
    expect(conformance).toContain("from '@tributary/connector-sdk/testing'");
    expect(conformance).toContain("effectRoute: 'POST /v1/effects'");
    expect(conformance).toContain("eventType: 'commerce.order.placed'");
    expect(fileOf(scaffold, '.env.example')).toContain('ACME_CRM_API_BASE=');
    expect(fileOf(scaffold, 'README.md')).toContain('# connector-acme-crm');
  });

  it('handles the chosen event type', () => {
    const scaffold = renderConnector({ name: 'carrier', event: 'logistics.shipment.requested', repoRoot });
    const definition = fileOf(scaffold, 'src/carrier.connector.ts');
    expect(definition).toContain("'logistics.shipment.requested': onShipmentRequested");
    expect(definition).toContain("type Handled = EventOf<'logistics.shipment.requested'>;");
    expect(fileOf(scaffold, 'src/carrier.connector.spec.ts')).toContain("['logistics.shipment.v1']");
  });

  it('points the tsconfigs at the base config from wherever the app folder is', () => {
    const inApps = renderConnector({ name: 'acme', repoRoot });
    expect(JSON.parse(fileOf(inApps, 'tsconfig.json'))).toMatchObject({
      extends: '../../tsconfig.base.json',
    });
    const deeper = renderConnector({ name: 'acme', repoRoot, appsDir: join(repoRoot, '.tributary', 'gen') });
    expect(JSON.parse(fileOf(deeper, 'tsconfig.build.json'))).toMatchObject({
      extends: '../../../tsconfig.base.json',
    });
  });

  // Generated apps join `npm run lint`: their layout must be prettier's for the shortest and the longest
  // name and event type (prettier's line-breaking is monotonic in length, so the extremes cover the rest).
  const byLength = [...eventTypes].sort((a, b) => a.length - b.length);
  it.each([
    ['a', byLength[0]!],
    ['abcdefghij-klmnopqrs-tuvwxyz-a', byLength.at(-1)!],
    ['a', byLength.at(-1)!],
    ['abcdefghij-klmnopqrs-tuvwxyz-a', byLength[0]!],
  ])('renders prettier-formatted code for %s handling %s', async (name, event) => {
    const scaffold = renderConnector({ name, event, repoRoot });
    const options = (await prettier.resolveConfig(join(repoRoot, 'package.json'))) ?? {};
    for (const file of scaffold.files.filter((f) => /\.(ts|json)$/.test(f.path))) {
      const formatted = await prettier.format(file.content, { ...options, filepath: file.path });
      expect({ path: file.path, content: file.content }).toEqual({ path: file.path, content: formatted });
    }
  });

  it('refuses an event type outside the catalogue', () => {
    expect(() => renderConnector({ name: 'acme', event: 'commerce.order.shipped', repoRoot })).toThrow(
      expect.objectContaining({ code: NewConnectorErrorCode.eventUnknown }),
    );
  });
});

describe('validateConnectorName', () => {
  it.each(['a', 'acme', 'acme-crm', 'x9', 'abcdefghij-klmnopqrs-tuvwxyz-a'])('accepts %s', (name) => {
    expect(validateConnectorName(name)).toBe(name);
  });

  it.each([
    '',
    'Acme',
    'acme_crm',
    '9acme',
    '-acme',
    'acme-',
    'acme--crm',
    'acme crm',
    'acme/../../etc',
    'abcdefghij-klmnopqrs-tuvwxyz-ab',
  ])('refuses %j', (name) => {
    expect(() => validateConnectorName(name)).toThrow(
      expect.objectContaining({ code: NewConnectorErrorCode.nameInvalid }),
    );
  });
});

describe('writeConnector', () => {
  it('writes every file, then refuses to overwrite the app and leaves it as it was', async () => {
    const appsDir = tempDir();
    const scaffold = renderConnector({ name: 'acme', repoRoot, appsDir });
    await writeConnector(scaffold);
    expect(readFileSync(join(appsDir, 'connector-acme', 'src', 'acme.connector.ts'), 'utf8')).toBe(
      fileOf(scaffold, 'src/acme.connector.ts'),
    );
    writeFileSync(join(appsDir, 'connector-acme', 'src', 'main.ts'), '// edited by hand\n');

    await expect(writeConnector(scaffold)).rejects.toMatchObject({ code: NewConnectorErrorCode.exists });
    expect(readFileSync(join(appsDir, 'connector-acme', 'src', 'main.ts'), 'utf8')).toBe(
      '// edited by hand\n',
    );
  });

  it('refuses an existing folder even when it is empty', async () => {
    const appsDir = tempDir();
    await mkdir(join(appsDir, 'connector-acme'));
    await expect(writeConnector(renderConnector({ name: 'acme', repoRoot, appsDir }))).rejects.toMatchObject({
      code: NewConnectorErrorCode.exists,
    });
    expect(readdirSync(join(appsDir, 'connector-acme'))).toEqual([]);
  });
});

describe('newConnectorCommand', () => {
  it('scaffolds the app and prints the files and the next steps', async () => {
    const appsDir = tempDir();
    const lines: string[] = [];
    const code = await newConnectorCommand(['acme', '--event', 'payments.payment.succeeded'], {
      out: (line) => lines.push(line),
      repoRoot,
      appsDir,
    });
    expect(code).toBe(0);
    expect(existsSync(join(appsDir, 'connector-acme', 'src', 'acme.connector.ts'))).toBe(true);
    const output = lines.join('\n');
    expect(output).toContain('(@tributary/connector-acme)');
    expect(output).toContain('npm install');
    expect(output).toContain('npx turbo run build --filter=@tributary/connector-acme...');
    expect(output).toContain('--selectProjects int');
  });

  it('prints the usage without a name, and with --help', async () => {
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), repoRoot, appsDir: tempDir() };
    expect(await newConnectorCommand([], io)).toBe(2);
    expect(await newConnectorCommand(['--help'], io)).toBe(0);
    expect(lines.join('\n')).toContain('usage: tributary new-connector <name> [--event <type>]');
  });

  it('fails on a bad name without writing anything', async () => {
    const appsDir = tempDir();
    await expect(
      newConnectorCommand(['Acme'], { out: () => undefined, repoRoot, appsDir }),
    ).rejects.toMatchObject({ code: NewConnectorErrorCode.nameInvalid });
    expect(readdirSync(appsDir)).toEqual([]);
  });
});
