import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { parse } from 'yaml';
import { registry } from '../metrics.js';
import { createConsumerLagMetrics } from '../lag/consumer-lag.metrics.js';

// No Docker engine or Grafana here: these tests hold docker-compose.yml, infra/docker, infra/prometheus and
// infra/grafana to what the stack needs (health checks, mounted paths that exist, app services wired as the
// platform runner wires the apps, runbooks, metric names that the code exports). PromQL itself is checked
// by promtool in infra/prometheus/check.sh and infra/grafana/check.sh.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
// Compose files share settings through YAML merge keys (`<<: *anchor`), which YAML 1.2 leaves unresolved.
const yamlFile = <T>(path: string) => parse(read(path), { merge: true }) as T;
const filesIn = (dir: string, suffix: string) =>
  readdirSync(join(root, dir))
    .filter((file) => file.endsWith(suffix))
    .sort();

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  healthcheck?: { test?: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  environment?: Record<string, string | number>;
  stop_grace_period?: string;
  ports?: string[];
  container_name?: string;
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

const compose = yamlFile<Compose>('docker-compose.yml');
const healthcheckOf = (service: ComposeService) => {
  const test = service.healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : (test ?? '');
};
const envOf = (service: string) =>
  Object.fromEntries(
    Object.entries(compose.services[service]?.environment ?? {}).map(([name, value]) => [
      name,
      String(value),
    ]),
  );

/** Every folder under apps/ that is an app (has a package.json). */
const appFolders = readdirSync(join(root, 'apps'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'apps', entry.name, 'package.json')))
  .map((entry) => entry.name)
  .sort();

/** Compose services built from the repo: the apps. The rest run published images. */
const appServices = Object.entries(compose.services)
  .filter(([, service]) => service.build)
  .map(([name]) => name)
  .sort();

/**
 * The connector apps compose runs, as packages/cli's platform runner finds them (apps/connector-* with
 * `tributary.connector`). A connector fresh from `npm run new:connector` runs under `npm run dev` at once and
 * joins compose when someone adds its service: until then it is not held to compose's wiring.
 */
const connectorApps = appFolders
  .filter((folder) => compose.services[folder] !== undefined)
  .filter((folder) => folder.startsWith('connector-'))
  .flatMap((folder) => {
    const manifest = JSON.parse(read(`apps/${folder}/package.json`)) as {
      tributary?: { connector?: { provider?: string; simulatorEnv?: Record<string, string> } };
    };
    const connector = manifest.tributary?.connector;
    return connector?.provider
      ? [{ folder, id: folder.slice('connector-'.length), provider: connector.provider, ...connector }]
      : [];
  });

/** `NAME` of a compose value that is exactly `${NAME:?message}`, else undefined. */
const requiredVariable = (value: string | undefined) => /^\$\{([A-Z0-9_]+):\?[^}]+\}$/.exec(value ?? '')?.[1];

/**
 * Metric families an app registers itself (the dlq-handler's tributary_dlq_*), read from its source: they
 * are not in this package's registry.
 */
