import { DockerAdapter, type DockerApi, type DockerSandboxSpec, type ExecOptions } from '@sbx/bootstrap';
import {
  DEFAULT_DB_PATH,
  openDatabase,
  type SandboxAlertRepository,
  type SandboxPerfRecordRepository,
  type SandboxProvisioningKPI,
} from '@sbx/store';
import { consoleLogger, type Logger } from '@sbx/timing';
import type { HostSandbox } from '../core/host-adapter.js';
import type { CloseReport, JobRun, ProvisionCallOptions, Provisioned } from '../core/sandbox-host.js';
import { defaultPolicy } from '../core/sandbox-policy.js';
import { dockerClient } from '../kinds/docker/index.js';
import { SandboxService } from '../service/sandbox-service.js';
import { composeHost } from './compose-host.js';

/** Options of `createSandboxHost()`; every one has a default. */
export interface CreateSandboxHostOptions {
  /** The SQLite file the measurements go to (created with its folder); `':memory:'` keeps none. `./.sbx/sbx.db` by default. */
  dbPath?: string;
  /** The Docker client: `new Dockerode()` by default (it reads `DOCKER_HOST`); `FakeDocker` from `@sbx/bootstrap/testing` in tests. */
  docker?: DockerApi;
  /** Deadline of one provisioning: 60 s by default (twice the docker SLA, so a breach is still measured). */
  deadlineMs?: number;
  /** A job that runs longer raises an `overhead-alert`: 5,000 ms by default. */
  alertThresholdMs?: number;
  /** SLA breaches and overhead alerts are also POSTed here as JSON (retried, one message per kind a minute). */
  webhookUrl?: string;
  /** Where warnings (breaches, alerts, lost sandboxes) and errors go: the console by default. */
  logger?: Logger;
}

/** The spec of each sandbox type the host provisions itself, by type. */
export interface HostSandboxSpecs {
  docker: DockerSandboxSpec;
}

/**
 * The measured sandbox host: every provisioning goes through `@sbx/timing`'s `SandboxProvisioner` and is
 * recorded in the store with its phases (success or failure, an SLA breach also raises an alert); every job
 * goes through the `SandboxPerfMonitor` (a slow one raises an `overhead-alert`).
 */
export interface MeasuredSandboxHost {
  /** Provisions a sandbox within the deadline; rejects with the adapter's error after recording it. */
  provision<T extends keyof HostSandboxSpecs>(
    type: T,
    spec: HostSandboxSpecs[T],
    options?: ProvisionCallOptions,
  ): Promise<Provisioned>;
  /** Runs a command in a live sandbox, timed (outcome success, timeout or error) and recorded. */
  runJob(sandbox: HostSandbox, cmd: string | readonly string[], options?: ExecOptions): Promise<JobRun>;
  /** Removes a live sandbox; false when `id` is not live. */
  dispose(id: string): Promise<boolean>;
  /** Sandboxes provisioned and not yet disposed. */
  readonly liveCount: number;
  /** Removes sandboxes that a crashed process left behind, or that outlived their TTL; resolves to their ids. */
  reap(): Promise<string[]>;
  /** The provisioning KPIs: `getP95Latency(type)`, `getStats(type)`, `listRecent()`, ... */
  readonly kpis: SandboxProvisioningKPI;
  /** The job runs: `getReport()`, `listRecent()`. */
  readonly perf: SandboxPerfRecordRepository;
  /** SLA breaches and overhead alerts. */
  readonly alerts: SandboxAlertRepository;
  /**
   * Refuses new work, aborts what is in flight, removes the live sandboxes, flushes the records and alerts
   * (within `timeoutMs`, 1,500 ms by default), then closes the database. Idempotent.
   */
  close(options?: { timeoutMs?: number }): Promise<CloseReport>;
}

/**
 * Opens (or creates) the database, creates the Docker adapter and wires the measured host, in one call.
 *
 * @example
 * const sbx = await createSandboxHost({ dbPath: './sbx.db' });
 * try {
 *   const { sandbox, result } = await sbx.provision('docker', { image: 'node:20', cmd: ['sleep', '3600'] });
 *   const { exec } = await sbx.runJob(sandbox, ['node', '--version']);
 *   console.log(result.durationMs, exec.stdout, await sbx.kpis.getP95Latency('docker'));
 * } finally {
 *   await sbx.close();
 * }
 */
export async function createSandboxHost(
  options: CreateSandboxHostOptions = {},
): Promise<MeasuredSandboxHost> {
  const logger = options.logger ?? consoleLogger;
  const docker = new DockerAdapter({
    docker: options.docker ?? dockerClient(process.env.DOCKER_HOST?.trim() || undefined),
    logger,
  });
  const db = await openDatabase(options.dbPath ?? DEFAULT_DB_PATH);
  const { host, kpis, perf, alerts, close } = composeHost(db, {
    adapters: { docker },
    logger,
    webhookUrl: options.webhookUrl,
    alertThresholdMs: options.alertThresholdMs,
    deadlineMs: options.deadlineMs,
  });
  // The library is one more thin caller of the sandbox service. A spec is provisioned as given (the engine's
  // defaults, no live caps: this host has no server policy to hold it to), so the policy below caps only what the
  // service does on its own (background processes), never a spec.
  const service = new SandboxService({ host, policy: defaultPolicy() });
  return {
    provision: async (type, spec, { deadlineMs, ...callOptions } = {}) => {
      const admitted = { type, spec, ...(deadlineMs ? { deadlineMs } : {}) };
      const { sandbox, result } = await service.create({ ...callOptions, admitted });
      return { sandbox, result };
    },
    runJob: (sandbox, cmd, execOptions) => service.exec(sandbox, cmd, execOptions),
    dispose: (id) => service.dispose(id),
    get liveCount() {
      return service.liveCount;
    },
    reap: () => service.reap(),
    kpis,
    perf,
    alerts,
    close,
  };
}
