import { callUnlessAborted, whenAborted } from '../bounded.js';
import type { LogsOptions, LogsResult } from '../sandbox-adapter.js';
import type { DockerContainerApi } from './docker-api.js';
import { DockerStreamDemuxer, destroyStream, type OutputStream, readDemuxed } from './docker-stream.js';

/**
 * Reads a container's output (its main process's stdout and stderr): what was printed so far, then with
 * `follow` new output until the process ends or `signal` aborts (which ends it quietly). Engine errors are
 * thrown as they come; callers wrap them.
 */
export async function readLogs(container: DockerContainerApi, options: LogsOptions): Promise<LogsResult> {
  const { signal } = options;
  const max = options.maxOutputBytes ?? Number.POSITIVE_INFINITY;
  const kept: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  let truncated = false;
  const onFrame = (which: OutputStream, payload: Buffer) => {
    const room = max - kept[which];
    if (payload.length > room) truncated = true;
    if (room <= 0) return;
    const part = payload.length > room ? payload.subarray(0, room) : payload;
    kept[which] += part.length;
    options.onOutput(which, part);
  };
  const common = {
    stdout: true,
    stderr: true,
    ...(options.tail === undefined ? {} : { tail: options.tail }),
    ...(signal ? { abortSignal: signal } : {}),
  };
  if (!options.follow) {
    const log = await callUnlessAborted(signal, () => container.logs({ ...common, follow: false }));
    new DockerStreamDemuxer(onFrame).push(Buffer.from(log));
    return { truncated };
  }
  const stream = await callUnlessAborted(
    signal,
    () => container.logs({ ...common, follow: true }),
    destroyStream,
  );
  const stop = whenAborted(signal, () => destroyStream(stream));
  try {
    await readDemuxed(stream, onFrame);
  } finally {
    stop();
    destroyStream(stream);
  }
  return { truncated };
}