function appMetricFamilies(): { name: string; type: string }[] {
  const families: { name: string; type: string }[] = [];
  for (const app of appFolders) {
    const src = join(root, 'apps', app, 'src');
    if (!existsSync(src)) continue;
    for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || /\.(spec|int-spec|e2e-spec)\.ts$/.test(file)) continue;
      const source = readFileSync(join(src, file), 'utf8');
      for (const match of source.matchAll(
        /new (Counter|Gauge|Histogram|Summary)(?:<[^>]*>)?\(\{\s*name:\s*'([a-zA-Z_][a-zA-Z0-9_]*)'/g,
      )) {
        families.push({ type: match[1]!.toLowerCase(), name: match[2]! });
      }
    }
  }
  return families;
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const ruleFiles = filesIn('infra/prometheus/rules', '.rules.yml');
const rulesByFile = new Map(
  ruleFiles.map((file) => [
    file,
    yamlFile<{ groups: { rules: Rule[] }[] }>(`infra/prometheus/rules/${file}`).groups.flatMap(
      (g) => g.rules,
    ),
  ]),
);
const allRules = [...rulesByFile.values()].flat();
const alerts = allRules.filter((rule) => rule.alert);
const recordedNames = new Set(allRules.flatMap((rule) => (rule.record ? [rule.record] : [])));

/** Every metric name the code can expose, with the series names Prometheus derives from histograms. */
async function knownMetricNames(): Promise<Set<string>> {
  const lagRegistry = new Registry();
  createConsumerLagMetrics(lagRegistry);
  const families = [
    ...(await registry.getMetricsAsJSON()).map((f) => ({ name: f.name, type: String(f.type) })),
    ...(await lagRegistry.getMetricsAsJSON()).map((f) => ({ name: f.name, type: String(f.type) })),
    ...appMetricFamilies(),
  ];
  const names = new Set(['up']);
  for (const family of families) {
    names.add(family.name);
    // prom-client types `type` as a numeric enum; the JSON it returns carries the name ('histogram').
    if (family.type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(family.name + suffix);
    }
    if (family.type === 'summary') for (const suffix of ['_sum', '_count']) names.add(family.name + suffix);
  }
  return names;
}

/**
 * Metric names in a PromQL expression (ours and Node's), ignoring label values and Grafana variables.
 * Recording rule names (`level:metric:operations`) are returned whole, not as the metric inside them.
 */
function metricNamesIn(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\$\{[^}]*\}|\$\w+/g, '');
  const recordingRule = /\b[a-zA-Z_][a-zA-Z0-9_]*(?::[a-zA-Z0-9_]+)+\b/g;
  const recorded = bare.match(recordingRule) ?? [];
  const rest = bare.replace(recordingRule, ' ');
  const names = rest.match(/\b(?:tributary|kafka|nodejs|process)_[a-z0-9_]+\b/g) ?? [];
  return [...new Set([...recorded, ...names, ...(/\bup\b/.test(rest) ? ['up'] : [])])];
}

interface ScrapeJob {
  job_name: string;
  metrics_path?: string;
  file_sd_configs?: { files: string[] }[];
  static_configs?: unknown[];
  dns_sd_configs?: { names: string[]; type: string; port: number }[];
  relabel_configs?: { source_labels?: string[]; target_label?: string; action?: string }[];
}
const prometheusJobs = yamlFile<{ scrape_configs: ScrapeJob[] }>(
  'infra/prometheus/prometheus.yml',
).scrape_configs;
const jobNamed = (name: string) => prometheusJobs.find((job) => job.job_name === name)!;
/**
 * The compose services a job finds in Docker's DNS, one target per running container: the `tributary`
 * job's are the apps, the `kafka-lag` job's the lag exporter, scraped apart so its series are scraped once.
 */
const dnsNamesOf = (job: string) => (jobNamed(job).dns_sd_configs ?? []).flatMap((sd) => sd.names);
const appTargets = dnsNamesOf('tributary');
const lagTargets = dnsNamesOf('kafka-lag');

describe('docker-compose.yml', () => {
  const required = {
    kafka: /^apache\/kafka:3\.9\.\d+$/,
    'schema-registry': /^confluentinc\/cp-schema-registry:7\.9\.\d+$/,
    postgres: /^postgres:17(\.\d+)?$/,
    prometheus: /^prom\/prometheus:v\d+\.\d+\.\d+$/,
    grafana: /^grafana\/grafana:\d+\.\d+\.\d+$/,
  };

  it.each(Object.entries(required))('runs %s from a pinned image with a health check', (name, image) => {
    const service = compose.services[name];
    expect(service).toBeDefined();
    expect(service!.image).toMatch(image);
    expect(healthcheckOf(service!)).toBeTruthy();
  });

  it('checks Postgres with pg_isready and Kafka with a broker API call', () => {
    expect(String(compose.services.postgres!.healthcheck!.test)).toContain('pg_isready');
    expect(String(compose.services.kafka!.healthcheck!.test)).toContain('kafka-broker-api-versions.sh');
  });

  it('runs Kafka as a single KRaft node with a valid cluster id', () => {
    const env = compose.services.kafka!.environment!;
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(String(env.CLUSTER_ID)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe(1);
  });

  it('starts dependents only once what they depend on is healthy', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect([name, dependency, condition]).toEqual([name, dependency, 'service_healthy']);
        expect([dependency, healthcheckOf(compose.services[dependency] ?? {})]).toEqual([
          dependency,
          expect.stringMatching(/./),
        ]);
      }
    }
  });

  it('mounts repo paths that exist and declares every named volume', () => {
    for (const service of Object.values(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(':');
        if (source!.startsWith('./'))
          expect([volume, existsSync(join(root, source!))]).toEqual([volume, true]);
        else expect(Object.keys(compose.volumes)).toContain(source);
      }
    }
  });

  it('provisions Grafana with the on-call overview as its home dashboard, mounted', () => {
    const grafana = compose.services.grafana!;
    const home = String(grafana.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
    expect(home.endsWith('/tributary-overview.json')).toBe(true);
    const mount = grafana.volumes!.find((v) => v.startsWith('./infra/grafana/dashboards:'))!;
    const [source, target] = mount.split(':');
    expect(home.startsWith(`${target}/`)).toBe(true);
    expect(existsSync(join(root, source!, home.slice(target!.length)))).toBe(true);
  });
});

