import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import type { ICruiseOptions, ICruiseResult, IForbiddenRuleType, IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

// The repository's own rules (the file `npm run lint` runs), applied to committed fixture trees laid out like
// the repository (apps/<app>, packages/<package>); each tree but `clean` breaks one rule on purpose.
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const fixtures = fileURLToPath(new URL('../../test/fixtures/architecture/', import.meta.url));
const ENTRY_RULE = 'framework-free-entry-reaches-nest';

async function repositoryOptions(): Promise<ICruiseOptions> {
  return extractDepcruiseOptions(`${root}.dependency-cruiser.js`);
}

async function cruiseFixture(fixture: string): Promise<ICruiseResult> {
  const options = await repositoryOptions();
  const forbidden = (options.ruleSet?.forbidden ?? []).map((rule): IForbiddenRuleType => {
    // The real entry list names the repository's packages; a fixture's framework-free entry is its `p` root.
    if (rule.name !== ENTRY_RULE) return rule;
    return { ...rule, from: { ...rule.from, path: '^packages/p/src/index\\.ts$' } };
  });
  const tsConfigFile = options.tsConfig!.fileName!;
  const baseDir = `${fixtures}${fixture}`;
  const result = await cruise(
    ['apps', 'packages'].filter((dir) => isDirectory(`${baseDir}/${dir}`)),
    { ...options, baseDir, ruleSet: { ...options.ruleSet, forbidden } },
    {},
    { tsConfig: extractTSConfig(tsConfigFile) },
  );
  const output = result.output as ICruiseResult;
  // An import that does not resolve would make a rule pass for the wrong reason: every edge lands on a file.
  const unresolved = output.modules.flatMap((module) =>
    module.dependencies
      .filter((dependency) => dependency.couldNotResolve)
      .map((dependency) => `${module.source} -> ${dependency.module}`),
  );
  expect(unresolved).toEqual([]);
  return output;
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function summary(violations: IViolation[]): { rule: string; from: string; to: string }[] {
  return violations
    .map((violation) => ({ rule: violation.rule.name, from: violation.from, to: violation.to }))
    .sort((a, b) => `${a.rule} ${a.from} ${a.to}`.localeCompare(`${b.rule} ${b.from} ${b.to}`));
}

const nodeModule = (name: string) => expect.stringMatching(new RegExp(`(^|/)node_modules/${name}/`));

describe('architecture rules (.dependency-cruiser.js)', () => {
  it('accept the clean tree: framework outside domain/, Nest behind a nest subpath, a type-only cycle', async () => {
    const result = await cruiseFixture('clean');

    expect(summary(result.summary.violations)).toEqual([]);
    // The cycle is there and closed by an `import type`: the cycle rule skips it for that reason alone.
    const currency = result.modules.find((module) => module.source === 'packages/p/src/domain/currency.ts');
    expect(currency?.dependencies).toEqual([
      expect.objectContaining({
        resolved: 'packages/p/src/domain/money.ts',
        circular: true,
        dependencyTypes: expect.arrayContaining(['type-only']),
      }),
    ]);
  });

  it('report domain files importing a framework: Nest at run time, TypeORM for types only', async () => {
    const result = await cruiseFixture('domain-imports-framework');

    expect(summary(result.summary.violations)).toEqual([
      {
        rule: 'domain-imports-framework',
        from: 'apps/a/src/orders/domain/order-rules.ts',
        to: nodeModule('@nestjs/common'),
      },
      {
        rule: 'domain-imports-framework',
        from: 'packages/p/src/domain/ledger.ts',
        to: nodeModule('typeorm'),
      },
    ]);
  });

  it('report an app importing another app', async () => {
    const result = await cruiseFixture('app-imports-app');

    expect(summary(result.summary.violations)).toEqual([
      { rule: 'app-imports-other-app', from: 'apps/a/src/main.ts', to: 'apps/b/src/handler.ts' },
    ]);
  });

  it('report a package importing an app', async () => {
    const result = await cruiseFixture('package-imports-app');

    expect(summary(result.summary.violations)).toEqual([
      { rule: 'package-imports-app', from: 'packages/p/src/index.ts', to: 'apps/a/src/topics.ts' },
    ]);
  });

  it('report a runtime import cycle', async () => {
    const result = await cruiseFixture('runtime-cycle');

    expect(summary(result.summary.violations)).toEqual([
      { rule: 'no-runtime-cycle', from: 'packages/p/src/even.ts', to: 'packages/p/src/odd.ts' },
    ]);
    expect(result.summary.violations[0]!.cycle!.map((step) => step.name).sort()).toEqual([
      'packages/p/src/even.ts',
      'packages/p/src/odd.ts',
    ]);
  });

  it('report a framework-free entry point that reaches Nest through one of its own modules', async () => {
    const result = await cruiseFixture('entry-reaches-nest');

    expect(summary(result.summary.violations)).toEqual([
      { rule: ENTRY_RULE, from: 'packages/p/src/index.ts', to: nodeModule('@nestjs/common') },
    ]);
  });

  it('name framework-free entry points that exist: a moved entry would silently check nothing', async () => {
    const options = await repositoryOptions();
    const rule = options.ruleSet?.forbidden?.find((candidate) => candidate.name === ENTRY_RULE);
    const patterns = [rule?.from.path ?? []].flat();

    expect(patterns.length).toBeGreaterThan(0);
    for (const pattern of patterns) {
      const file = pattern.replace(/^\^/, '').replace(/\$$/, '').replace(/\\(.)/g, '$1');
      expect({ file, exists: existsSync(`${root}${file}`) }).toEqual({ file, exists: true });
    }
  });
});
