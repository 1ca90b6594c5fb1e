import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { parse } from 'yaml';
import { registry } from '../metrics.js';
import { createConsumerLagMetrics } from '../lag/consumer-lag.metrics.js';

// No Docker engine or Grafana here: these tests hold docker-compose.yml, infra/prometheus and
// infra/grafana to what the stack needs (health checks, mounted paths that exist, runbooks, metric names
// that the code exports). PromQL itself is checked by promtool in infra/prometheus/check.sh.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const yamlFile = <T>(path: string) => parse(read(path)) as T;

interface ComposeService {
  image: string;
  healthcheck?: { test?: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  environment?: Record<string, string | number>;
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

const compose = yamlFile<Compose>('docker-compose.yml');

/** Every metric name the code can expose, with the series names Prometheus derives from histograms. */
async function knownMetricNames(): Promise<Set<string>> {
  const lagRegistry = new Registry();
  createConsumerLagMetrics(lagRegistry);
  const families = [...(await registry.getMetricsAsJSON()), ...(await lagRegistry.getMetricsAsJSON())];
  const names = new Set(['up']);
  for (const family of families) {
    names.add(family.name);
    // prom-client types `type` as a numeric enum; the JSON it returns carries the name ('histogram').
    if (String(family.type) === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(family.name + suffix);
    }
  }
  return names;
}

/** Metric names in a PromQL expression (ours and Node's), ignoring label values and Grafana variables. */
function metricNamesIn(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const names = withoutStrings.match(/\b(?:tributary|kafka|nodejs|process)_[a-z0-9_]+\b/g) ?? [];
  return [...new Set([...names, ...(/\bup\b/.test(withoutStrings) ? ['up'] : [])])];
}

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
    const test = service!.healthcheck?.test;
    expect(Array.isArray(test) ? test.join(' ') : test).toBeTruthy();
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
        expect([name, condition]).toEqual([name, 'service_healthy']);
        expect(compose.services[dependency]?.healthcheck).toBeDefined();
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

  it('provisions Grafana with a home dashboard that is mounted', () => {
    const grafana = compose.services.grafana!;
    const home = String(grafana.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
    const mount = grafana.volumes!.find((v) => v.startsWith('./infra/grafana/dashboards:'))!;
    const [source, target] = mount.split(':');
    expect(home.startsWith(`${target}/`)).toBe(true);
    expect(existsSync(join(root, source!, home.slice(target!.length)))).toBe(true);
  });
});

describe('infra/prometheus', () => {
  interface PrometheusConfig {
    rule_files: string[];
    scrape_configs: { job_name: string; metrics_path?: string; file_sd_configs?: { files: string[] }[] }[];
  }
  interface RuleGroups {
    groups: {
      rules: {
        alert: string;
        expr: string;
        labels: Record<string, string>;
        annotations: Record<string, string>;
      }[];
    }[];
  }
  const config = yamlFile<PrometheusConfig>('infra/prometheus/prometheus.yml');
  const rules = yamlFile<RuleGroups>('infra/prometheus/rules/backbone.rules.yml').groups.flatMap(
    (g) => g.rules,
  );

  it('loads the rule files and target files it names (paths relative to the config, as mounted)', () => {
    const ruleFiles = readdirSync(join(root, 'infra/prometheus/rules')).filter((f) =>
      f.endsWith('.rules.yml'),
    );
    expect(config.rule_files).toEqual(['rules/*.rules.yml']);
    expect(ruleFiles).toContain('backbone.rules.yml');
    for (const job of config.scrape_configs) {
      for (const file of (job.file_sd_configs ?? []).flatMap((sd) => sd.files)) {
        expect(existsSync(join(root, 'infra/prometheus', file))).toBe(true);
      }
    }
    const prometheusMounts = compose.services.prometheus!.volumes!.join(' ');
    expect(prometheusMounts).toContain('./infra/prometheus/rules:/etc/prometheus/rules');
    expect(prometheusMounts).toContain('./infra/prometheus/targets:/etc/prometheus/targets');
  });

  it('scrapes the apps on /metrics', () => {
    expect(config.scrape_configs.find((job) => job.job_name === 'tributary')).toMatchObject({
      metrics_path: '/metrics',
    });
  });

  it('gives every alert a severity, a team, a summary and a runbook that exists', () => {
    expect(rules.map((rule) => rule.alert).sort()).toEqual([
      'TributaryConsumerLagGrowing',
      'TributaryConsumerLagHigh',
      'TributaryDeadLettersWritten',
      'TributaryLagExporterStale',
      'TributaryOutboxBacklogOld',
      'TributaryTargetDown',
    ]);
    for (const rule of rules) {
      expect(['warning', 'critical']).toContain(rule.labels.severity);
      expect(rule.labels.team).toBeTruthy();
      expect(rule.annotations.summary).toBeTruthy();
      expect(rule.annotations.runbook_url).toBe(`infra/prometheus/runbooks/${rule.alert}.md`);
      expect(read(rule.annotations.runbook_url!).split('\n')[0]).toBe(`# ${rule.alert}`);
    }
  });

  it('alerts only on metrics the code exports', async () => {
    const known = await knownMetricNames();
    for (const rule of rules) {
      for (const name of metricNamesIn(rule.expr))
        expect([rule.alert, name, known.has(name)]).toEqual([rule.alert, name, true]);
    }
  });

  it('has a promtool test where each alert fires and one where it stays silent', () => {
    interface RuleTests {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    }
    const cases = yamlFile<RuleTests>('infra/prometheus/tests/backbone.test.yml').tests.flatMap(
      (t) => t.alert_rule_test ?? [],
    );
    for (const { alert } of rules) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect([
        alert,
        mine.some((c) => c.exp_alerts.length > 0),
        mine.some((c) => c.exp_alerts.length === 0),
      ]).toEqual([alert, true, true]);
    }
  });
});