describe('docker-compose.yml app services', () => {
  it('has a service per platform app (connectors as they join), built from infra/docker/app.Dockerfile with APP = its folder', () => {
    // Every service builds an app that exists; every app but a not-yet-added connector has a service.
    expect(appFolders).toEqual(expect.arrayContaining(appServices));
    expect(appServices).toEqual(
      expect.arrayContaining(appFolders.filter((folder) => !folder.startsWith('connector-'))),
    );
    expect(appServices.filter((name) => name.startsWith('connector-')).length).toBeGreaterThanOrEqual(3);
    for (const name of appServices) {
      const { build, image } = compose.services[name]!;
      expect([name, image, build]).toEqual([
        name,
        undefined,
        { context: '.', dockerfile: 'infra/docker/app.Dockerfile', args: { APP: name } },
      ]);
    }
  });

  it('listens on 3000, answers its health check there and has 30 s to shut down', () => {
    for (const name of appServices) {
      const service = compose.services[name]!;
      const path = name === 'provider-sim' ? '/health' : '/health/ready';
      expect([name, envOf(name).PORT]).toEqual([name, '3000']);
      expect([name, healthcheckOf(service)]).toEqual([name, expect.stringContaining(`:3000${path}'`)]);
      // bootstrapApp's shutdown deadline is 25 s: compose must not SIGKILL before it.
      expect([name, service.stop_grace_period]).toEqual([name, '30s']);
    }
  });

  it('starts every app but the simulator after Kafka, the registry and Postgres are healthy', () => {
    for (const name of appServices.filter((n) => n !== 'provider-sim')) {
      expect([name, Object.keys(compose.services[name]!.depends_on ?? {})]).toEqual([
        name,
        expect.arrayContaining(['kafka', 'schema-registry', 'postgres']),
      ]);
    }
  });

  it('points every app at the backbone through the compose network', () => {
    const kafkaListeners = String(compose.services.kafka!.environment!.KAFKA_ADVERTISED_LISTENERS);
    const internal = /INTERNAL:\/\/([^,]+)/.exec(kafkaListeners)![1];
    const registryPort = /:(\d+)$/.exec(
      String(compose.services['schema-registry']!.environment!.SCHEMA_REGISTRY_LISTENERS),
    )![1];
    const pg = compose.services.postgres!.environment!;
    for (const name of appServices.filter((n) => n !== 'provider-sim')) {
      expect([name, envOf(name)]).toEqual([
        name,
        expect.objectContaining({
          KAFKA_BROKERS: internal,
          SCHEMA_REGISTRY_URL: `http://schema-registry:${registryPort}`,
          DATABASE_URL: `postgres://${pg.POSTGRES_USER}:${pg.POSTGRES_PASSWORD}@postgres:5432/${pg.POSTGRES_DB}`,
        }),
      ]);
    }
  });

  it('gives every app its own database schema', () => {
    const schemas = appServices
      .filter((n) => n !== 'provider-sim')
      .map((name) => envOf(name).DATABASE_SCHEMA);
    expect(schemas.every((schema) => /^[a-z_][a-z0-9_]*$/.test(schema ?? ''))).toBe(true);
    expect(new Set(schemas).size).toBe(schemas.length);
  });

  it.each(connectorApps.map((c) => [c.folder, c] as const))(
    'runs %s against the simulator with its package.json simulatorEnv, as the platform runner does',
    (folder, connector) => {
      const env = envOf(folder);
      const simulatorEnv = Object.fromEntries(
        Object.entries(connector.simulatorEnv ?? {}).map(([name, value]) => [
          name,
          value.replaceAll('{simUrl}', 'http://provider-sim:3000'),
        ]),
      );
      expect(env).toMatchObject(simulatorEnv);
      // The SDK's defaults, which ingestion's EXTERNAL_REFS_SCHEMAS relies on.
      expect(env).toMatchObject({
        CONSUMER_GROUP: `connector-${connector.id}`,
        DATABASE_SCHEMA: `connector_${connector.id.replaceAll('-', '_')}`,
      });
      expect(compose.services[folder]!.depends_on?.['provider-sim']).toEqual({
        condition: 'service_healthy',
      });
    },
  );

  it("maps each provider's webhooks to the external refs of its connector, which starts first", () => {
    const ingestion = envOf('ingestion');
    const pairs = (ingestion.EXTERNAL_REFS_SCHEMAS ?? '').split(',').filter(Boolean).sort();
    expect(pairs).toEqual(
      connectorApps.map((c) => `${c.provider}=${envOf(c.folder).DATABASE_SCHEMA}`).sort(),
    );
    expect(Object.keys(compose.services.ingestion!.depends_on ?? {})).toEqual(
      expect.arrayContaining(connectorApps.map((c) => c.folder)),
    );
  });

  it('has the simulator sign webhooks to ingestion with the secrets ingestion verifies', () => {
    const sim = envOf('provider-sim');
    const ingestion = envOf('ingestion');
    // HubSpot signs the URL it called: ingestion rebuilds it from PUBLIC_BASE_URL.
    expect(ingestion.PUBLIC_BASE_URL).toBe('http://ingestion:3000');
    // Its own default (127.0.0.1) would refuse the other containers.
    expect(sim.HOST).toBe('0.0.0.0');
    const pairs = [
      ['STRIPE', 'stripe', 'STRIPE_WEBHOOK_SECRETS'],
      ['EASYPOST', 'easypost', 'EASYPOST_WEBHOOK_SECRETS'],
      ['HUBSPOT', 'hubspot', 'HUBSPOT_CLIENT_SECRETS'],
    ] as const;
    for (const [prefix, provider, verifierVariable] of pairs) {
      expect(sim[`${prefix}_WEBHOOK_URL`]).toBe(`${ingestion.PUBLIC_BASE_URL}/webhooks/${provider}`);
      const signing = requiredVariable(sim[`${prefix}_WEBHOOK_SECRET`]);
      expect([provider, signing]).toEqual([provider, expect.stringMatching(/^[A-Z]/)]);
      expect([provider, requiredVariable(ingestion[verifierVariable])]).toEqual([provider, signing]);
    }
  });

  it('takes every secret from the environment (.env.example lists it, .env is gitignored), never a value', () => {
    const secretNames = /SECRET|API_KEYS|PASSWORD|TOKEN/;
    const exampleVariables = new Set(
      read('.env.example')
        .split('\n')
        .flatMap((line) => /^([A-Z0-9_]+)=/.exec(line)?.[1] ?? []),
    );
    for (const name of appServices) {
      // A connector's simulatorEnv credentials are fake ones the simulator accepts, committed on purpose.
      const simulatorCredentials = Object.keys(
        connectorApps.find((c) => c.folder === name)?.simulatorEnv ?? {},
      );
      for (const [variable, value] of Object.entries(envOf(name))) {
        if (!secretNames.test(variable) || simulatorCredentials.includes(variable)) continue;
        const source = requiredVariable(value);
        expect([name, variable, source && exampleVariables.has(source)]).toEqual([name, variable, true]);
      }
    }
    // Every variable compose interpolates is documented (the DLQ key among them).
    const composeLines = read('docker-compose.yml')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'));
    for (const match of composeLines.join('\n').matchAll(/\$\{([A-Z0-9_]+)/g))
      expect([match[1], exampleVariables.has(match[1]!)]).toEqual([match[1], true]);
    expect(requiredVariable(envOf('dlq-handler').API_KEYS)).toBe('DLQ_HANDLER_API_KEYS');
    expect(read('.gitignore').split('\n')).toContain('.env');
  });
});

describe('infra/docker', () => {
  const dockerfile = read('infra/docker/app.Dockerfile');
  const dockerignore = read('.dockerignore').split('\n');

  it('builds every app on Node 24 and runs the one APP names, as an unprivileged user in production mode', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^RUN npx turbo run build\b/m);
    expect(dockerfile).toMatch(/^ARG APP$/m);
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production\b/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    // exec: node is PID 1 and receives docker stop's SIGTERM itself.
    expect(dockerfile).toContain('CMD ["sh", "-c", "exec node \\"apps/${APP}/dist/main.js\\""]');
  });

  it('keeps host builds, the git history, local stack data and secrets out of the build context', () => {
    for (const pattern of ['**/node_modules', '**/dist', '**/*.tsbuildinfo', '.tributary', '.git', '.env'])
      expect(dockerignore).toContain(pattern);
  });
});

