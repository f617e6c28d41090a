import type { FailureCause } from '@sbx/timing';
import { callUnlessAborted } from '../bounded.js';
import { BootstrapError } from '../errors.js';
import type { DockerContainerApi, DockerContainerInspect } from './docker-api.js';
import { wrapDockerError } from './docker-error.js';

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

/** Rejects with `READINESS_FAILED` unless the container runs. */
export async function assertRunning(target: ReadinessTarget): Promise<void> {
  const state = await inspect(target);
  if (!state.State.Running) throw exited(target, state);
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
