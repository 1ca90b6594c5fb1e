/** Stable codes of the kit's own failures. */
export const ServiceKitErrorCode = {
  configInvalid: 'CONFIG_INVALID',
} as const;

/**
 * A configuration that cannot run. Thrown before any connection opens, with every problem listed by the
 * variable that causes it, so one failed boot tells the operator everything to fix.
 */
export class ConfigError extends Error {
  readonly code = ServiceKitErrorCode.configInvalid;

  constructor(
    readonly service: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid configuration of ${service}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}
