import type { DockerSandboxSpec, ExecOptions, ExecResult, SandboxHandle } from '@sbx/bootstrap';
import { isBootstrapError } from '@sbx/bootstrap';
import {
  isCancelled,
  type Logger,
  type PerfRecordSink,
  type ProvisionContext,
  type ProvisionRecorder,
  type ProvisionResult,
  SandboxPerfMonitor,
  type SandboxPerfRecord,
  SandboxProvisioner,
  type SandboxRunOutcome,
  SLA_LIMITS,
} from '@sbx/timing';
import type { AlertService } from '../alerts/alert-service.js';
import type { OtelInstruments } from '../telemetry/otel-instruments.js';

/** Provisions one sandbox of a kind; `DockerAdapter` is one. */
export interface DockerProvisioner {
  provision(spec: DockerSandboxSpec, ctx: ProvisionContext): Promise<SandboxHandle>;
}

/** Dependencies of the sandbox host. */
export interface SandboxHostDeps {
  recorder: ProvisionRecorder;
  sink: PerfRecordSink;
  docker: DockerProvisioner;
  logger: Logger;
  alertThresholdMs?: number;
  /** Default deadline of one provisioning, in milliseconds. */
  deadlineMs?: number;
  /** Where SLA breaches and overhead alerts are kept (and posted). */
  alerts?: AlertService;
  /** OpenTelemetry histograms of every provisioning and run. */
  telemetry?: OtelInstruments;
}

/** A provisioned sandbox and how its provisioning went. */
export interface Provisioned {
  sandbox: SandboxHandle;
  result: ProvisionResult;
}

/** One job run in a sandbox, measured by the perf monitor. */
export interface JobRun {
  exec: ExecResult;
  record: SandboxPerfRecord;
}

/** Default provisioning deadline: twice the docker SLA, so a breach is still measured before we give up. */
export const DEFAULT_DEADLINE_MS = 60_000;

/**
 * The sandbox entry point: every spin-up goes through the `SandboxProvisioner` (recorded with its phases,
 * success or failure) and every job through the `SandboxPerfMonitor`; it tracks live sandboxes so none leaks.
 */
export class SandboxHost {
  readonly provisioner: SandboxProvisioner;
  readonly perfMonitor: SandboxPerfMonitor;
  readonly #docker: DockerProvisioner;
  readonly #logger: Logger;
  readonly #deadlineMs: number;
  readonly #live = new Map<string, SandboxHandle>();
  readonly #recorder: ProvisionRecorder;

  constructor(deps: SandboxHostDeps) {
    this.#docker = deps.docker;
    this.#logger = deps.logger;
    this.#deadlineMs = deps.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.#recorder = observed(deps);
    this.provisioner = new SandboxProvisioner({ recorder: this.#recorder, logger: deps.logger });
    const sink = deps.sink;
    this.perfMonitor = new SandboxPerfMonitor({
      sink: {
        insert: (table, record) => {
          deps.telemetry?.run(record);
          return sink.insert(table, record);
        },
      },
      logger: deps.logger,
      ...(deps.alertThresholdMs === undefined ? {} : { alertThresholdMs: deps.alertThresholdMs }),
    });
    this.perfMonitor.on('overhead-alert', ({ sandboxId, durationMs, thresholdMs }) => {
      const message = `overhead-alert: sandbox ${sandboxId} ran ${Math.round(durationMs)} ms (> ${thresholdMs} ms)`;
      deps.logger.warn(message, { sandboxId, durationMs, thresholdMs });
      void deps.alerts?.raise({
        kind: 'overhead-alert',
        sandboxId,
        valueMs: durationMs,
        thresholdMs,
        message,
      });
    });
  }

  /** How many sandboxes are provisioned and not yet disposed. */
  get liveCount(): number {
    return this.#live.size;
  }

  /** Provisions a docker sandbox through the provisioner; a failure is recorded, then rethrown. */
  async provisionDocker(
    spec: DockerSandboxSpec,
    options: { signal?: AbortSignal; deadlineMs?: number; onResult?: (result: ProvisionResult) => void } = {},
  ): Promise<Provisioned> {
    const { value, ...result } = await this.provisioner.provision({
      type: 'docker',
      deadlineMs: options.deadlineMs ?? this.#deadlineMs,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onResult ? { onResult: options.onResult } : {}),
      bootstrapFn: (ctx) => this.#docker.provision(spec, ctx),
    });
    if (!value) throw new Error('docker adapter returned no sandbox');
    this.#live.set(value.id, value);
    return { sandbox: value, result };
  }

  /**
   * Records a provisioning measured elsewhere (the WebContainer page) through the same chain as the host's own:
   * the store, breach alerts, telemetry. Store errors propagate.
   */
  async recordExternal(result: ProvisionResult): Promise<void> {
    await this.#recorder.record(result);
  }

  /** The live sandbox with this id, if any. */
  get(id: string): SandboxHandle | undefined {
    return this.#live.get(id);
  }

  /**
   * Runs a command in a live sandbox, timed by the perf monitor (success, timeout or error). One job runs in a
   * sandbox at a time: a second concurrent one throws the monitor's `SANDBOX_ALREADY_STARTED`.
   */
  async runJob(
    sandbox: SandboxHandle,
    cmd: string | readonly string[],
    options: ExecOptions = {},
  ): Promise<JobRun> {
    const runId = sandbox.id;
    this.perfMonitor.start(runId);
    let outcome: SandboxRunOutcome = 'error';
    try {
      const exec = await sandbox.exec(cmd, options);
      outcome = exec.exitCode === 0 ? 'success' : 'error';
      return { exec, record: this.perfMonitor.stop(runId, { outcome }) };
    } catch (error) {
      outcome = isBootstrapError(error, 'EXEC_TIMEOUT') ? 'timeout' : 'error';
      this.perfMonitor.stop(runId, { outcome });
      throw error;
    }
  }

  /** Disposes one live sandbox; false when the id is unknown. */
  async dispose(id: string): Promise<boolean> {
    const sandbox = this.#live.get(id);
    if (!sandbox) return false;
    this.#live.delete(id);
    await sandbox.dispose();
    return true;
  }

  /** Disposes every live sandbox (shutdown, Ctrl-C); failures are logged and the rest still go. */
  async disposeAll(): Promise<number> {
    const all = [...this.#live.values()];
    this.#live.clear();
    const settled = await Promise.allSettled(all.map((s) => s.dispose()));
    settled.forEach((outcome, i) => {
      if (outcome.status === 'rejected') {
        this.#logger.error(`could not remove sandbox ${all[i]?.id}; \`sbx reap\` will`, {
          error: String(outcome.reason),
        });
      }
    });
    return all.length;
  }
}

// The store first (its failure is the provisioner's to report); then what watches every result.
function observed(deps: SandboxHostDeps): ProvisionRecorder {
  return {
    async record(result) {
      await deps.recorder.record(result);
      deps.telemetry?.provision(result);
      if (result.status !== 'sla_breach' || isCancelled(result)) return;
      const thresholdMs = result.slaLimitMs ?? SLA_LIMITS[result.sandboxType];
      const why = result.error
        ? `failed: ${result.error.message}`
        : `took ${Math.round(result.durationMs)} ms`;
      const message = `sla-breach: ${result.sandboxType} provisioning ${why} (limit ${thresholdMs} ms)`;
      deps.logger.warn(message, { sandboxType: result.sandboxType, durationMs: result.durationMs });
      await deps.alerts?.raise({
        kind: 'sla-breach',
        sandboxType: result.sandboxType,
        valueMs: result.durationMs,
        thresholdMs,
        message,
      });
    },
  };
}
