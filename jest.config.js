// One jest run, two projects: `unit` never touches the network; `int` shares one real stack
// (Kafka, schema registry, Postgres) started once by the testkit global setup.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2024',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'es6' },
  },
];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@tributary/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    // Public subpaths of an exports map (`@tributary/connector-sdk/testing`), from source like the root.
    '^@tributary/([a-z-]+)/([a-z-]+)$': '<rootDir>/packages/$1/src/$2/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

export default {
  // A project-level testTimeout is ignored by jest when projects are used; integration tests need minutes.
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/packages/testkit/jest/summary-reporter.cjs'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,packages}/*/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/{apps,packages}/*/{src,test}/**/*.{int,e2e}-spec.ts'],
      globalSetup: '<rootDir>/packages/testkit/jest/global-setup.js',
      globalTeardown: '<rootDir>/packages/testkit/jest/global-teardown.js',
    },
  ],
};
