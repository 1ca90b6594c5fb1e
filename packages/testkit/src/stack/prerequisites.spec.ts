import { installMessage, parseJavaMajor, which } from './prerequisites.js';

describe('prerequisites', () => {
  it('reads the Java major version from both version schemes', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajor('nonsense')).toBeUndefined();
  });

  it('says exactly what to install', () => {
    const message = installMessage([
      { what: 'java 17+', apt: 'openjdk-17-jre-headless', brew: 'openjdk@17' },
      { what: 'mvn (Apache Maven)', apt: 'maven', brew: 'maven' },
      { what: 'PostgreSQL server binaries (initdb, postgres)', apt: 'postgresql', brew: 'postgresql@17' },
    ]);
    expect(message).toContain('apt-get install -y openjdk-17-jre-headless maven postgresql');
    expect(message).toContain('brew install openjdk@17 maven postgresql@17');
  });

  it('finds nothing on an empty PATH', () => {
    expect(which('java', { PATH: '' })).toBeUndefined();
  });
});
