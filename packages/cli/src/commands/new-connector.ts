import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TributaryError, eventCatalogue, eventTypes, isEventType } from '@tributary/contracts';
import type { EventType } from '@tributary/contracts';

/**
 * `tributary new-connector <name> [--event <type>]` (`npm run new:connector -- <name>`): scaffolds
 * apps/connector-<name>/ from packages/cli/templates/connector, an app that passes the connector conformance
 * suite against the provider simulator's generic effect route before any provider logic is written
 * (docs/architecture.md#connectors). Nothing outside the new folder changes: whatever lists connectors finds
 * apps/connector-*.
 */
export const DEFAULT_CONNECTOR_EVENT: EventType = 'commerce.order.placed';

// Room for the derived names (schema connector_<name>, group connector-<name>.retry.10m, test database
// prefixes) and short enough that the generated code keeps prettier's layout whatever the name.
const MAX_NAME_LENGTH = 30;
const namePattern = /^[a-z][a-z0-9-]*$/;

export const newConnectorUsage = `usage: tributary new-connector <name> [--event <type>]
  name     lowercase letters, digits and hyphens, starting with a letter (at most ${MAX_NAME_LENGTH} characters)
  --event  the catalogue event type the connector handles (default commerce.order.placed):
           ${eventTypes.join(', ')}`;

export const NewConnectorErrorCode = {
  nameInvalid: 'CONNECTOR_NAME_INVALID',
  eventUnknown: 'CONNECTOR_EVENT_UNKNOWN',
  exists: 'CONNECTOR_EXISTS',
  templateBroken: 'CONNECTOR_TEMPLATE_BROKEN',
} as const;

/** Where the templates are: two levels above this module, in src/ as in dist/. */
const defaultTemplatesDir = fileURLToPath(new URL('../../templates/connector/', import.meta.url));

export interface ConnectorScaffoldOptions {
  /** `acme-crm`: app `apps/connector-acme-crm`, connector id, provider label. */
  name: string;
  /** Default `commerce.order.placed`. */
  event?: string;
  /** The repository root (where tsconfig.base.json is). */
  repoRoot: string;
  /** Where the app folder goes; default `<repoRoot>/apps`. */
  appsDir?: string;
  templatesDir?: string;
}

export interface GeneratedFile {
  /** Relative to the app folder, `/`-separated. */
  readonly path: string;
  readonly content: string;
}

export interface ConnectorScaffold {
  /** Absolute path of the app folder, `<appsDir>/connector-<name>`. */
  readonly dir: string;
  readonly packageName: string;
  readonly files: readonly GeneratedFile[];
}

/** Throws CONNECTOR_NAME_INVALID with the reason, or returns the name. */
export function validateConnectorName(name: string): string {
  const problem = !namePattern.test(name)
    ? 'must start with a lowercase letter and contain only lowercase letters, digits and hyphens'
    : name.length > MAX_NAME_LENGTH
      ? `must be at most ${MAX_NAME_LENGTH} characters`
      : name.endsWith('-') || name.includes('--')
        ? 'must not end with a hyphen or contain two in a row'
        : undefined;
  if (problem) {
    throw new TributaryError(
      NewConnectorErrorCode.nameInvalid,
      `connector name ${JSON.stringify(name)} ${problem}`,
    );
  }
  return name;
}

/** The template variables of one connector (exported for the tests' expectations). */
export function connectorNames(name: string, event: EventType, tsconfigBase: string) {
  const words = name.split('-');
  const pascal = words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
  const definition = eventCatalogue[event];
  return {
    name,
    Name: pascal,
    camelName: pascal[0]!.toLowerCase() + pascal.slice(1),
    ENV: name.toUpperCase().replaceAll('-', '_'),
    schema: `connector_${name.replaceAll('-', '_')}`,
    eventType: event,
    EventRecord: definition.recordName.split('.').at(-1)!,
    topic: definition.topic,
    tsconfigBase,
  };
}

/**
 * The files of a new connector app, rendered but not written: every `{{variable}}` of every template
 * replaced (a leftover one is a broken template, refused), `__name__` in file names replaced by the name and
 * a leading `dot-` by a dot.
 */
