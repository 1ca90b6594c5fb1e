import { prometheusConfig } from './prometheus-server.js';

describe('prometheusConfig', () => {
  const apps = [
    { app: 'ingestion', url: 'http://127.0.0.1:3101' },
    { app: 'ingestion', url: 'http://127.0.0.1:40007' },
    { app: 'connector-payments', url: 'http://127.0.0.1:40211' },
  ];
  const options = {
    ruleFiles: ['/repo/infra/prometheus/rules/backbone.rules.yml'],
    interval: '5s',
    environment: 'dev',
  };

  it("scrapes each replica under infra/prometheus's job, its app label shared (its host:port the instance)", () => {
    const config = prometheusConfig({ apps }, options);
    expect(config).toMatchObject({
      global: { scrape_interval: '5s', evaluation_interval: '5s', external_labels: { environment: 'dev' } },
      rule_files: ['/repo/infra/prometheus/rules/backbone.rules.yml'],
    });
    expect(config['scrape_configs']).toEqual([
      {
        job_name: 'tributary',
        metrics_path: '/metrics',
        static_configs: [
          { targets: ['127.0.0.1:3101'], labels: { app: 'ingestion' } },
          { targets: ['127.0.0.1:40007'], labels: { app: 'ingestion' } },
          {
            targets: ['127.0.0.1:40211'],
            labels: { app: 'connector-payments' },
          },
        ],
      },
    ]);
  });

  it('adds the lag exporters alone as job kafka-lag, labelled as infra/prometheus labels them', () => {
    const lagExporters = [{ app: 'lag-exporter', url: 'http://127.0.0.1:3199' }];
    const config = prometheusConfig({ apps, lagExporters }, options);
    expect((config['scrape_configs'] as unknown[])[1]).toEqual({
      job_name: 'kafka-lag',
      metrics_path: '/metrics',
      static_configs: [{ targets: ['127.0.0.1:3199'], labels: { app: 'lag-exporter' } }],
    });
  });
});
