import { Logger as NestLogger } from '@nestjs/common';
import { createLogger } from '../logging/logger.js';
import { PinoLoggerService } from './nest-logger.service.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(JSON.parse(line)) } };
}

describe('PinoLoggerService', () => {
  afterEach(() => NestLogger.overrideLogger(false));

  it('makes `new Logger(Class.name)` write JSON through pino with the Nest context', () => {
    const { lines, destination } = capture();
    NestLogger.overrideLogger(new PinoLoggerService(createLogger({ service: 'app', destination })));

    class OrderConsumer {}
    const logger = new NestLogger(OrderConsumer.name);
    logger.log('consumed', { topic: 'commerce.order.v1', password: 'x' });
    logger.warn('slow');

    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'app',
      context: 'OrderConsumer',
      topic: 'commerce.order.v1',
      password: '[REDACTED]',
      msg: 'consumed',
    });
    expect(lines[1]).toMatchObject({ level: 'warn', context: 'OrderConsumer', msg: 'slow' });
  });

  it('maps error calls with a stack or an Error to structured fields', () => {
    const { lines, destination } = capture();
    const service = new PinoLoggerService(createLogger({ service: 'app', destination }), 'Relay');
    const failure = new Error('broker down');

    service.error('publish failed', failure.stack, 'OutboxRelay');
    service.error(failure);

    expect(lines[0]).toMatchObject({ level: 'error', context: 'OutboxRelay', msg: 'publish failed' });
    expect(lines[0]!.stack).toContain('broker down');
    expect(lines[1]).toMatchObject({ level: 'error', context: 'Relay', msg: 'broker down' });
    expect((lines[1]!.err as { message: string }).message).toBe('broker down');
  });

  it('maps Nest log levels onto the pino threshold', () => {
    const { lines, destination } = capture();
    const service = new PinoLoggerService(createLogger({ service: 'app', destination }));
    service.setLogLevels(['error', 'warn']);
    service.log('dropped');
    service.warn('kept');
    service.setLogLevels(['verbose', 'log']);
    service.verbose('now kept');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'kept'],
      ['trace', 'now kept'],
    ]);
  });
});