describe('infra/grafana', () => {
  interface Panel {
    type: string;
    id: number;
    title: string;
    datasource?: { type: string; uid: string };
    targets?: { expr: string; datasource: { uid: string } }[];
  }
  const datasources = yamlFile<{ datasources: { uid: string; type: string; url: string }[] }>(
    'infra/grafana/provisioning/datasources/prometheus.yml',
  ).datasources;
  const provider = yamlFile<{ providers: { options: { path: string } }[] }>(
    'infra/grafana/provisioning/dashboards/provider.yml',
  ).providers[0]!;
  const dashboard = JSON.parse(read('infra/grafana/dashboards/tributary-backbone.json')) as {
    uid: string;
    title: string;
    panels: Panel[];
  };

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

  it('has the backbone dashboard with unique panel ids on the provisioned datasource', () => {
    expect(dashboard).toMatchObject({ uid: 'tributary-backbone', title: 'Tributary / Backbone' });
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect([panel.title, panel.datasource?.uid]).toEqual([panel.title, 'prometheus']);
      for (const target of panel.targets ?? []) expect(target.datasource.uid).toBe('prometheus');
    }
  });

  it('shows the outbox, consumption by outcome, retries, dead letters and lag in seconds', () => {
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    const used = new Set(exprs.flatMap(metricNamesIn));
    for (const name of [
      'tributary_outbox_pending_messages',
      'tributary_outbox_oldest_pending_created_timestamp_seconds',
      'tributary_messages_consumed_total',
      'tributary_retries_total',
      'tributary_dead_letters_total',
      'kafka_consumergroup_group_max_lag_seconds',
    ]) {
      expect(used).toContain(name);
    }
  });

  it('queries only metrics the code exports', async () => {
    const known = await knownMetricNames();
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        for (const name of metricNamesIn(target.expr)) {
          expect([panel.title, name, known.has(name)]).toEqual([panel.title, name, true]);
        }
      }
    }
  });
});
