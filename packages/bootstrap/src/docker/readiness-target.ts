import type { FailureCause } from '@sbx/timing';
import { callUnlessAborted } from '../bounded.js';
import { BootstrapError } from '../errors.js';
import type { DockerContainerApi, DockerContainerInspect } from './docker-api.js';
import { wrapDockerError } from './docker-error.js';
import { readLogs } from './docker-logs.js';

/** What a readiness wait works on. */
export interface ReadinessTarget {
  container: DockerContainerApi;
  sandboxId: string;
  engineAddress: string;
  /** Aborts the wait (the deadline); the wait then rejects with its reason, and no engine call follows. */
  signal: AbortSignal;
  /** Updated with what the probe saw last, so a deadline error can say why it never passed. */
  progress: { last?: string };
}

/** Rejects with `READINESS_FAILED` (or `INVALID_SPEC`, see `stoppedError`) unless the container runs. */
export async function assertRunning(target: ReadinessTarget): Promise<void> {
  const state = await inspect(target);
  if (!state.State.Running) throw await stoppedError(target, state);
}

// With the engine's init as PID 1 (HostConfig.Init) a command that cannot be executed no longer fails the
// engine's start: the init says so on stderr and exits 126 or 127. It is the caller's invalid command, as it
// was when the engine refused the start (INVALID_SPEC, 400, no KPI row).
// The agent (which the init runs when sbx injects it) says the same in its own words (PROTOCOL.md, "Start").
const INIT_EXEC_FAILED = /^(?:\[FATAL tini \(\d+\)\] |sbx-agent: )(exec [^\n]{1,512} failed: [^\n]{1,200})$/m;

/**
 * The error of a container that stopped before it was ready: `INVALID_SPEC` when its init could not execute
 * the command (exit 126/127 and the init's own line among the last of stderr), else `exited()`.
 */
export async function stoppedError(
  target: ReadinessTarget,
  state: DockerContainerInspect,
): Promise<BootstrapError> {
  const { ExitCode, OOMKilled } = state.State;
  if (!OOMKilled && (ExitCode === 126 || ExitCode === 127)) {
    const found = INIT_EXEC_FAILED.exec(await lastStderr(target));
    if (found) {
      return new BootstrapError('INVALID_SPEC', `the sandbox's command cannot start: ${found[1]}`, {
        phase: 'start',
      });
    }
  }
  return exited(target, state);
}

// The last few lines of stderr, at most 4 KiB; nothing when the engine cannot say (the exit is reported then).
async function lastStderr(target: ReadinessTarget): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    await readLogs(target.container, {
      tail: 5,
      maxOutputBytes: 4096,
      signal: target.signal,
      onOutput: (stream, chunk) => {
        if (stream === 'stderr') chunks.push(Buffer.from(chunk));
      },
    });
  } catch {
    return '';
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Inspects the container; no call after an abort, whose reason it then rejects with. */
export async function inspect(target: ReadinessTarget): Promise<DockerContainerInspect> {
  try {
    return await callUnlessAborted(target.signal, () =>
      target.container.inspect({ abortSignal: target.signal }),
    );
  } catch (error) {
    if (target.signal.aborted) throw target.signal.reason;
    throw wrap(error, target);
  }
}

/** `READINESS_FAILED` for a container that stopped: its status, exit code, and whether it ran out of memory. */
export function exited(target: ReadinessTarget, state: DockerContainerInspect): BootstrapError {
  const { Status, ExitCode, OOMKilled, Error: reason } = state.State;
  const why = OOMKilled ? ', killed for running out of memory' : reason ? ` (${reason})` : '';
  return failed(
    target,
    `sandbox ${target.sandboxId} is ${Status} (exit code ${ExitCode}${why}) and never became ready`,
    // Its command exiting is the caller's doing; the engine killing it for memory at start is the platform's.
    OOMKilled ? 'platform' : undefined,
  );
}

/** `READINESS_FAILED` with what the probe saw last (the caller's fault unless `failureCause` says otherwise). */
export function failed(
  target: ReadinessTarget,
  message: string,
  failureCause?: FailureCause,
): BootstrapError {
  const last = target.progress.last ? `; last check: ${target.progress.last}` : '';
  return new BootstrapError('READINESS_FAILED', `${message}${last}`, {
    phase: 'ready',
    ...(failureCause === undefined ? {} : { failureCause }),
  });
}

/** Wraps an engine failure during the `ready` phase. */
export function wrap(error: unknown, target: ReadinessTarget): BootstrapError {
  return wrapDockerError(error, {
    code: 'READINESS_FAILED',
    doing: `checking readiness of sandbox ${target.sandboxId}`,
    engineAddress: target.engineAddress,
    phase: 'ready',
    // The engine failed to answer a check: not the caller's command.
    failureCause: 'platform',
  });
}