describe('infra/prometheus', () => {
  interface PrometheusConfig {
    rule_files: string[];
    scrape_configs: { job_name: string; metrics_path?: string; file_sd_configs?: { files: string[] }[] }[];
  }
  interface RuleTests {
    rule_files: string[];
    tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
  }
  const config = yamlFile<PrometheusConfig>('infra/prometheus/prometheus.yml');
  const testFiles = filesIn('infra/prometheus/tests', '.test.yml').map((file) => {
    const tests = yamlFile<RuleTests>(`infra/prometheus/tests/${file}`);
    return {
      file,
      // Paths relative to the test file, as promtool reads them.
      ruleFiles: tests.rule_files.map((path) => normalize(join('infra/prometheus/tests', path))),
      cases: tests.tests.flatMap((t) => t.alert_rule_test ?? []),
    };
  });

  it('loads the rule files and target files it names (paths relative to the config, as mounted)', () => {
    expect(config.rule_files).toEqual(['rules/*.rules.yml']);
    expect(ruleFiles).toEqual(expect.arrayContaining(['backbone.rules.yml']));
    for (const job of config.scrape_configs) {
      for (const file of (job.file_sd_configs ?? []).flatMap((sd) => sd.files)) {
        expect(existsSync(join(root, 'infra/prometheus', file))).toBe(true);
      }
    }
    const prometheusMounts = compose.services.prometheus!.volumes!.join(' ');
    expect(prometheusMounts).toContain('./infra/prometheus/rules:/etc/prometheus/rules');
  });

  it('scrapes the apps on /metrics', () => {
    expect(config.scrape_configs.find((job) => job.job_name === 'tributary')).toMatchObject({
      metrics_path: '/metrics',
    });
  });

  it('scrapes every replica of each app: its compose service resolved in DNS, on the port it listens and reports ready on', () => {
    for (const job of ['tributary', 'kafka-lag']) {
      const { dns_sd_configs: sds = [], static_configs, file_sd_configs } = jobNamed(job);
      // DNS only: a static or file target would name one container, and miss the others of a scaled app.
      expect([job, static_configs, file_sd_configs, sds.length]).toEqual([job, undefined, undefined, 1]);
      expect([job, sds[0]!.type, sds[0]!.port]).toEqual([job, 'A', 3000]);
    }
    for (const host of [...appTargets, ...lagTargets]) {
      const service = compose.services[host];
      expect([host, service && envOf(host).PORT]).toEqual([host, '3000']);
      expect([host, service && healthcheckOf(service)]).toEqual([
        host,
        expect.stringContaining(':3000/health/ready'),
      ]);
    }
  });

  it('labels each target `app` with its service name and leaves `instance` per container', () => {
    for (const job of ['tributary', 'kafka-lag']) {
      // The labels dashboards and alerts select and sum by: app as before the apps scaled, instance the
      // replica's address (Prometheus' default), never overwritten to one value for all replicas.
      expect([job, jobNamed(job).relabel_configs]).toEqual([
        job,
        [{ source_labels: ['__meta_dns_name'], target_label: 'app' }],
      ]);
    }
  });

  it('scrapes every app service but the simulator, so none is unwatched', () => {
    expect([...appTargets, ...lagTargets].sort()).toEqual(appServices.filter((n) => n !== 'provider-sim'));
  });

  it('scrapes the lag exporter under the kafka-lag job only, so no lag series is scraped twice', () => {
    expect(lagTargets).toEqual(['lag-exporter']);
    expect(appTargets).not.toContain('lag-exporter');
  });

  it('lets every app scale: no container name, host ports a range or none', () => {
    for (const name of appServices.filter((n) => n !== 'provider-sim')) {
      const { container_name, ports = [] } = compose.services[name]!;
      expect([name, container_name]).toEqual([name, undefined]);
      // `--scale n` needs a host port per container: a range, its first port the stable URL the compose
      // header lists.
      for (const port of ports)
        expect([name, port]).toEqual([name, expect.stringMatching(/^'?(\d+)-(\d+):3000'?$/)]);
      for (const port of ports) {
        const [, first, last] = /^(\d+)-(\d+):/.exec(port)!;
        expect([name, Number(last) - Number(first)]).toEqual([name, 9]);
        expect(read('docker-compose.yml')).toContain(`localhost:${first}`);
      }
    }
  });

  it('has rule files with unique alert and recording rule names', () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
    const alertNames = alerts.map((rule) => rule.alert);
    expect(new Set(alertNames).size).toBe(alertNames.length);
    expect(recordedNames.size).toBe(allRules.filter((rule) => rule.record).length);
  });

  // ownership.rules.yml is generated and only records the owners the alerts join their team from.
  const alertFiles = ruleFiles.filter((file) => file !== 'ownership.rules.yml');

  it.each(alertFiles)('%s: every alert has a severity, a team, a summary and a runbook', (file) => {
    const fileAlerts = rulesByFile.get(file)!.filter((rule) => rule.alert);
    expect(fileAlerts.length).toBeGreaterThan(0);
    for (const rule of fileAlerts) {
      const alert = rule.alert!;
      expect([alert, rule.labels?.severity]).toEqual([alert, expect.stringMatching(/^(warning|critical)$/)]);
      // A name, or a template taking the one joined from the ownership series (platform when none is).
      expect([alert, Boolean(rule.labels?.team?.trim())]).toEqual([alert, true]);
      expect([alert, Boolean(rule.annotations?.summary?.trim())]).toEqual([alert, true]);
      const runbook = rule.annotations?.runbook_url;
      expect([alert, runbook]).toEqual([alert, `infra/prometheus/runbooks/${alert}.md`]);
      expect([alert, existsSync(join(root, runbook!))]).toEqual([alert, true]);
      expect(read(runbook!).split('\n')[0]).toBe(`# ${alert}`);
    }
  });

  it('has no runbook without its alert', () => {
    const runbooks = filesIn('infra/prometheus/runbooks', '.md').map((file) => file.replace(/\.md$/, ''));
    expect(runbooks).toEqual(alerts.map((rule) => rule.alert).sort());
  });

  it.each(ruleFiles)('%s: uses only metrics the code exports and rules that are recorded', async (file) => {
    const known = await knownMetricNames();
    // The app-local families are found (a changed source layout must not empty the list silently).
    expect(known).toContain('tributary_dlq_messages');
    for (const rule of rulesByFile.get(file)!) {
      const name = rule.alert ?? rule.record;
      for (const metric of metricNamesIn(rule.expr))
        expect([name, metric, known.has(metric) || recordedNames.has(metric)]).toEqual([name, metric, true]);
    }
  });

  it('selects apps by the `app` label of a scrape target', () => {
    const apps = new Set(appTargets);
    for (const rule of allRules) {
      for (const match of rule.expr.matchAll(/\bapp\s*=\s*"([^"]*)"/g))
        expect([rule.alert ?? rule.record, match[1], apps.has(match[1]!)]).toEqual([
          rule.alert ?? rule.record,
          match[1],
          true,
        ]);
    }
  });

  it.each(ruleFiles)(
    '%s: has a promtool test file, and each alert a case where it fires and one where it stays silent',
    (file) => {
      const mine = testFiles.filter((t) => t.ruleFiles.includes(`infra/prometheus/rules/${file}`));
      expect([file, mine.length]).toEqual([file, expect.any(Number)]);
      expect(mine.length).toBeGreaterThan(0);
      const cases = mine.flatMap((t) => t.cases);
      for (const { alert } of rulesByFile.get(file)!.filter((rule) => rule.alert)) {
        const its = cases.filter((c) => c.alertname === alert);
        expect([
          alert,
          its.some((c) => c.exp_alerts.length > 0),
          its.some((c) => c.exp_alerts.length === 0),
        ]).toEqual([alert, true, true]);
      }
    },
  );

  it('has test files that load existing rule files and test only alerts those define', () => {
    for (const { file, ruleFiles: loaded, cases } of testFiles) {
      for (const path of loaded)
        expect([file, path, existsSync(join(root, path))]).toEqual([file, path, true]);
      const defined = new Set(
        loaded.flatMap((path) => rulesByFile.get(path.split('/').pop()!) ?? []).map((rule) => rule.alert),
      );
      for (const { alertname } of cases)
        expect([file, alertname, defined.has(alertname)]).toEqual([file, alertname, true]);
    }
  });
});

