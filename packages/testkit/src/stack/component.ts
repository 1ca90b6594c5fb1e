import type { StackPaths } from './paths.js';
import type { Toolchain } from './prerequisites.js';
import type { ComponentName, ManagedProcess, StackState } from './state-file.js';

/** What a component's start function gets from the stack: where to put things and how to report them. */
export interface ComponentContext {
  paths: StackPaths;
  toolchain: Toolchain;
  ports: StackState['ports'];
  /** This start's private data directory; removed by the next `up` or by `down`. */
  dataDir: string;
  logFile(name: string): string;
  /** A name unique to this start of `component` in this stack directory; components put it in their
   * command line (see ManagedProcess.marker). */
  tag(component: ComponentName): string;
  /** Adds a directory outside `dataDir` to what `down` removes. */
  ownDataDir(dir: string): void;
  /** Records a started process in the state file at once, so a crash later in start-up leaves it findable. */
  record(proc: ManagedProcess): void;
  log(line: string): void;
}