export function renderConnector(options: ConnectorScaffoldOptions): ConnectorScaffold {
  const name = validateConnectorName(options.name);
  const event = options.event ?? DEFAULT_CONNECTOR_EVENT;
  if (!isEventType(event)) {
    throw new TributaryError(
      NewConnectorErrorCode.eventUnknown,
      `event type ${JSON.stringify(event)} is not in the catalogue; one of ${eventTypes.join(', ')}`,
    );
  }
  const appsDir = options.appsDir ?? join(options.repoRoot, 'apps');
  const dir = join(appsDir, `connector-${name}`);
  const tsconfigBase = relative(dir, join(options.repoRoot, 'tsconfig.base.json')).split(sep).join('/');
  // The generated app declares the same versions as the SDK it builds on, so the lock file gains nothing.
  const sdk = JSON.parse(
    readFileSync(join(options.repoRoot, 'packages', 'connector-sdk', 'package.json'), 'utf8'),
  ) as { dependencies: Record<string, string> };
  const variables: Record<string, string> = {
    ...connectorNames(name, event, tsconfigBase),
    zodVersion: sdk.dependencies.zod ?? '*',
    uuidVersion: sdk.dependencies.uuid ?? '*',
  };

  const templatesDir = options.templatesDir ?? defaultTemplatesDir;
  const files = listFiles(templatesDir)
    .filter((path) => path.endsWith('.tmpl'))
    .map((path) => ({
      // `dot-` stands for a leading dot: the repository ignores `.env.*` files, a template among them.
      path: path
        .slice(0, -'.tmpl'.length)
        .replaceAll('__name__', name)
        .replace(/(^|\/)dot-/g, '$1.'),
      content: render(readFileSync(join(templatesDir, path), 'utf8'), variables, path),
    }));
  return { dir, packageName: `@tributary/connector-${name}`, files };
}

function render(template: string, variables: Record<string, string>, path: string): string {
  return template.replace(/\{\{(\w+)\}\}/g, (placeholder, key: string) => {
    const value = variables[key];
    if (value === undefined) {
      throw new TributaryError(
        NewConnectorErrorCode.templateBroken,
        `${path}: unknown variable ${placeholder}`,
      );
    }
    return value;
  });
}

/** Every file below `root`, relative and `/`-separated, in a stable order. */
function listFiles(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix))
    .sort()
    .flatMap((entry) => {
      const path = prefix ? `${prefix}/${entry}` : entry;
      return statSync(join(root, path)).isDirectory() ? listFiles(root, path) : [path];
    });
}

/**
 * Writes the app folder. Refuses (CONNECTOR_EXISTS) when it exists, even empty: an app is never
 * overwritten or merged into. A failure half-way removes what it wrote.
 */
export async function writeConnector(scaffold: ConnectorScaffold): Promise<void> {
  if (existsSync(scaffold.dir)) {
    throw new TributaryError(
      NewConnectorErrorCode.exists,
      `${scaffold.dir} already exists; choose another name or remove it first`,
    );
  }
  await mkdir(dirname(scaffold.dir), { recursive: true });
  // Not recursive: of two concurrent runs, exactly one creates the folder.
  await mkdir(scaffold.dir).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EEXIST'
      ? new TributaryError(NewConnectorErrorCode.exists, `${scaffold.dir} already exists`)
      : error;
  });
  try {
    for (const file of scaffold.files) {
      const target = join(scaffold.dir, ...file.path.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content, { flag: 'wx' });
    }
  } catch (error) {
    await rm(scaffold.dir, { recursive: true, force: true });
    throw error;
  }
}

/** The repository root: the nearest directory above `from` whose package.json declares workspaces. */
export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && 'workspaces' in (JSON.parse(readFileSync(manifest, 'utf8')) as object)) {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no workspace root above ${from}`);
  }
}

export interface NewConnectorIo {
  readonly out: (line: string) => void;
  /** Default: found above this module. */
  readonly repoRoot?: string;
  /** Default `<repoRoot>/apps`. */
  readonly appsDir?: string;
}

export async function newConnectorCommand(argv: string[], io: NewConnectorIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { event: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || positionals.length !== 1) {
    io.out(newConnectorUsage);
    return values.help ? 0 : 2;
  }
  const repoRoot = io.repoRoot ?? findRepoRoot();
  const scaffold = renderConnector({
    name: positionals[0]!,
    repoRoot,
    ...(io.appsDir === undefined ? {} : { appsDir: io.appsDir }),
    ...(values.event === undefined ? {} : { event: values.event }),
  });
  await writeConnector(scaffold);
  const app = relative(repoRoot, scaffold.dir).split(sep).join('/');
  const jest = 'node --experimental-vm-modules node_modules/jest/bin/jest.js';
  io.out(`created ${app}/ (${scaffold.packageName})`);
  for (const file of scaffold.files) io.out(`  ${app}/${file.path}`);
  io.out('');
  io.out('next steps:');
  io.out('  npm install                # links the new workspace (package-lock.json gains its entry)');
  io.out(`  npx turbo run build --filter=${scaffold.packageName}...`);
  io.out(`  ${jest} ${app} --selectProjects unit`);
  io.out('  eval "$(npm run -s stack:up 2>/dev/null)"');
  io.out(`  ${jest} ${app} --selectProjects int    # the conformance suite, 8 scenarios`);
  io.out(
    `then replace the simulator's generic effect in ${app}/src/${positionals[0]}.connector.ts with the provider's API.`,
  );
  return 0;
}
