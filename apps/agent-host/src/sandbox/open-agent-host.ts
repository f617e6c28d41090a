import {
  ChangeFeed,
  openDatabase,
  SandboxAlertRepository,
  SandboxPerfRecordRepository,
  SandboxProvisioningKPI,
} from '@sbx/store';
import { consoleLogger, type Logger } from '@sbx/timing';
import { sandboxModules } from '../adapters/registry.js';
import { AlertService } from '../alerts/alert-service.js';
import { WebhookNotifier } from '../alerts/webhook-notifier.js';
import type { HostConfig } from '../config.js';
import { OtelInstruments } from '../telemetry/otel-instruments.js';
import { PrometheusMetrics } from '../telemetry/prometheus-metrics.js';
import type { HostSandboxAdapter } from './host-adapter.js';
import { type CloseReport, DEFAULT_CLOSE_TIMEOUT_MS, SandboxHost } from './sandbox-host.js';

/** Everything a CLI command or the server needs, wired once. */
export interface AgentHost {
  config: HostConfig;
  kpis: SandboxProvisioningKPI;
  perf: SandboxPerfRecordRepository;
  alerts: SandboxAlertRepository;
  alertService: AlertService;
  metrics: PrometheusMetrics;
  host: SandboxHost;
  /**
   * Closes the host (refuse new work, abort what is in flight, remove live sandboxes, flush telemetry and
   * alerts, all within `timeoutMs`), then the database. Idempotent.
   */
  close(options?: { timeoutMs?: number }): Promise<CloseReport>;
}

/** The composition root: opens the database, creates each sandbox type's adapter and wires the sandbox host. */
export async function openAgentHost(config: HostConfig, logger: Logger = consoleLogger): Promise<AgentHost> {
  const db = await openDatabase(config.dbPath);
  const kpis = new SandboxProvisioningKPI(db);
  const perf = new SandboxPerfRecordRepository(db);
  const alerts = new SandboxAlertRepository(db);
  const notifier = config.webhookUrl
    ? new WebhookNotifier({
        url: config.webhookUrl,
        logger,
        ...(config.webhookCooldownMs ? { cooldownMs: config.webhookCooldownMs } : {}),
      })
    : undefined;
  const alertService = new AlertService({ repo: alerts, notifier, logger });
  const adapters: Record<string, HostSandboxAdapter> = {};
  for (const module of sandboxModules()) {
    const adapter = module.createAdapter?.(config, logger);
    if (adapter) adapters[module.type] = adapter;
  }
  const host = new SandboxHost({
    recorder: kpis,
    sink: perf,
    adapters,
    logger,
    alerts: alertService,
    telemetry: new OtelInstruments(),
    limits: { perTenant: config.policy.maxLivePerTenant, total: config.policy.maxLiveTotal },
    idleTimeoutMs: config.policy.idleTimeoutMs,
    maxTtlMs: config.policy.maxTtlMs,
    ...(config.alertThresholdMs ? { alertThresholdMs: config.alertThresholdMs } : {}),
  });
  const metrics = new PrometheusMetrics({ feed: new ChangeFeed(db), liveSandboxes: () => host.liveCount });
  let closing: Promise<CloseReport> | undefined;
  return {
    config,
    kpis,
    perf,
    alerts,
    alertService,
    metrics,
    host,
    close(options = {}) {
      closing ??= (async () => {
        try {
          return await host.close({ timeoutMs: options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS });
        } finally {
          await db.destroy();
        }
      })();
      return closing;
    },
  };
}
