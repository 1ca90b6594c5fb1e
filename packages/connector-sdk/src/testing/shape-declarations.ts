import type * as JestGlobals from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { pathSegments } from '@tributary/provider-shapes';
import type { ShapeDeclarations } from '@tributary/provider-shapes';

export interface ShapeDeclarationSuiteOptions {
  /** The connector's app name, the prefix of every `usedBy` (`connector-payments`). */
  readonly app: string;
  /** The app's folder (`new URL('../', import.meta.url)` from a spec under `src/`). */
  readonly appRoot: URL;
  readonly shapes: ShapeDeclarations;
  /** The provider client's source file under the app: every `operation: '...'` it sends must be declared. */
  readonly clientFile: string;
  /** Provider member names every operation must keep out of its examples. */
  readonly personalData: readonly string[];
}

/**
 * The checks every connector's shape declarations pass (docs/architecture.md#provider-shapes): one
 * declaration per operation the client sends, something relied on in each, well-formed paths, every
 * `usedBy` naming a function of a file of the app (`<app>: <file> <function>`), enum values listed once,
 * and the provider's personal data declared.
 */
export function describeShapeDeclarations(options: ShapeDeclarationSuiteOptions): void {
  // The test runner's globals, typed: the package never loads jest itself.
  const { describe, expect, it } = globalThis as unknown as typeof JestGlobals;
  const { shapes, appRoot } = options;
  const source = (file: string) => readFileSync(new URL(file, appRoot), 'utf8');
  const usedByPattern = new RegExp(`^${options.app}: (\\S+\\.ts) ([A-Za-z_$][\\w$]*)`);
  const reliances = Object.entries(shapes).flatMap(([operation, declaration]) =>
    (declaration.reliesOn ?? []).map((reliance) => ({ operation, ...reliance })),
  );

  describe(`${options.app} shape declarations`, () => {
    it(`declare exactly the operations ${options.clientFile} sends`, () => {
      const sent = [...source(options.clientFile).matchAll(/operation: '([^']+)'/g)].map((match) => match[1]);
      expect(sent.length).toBeGreaterThan(0);
      expect(Object.keys(shapes).sort()).toEqual([...new Set(sent)].sort());
    });

    it('rely on something in every operation', () => {
      for (const declaration of Object.values(shapes))
        expect(declaration.reliesOn?.length).toBeGreaterThan(0);
    });

    it.each(reliances)('$operation $path: a well-formed path', ({ path }) => {
      expect(pathSegments(path)).toBeDefined();
    });

    it.each(reliances)('$operation $path: used by a function of a file of this app', ({ usedBy }) => {
      const [, file, name] = usedByPattern.exec(usedBy) ?? [];
      expect(file && existsSync(new URL(file, appRoot))).toBe(true);
      expect(source(file!)).toMatch(new RegExp(`\\b${name}\\b`));
    });

    it('list enum values once each, and declare enum and map paths well formed', () => {
      for (const { values } of reliances.filter((reliance) => reliance.values)) {
        expect(values!.length).toBeGreaterThan(0);
        expect(new Set(values).size).toBe(values!.length);
      }
      for (const declaration of Object.values(shapes))
        for (const path of [...(declaration.enums ?? []), ...(declaration.maps ?? [])])
          expect(pathSegments(path)).toBeDefined();
    });

    it(`keep ${options.personalData.join(', ')} out of the examples of every operation`, () => {
      for (const declaration of Object.values(shapes))
        expect(declaration.personalData).toEqual(expect.arrayContaining([...options.personalData]));
    });
  });
}
