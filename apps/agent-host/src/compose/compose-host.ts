import {
  type openDatabase,
  SandboxAlertRepository,
  SandboxPerfRecordRepository,
  SandboxProvisioningKPI,
} from '@sbx/store';
import type { Logger, PerfRecordSink, ProvisionRecorder, SandboxType } from '@sbx/timing';
import { AlertService } from '../alerts/alert-service.js';
import { WebhookNotifier } from '../alerts/webhook-notifier.js';
import type { HostSandboxAdapter } from '../core/host-adapter.js';
import { hostIdRecorder } from '../core/host-id-recorder.js';
import type { LiveLimits } from '../core/live-limits.js';
import { type CloseReport, DEFAULT_CLOSE_TIMEOUT_MS, SandboxHost } from '../core/sandbox-host.js';
import { CloseOnce } from '../lifecycle/close-once.js';
import type { ResultSpool } from '../spool/result-spool.js';
import { SpooledStore, type StoreHealth } from '../spool/spooled-store.js';
import { OtelInstruments } from '../telemetry/otel-instruments.js';

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
  /**
   * Where results go when the store cannot take them (opened by the caller): flushed in order once it is back.
   * Without it a result the store refuses is logged and lost.
   */
  spool?: ResultSpool | undefined;
  /** Test seams; production passes none. */
  seams?: HostSeams | undefined;
}

/** What a test may hand the one wiring production uses (`createTestHost()`); each has the real default. */
export interface HostSeams {
  /** Wraps the perf sink the host writes runs to (a slow disk, a record of what was written). */
  perfSink?: (sink: PerfRecordSink) => PerfRecordSink;
  /** Wall-clock milliseconds for expiry and idleness, instead of `Date.now`. */
  now?: () => number;
  /** Where alerts are posted, instead of the webhook `webhookUrl` names (none without it). */
  notifier?: WebhookNotifier;
}

/** The measured host and the stores it writes to; `close()` closes the host, then the database. */
export interface ComposedHost {
  kpis: SandboxProvisioningKPI;
  perf: SandboxPerfRecordRepository;
  alerts: SandboxAlertRepository;
  alertService: AlertService;
  host: SandboxHost;
  /** The store's state (`ok`, `degraded` while results are spooled, `down` when the spool is full). */
  storeHealth(): StoreHealth;
  /** Waits up to `timeoutMs` for the spool to be flushed; resolves to how many results are still spooled. */
  drainStore(timeoutMs: number): Promise<number>;
  close(options?: { timeoutMs?: number }): Promise<CloseReport>;
}

/** How long `close()` keeps trying to flush the spool before leaving the rest for the next start. */
const SPOOL_CLOSE_FLUSH_MS = 2_000;

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
  const seams = options.seams ?? {};
  const notifier =
    seams.notifier ??
    (options.webhookUrl
      ? new WebhookNotifier({
          url: options.webhookUrl,
          logger,
          ...(options.webhookCooldownMs ? { cooldownMs: options.webhookCooldownMs } : {}),
        })
      : undefined);
  const spooled = options.spool
    ? new SpooledStore({
        spool: options.spool,
        logger,
        targets: {
          provision: (result, id) => kpis.record(result, { id }),
          perf: (record, key) => perf.insert('sandbox_perf_records', record, { key }),
          alert: (alert, key) => alerts.insert(alert, { key }),
        },
      })
    : undefined;
  const recorder: ProvisionRecorder = spooled ? { record: (r) => spooled.provision(r) } : kpis;
  const alertService = new AlertService({
    repo: spooled ? { insert: (alert) => spooled.alert(alert) } : alerts,
    notifier,
    logger,
    hostId: options.hostId,
  });
  const sink: PerfRecordSink = spooled ? { insert: (_table, record) => spooled.perf(record) } : perf;
  const host = new SandboxHost({
    recorder: options.hostId ? hostIdRecorder(recorder, options.hostId) : recorder,
    sink: seams.perfSink ? seams.perfSink(sink) : sink,
    storeRefusal: () => spooled?.refusal,
    adapters: options.adapters,
    logger,
    alerts: alertService,
    telemetry: new OtelInstruments(),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.alertThresholdMs ? { alertThresholdMs: options.alertThresholdMs } : {}),
    ...(options.deadlineMs ? { deadlineMs: options.deadlineMs } : {}),
    ...(options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    ...(options.maxTtlMs ? { maxTtlMs: options.maxTtlMs } : {}),
    ...(seams.now ? { now: seams.now } : {}),
  });
  const closed = new CloseOnce<CloseReport>();
  return {
    kpis,
    perf,
    alerts,
    alertService,
    host,
    storeHealth: () => spooled?.health() ?? { status: 'ok', spooled: 0, oldestAgeSeconds: 0 },
    drainStore: async (timeoutMs) => {
      if (!spooled) return 0;
      await spooled.drain(timeoutMs);
      return spooled.health().spooled;
    },
    close: (closeOptions = {}) =>
      closed.run(async () => {
        try {
          return await host.close({ timeoutMs: closeOptions.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS });
        } finally {
          await spooled?.close({ timeoutMs: SPOOL_CLOSE_FLUSH_MS });
          await db.destroy();
        }
      }),
  };
}
