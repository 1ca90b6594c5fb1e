import type { StackEndpoints } from '@tributary/testkit';

/**
 * What the soak needs of the platform runner (packages/cli's startPlatform), typed here so this module does
 * not import the CLI: the bench passes the real runner in, and so does the end-to-end test.
 */
export interface SoakPlatformOptions {
  readonly endpoints: StackEndpoints;
  readonly topicPrefix: string;
  readonly groupPrefix: string;
  /** Instances per app; a runner without replicas ignores it and runs one of each. */
  readonly replicas: Readonly<Record<string, number>>;
  readonly withReconciliation: boolean;
  readonly withLagExporter: boolean;
  readonly appEnv: Readonly<Record<string, string>>;
  readonly simulatorEnv: Readonly<Record<string, string>>;
  readonly dlqHandlerEnv: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
}

export interface SoakProcess {
  readonly pid: number;
  kill(signal?: NodeJS.Signals): Promise<unknown>;
}

export interface SoakPlatform {
  readonly simulatorUrl: string;
  readonly exampleServiceUrl: string;
  readonly dlqHandlerUrl: string | undefined;
  readonly apps: ReadonlyMap<string, SoakProcess>;
  restart(instance: string): Promise<unknown>;
  stop(): Promise<unknown>;
}

export type StartPlatform = (options: SoakPlatformOptions) => Promise<SoakPlatform>;

/** The apps the soak runs two of (issue 16), and SIGKILLs. */
export const REPLICATED_APPS = [
  'ingestion',
  'dlq-handler',
  'connector-payments',
  'connector-crm',
  'connector-logistics',
] as const;

/** Instance names of an app: the runner's own list when it has one, else the contract's naming. */
export function instancesOf(platform: SoakPlatform, app: string): string[] {
  const own = (platform as { instancesOf?: (name: string) => readonly string[] }).instancesOf;
  if (own) return [...own.call(platform, app)];
  return [...platform.apps.keys()].filter((name) => name === app || name.startsWith(`${app}.`));
}
