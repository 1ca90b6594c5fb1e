/**
 * The logging seam of this package: pino's `(object, message)` call shape, so a pino logger fits as is,
 * without this package depending on pino.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

function writeLine(level: string, fields: Record<string, unknown>, message: string): void {
  process.stderr.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...fields })}\n`,
  );
}

/** Used when no logger is given: problems still reach stderr as JSON lines; chatter is dropped. */
export const stderrLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (fields, message) => writeLine('warn', fields, message),
  error: (fields, message) => writeLine('error', fields, message),
};

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Error fields for a log line without dumping arbitrary objects into it. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      err: { type: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) },
    };
  }
  return { err: { message: String(error) } };
}
