import { prometheusConfig } from './dev-prometheus.js';

describe('the dev Prometheus config', () => {
  const apps = new Map([
    ['ingestion', 'http://127.0.0.1:3101'],
    ['connector-payments', 'http://127.0.0.1:40211'],
  ]);

  // Prometheus reads YAML, of which JSON is a part.
  it("scrapes each app under infra/prometheus's job and app label, with the project's rule files", () => {
    const config = JSON.parse(
      prometheusConfig({ apps }, ['/repo/infra/prometheus/rules/backbone.rules.yml']),
    );
    expect(config.rule_files).toEqual(['/repo/infra/prometheus/rules/backbone.rules.yml']);
    expect(config.scrape_configs).toEqual([
      {
        job_name: 'tributary',
        metrics_path: '/metrics',
        static_configs: [
          { targets: ['127.0.0.1:3101'], labels: { app: 'ingestion' } },
          { targets: ['127.0.0.1:40211'], labels: { app: 'connector-payments' } },
        ],
      },
    ]);
  });

  it('adds the lag exporter as job kafka-lag when the platform runs one', () => {
    const config = JSON.parse(prometheusConfig({ apps, lagExporterUrl: 'http://127.0.0.1:3199' }, []));
    expect(config.scrape_configs[1]).toEqual({
      job_name: 'kafka-lag',
      static_configs: [{ targets: ['127.0.0.1:3199'] }],
    });
  });
});
