import { kafkaJvmOptions, newClusterId, renderServerProperties } from './kafka.js';

function parse(properties: string): Map<string, string> {
  return new Map(
    properties
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
}

describe('renderServerProperties', () => {
  const props = parse(
    renderServerProperties({ brokerPort: 41001, controllerPort: 41002, dataDir: '/tmp/k' }),
  );

  it('describes a combined broker/controller KRaft node on the chosen ports', () => {
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('node.id')).toBe('1');
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:41002');
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:41001,CONTROLLER://127.0.0.1:41002');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:41001');
    expect(props.get('controller.listener.names')).toBe('CONTROLLER');
    expect(props.get('log.dirs')).toBe('/tmp/k');
  });

  it('fits one node: replication 1, no rebalance delay', () => {
    for (const key of [
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
      'transaction.state.log.min.isr',
    ]) {
      expect(props.get(key)).toBe('1');
    }
    expect(props.get('group.initial.rebalance.delay.ms')).toBe('0');
  });

  it('makes code create its topics, as production does', () => {
    expect(props.get('auto.create.topics.enable')).toBe('false');
  });
});

describe('newClusterId', () => {
  it('is 22 URL-safe base64 characters that never read as a command-line flag', () => {
    const ids = Array.from({ length: 500 }, () => newClusterId());
    expect(ids.every((id) => /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('kafkaJvmOptions', () => {
  it('configures reload4j for Kafka 3 and log4j2 for Kafka 4', () => {
    expect(kafkaJvmOptions('3.9.1', '/c/libs', '/r/infra/local')).toEqual([
      '-cp',
      '/c/libs/*',
      '-Dlog4j.configuration=file:/r/infra/local/config/log4j.properties',
      '-Djava.awt.headless=true',
    ]);
    expect(kafkaJvmOptions('4.1.1', '/c/libs', '/r/infra/local')).toContain(
      '-Dlog4j2.configurationFile=/r/infra/local/config/log4j2.properties',
    );
  });
});
