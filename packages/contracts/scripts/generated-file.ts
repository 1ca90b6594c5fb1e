import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Writes a generated file when its content changed, or with `--check` in argv only reports whether it is
 * stale (exit 1, naming `regenerate`): one behaviour for every generator of this package.
 */
export function writeGenerated(
  target: string,
  rendered: string,
  options: { name: string; regenerate: string; detail?: string },
): void {
  const detail = options.detail ? ` (${options.detail})` : '';
  const current = (() => {
    try {
      return readFileSync(target, 'utf8');
    } catch {
      return undefined;
    }
  })();
  if (process.argv.includes('--check')) {
    if (current !== rendered) {
      console.error(`${options.name} is stale: run ${options.regenerate}`);
      process.exit(1);
    }
    console.log(`${options.name} is up to date${detail}`);
  } else if (current === rendered) {
    console.log(`${options.name} already up to date${detail}`);
  } else {
    writeFileSync(target, rendered);
    console.log(`wrote ${options.name}${detail}`);
  }
}
