import { schemaAutoRegisterFrom } from './schema-auto-register.js';

describe('SCHEMA_AUTO_REGISTER', () => {
  it.each([
    [{}, true],
    [{ TRIBUTARY_ENV: 'development' }, true],
    [{ TRIBUTARY_ENV: 'staging' }, true],
    [{ TRIBUTARY_ENV: 'production' }, false],
    [{ TRIBUTARY_ENV: 'production', SCHEMA_AUTO_REGISTER: '' }, false],
    [{ TRIBUTARY_ENV: 'production', SCHEMA_AUTO_REGISTER: 'true' }, true],
    [{ TRIBUTARY_ENV: 'test', SCHEMA_AUTO_REGISTER: 'false' }, false],
    [{ SCHEMA_AUTO_REGISTER: '0' }, false],
    [{ NODE_ENV: 'production' }, true], // NODE_ENV says nothing about the deployment (service kit README)
  ])('%j → %s', (env, expected) => {
    expect(schemaAutoRegisterFrom('kit-test', env)).toBe(expected);
  });

  it('refuses a value that is not a boolean, naming the variable', () => {
    expect(() => schemaAutoRegisterFrom('kit-test', { SCHEMA_AUTO_REGISTER: 'prod' })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('SCHEMA_AUTO_REGISTER: expected true or false, got "prod"'),
      }),
    );
  });
});
