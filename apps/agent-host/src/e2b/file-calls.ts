import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import { isBootstrapError } from '@sbx/bootstrap';
import { toHttpError } from '../http/http-errors.js';
import type { E2bHost } from './e2b-host.js';
import { toEntry } from './file-entries.js';
import type { SandboxCall } from './sandbox-context.js';

/** Entries one `ListDir` answers at most (all depths together). */
export const MAX_LIST_ENTRIES = 10_000;

// The host's file calls and commands for the filesystem service, their failures as Connect errors.

export async function statOf(host: E2bHost, call: SandboxCall, path: string, ctx: HandlerContext) {
  const stat = await guarded(() =>
    host.files(call.sandbox, (files, signal) => files.stat(path, { signal }), ctx.signal),
  );
  return stat && toEntry(path, stat);
}

export async function mustStat(host: E2bHost, call: SandboxCall, path: string, ctx: HandlerContext) {
  const entry = await statOf(host, call, path, ctx);
  if (!entry) throw new ConnectError(`path ${path} does not exist`, Code.NotFound);
  return entry;
}

export async function run(
  host: E2bHost,
  call: SandboxCall,
  argv: string[],
  ctx: HandlerContext,
): Promise<void> {
  const result = await guarded(() =>
    host.exec(call.sandbox, { argv, timeoutMs: 60_000, signal: ctx.signal, onOutput: () => {} }),
  );
  if (result.exitCode !== 0) {
    const why = result.stderr.trim().split('\n')[0]?.slice(0, 500) || `exit code ${result.exitCode}`;
    throw new ConnectError(
      `${argv[0]}: ${why}`,
      /ermission denied/.test(why) ? Code.PermissionDenied : Code.Internal,
    );
  }
}

// A host error as a Connect error with the code the SDK turns into its own class.
export async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ConnectError) throw error;
    if (isBootstrapError(error, 'FILE_NOT_FOUND')) throw new ConnectError(error.message, Code.NotFound);
    if (isBootstrapError(error, 'SANDBOX_GONE')) throw new ConnectError(error.message, Code.Unavailable);
    const { status, body } = toHttpError(error);
    const code =
      status === 400 ? Code.InvalidArgument : status === 429 ? Code.ResourceExhausted : Code.Internal;
    throw new ConnectError(`${body.error.code}: ${body.error.message}`, code);
  }
}
