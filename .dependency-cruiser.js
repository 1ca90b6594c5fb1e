import { join } from 'node:path';

// Architecture rules, checked by `npm run lint` (`depcruise`) and proven to bite by
// packages/testkit/src/architecture/architecture-rules.spec.ts, which runs them over small fixture trees.
// Paths are relative to the repository root; a package import resolves through its exports map's `source`
// condition to the file under `src`, so a rule sees the whole graph across packages.

// Entry points that must load no Nest module, directly or through our own modules: code without Nest (the
// CLI, scripts, other packages' framework-free parts) imports them, and a Nest import there would pull the
// framework into every such process. A new framework-free entry point is one more line here.
const FRAMEWORK_FREE_ENTRIES = [
  'packages/kafka/src/index.ts',
  'packages/kafka/src/errors/index.ts',
  'packages/observability/src/index.ts',
  'packages/service-kit/src/index.ts',
  'packages/service-kit/src/http/index.ts',
];

// Domain code: any `domain/` folder of an app or a package, and the packages that are domain through and
// through (event contracts; webhook signature schemes and provider mappings).
const DOMAIN = [
  '^(apps|packages)/[^/]+/src/(domain/|.*/domain/)',
  '^packages/contracts/src/',
  '^packages/webhooks/src/',
  '^packages/provider-shapes/src/',
];

// Frameworks and infrastructure clients, resolved (under any node_modules, their @types included) or not.
const FRAMEWORKS = ['@nestjs', 'typeorm', 'kafkajs', 'pg', 'fastify'];
const packagePath = (names) => {
  const name = `(${names.join('|')})`;
  return [`(^|/)node_modules/(@types/)?${name}/`, `^${name}(/|$)`];
};

const escapeRegExp = (path) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-runtime-cycle',
      severity: 'error',
      comment:
        'A runtime import cycle makes module evaluation order decide whether a binding is initialised yet ' +
        '(undefined classes in Nest providers, TDZ errors), and ties modules that should be layered. A cycle ' +
        'with an `import type` edge is allowed: types are erased, nothing cycles at run time.',
      from: {},
      to: {
        circular: true,
        dependencyTypesNot: ['type-only'],
        viaOnly: { dependencyTypesNot: ['type-only'] },
      },
    },
    {
      name: 'package-imports-app',
      severity: 'error',
      comment:
        'Packages are the shared platform; apps are built on them. A package importing an app would make ' +
        'every user of the package depend on that app (and the graph cyclic at the package level).',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'app-imports-other-app',
      severity: 'error',
      comment:
        'Apps are deployed and scaled separately and talk through Kafka topics and HTTP only. Code two apps ' +
        'need belongs in a package.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'domain-imports-framework',
      severity: 'error',
      comment:
        'Domain code (rules, events, mappings) is tested and reused without a container, a broker or a ' +
        'database: it imports no framework or infrastructure client (Nest, TypeORM, kafkajs, pg, Fastify), ' +
        'not even for types. Adapters outside `domain/` translate.',
      from: { path: DOMAIN },
      to: { path: packagePath(FRAMEWORKS) },
    },
    {
      name: 'framework-free-entry-reaches-nest',
      severity: 'error',
      comment:
        'These entry points are imported by code that runs without Nest; nothing they reach through our ' +
        'own modules may import @nestjs/*. Nest adapters go behind the package `nest` subpath.',
      from: { path: FRAMEWORK_FREE_ENTRIES.map((entry) => `^${escapeRegExp(entry)}$`) },
      to: { path: packagePath(['@nestjs']), reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: {
      // Build output, and the fixture trees that break these rules on purpose. node_modules stays in the graph
      // (not followed): the framework rules match the modules our files import from it.
      path: [
        '^(apps|packages)/[^/]+/(dist|coverage)/',
        '^\\.tributary/',
        '^packages/testkit/test/fixtures/architecture/',
      ],
    },
    moduleSystems: ['es6', 'cjs'],
    // Type-only imports are part of the graph (labelled `type-only`): a domain file importing a framework's
    // types is coupled to it all the same. The cycle rule above skips cycles that go through one.
    tsPreCompilationDeps: true,
    // Absolute, so the rules can be run from any folder (the fixture test cruises from its fixtures).
    tsConfig: { fileName: join(import.meta.dirname, 'tsconfig.base.json') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      // `source` first, as tsconfig's customConditions and jest do: a package resolves to its src.
      conditionNames: ['source', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
