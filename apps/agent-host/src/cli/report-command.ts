import type { StoredAlert } from '@sbx/store';
import { isSandboxType, type PerfReport, SANDBOX_TYPES, type SandboxType } from '@sbx/timing';
import { Command, InvalidArgumentError } from 'commander';
import type { AgentHost } from '../compose/open-agent-host.js';
import { RUNTIME_NAME } from '../core/sandbox-policy.js';
import { type KpiSnapshot, kpiSnapshot } from '../reports/kpi-snapshot.js';
import type { CliIo } from './cli-io.js';
import type { ProvisionCommandContext } from './command-context.js';
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
    .option(
      '--runtime <name>',
      'only provisionings on this engine runtime (e.g. runsc); combines with --host-id',
      (value: string) => {
        if (!RUNTIME_NAME.test(value))
          throw new InvalidArgumentError(
            "--runtime must be 1-64 letters, digits, '.', '_' or '-' (an engine runtime, e.g. runsc)",
          );
        return value;
      },
    )
    .option('--json', 'print JSON for scripts')
    .addHelpText('after', '\nExample:\n  sbx report --type docker --json\n  sbx report --runtime runsc')
    .action((opts) => ctx.withHost((agent) => report(agent, opts, ctx.io)));
}

/** `sbx report`: per type the P95 over the last 100 against the SLA, p50/p99, breaches, failures; the perf report. */
export async function report(
  agent: AgentHost,
  options: { type?: SandboxType; runtime?: string; json?: boolean },
  io: CliIo,
) {
  const kpis = await kpiSnapshot(agent.kpis, options.type, {
    host: agent.config.reportHost,
    runtime: options.runtime,
  });
  const perf = await agent.perf.getReport();
  const alerts = {
    overheadAlerts: await agent.alerts.count('overhead-alert'),
    slaBreaches: await agent.alerts.count('sla-breach'),
    latest: await agent.alerts.listRecent(5),
  };
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify({ db: agent.config.dbLabel ?? agent.config.dbPath, host: agent.config.reportHost ?? 'fleet', runtime: options.runtime ?? null, kpis, perf, alerts }, null, 2)}\n`,
    );
    return;
  }
  io.stdout.write(`${formatKpis(kpis)}\n\n${formatPerf(perf)}\n\n${formatAlerts(alerts)}\n`);
}

function formatKpis(kpis: KpiSnapshot): string {
  const rows = [
    [
      'type',
      'n',
      'p50',
      'p95',
      'p99',
      'SLA',
      'status',
      'breaches',
      'failures',
      'caller failures',
      'cancelled',
      '24 h n',
      'all-time n',
    ],
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
      // Shown apart, never judged: the caller's own mistakes (a missing image, a command that exits at once).
      String(k.last100.callerFailures),
      String(k.last100.cancelled),
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
  const scope = [
    kpis.host === 'fleet' ? 'whole fleet' : `host ${kpis.host}`,
    ...(kpis.runtime === null ? [] : [`runtime ${kpis.runtime}`]),
  ].join(', ');
  return [
    `Provisioning (newest ${kpis.window} per type, ${scope})`,
    table(rows),
    ...phases,
    ...sources,
    ...runtimeTables(kpis),
  ].join('\n');
}

/** Per type that recorded runtimes, one row per runtime: its own newest 100 and verdict. */
function runtimeTables(kpis: KpiSnapshot): string[] {
  return Object.entries(kpis.types).flatMap(([type, k]) => {
    const runtimes = Object.entries(k.byRuntime);
    if (runtimes.length === 0) return [];
    const rows = [['runtime', 'n', 'p50', 'p95', 'status', 'failures', 'all-time n']];
    for (const [runtime, r] of runtimes) {
      rows.push([
        runtime,
        String(r.last100.n),
        ms(r.last100.p50Ms),
        ms(r.p95Last100),
        r.verdict.reason ? `${r.sla} (${r.verdict.reason})` : r.sla,
        String(r.last100.failures),
        String(r.provisionings),
      ]);
    }
    return ['', `${type} by engine runtime (newest ${kpis.window} each)`, table(rows)];
  });
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
