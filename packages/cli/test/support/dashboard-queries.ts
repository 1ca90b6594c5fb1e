import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One query Grafana would send: a panel's target or a template variable, with variables filled in. */
export interface DashboardQuery {
  /** `<dashboard file>: <panel title> [refId]` or `<dashboard file>: variable <name>`: the reviewed file's key. */
  readonly id: string;
  readonly expr: string;
}

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string; refId?: string }>;
  panels?: Panel[];
}

interface Dashboard {
  panels?: Panel[];
  templating?: { list?: Array<{ name: string; type?: string; query?: string | { query?: string } }> };
}

/**
 * Every query of every provisioned dashboard, as Grafana would run it over all values of each variable:
 * `$var` and `${var}` become `.*` (the dashboards match variables with `=~`), Grafana's interval macros a
 * fixed window, and `label_values`/`query_result` variable queries the PromQL they stand for.
 */
export function dashboardQueries(dir: string): DashboardQuery[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .flatMap((file) => {
      const dashboard = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard;
      const panels = (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
      const targets = panels.flatMap((panel) =>
        (panel.targets ?? [])
          .filter((target) => target.expr)
          .map((target) => ({
            id: `${file}: ${panel.title ?? '(untitled)'} [${target.refId ?? 'A'}]`,
            expr: fillVariables(target.expr!),
          })),
      );
      const variables = (dashboard.templating?.list ?? [])
        .filter((variable) => variable.type === undefined || variable.type === 'query')
        .map((variable) => {
          const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
          return { id: `${file}: variable ${variable.name}`, expr: fillVariables(variableQuery(query)) };
        });
      return [...targets, ...variables];
    });
}

function fillVariables(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '15s')
    .replaceAll('$__range', '1h')
    .replace(/\$\{?\w+\}?/g, '.*');
}

/** Grafana's Prometheus variable functions, as the PromQL that yields the same values. */
function variableQuery(query: string): string {
  const labelValues = /^label_values\(\s*(.+?)\s*,\s*(\w+)\s*\)$/.exec(query.trim());
  if (labelValues) return `group by (${labelValues[2]}) (${labelValues[1]})`;
  const queryResult = /^query_result\(([\s\S]+)\)$/.exec(query.trim());
  if (queryResult) return queryResult[1]!;
  return query;
}
