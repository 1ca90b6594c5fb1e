import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ComponentContext } from './component.js';
import { cdsOptions } from './cds.js';
import { javaMarker } from './markers.js';
import { StackErrorCode, stackError } from './errors.js';
import { spawnDetached } from './processes.js';
import { httpOk, waitUntilReady } from './readiness.js';
import { APICURIO_VERSION } from './versions.js';

export const CCOMPAT_PATH = '/apis/ccompat/v7';

/**
 * Apicurio's JVM options: in-memory storage (the default), the BACKWARD rule that Confluent's registry
 * applies by default, and deletes enabled because tests clean up subjects. The registry does little work
 * in tests, so the client compiler and serial GC buy a faster start for nothing.
 */
export function registryJvmArgs(port: number, marker: string, tmpDir: string): string[] {
  return [
    '-Xms64m',
    '-Xmx384m',
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    '-XX:+ExitOnOutOfMemoryError',
    marker,
    // Quarkus unpacks into java.io.tmpdir; keep that with the stack's data so `down` removes it.
    `-Djava.io.tmpdir=${tmpDir}`,
    `-Dquarkus.http.port=${port}`,
    '-Dquarkus.http.host=127.0.0.1',
    // One line per request would bury start-up problems in the log of a long test run.
    '-Dquarkus.http.access-log.enabled=false',
    '-Dapicurio.rules.global.compatibility=BACKWARD',
    '-Dapicurio.rest.deletion.group.enabled=true',
    '-Dapicurio.rest.deletion.artifact.enabled=true',
    '-Dapicurio.rest.deletion.artifact-version.enabled=true',
    '-jar',
    `apicurio-registry-app-${APICURIO_VERSION}-runner.jar`,
  ];
}

export async function startRegistry(ctx: ComponentContext, appDir: string): Promise<void> {
  const port = ctx.ports.registry;
  const workDir = join(ctx.dataDir, 'registry');
  mkdirSync(workDir, { recursive: true });
  const marker = javaMarker(ctx.tag('registry'));
  const logFile = ctx.logFile('registry');
  const pid = await spawnDetached({
    command: ctx.toolchain.java,
    args: [
      ...cdsOptions(ctx.paths.cacheDir, ctx.toolchain.java, `apicurio-${APICURIO_VERSION}`),
      ...registryJvmArgs(port, marker, workDir),
    ],
    cwd: appDir,
    logFile,
  });
  const proc = { name: 'registry' as const, pid, marker, logFile };
  ctx.record(proc);
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady(
    `Apicurio Registry ${APICURIO_VERSION}`,
    proc,
    () => httpOk(`${base}/health/ready`),
    120_000,
  );
  await ensureBackwardRule(base);
}

/**
 * The system property sets the global rule, yet Apicurio's Confluent API still reports NONE from
 * GET /config, which Confluent clients read. Setting it through that API makes both agree; reading the
 * rule back through the admin API proves it is enforced rather than assumed.
 */
export async function ensureBackwardRule(base: string): Promise<void> {
  const config = await fetch(`${base}${CCOMPAT_PATH}/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility: 'BACKWARD' }),
    signal: AbortSignal.timeout(5_000),
  });
  await config.body?.cancel();
  const rule = await fetch(`${base}/apis/registry/v3/admin/rules/COMPATIBILITY`, {
    signal: AbortSignal.timeout(5_000),
  });
  const body = rule.ok ? ((await rule.json()) as { config?: string }) : {};
  if (!config.ok || body.config !== 'BACKWARD') {
    throw stackError(
      StackErrorCode.startFailed,
      `Apicurio did not take the BACKWARD global compatibility rule (PUT /config: HTTP ${config.status}, ` +
        `admin rule: ${body.config ?? `HTTP ${rule.status}`})`,
    );
  }
}
