import type { LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import type { Level } from 'pino';
import type { Logger } from '../logging/logger.js';

const LEVELS: Record<NestLogLevel, Level> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

// Most verbose first, so the first enabled Nest level picks the pino threshold.
const ORDER: readonly NestLogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

/**
 * Nest's LoggerService over pino, so `new Logger(MyService.name)` anywhere in an app writes the same JSON
 * lines as the pino logger, with `context` set to the Nest context.
 *
 * Nest's calling convention is positional: a trailing string is the context, an `error` call may carry a
 * stack string before it, and objects after the message are structured fields. They are mapped to pino's
 * `(fields, message)` so `logger.log('published', { topic })` becomes `{"topic":..., "msg":"published"}`.
 */
export class PinoLoggerService implements LoggerService {
  constructor(
    private readonly logger: Logger,
    private readonly context?: string,
  ) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    this.write('log', message, optionalParams);
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.write('error', message, optionalParams);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.write('warn', message, optionalParams);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.write('debug', message, optionalParams);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.write('verbose', message, optionalParams);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.write('fatal', message, optionalParams);
  }

  setLogLevels(levels: NestLogLevel[]): void {
    const lowest = ORDER.find((level) => levels.includes(level));
    this.logger.level = lowest ? LEVELS[lowest] : 'silent';
  }

  private write(level: NestLogLevel, message: unknown, optionalParams: unknown[]): void {
    const pinoLevel = LEVELS[level];
    if (!this.logger.isLevelEnabled(pinoLevel)) return;

    const params = [...optionalParams];
    let context = this.context;
    if (params.length > 0 && typeof params.at(-1) === 'string') context = params.pop() as string;

    const fields: Record<string, unknown> = {};
    if (context !== undefined) fields.context = context;
    if (level === 'error' || level === 'fatal') {
      const stackIndex = params.findIndex((p) => typeof p === 'string' && /\n\s+at /.test(p));
      if (stackIndex >= 0) fields.stack = params.splice(stackIndex, 1)[0];
    }
    const extra: unknown[] = [];
    for (const param of params) {
      if (param instanceof Error) fields.err = param;
      else if (param !== null && typeof param === 'object') Object.assign(fields, param);
      else if (param !== undefined) extra.push(param);
    }
    if (extra.length > 0) fields.params = extra;

    if (message instanceof Error) {
      this.logger[pinoLevel]({ ...fields, err: message }, message.message);
    } else if (message !== null && typeof message === 'object') {
      this.logger[pinoLevel]({ ...fields, ...message });
    } else {
      this.logger[pinoLevel](fields, String(message));
    }
  }
}
