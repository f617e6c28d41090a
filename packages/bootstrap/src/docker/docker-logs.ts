import { callUnlessAborted, whenAborted } from '../bounded.js';
import type { LogsOptions, LogsResult } from '../sandbox-adapter.js';
import type { DockerContainerApi } from './docker-api.js';
import { destroyStream, type OutputStream, readDemuxed } from './docker-stream.js';

/**
 * Reads a container's output (its main process's stdout and stderr): what was printed so far, then with
 * `follow` new output until the process ends or `signal` aborts (which ends it quietly). Always read as a
 * stream (a snapshot follows up to now): the engine's one-buffer answer would hold the whole log in memory.
 * The read ends once both streams passed `maxOutputBytes`, and pauses while `onOutput`'s promise is pending.
 * Engine errors are thrown as they come; callers wrap them.
 */
export async function readLogs(container: DockerContainerApi, options: LogsOptions): Promise<LogsResult> {
  const { signal } = options;
  const max = options.maxOutputBytes ?? Number.POSITIVE_INFINITY;
  const kept: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  const stream = await callUnlessAborted(
    signal,
    () =>
      container.logs({
        follow: true,
        stdout: true,
        stderr: true,
        ...(options.tail === undefined ? {} : { tail: options.tail }),
        ...(options.follow ? {} : { until: unixNow() }),
        ...(signal ? { abortSignal: signal } : {}),
      }),
    destroyStream,
  );
  const cut: Record<OutputStream, boolean> = { stdout: false, stderr: false };
  const onFrame = (which: OutputStream, payload: Buffer) => {
    if (cut[which]) return;
    const room = max - kept[which];
    const part = payload.length > room ? payload.subarray(0, room) : payload;
    kept[which] += part.length;
    if (payload.length > room) {
      cut[which] = true;
      // Past the cap on both streams nothing more would be passed on: stop reading.
      if (cut.stdout && cut.stderr) destroyStream(stream);
    }
    if (part.length > 0) return options.onOutput(which, part);
  };
  const stop = whenAborted(signal, () => destroyStream(stream));
  try {
    await readDemuxed(stream, onFrame);
  } finally {
    stop();
    destroyStream(stream);
  }
  return { truncated: cut.stdout || cut.stderr };
}

// Now as the engine's `until` takes it: `seconds.nanoseconds`.
function unixNow(): string {
  const ms = Date.now();
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1_000_000).padStart(9, '0')}`;
}
