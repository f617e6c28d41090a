import { randomUUID } from 'node:crypto';
import { isBootstrapError } from '@sbx/bootstrap';
import { type Logger, type PerfRecordSink, SandboxPerfMonitor, type SandboxRunOutcome } from '@sbx/timing';
import type { AlertService } from '../../alerts/alert-service.js';
import type { Closeable, CloseOptions } from '../../lifecycle/close-once.js';
import { InFlight } from '../../lifecycle/in-flight.js';
import type { OtelInstruments } from '../../telemetry/otel-instruments.js';
import type { HostSandbox } from '../host-adapter.js';
import type { JobOptions, JobRun } from '../sandbox-host-options.js';
import type { HostLifecycle } from './host-lifecycle.js';
import type { HostLiveSet } from './host-live-set.js';

/** What the jobs owner is built from. */
export interface HostJobsDeps {
  lifecycle: HostLifecycle;
  live: HostLiveSet;
  sink: PerfRecordSink;
  logger: Logger;
  alerts?: AlertService | undefined;
  telemetry?: OtelInstruments | undefined;
  alertThresholdMs?: number | undefined;
}

/**
 * Commands and file calls on live sandboxes: each command is timed by the `SandboxPerfMonitor` (a slow one
 * raises an `overhead-alert`), each use counts as activity, and a `SANDBOX_GONE` drops the sandbox.
 * `close()` flushes the perf sink.
 */
export class HostJobs implements Closeable {
  readonly perfMonitor: SandboxPerfMonitor;
  readonly #deps: HostJobsDeps;

  constructor(deps: HostJobsDeps) {
    this.#deps = deps;
    this.perfMonitor = new SandboxPerfMonitor({
      sink: {
        insert: (table, record) => {
          deps.telemetry?.run(record);
          return deps.sink.insert(table, record);
        },
      },
      logger: deps.logger,
      ...(deps.alertThresholdMs === undefined ? {} : { alertThresholdMs: deps.alertThresholdMs }),
    });
    this.perfMonitor.on('overhead-alert', ({ sandboxId, durationMs, thresholdMs }) => {
      const message = `overhead-alert: sandbox ${sandboxId} ran ${Math.round(durationMs)} ms (> ${thresholdMs} ms)`;
      deps.logger.warn(message, { sandboxId, durationMs, thresholdMs });
      const tenant = deps.live.sandboxes.ownerOf(sandboxId);
      const raised = deps.alerts?.raise({
        kind: 'overhead-alert',
        sandboxId,
        valueMs: durationMs,
        thresholdMs,
        message,
        ...(tenant === undefined ? {} : { tenant }),
      });
      if (raised) void deps.lifecycle.track(raised);
    });
  }

  /** Runs a command in a live sandbox, timed as its own run; `signal` and the host's shutdown abort it. */
  runJob(sandbox: HostSandbox, cmd: string | readonly string[], options: JobOptions = {}): Promise<JobRun> {
    this.#deps.lifecycle.refuseWhenClosing();
    const runId = randomUUID();
    this.perfMonitor.start(sandbox.id, { runId });
    return this.#deps.lifecycle.track(this.#runJob(sandbox, cmd, options, runId));
  }

  async #runJob(
    sandbox: HostSandbox,
    cmd: string | readonly string[],
    { onRecord, run, ...options }: JobOptions,
    runId: string,
  ): Promise<JobRun> {
    let outcome: SandboxRunOutcome = 'error';
    const done = this.#deps.live.activity.begin(sandbox.id);
    try {
      const execOptions = { ...options, signal: this.#deps.lifecycle.withShutdown(options.signal) };
      const exec = await (run ? run(cmd, execOptions) : sandbox.exec(cmd, execOptions));
      outcome = exec.exitCode === 0 ? 'success' : 'error';
      const record = this.perfMonitor.stop(sandbox.id, { outcome, runId });
      onRecord?.(record);
      return { exec, record };
    } catch (error) {
      outcome = isBootstrapError(error, 'EXEC_TIMEOUT') ? 'timeout' : 'error';
      const record = this.perfMonitor.stop(sandbox.id, { outcome, runId });
      onRecord?.(record);
      if (isBootstrapError(error, 'SANDBOX_GONE')) this.#deps.live.gone(sandbox.id, 'exited');
      throw error;
    } finally {
      done();
    }
  }

  /** Runs a use that is not a command (a file call): activity, aborted by the shutdown, `SANDBOX_GONE` drops. */
  async use<T>(
    sandbox: HostSandbox,
    fn: (signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    this.#deps.lifecycle.refuseWhenClosing();
    const done = this.#deps.live.activity.begin(sandbox.id);
    try {
      return await this.#deps.lifecycle.track(fn(this.#deps.lifecycle.withShutdown(signal)));
    } catch (error) {
      if (isBootstrapError(error, 'SANDBOX_GONE')) this.#deps.live.gone(sandbox.id, 'exited');
      throw error;
    } finally {
      done();
    }
  }

  /** Flushes the perf sink within `timeoutMs`. */
  async close({ timeoutMs }: CloseOptions): Promise<{ complete: boolean }> {
    const flush = new InFlight();
    void flush.track(this.#deps.lifecycle.track(this.perfMonitor.forceFlush()));
    return { complete: await flush.settle(timeoutMs) };
  }
}
