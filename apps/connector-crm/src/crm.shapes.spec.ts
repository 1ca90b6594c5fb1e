import { existsSync, readFileSync } from 'node:fs';
import { crmConnector } from './crm.connector.js';

/** A path as provider-shapes writes one: `$`, then members (`.name`, `\` escaping `.[]\`) and `[]`. */
const PATH = /^\$(?:\.(?:[^.[\]\\]|\\[.[\]\\])+|\[\])*$/;
/** `connector-crm: <file under the app> <function>`, then anything saying more. */
const USED_BY = /^connector-crm: (\S+\.ts) ([A-Za-z_$][\w$]*)/;

const app = new URL('../', import.meta.url);
const source = (file: string) => readFileSync(new URL(file, app), 'utf8');
const shapes = crmConnector.shapes ?? {};
const reliances = Object.entries(shapes).flatMap(([operation, declaration]) =>
  (declaration.reliesOn ?? []).map((reliance) => ({ operation, ...reliance })),
);

describe('crmConnector shape declarations', () => {
  it('declare exactly the operations the HubSpot client sends', () => {
    const sent = [...source('src/hubspot/hubspot.client.ts').matchAll(/operation: '([^']+)'/g)].map(
      (match) => match[1],
    );
    expect(sent.length).toBeGreaterThan(0);
    expect(Object.keys(shapes).sort()).toEqual([...new Set(sent)].sort());
  });

  it('rely on something in every operation', () => {
    for (const declaration of Object.values(shapes)) expect(declaration.reliesOn?.length).toBeGreaterThan(0);
  });

  it.each(reliances)('$operation $path: a well-formed path', ({ path }) => {
    expect(path).toMatch(PATH);
  });

  it.each(reliances)('$operation $path: used by a function of a file of this app', ({ usedBy }) => {
    const [, file, name] = USED_BY.exec(usedBy) ?? [];
    expect(file && existsSync(new URL(file, app))).toBe(true);
    expect(source(file!)).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('list enum values once each, and declare enum paths well formed', () => {
    for (const { values } of reliances.filter((reliance) => reliance.values)) {
      expect(values!.length).toBeGreaterThan(0);
      expect(new Set(values).size).toBe(values!.length);
    }
    for (const declaration of Object.values(shapes))
      for (const path of declaration.enums ?? []) expect(path).toMatch(PATH);
  });

  it('keep contact names and error messages out of the examples of every operation', () => {
    for (const declaration of Object.values(shapes))
      expect(declaration.personalData).toEqual(expect.arrayContaining(['firstname', 'lastname', 'message']));
  });
});
