import {
  type openDatabase,
  SandboxAlertRepository,
  SandboxPerfRecordRepository,
  SandboxProvisioningKPI,
} from '@sbx/store';
import type { Logger, SandboxType } from '@sbx/timing';
import { AlertService } from '../alerts/alert-service.js';
import { WebhookNotifier } from '../alerts/webhook-notifier.js';
import { OtelInstruments } from '../telemetry/otel-instruments.js';
import type { HostSandboxAdapter } from './host-adapter.js';
import { hostIdRecorder } from './host-id-recorder.js';
import type { LiveLimits } from './live-limits.js';
import { type CloseReport, DEFAULT_CLOSE_TIMEOUT_MS, SandboxHost } from './sandbox-host.js';

/** How the measured host is wired, whoever opened its database and made its adapters. */
export interface ComposeHostOptions {
  adapters: Partial<Record<SandboxType, HostSandboxAdapter>>;
  logger: Logger;
  webhookUrl?: string | undefined;
  webhookCooldownMs?: number | undefined;
  alertThresholdMs?: number | undefined;
  deadlineMs?: number | undefined;
  limits?: LiveLimits | undefined;
  /** The host that measures (a fleet shares one database): stamped on every provisioning and run it records. */
  hostId?: string | undefined;
  /** No command or file call for this long removes a sandbox (the policy's `idleTimeoutMs`). */
  idleTimeoutMs?: number | undefined;
  /** The longest a sandbox may live, extensions included. */
  maxTtlMs?: number | undefined;
}

/** The measured host and the stores it writes to; `close()` closes the host, then the database. */
export interface ComposedHost {
  kpis: SandboxProvisioningKPI;
  perf: SandboxPerfRecordRepository;
  alerts: SandboxAlertRepository;
  alertService: AlertService;
  host: SandboxHost;
  close(options?: { timeoutMs?: number }): Promise<CloseReport>;
}

/**
 * Wires the store (recorder, perf sink, alerts), the alert service (and its webhook), OpenTelemetry and the
 * sandbox host over an open database. Shared by the CLI's `openAgentHost()` and the library's
 * `createSandboxHost()`, so both measure the same way.
 */
export function composeHost(
  db: Awaited<ReturnType<typeof openDatabase>>,
  options: ComposeHostOptions,
): ComposedHost {
  const { logger } = options;
  const kpis = new SandboxProvisioningKPI(db);
  const perf = new SandboxPerfRecordRepository(db, options.hostId ? { hostId: options.hostId } : {});
  const alerts = new SandboxAlertRepository(db);
  const notifier = options.webhookUrl
    ? new WebhookNotifier({
        url: options.webhookUrl,
        logger,
        ...(options.webhookCooldownMs ? { cooldownMs: options.webhookCooldownMs } : {}),
      })
    : undefined;
  const alertService = new AlertService({ repo: alerts, notifier, logger, hostId: options.hostId });
  const host = new SandboxHost({
    recorder: options.hostId ? hostIdRecorder(kpis, options.hostId) : kpis,
    sink: perf,
    adapters: options.adapters,
    logger,
    alerts: alertService,
    telemetry: new OtelInstruments(),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.alertThresholdMs ? { alertThresholdMs: options.alertThresholdMs } : {}),
    ...(options.deadlineMs ? { deadlineMs: options.deadlineMs } : {}),
    ...(options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    ...(options.maxTtlMs ? { maxTtlMs: options.maxTtlMs } : {}),
  });
  let closing: Promise<CloseReport> | undefined;
  return {
    kpis,
    perf,
    alerts,
    alertService,
    host,
    close(closeOptions = {}) {
      closing ??= (async () => {
        try {
          return await host.close({ timeoutMs: closeOptions.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS });
        } finally {
          await db.destroy();
        }
      })();
      return closing;
    },
  };
}
