import { callUnlessAborted, raceAbort, sleep, whenAborted } from '../bounded.js';
import type { ExecResult } from '../sandbox-adapter.js';
import type { DockerContainerApi } from './docker-api.js';
import { collectDemuxed, destroyStream, type FrameResult, type OutputStream } from './docker-stream.js';

/** Options of one `runExec`. */
export interface RunExecOptions {
  env?: Record<string, string>;
  workingDir?: string;
  /** Stops waiting (the stream is closed) and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Output kept per stream, in bytes (the rest is dropped and flagged). */
  maxOutputBytes?: number;
  /** Written to the command's standard input, which is then closed. */
  stdin?: string | Uint8Array;
  /** Each kept piece of output as it arrives; a promise it returns pauses reading the output until it settles. */
  onOutput?: (stream: OutputStream, chunk: Buffer) => FrameResult;
}

// The exit code can land a moment after the output stream closes; inspect again this often until it does.
const EXIT_CODE_POLL_MS = 5;

/**
 * Runs `cmd` in a running container through the Engine's exec API and collects its demultiplexed output.
 * Engine errors are thrown as they come (callers wrap them); a non-zero exit code is a result, not an error.
 */
export async function runExec(
  container: DockerContainerApi,
  cmd: readonly string[],
  options: RunExecOptions = {},
): Promise<ExecResult> {
  const { signal } = options;
  const withStdin = options.stdin !== undefined;
  // After an abort no call follows: a late exec is never started, a late output stream is destroyed.
  const exec = await callUnlessAborted(signal, () =>
    container.exec({
      Cmd: [...cmd],
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: withStdin,
      Tty: false,
      ...(options.env ? { Env: Object.entries(options.env).map(([k, v]) => `${k}=${v}`) } : {}),
      ...(options.workingDir ? { WorkingDir: options.workingDir } : {}),
      ...(signal ? { abortSignal: signal } : {}),
    }),
  );
  const stream = await callUnlessAborted(
    signal,
    () => exec.start({ hijack: true, stdin: withStdin, ...(signal ? { abortSignal: signal } : {}) }),
    destroyStream,
  );
  const stop = whenAborted(signal, () => destroyStream(stream));
  try {
    // The hijacked connection is duplex: closing our side closes the command's stdin (the engine's CloseWrite).
    if (withStdin) writeAndClose(stream, options.stdin ?? '');
    const output = await raceAbort(collectDemuxed(stream, options.maxOutputBytes, options.onOutput), signal);
    for (;;) {
      const info = await callUnlessAborted(signal, () => exec.inspect(signal ? { abortSignal: signal } : {}));
      if (!info.Running) return { exitCode: info.ExitCode ?? -1, ...output };
      await sleep(EXIT_CODE_POLL_MS, signal);
    }
  } finally {
    stop();
    destroyStream(stream);
  }
}

function writeAndClose(stream: NodeJS.ReadableStream, data: string | Uint8Array): void {
  const writable = stream as unknown as Partial<NodeJS.WritableStream>;
  if (typeof writable.end !== 'function') return;
  writable.end(typeof data === 'string' ? data : Buffer.from(data));
}
