import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** file name -> lowercase hex sha256, in the `sha256sum` format so the manifest also checks by hand. */
export type Sha256Manifest = Map<string, string>;

export function parseSha256Manifest(text: string): Sha256Manifest {
  const manifest: Sha256Manifest = new Map();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([0-9a-f]{64})\s+\*?(\S+)$/.exec(line);
    if (!match) throw new Error(`sha256 manifest line ${index + 1} is not "<sha256>  <file>": ${line}`);
    manifest.set(match[2]!, match[1]!);
  }
  return manifest;
}

export function renderSha256Manifest(header: string[], manifest: Sha256Manifest): string {
  const lines = [...manifest.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([file, sha]) => `${sha}  ${file}`);
  return [...header.map((h) => `# ${h}`), ...lines, ''].join('\n');
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export async function hashDirectory(dir: string): Promise<Sha256Manifest> {
  const files = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  const hashes = await Promise.all(files.map(async (f) => [f, await sha256File(join(dir, f))] as const));
  return new Map(hashes);
}

/**
 * Differences between what was pinned and what arrived. A file that is missing, extra or different all
 * count: an extra jar on the classpath changes behaviour as surely as a tampered one.
 */
export function compareManifests(expected: Sha256Manifest, actual: Sha256Manifest): string[] {
  const problems: string[] = [];
  for (const [file, sha] of expected) {
    const got = actual.get(file);
    if (got === undefined) problems.push(`missing ${file}`);
    else if (got !== sha) problems.push(`${file}: sha256 ${got}, pinned ${sha}`);
  }
  for (const file of actual.keys()) if (!expected.has(file)) problems.push(`unexpected ${file}`);
  return problems;
}
