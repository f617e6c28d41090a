import type { StoredAlert } from '@sbx/store';
import { isSandboxType, type PerfReport, SANDBOX_TYPES, type SandboxType } from '@sbx/timing';
import { Command, InvalidArgumentError } from 'commander';
import type { ProvisionCommandContext } from '../adapters/sandbox-type-module.js';
import { type KpiSnapshot, kpiSnapshot } from '../reports/kpi-snapshot.js';
import type { AgentHost } from '../sandbox/open-agent-host.js';
import type { CliIo } from './cli-io.js';
import { ms, table } from './format.js';

/** The `sbx report` command. */
export function reportCommand(ctx: ProvisionCommandContext): Command {
  return new Command('report')
    .description(
      'per sandbox type: P95 over the last 100 against the SLA, p50/p99, breaches, failures; run report',
    )
    .option('--type <type>', `only this sandbox type (${SANDBOX_TYPES.join(' | ')})`, (value: string) => {
      if (!isSandboxType(value))
        throw new InvalidArgumentError(`--type must be one of ${SANDBOX_TYPES.join(', ')}`);
      return value;
    })
    .option('--json', 'print JSON for scripts')
    .addHelpText('after', '\nExample:\n  sbx report --type docker --json')
    .action((opts) => ctx.withHost((agent) => report(agent, opts, ctx.io)));
}

/** `sbx report`: per type the P95 over the last 100 against the SLA, p50/p99, breaches, failures; the perf report. */
export async function report(agent: AgentHost, options: { type?: SandboxType; json?: boolean }, io: CliIo) {
  const kpis = await kpiSnapshot(agent.kpis, options.type, agent.config.reportHost);
  const perf = await agent.perf.getReport();
  const alerts = {
    overheadAlerts: await agent.alerts.count('overhead-alert'),
    slaBreaches: await agent.alerts.count('sla-breach'),
    latest: await agent.alerts.listRecent(5),
  };
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify({ db: agent.config.dbLabel ?? agent.config.dbPath, host: agent.config.reportHost ?? 'fleet', kpis, perf, alerts }, null, 2)}\n`,
    );
    return;
  }
  io.stdout.write(`${formatKpis(kpis)}\n\n${formatPerf(perf)}\n\n${formatAlerts(alerts)}\n`);
}

function formatKpis(kpis: KpiSnapshot): string {
  const rows = [
    ['type', 'n', 'p50', 'p95', 'p99', 'SLA', 'status', 'breaches', 'failures', '24 h n', 'all-time n'],
  ];
  for (const [type, k] of Object.entries(kpis.types)) {
    rows.push([
      type,
      String(k.last100.n),
      ms(k.last100.p50Ms),
      ms(k.p95Last100),
      ms(k.last100.p99Ms),
      `${k.slaLimitMs} ms`,
      k.slaReason ? `${k.sla} (${k.slaReason})` : k.sla,
      String(k.last100.slaBreaches),
      String(k.last100.failures),
      String(k.last24h.n),
      String(k.allTime.n),
    ]);
  }
  const phases = Object.entries(kpis.types).flatMap(([type, k]) =>
    k.phases.length === 0
      ? []
      : [`${type} phases (mean): ${k.phases.map((p) => `${p.phase} ${ms(p.meanMs)}`).join(' · ')}`],
  );
  // Refills are shown, never judged: no caller waited for them.
  const sources = Object.entries(kpis.types).flatMap(([type, k]) => {
    const seen = Object.entries(k.bySource).filter(([, s]) => s && s.n > 0);
    if (seen.every(([source]) => source === 'cold')) return [];
    return [
      `${type} by source (newest ${kpis.window} each): ${seen.map(([source, s]) => `${source} n ${s?.n} p50 ${ms(s?.p50Ms)} p95 ${ms(s?.p95Ms)}`).join(' · ')}`,
    ];
  });
  return [
    `Provisioning (newest ${kpis.window} per type, ${kpis.host === 'fleet' ? 'whole fleet' : `host ${kpis.host}`})`,
    table(rows),
    ...phases,
    ...sources,
  ].join('\n');
}

function formatPerf(perf: PerfReport): string {
  return [
    'Sandbox runs (perf monitor)',
    table([
      ['count', 'mean', 'max', 'p95', 'alerts'],
      [String(perf.count), ms(perf.meanMs), ms(perf.maxMs), ms(perf.p95Ms), String(perf.alertCount)],
    ]),
  ].join('\n');
}

function formatAlerts(alerts: {
  overheadAlerts: number;
  slaBreaches: number;
  latest: StoredAlert[];
}): string {
  const head = `Alerts: ${alerts.overheadAlerts} overhead, ${alerts.slaBreaches} SLA breaches`;
  const lines = alerts.latest.map((a) => `  ${a.createdAt.toISOString()}  ${a.message}`);
  return [head, ...lines].join('\n');
}