describe('infra/grafana', () => {
  interface Target {
    expr?: string;
    datasource?: { uid: string };
  }
  interface Panel {
    type: string;
    id: number;
    title: string;
    datasource?: { type: string; uid: string };
    targets?: Target[];
    panels?: Panel[];
  }
  interface Dashboard {
    uid: string;
    title: string;
    panels: Panel[];
    templating?: {
      list: {
        name: string;
        type: string;
        query?: string | { query: string };
        datasource?: { uid: string };
      }[];
    };
  }
  const datasources = yamlFile<{ datasources: { uid: string; type: string; url: string }[] }>(
    'infra/grafana/provisioning/datasources/prometheus.yml',
  ).datasources;
  const provider = yamlFile<{ providers: { options: { path: string } }[] }>(
    'infra/grafana/provisioning/dashboards/provider.yml',
  ).providers[0]!;
  const dashboardFiles = filesIn('infra/grafana/dashboards', '.json');
  const dashboards = dashboardFiles.map((file) => ({
    file,
    dashboard: JSON.parse(read(`infra/grafana/dashboards/${file}`)) as Dashboard,
  }));
  /** Panels of collapsed rows sit inside the row. */
  const panelsOf = (dashboard: Dashboard): Panel[] =>
    dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  /** Every query: the panels' and the template variables'. */
  const queriesOf = (dashboard: Dashboard) => [
    ...panelsOf(dashboard).flatMap((panel) =>
      (panel.targets ?? []).flatMap((t) => (t.expr ? [{ where: panel.title, expr: t.expr }] : [])),
    ),
    ...(dashboard.templating?.list ?? [])
      .filter((variable) => variable.type === 'query')
      .map((variable) => ({
        where: `$${variable.name}`,
        expr: typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? ''),
      })),
  ];

  it('provisions the Prometheus datasource of the compose stack under a stable uid', () => {
    expect(datasources).toEqual([
      expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
  });

  it('loads dashboards from the path compose mounts them at', () => {
    const mounts = compose.services.grafana!.volumes!;
    expect(mounts).toContain(`./infra/grafana/dashboards:${provider.options.path}:ro`);
    expect(mounts).toContain('./infra/grafana/provisioning:/etc/grafana/provisioning:ro');
  });

  it('has the on-call, backbone, consumer lag, connectors, ingestion and dead-letter dashboards under unique uids', () => {
    const uids = dashboards.map(({ dashboard }) => dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(dashboards.map(({ dashboard }) => dashboard.title)).toEqual(
      expect.arrayContaining([
        'Tributary / On call',
        'Tributary / Consumer lag',
        'Tributary / Backbone',
        'Tributary / Connectors',
        'Tributary / Ingestion',
        'Tributary / Dead letters',
      ]),
    );
    for (const { file, dashboard } of dashboards) {
      expect([file, dashboard.uid]).toEqual([file, file.replace(/\.json$/, '')]);
      expect([file, dashboard.title]).toEqual([file, expect.stringMatching(/^Tributary \/ /)]);
    }
  });

  it.each(dashboardFiles)('%s: unique panel ids, every query on the provisioned datasource', (file) => {
    const { dashboard } = dashboards.find((d) => d.file === file)!;
    const panels = panelsOf(dashboard);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      expect([panel.title, panel.datasource?.uid]).toEqual([panel.title, 'prometheus']);
      for (const target of panel.targets ?? [])
        expect([panel.title, target.datasource?.uid]).toEqual([panel.title, 'prometheus']);
    }
    for (const variable of (dashboard.templating?.list ?? []).filter((v) => v.type === 'query'))
      expect([variable.name, variable.datasource?.uid]).toEqual([variable.name, 'prometheus']);
  });

  it.each(dashboardFiles)(
    '%s: queries only metrics the code exports and rules that are recorded',
    async (file) => {
      const known = await knownMetricNames();
      const { dashboard } = dashboards.find((d) => d.file === file)!;
      const queries = queriesOf(dashboard);
      expect(queries.length).toBeGreaterThan(0);
      for (const { where, expr } of queries) {
        for (const name of metricNamesIn(expr))
          expect([where, name, known.has(name) || recordedNames.has(name)]).toEqual([where, name, true]);
      }
    },
  );

  it('shows the outbox, consumption by outcome, records in flight and parked, retries, dead letters and lag in seconds on the backbone', () => {
    const backbone = dashboards.find(({ dashboard }) => dashboard.uid === 'tributary-backbone')!.dashboard;
    const used = new Set(queriesOf(backbone).flatMap(({ expr }) => metricNamesIn(expr)));
    for (const name of [
      'tributary_outbox_pending_messages',
      'tributary_outbox_oldest_pending_created_timestamp_seconds',
      'tributary_messages_consumed_total',
      'tributary_consumer_records_in_flight',
      'tributary_consumer_parked_records',
      'tributary_consumer_parked_keys',
      'tributary_consumer_oldest_parked_age_seconds',
      'tributary_retries_total',
      'tributary_dead_letters_total',
      'kafka_consumergroup_group_max_lag_seconds',
    ]) {
      expect(used).toContain(name);
    }
  });
});

describe('metric help texts', () => {
  const helpOf = async (name: string) =>
    (await registry.getMetricsAsJSON()).find((family) => family.name === name)!.help;

  it('lists the provider call statuses the provider client observes besides HTTP codes', async () => {
    const http = 'packages/connector-sdk/src/http';
    const client = filesIn(http, '.ts')
      .filter((file) => file.startsWith('provider-') && !file.endsWith('.spec.ts'))
      .map((file) => read(join(http, file)))
      .join('\n');
    const emitted = new Set(
      [...client.matchAll(/observe\('([a-z_]+)'\)|status: '([a-z_]+)'/g)].map((m) => m[1] ?? m[2]),
    );
    // Found at all (a changed source layout must not pass vacuously).
    expect(emitted).toContain('timeout');
    const help = await helpOf('tributary_provider_request_duration_seconds');
    for (const status of emitted) expect(help).toContain(status);
    // Calls a rate limit holds back are never sent, so never observed here.
    expect(help).not.toMatch(/\bthrottled\b/);
  });

  it('names the signature failure codes as the code label carries them', async () => {
    const codes = [...read('packages/webhooks/src/errors.ts').matchAll(/'(WEBHOOK_SIGNATURE_[A-Z_]+)'/g)].map(
      (m) => m[1]!,
    );
    expect(codes.length).toBeGreaterThanOrEqual(4);
    const help = await helpOf('tributary_webhook_signature_failures_total');
    for (const code of codes) expect(help).toContain(code);
  });
});
