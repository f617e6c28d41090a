import { DockerAdapter } from '@sbx/bootstrap';
import {
  ChangeFeed,
  openDatabase,
  SandboxAlertRepository,
  SandboxPerfRecordRepository,
  SandboxProvisioningKPI,
} from '@sbx/store';
import { consoleLogger, type Logger } from '@sbx/timing';
import Docker from 'dockerode';
import { AlertService } from '../alerts/alert-service.js';
import { WebhookNotifier } from '../alerts/webhook-notifier.js';
import type { HostConfig } from '../config.js';
import { OtelInstruments } from '../telemetry/otel-instruments.js';
import { PrometheusMetrics } from '../telemetry/prometheus-metrics.js';
import { SandboxHost } from './sandbox-host.js';

/** Everything a CLI command or the server needs, wired once. */
export interface AgentHost {
  config: HostConfig;
  kpis: SandboxProvisioningKPI;
  perf: SandboxPerfRecordRepository;
  alerts: SandboxAlertRepository;
  alertService: AlertService;
  metrics: PrometheusMetrics;
  adapter: DockerAdapter;
  host: SandboxHost;
  /** Disposes live sandboxes, then closes the database. */
  close(): Promise<void>;
}

/** The composition root: opens the database, creates the Docker client and wires the sandbox host. */
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
  // dockerode reads DOCKER_HOST (and DOCKER_CERT_PATH/DOCKER_TLS_VERIFY) itself; default is the local socket.
  const adapter = new DockerAdapter({ docker: new Docker(), engineAddress: config.engineAddress, logger });
  const host = new SandboxHost({
    recorder: kpis,
    sink: perf,
    docker: adapter,
    logger,
    alerts: alertService,
    telemetry: new OtelInstruments(),
    ...(config.alertThresholdMs ? { alertThresholdMs: config.alertThresholdMs } : {}),
  });
  const metrics = new PrometheusMetrics({
    feed: new ChangeFeed(db),
    kpis,
    liveSandboxes: () => host.liveCount,
  });
  let closed = false;
  return {
    config,
    kpis,
    perf,
    alerts,
    alertService,
    metrics,
    adapter,
    host,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await host.disposeAll();
        await alertService.flush();
      } finally {
        await db.destroy();
      }
    },
  };
}
