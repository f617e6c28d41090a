import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ChangeFeed, openDatabase, SandboxProvisioningKPI } from '@sbx/store';
import { describe, expect, it } from 'vitest';
import { KNOWN_PHASES } from '../kinds/registry.js';
import { PrometheusMetrics } from './prometheus-metrics.js';

const deploy = (path: string) =>
  readFileSync(fileURLToPath(new URL(`../../../../deploy/${path}`, import.meta.url)), 'utf8');
const RULES = deploy('prometheus/sbx-rules.yml');
const DASHBOARD = JSON.parse(deploy('grafana/sbx-dashboard.json')) as {
  panels: { title: string; targets: { expr: string }[] }[];
};

/** Metric names (raw or recorded) an expression refers to. */
const namesIn = (expr: string) =>
  new Set([...expr.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((m) => m[0]).filter((n) => n.includes('sbx_')));

async function exported(): Promise<Set<string>> {
  const db = await openDatabase(':memory:');
  const metrics = new PrometheusMetrics({
    feed: new ChangeFeed(db),
    phases: KNOWN_PHASES,
    kpis: new SandboxProvisioningKPI(db),
    liveSandboxes: () => 0,
    storeHealth: () => ({ status: 'ok', spooled: 0, oldestAgeSeconds: 0 }),
  });
  const names = new Set<string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(m.name + suffix);
  }
  await db.destroy();
  return names;
}

const recorded = new Set([...RULES.matchAll(/^\s*- record: (\S+)$/gm)].map((m) => m[1] as string));
const ruleExprs = [...RULES.matchAll(/^\s*expr: (.+)$/gm)].map((m) => m[1] as string);

describe('deploy/prometheus/sbx-rules.yml and deploy/grafana/sbx-dashboard.json', () => {
  it('refer only to metrics the host exports or the rules record', async () => {
    const known = new Set([...(await exported()), ...recorded]);
    const exprs = [...ruleExprs, ...DASHBOARD.panels.flatMap((p) => p.targets.map((t) => t.expr))];
    expect(exprs.length).toBeGreaterThan(15);
    for (const expr of exprs)
      for (const name of namesIn(expr)) expect(known, `${name} in ${expr}`).toContain(name);
  });

  it('alert on the verdict, the failure rate and overhead, and chart P95 vs SLA, failures and phases', () => {
    const alerts = [...RULES.matchAll(/^\s*- alert: (\S+)$/gm)].map((m) => m[1]);
    expect(alerts).toEqual(
      expect.arrayContaining(['SbxSlaBreached', 'SbxProvisioningFailureRateHigh', 'SbxSandboxRunOverhead']),
    );
    expect(RULES).toMatch(/expr: sbx_sla_met == 0/);
    const byTitle = new Map(DASHBOARD.panels.map((p) => [p.title, p.targets.map((t) => t.expr).join(' ')]));
    expect(byTitle.get('P95 of the newest 100 vs SLA')).toMatch(
      /sbx_provisioning_p95_last100_seconds.*sbx_sla_limit_seconds/,
    );
    expect(byTitle.get('Failure rate')).toMatch(/failure_ratio/);
    expect(byTitle.get('Phase P95 (5 min)')).toMatch(/phase_duration_seconds/);
  });
});
