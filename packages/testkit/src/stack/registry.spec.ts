import { registryJvmArgs } from './registry.js';

describe('registryJvmArgs', () => {
  it('starts Apicurio on the chosen port with a BACKWARD global rule', () => {
    const args = registryJvmArgs(41234, '-Dtributary.stack=t-registry', '/tmp/r');
    expect(args).toContain('-Dquarkus.http.port=41234');
    expect(args).toContain('-Dapicurio.rules.global.compatibility=BACKWARD');
    expect(args).toContain('-Dtributary.stack=t-registry');
    expect(args.slice(-2)).toEqual(['-jar', 'apicurio-registry-app-3.0.9-runner.jar']);
  });
});
