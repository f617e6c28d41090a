import { sleep, whenAborted } from '../bounded.js';
import { connectionErrorCode } from './docker-error.js';
import { listeningTcpPorts } from './listening-ports.js';
import type { ReadinessProbe } from './readiness-probe.js';
import {
  assertRunning,
  failed,
  inspect,
  type ReadinessTarget,
  stoppedError,
  wrap,
} from './readiness-target.js';
import { runExec } from './run-exec.js';
import { waitForLogLine } from './wait-for-log-line.js';

/** Pause between two attempts of a polling probe when the probe sets no `intervalMs`. */
export const DEFAULT_PROBE_INTERVAL_MS = 100;

/**
 * Output one attempt of an exec, tcp or http probe may print on a stream: the attempt stops reading there (its
 * stream is closed, its exit not awaited) and counts as not ready. Room for `/proc/net/tcp` with ~1,700 sockets.
 */
export const PROBE_OUTPUT_MAX_BYTES = 256 * 1024;

// The reason an attempt's signal aborts with when its output reaches PROBE_OUTPUT_MAX_BYTES.
const TOO_MUCH_OUTPUT = new Error('the probe printed too much');

// wget (busybox or GNU) when present, else curl; both exit non-zero unless the answer is 2xx (after redirects).
const HTTP_CHECK =
  'if command -v wget >/dev/null 2>&1; then exec wget -q -O /dev/null "$1"; fi; exec curl -fsS -o /dev/null "$1"';

/**
 * Resolves when `probe` passes. Rejects with `READINESS_FAILED` when it never can (the container exited,
 * turned unhealthy, has no health check), with the signal's reason on abort, or with a wrapped engine error.
 */
export async function waitForReadiness(probe: ReadinessProbe, target: ReadinessTarget): Promise<void> {
  const interval = probe.intervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
  switch (probe.kind) {
    case 'running':
      await assertRunning(target);
      return;
    case 'log':
      return waitForLogLine(probe.pattern, target);
    case 'healthcheck':
      return pollUntil(target, interval, () => checkHealth(target));
    case 'exec':
      return pollExec(target, interval, probe.cmd, (r) => (r.exitCode === 0 ? undefined : describeExit(r)));
    case 'tcp':
      return pollExec(target, interval, ['cat', '/proc/net/tcp', '/proc/net/tcp6'], (r) => {
        const ports = listeningTcpPorts(r.stdout);
        return ports.has(probe.port)
          ? undefined
          : `nothing listens on port ${probe.port} (listening: ${[...ports].join(', ') || 'none'})`;
      });
    case 'http': {
      const url = `http://127.0.0.1:${probe.port}${probe.path}`;
      return pollExec(target, interval, ['sh', '-c', HTTP_CHECK, 'sbx-http-probe', url], (r) =>
        r.exitCode === 0 ? undefined : `GET ${url}: ${describeExit(r)}`,
      );
    }
  }
}

async function pollExec(
  target: ReadinessTarget,
  interval: number,
  cmd: readonly string[],
  judge: (result: { exitCode: number; stdout: string; stderr: string }) => string | undefined,
): Promise<void> {
  return pollUntil(target, interval, async () => {
    // Its own signal: the deadline's, or this attempt's when its output reaches the cap.
    const cut = new AbortController();
    const stop = whenAborted(target.signal, () => cut.abort(target.signal.reason));
    const printed = { stdout: 0, stderr: 0 };
    try {
      return judge(
        await runExec(target.container, cmd, {
          signal: cut.signal,
          maxOutputBytes: PROBE_OUTPUT_MAX_BYTES,
          onOutput: (stream, chunk) => {
            printed[stream] += chunk.length;
            if (printed[stream] >= PROBE_OUTPUT_MAX_BYTES) cut.abort(TOO_MUCH_OUTPUT);
          },
        }),
      );
    } catch (error) {
      if (target.signal.aborted) throw target.signal.reason;
      if (cut.signal.reason === TOO_MUCH_OUTPUT) {
        return `exec ${JSON.stringify(cmd)} printed ${PROBE_OUTPUT_MAX_BYTES} bytes or more on one stream, so it was cut short: a readiness check must print little (send its output to /dev/null)`;
      }
      if (connectionErrorCode(error) !== undefined) throw wrap(error, target);
      await assertRunning(target);
      return `exec ${JSON.stringify(cmd)} failed: ${(error as Error).message}`;
    } finally {
      stop();
    }
  });
}

// Runs `attempt` until it returns undefined (passed); otherwise records why and waits `interval`.
async function pollUntil(
  target: ReadinessTarget,
  interval: number,
  attempt: () => Promise<string | undefined>,
): Promise<void> {
  for (;;) {
    const notYet = await attempt();
    if (notYet === undefined) return;
    target.progress.last = notYet;
    await sleep(interval, target.signal);
  }
}

async function checkHealth(target: ReadinessTarget): Promise<string | undefined> {
  const state = await inspect(target);
  if (!state.State.Running) throw await stoppedError(target, state);
  const health = state.State.Health;
  if (!health || health.Status === 'none') {
    throw failed(
      target,
      `sandbox ${target.sandboxId} has no health check: the image defines no HEALTHCHECK; give spec.healthcheck`,
    );
  }
  const lastLog = health.Log?.at(-1);
  const detail = lastLog
    ? ` (last check exit ${lastLog.ExitCode}: ${lastLog.Output.trim().slice(0, 200)})`
    : '';
  if (health.Status === 'healthy') return undefined;
  if (health.Status === 'unhealthy')
    throw failed(target, `sandbox ${target.sandboxId} is unhealthy${detail}`);
  return `health ${health.Status}${detail}`;
}

function describeExit(result: { exitCode: number; stdout: string; stderr: string }): string {
  const text = (result.stderr.trim() || result.stdout.trim()).slice(0, 200);
  return `exit ${result.exitCode}${text ? `: ${text}` : ''}`;
}
