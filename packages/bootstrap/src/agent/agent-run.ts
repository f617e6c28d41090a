import { BootstrapError } from '../errors.js';
import type { ExecOptions, ExecResult } from '../sandbox-adapter.js';
import type { AgentCall } from './agent-call.js';
import { toExit } from './agent-types.js';
import { FRAME, jsonPayload, MAX_DATA_CHUNK_BYTES, protocolError } from './frame-codec.js';

type Stream = 'stdout' | 'stderr';

/**
 * Reads a started `run` to its `end` as an `ExecResult`: each stream kept up to `maxOutputBytes` (the rest read
 * and dropped, flagged), `onOutput` awaited before the next frame is read (backpressure reaches the process
 * through the agent), `stdin` written then closed while the output is read.
 */
export async function collectRun(call: AgentCall, options: ExecOptions): Promise<ExecResult> {
  const max = options.maxOutputBytes ?? Number.POSITIVE_INFINITY;
  const out: Record<Stream, Buffer[]> = { stdout: [], stderr: [] };
  const kept: Record<Stream, number> = { stdout: 0, stderr: 0 };
  const cut: Record<Stream, boolean> = { stdout: false, stderr: false };
  const writing = options.stdin === undefined ? undefined : writeStdin(call, options.stdin);
  // A failed write (the process closed its stdin early) is not the command's failure: its result still comes.
  writing?.catch(() => {});
  for (;;) {
    const frame = await call.next();
    if (frame.kind === FRAME.end) {
      const exit = toExit(jsonPayload(frame));
      return {
        exitCode: exit.exitCode,
        stdout: Buffer.concat(out.stdout).toString('utf8'),
        stderr: Buffer.concat(out.stderr).toString('utf8'),
        stdoutTruncated: cut.stdout,
        stderrTruncated: cut.stderr,
      };
    }
    if (frame.kind !== FRAME.stdout && frame.kind !== FRAME.stderr) {
      throw protocolError(`a run sent frame kind ${frame.kind}`);
    }
    const which: Stream = frame.kind === FRAME.stdout ? 'stdout' : 'stderr';
    const room = max - kept[which];
    if (frame.payload.byteLength > room) cut[which] = true;
    if (room <= 0) continue;
    const part = Buffer.from(frame.payload.subarray(0, Math.min(room, frame.payload.byteLength)));
    out[which].push(part);
    kept[which] += part.byteLength;
    if (options.onOutput) await options.onOutput(which, part);
  }
}

/** Sends `data` as `stdin` frames of at most 64 KiB, then `stdin_eof`. */
export async function writeStdin(call: AgentCall, data: string | Uint8Array): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let at = 0; at < bytes.byteLength; at += MAX_DATA_CHUNK_BYTES) {
    await call.send(FRAME.stdin, bytes.subarray(at, at + MAX_DATA_CHUNK_BYTES));
  }
  await call.send(FRAME.stdinEof);
}

/** The `ExecResult` of a command the agent could not start (as Docker exec reports it: 127 or 126). */
export function notStarted(error: unknown): ExecResult | undefined {
  if (!(error instanceof BootstrapError)) return undefined;
  const exitCode =
    error.agentCode === 'NOT_FOUND' ? 127 : error.agentCode === 'PERMISSION_DENIED' ? 126 : undefined;
  if (exitCode === undefined) return undefined;
  return {
    exitCode,
    stdout: '',
    stderr: `${error.message}\n`,
    stdoutTruncated: false,
    stderrTruncated: false,
  };
}
