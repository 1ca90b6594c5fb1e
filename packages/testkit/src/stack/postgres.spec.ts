import { initdbArgs, postgresServerArgs, postgresUrl } from './postgres.js';

describe('postgres configuration', () => {
  it('listens on loopback TCP only, with the marker in the command line', () => {
    const args = postgresServerArgs('/d', 5544, 'cluster_name=tributary-x-postgres');
    expect(args.slice(0, 4)).toEqual(['-D', '/d', '-p', '5544']);
    expect(args).toContain('cluster_name=tributary-x-postgres');
    expect(args).toContain('listen_addresses=127.0.0.1');
    expect(args).toContain('unix_socket_directories=');
  });

  it('initializes a trust-auth cluster with a postgres superuser', () => {
    expect(initdbArgs('/d')).toEqual(expect.arrayContaining(['-D', '/d', '-U', 'postgres', '-A', 'trust']));
    expect(postgresUrl(5544)).toBe('postgres://postgres@127.0.0.1:5544/tributary');
  });
});
