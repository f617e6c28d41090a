import { Readable } from 'node:stream';
import { callUnlessAborted, whenAborted } from '../bounded.js';
import type { LogsOptions, LogsResult } from '../sandbox-adapter.js';
import type { DockerContainerApi } from './docker-api.js';
import { destroyStream, type OutputStream, readDemuxed } from './docker-stream.js';

/**
 * Reads a container's output (its main process's stdout and stderr): what was printed so far, then with
 * `follow` new output until the process ends or `signal` aborts (which ends it quietly). Read as a stream,
 * a snapshot too (through dockerode's modem): dockerode's one-buffer answer would hold the whole log in memory.
 * The read ends once both streams passed `maxOutputBytes`, and pauses while `onOutput`'s promise is pending.
 * Engine errors are thrown as they come; callers wrap them.
 */
export async function readLogs(container: DockerContainerApi, options: LogsOptions): Promise<LogsResult> {
  const { signal } = options;
  const max = options.maxOutputBytes ?? Number.POSITIVE_INFINITY;
  const kept: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  const stream = await callUnlessAborted(signal, () => openLog(container, options), destroyStream);
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

/** The part of dockerode's client that sends any engine request and can hand the answer back as a stream. */
interface DockerModem {
  dial(
    options: Record<string, unknown>,
    callback: (error: unknown, stream: NodeJS.ReadableStream) => void,
  ): void;
}

// The log as a stream. With `follow` that is what `logs()` returns; a snapshot (no follow) dockerode's
// `logs()` would read whole into one buffer, so it is asked through the client's modem as a stream instead
// (the engine keeps following a `follow` with `until` for a quiet container, so that is no way out).
function openLog(container: DockerContainerApi, options: LogsOptions): Promise<NodeJS.ReadableStream> {
  const { signal } = options;
  const common = {
    stdout: true,
    stderr: true,
    ...(options.tail === undefined ? {} : { tail: options.tail }),
    ...(signal ? { abortSignal: signal } : {}),
  };
  if (options.follow) return container.logs({ ...common, follow: true });
  const modem = (container as { modem?: Partial<DockerModem> }).modem;
  if (typeof modem?.dial !== 'function') {
    // A client without a modem reads the snapshot whole: at most the log on disk (`logMaxBytes`).
    return container.logs({ ...common, follow: false }).then((log) => Readable.from([Buffer.from(log)]));
  }
  const dial = modem.dial.bind(modem);
  return new Promise((resolve, reject) => {
    dial(
      {
        path: `/containers/${container.id}/logs?`,
        method: 'GET',
        isStream: true,
        ...(signal ? { abortSignal: signal } : {}),
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
        options: { ...common, follow: false },
      },
      (error, stream) => (error ? reject(error) : resolve(stream)),
    );
  });
}
