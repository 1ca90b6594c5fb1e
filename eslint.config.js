import { readFileSync, readdirSync } from 'node:fs';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// Every subpath a package publishes in its exports map (`@tributary/kafka/nest`, `@tributary/service-kit/http`):
// those are public API; any other path into a package is a deep import.
const publicSubpaths = readdirSync(new URL('./packages/', import.meta.url)).flatMap((dir) => {
  const manifest = JSON.parse(
    readFileSync(new URL(`./packages/${dir}/package.json`, import.meta.url), 'utf8'),
  );
  return Object.keys(manifest.exports ?? {})
    .filter((key) => key !== '.' && !key.includes('*'))
    .map((key) => `!${manifest.name}/${key.slice(2)}`);
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/generated/**', '.tributary/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
      // Nest resolves constructor dependencies from emitted decorator metadata: a class imported with
      // `import type` would vanish from it. With these set, consistent-type-imports leaves such files alone.
      parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tributary/*/*', ...publicSubpaths],
              message: 'Import a package through its exports map, never its internals.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only config modules read the environment (docs/architecture.md#configuration).
    files: ['apps/*/src/**/*.ts'],
    ignores: ['apps/*/src/**/*.config.ts', 'apps/*/src/**/*.spec.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through the app config module.' },
      ],
    },
  },
  {
    // Static pages served as they are (no bundler): browser globals.
    files: ['apps/*/console/**/*.js'],
    languageOptions: {
      globals: {
        document: 'readonly',
        window: 'readonly',
        sessionStorage: 'readonly',
        fetch: 'readonly',
        URLSearchParams: 'readonly',
        FormData: 'readonly',
      },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    // contracts is the bottom of the dependency graph: it imports no other package of ours and no framework.
    files: ['packages/contracts/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@tributary/*', '@nestjs/*', 'typeorm', 'kafkajs'] }],
    },
  },
  prettier,
);
