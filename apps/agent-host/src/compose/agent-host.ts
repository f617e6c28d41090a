import type { SandboxAlertRepository, SandboxPerfRecordRepository, SandboxProvisioningKPI } from '@sbx/store';
import type { AlertService } from '../alerts/alert-service.js';
import type { CloseReport, SandboxHost } from '../core/sandbox-host.js';
import type { SandboxService } from '../service/sandbox-service.js';
import type { StoreHealth } from '../spool/spooled-store.js';
import type { PrometheusMetrics } from '../telemetry/prometheus-metrics.js';
import type { HostConfig } from './config.js';

/** Everything a CLI command or the server needs, wired once. */
export interface AgentHost {
  config: HostConfig;
  kpis: SandboxProvisioningKPI;
  perf: SandboxPerfRecordRepository;
  alerts: SandboxAlertRepository;
  alertService: AlertService;
  metrics: PrometheusMetrics;
  host: SandboxHost;
  /** The one interface every door (HTTP, CLI, E2B) calls: parse, policy, admission, pools, tenancy. */
  service: SandboxService;
  /** The store's state (`ok`, `degraded` while results are spooled, `down` when the spool is full). */
  storeHealth(): StoreHealth;
  /** Waits up to `timeoutMs` for the spool to be flushed; resolves to how many results are still spooled. */
  drainStore(timeoutMs: number): Promise<number>;
  /**
   * Closes the host (refuse new work, abort what is in flight, remove live sandboxes, flush telemetry and
   * alerts, all within `timeoutMs`), then the database. Idempotent.
   */
  close(options?: { timeoutMs?: number }): Promise<CloseReport>;
}
