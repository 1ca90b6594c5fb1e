import { existsSync, readFileSync } from 'node:fs';
import { webhookDefinitions } from './index.js';

/** A path as provider-shapes writes one: `$`, then members (`.name`, `\` escaping `.[]\`) and `[]`. */
const PATH = /^\$(?:\.(?:[^.[\]\\]|\\[.[\]\\])+|\[\])*$/;
/** `webhooks: <file under the package> <function or definition>`, then anything saying more. */
const USED_BY = /^webhooks: (\S+\.ts) ([A-Za-z_$][\w$]*)/;

const pkg = new URL('../../', import.meta.url);
const definitions = Object.values(webhookDefinitions);
const reliances = definitions.flatMap((definition) =>
  Object.entries(definition.shapes ?? {}).flatMap(([type, declaration]) =>
    (declaration.reliesOn ?? []).map((reliance) => ({ provider: definition.provider, type, ...reliance })),
  ),
);

describe('webhook shape declarations', () => {
  it.each(definitions.map((definition) => [definition.provider, definition] as const))(
    '%s: declare exactly the event types its mappings handle',
    (_, definition) => {
      expect(Object.keys(definition.shapes ?? {}).sort()).toEqual(Object.keys(definition.mappings).sort());
    },
  );

  it.each(reliances)('$provider $type $path: a well-formed path', ({ path }) => {
    expect(path).toMatch(PATH);
  });

  it.each(reliances)('$provider $type $path: used by a function of a file of this package', ({ usedBy }) => {
    const [, file, name] = USED_BY.exec(usedBy) ?? [];
    expect(file && existsSync(new URL(file, pkg))).toBe(true);
    expect(readFileSync(new URL(file!, pkg), 'utf8')).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('list enum values once each, and declare enum paths well formed', () => {
    for (const { values } of reliances.filter((reliance) => reliance.values)) {
      expect(values!.length).toBeGreaterThan(0);
      expect(new Set(values).size).toBe(values!.length);
    }
    for (const definition of definitions)
      for (const declaration of Object.values(definition.shapes ?? {}))
        for (const path of declaration.enums ?? []) expect(path).toMatch(PATH);
  });

  it('expect of each type the value it is registered under', () => {
    // The splitter reads the type from these paths; a declaration naming other values would contradict it.
    const typePaths: Record<string, string> = {
      hubspot: '$.subscriptionType',
      easypost: '$.description',
      stripe: '$.type',
    };
    for (const [provider, path] of Object.entries(typePaths)) {
      const declared = Object.entries(webhookDefinitions[provider]!.shapes ?? {});
      expect(declared.length).toBeGreaterThan(0);
      for (const [type, declaration] of declared) {
        const reliance = declaration.reliesOn?.find((candidate) => candidate.path === path);
        expect(reliance?.values).toEqual([type]);
      }
    }
  });

  it('keep the personal data of contact changes and deliveries out of the examples', () => {
    expect(webhookDefinitions.hubspot!.shapes?.['contact.propertyChange']?.personalData).toContain(
      'propertyValue',
    );
    expect(webhookDefinitions.easypost!.shapes?.['tracker.updated']?.personalData).toContain('signed_by');
    for (const declaration of Object.values(webhookDefinitions.stripe!.shapes ?? {}))
      expect(declaration.personalData).toEqual(expect.arrayContaining(['receipt_email', 'shipping.name']));
  });
});
