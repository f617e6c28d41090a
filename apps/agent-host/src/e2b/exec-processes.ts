import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import { isBootstrapError } from '@sbx/bootstrap';
import type { ConcurrencyCaps } from '../http/concurrency-caps.js';
import { toHttpError } from '../http/http-errors.js';
import type { E2bHost } from './e2b-host.js';
import {
  ProcessEventSchema,
  type ProcessSelector,
  type ProcessEvent as ProtoEvent,
  type StartRequest,
} from './gen/process/process_pb.js';
import type { ProcessEvent, ProcessTable, TableProcess } from './process-table.js';
import { absolute, type SandboxCall } from './sandbox-context.js';

// The engine-exec fallback of `process.Process` (a sandbox the in-sandbox agent does not serve): the door's own
// process table, commands through the host's measured exec, and the count of commands at once.

/** What the process service needs. */
export interface ProcessServiceDeps {
  host: E2bHost;
  table: ProcessTable;
  caps: ConcurrencyCaps;
}

export function needsAgent(what: string): ConnectError {
  return new ConnectError(
    `${what} needs the in-sandbox agent, and this sandbox runs its commands through the engine's exec`,
    Code.FailedPrecondition,
  );
}

export function select(deps: ProcessServiceDeps, call: SandboxCall, selector: ProcessSelector | undefined) {
  const by = selector?.selector;
  const found =
    by?.case === 'pid'
      ? deps.table.find(call.sandbox.id, { pid: by.value })
      : by?.case === 'tag'
        ? deps.table.find(call.sandbox.id, { tag: by.value })
        : undefined;
  if (!found) {
    const what = by ? `${by.case} ${String(by.value)}` : 'no pid or tag';
    throw new ConnectError(`process with ${what} not found`, Code.NotFound);
  }
  return found;
}

export function startProcess(
  deps: ProcessServiceDeps,
  call: SandboxCall,
  req: StartRequest,
  ctx: HandlerContext,
): TableProcess {
  const config = req.process;
  if (!config?.cmd) throw new ConnectError('process.cmd: must not be empty', Code.InvalidArgument);
  if (req.pty) throw needsAgent('a PTY');
  if (req.stdin) throw needsAgent('stdin');
  if (config.cwd !== undefined) absolute(config.cwd, 'process.cwd');
  const argv = asUser(call.user, call.sandboxUser, config.cmd, config.args);
  const release = slot(deps, call);
  const proc = deps.table.add(
    call.sandbox,
    {
      cmd: config.cmd,
      args: [...config.args],
      envs: { ...config.envs },
      ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
    },
    req.tag,
  );
  const timeout = Number(ctx.requestHeader.get('connect-timeout-ms') ?? '');
  deps.host
    .exec(call.sandbox, {
      argv,
      env: { ...config.envs },
      ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
      ...(Number.isSafeInteger(timeout) && timeout > 0 ? { timeoutMs: timeout } : {}),
      signal: proc.abort.signal,
      onOutput: (stream, chunk) => proc.output(stream, chunk),
    })
    .then(
      (result) =>
        proc.finish({
          type: 'end',
          exitCode: result.exitCode,
          exited: true,
          status: `exit status ${result.exitCode}`,
        }),
      (error: unknown) =>
        proc.finish({
          type: 'end',
          exitCode: -1,
          exited: false,
          status: proc.abort.signal.aborted
            ? 'signal: killed'
            : isBootstrapError(error, 'EXEC_TIMEOUT')
              ? 'deadline exceeded'
              : 'error',
          ...(proc.abort.signal.aborted ? {} : { error: toHttpError(error).body.error.message }),
        }),
    )
    .finally(release);
  return proc;
}

// The SDK's `/bin/bash -l -c CMD` as another user than the sandbox's own: `su` (which works when the sandbox
// runs as root; from another user su asks for a password and the command fails, as it should).
function asUser(user: string | undefined, own: string, cmd: string, args: readonly string[]): string[] {
  if (user === undefined || user === '' || user === own) return [cmd, ...args];
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(user)) {
    throw new ConnectError('user: must be a user name', Code.InvalidArgument);
  }
  const login = args[0] === '-l' ? ['-l'] : [];
  const rest = login.length > 0 ? args.slice(1) : args;
  if (rest[0] !== '-c' || rest.length !== 2) {
    throw needsAgent(`running ${JSON.stringify(cmd)} as another user`);
  }
  return ['su', ...login, '-s', cmd, user, '-c', rest[1] ?? ''];
}

// The sandbox's and tenant's count of commands at once, or ResourceExhausted.
export function slot(deps: ProcessServiceDeps, call: SandboxCall): () => void {
  try {
    return takeSlot(deps, call);
  } catch (error) {
    throw new ConnectError(toHttpError(error).body.error.message, Code.ResourceExhausted);
  }
}

function takeSlot(deps: ProcessServiceDeps, call: SandboxCall): () => void {
  const { maxExecsPerSandbox, maxExecsPerTenant } = deps.host.policy;
  return deps.caps.acquire([
    {
      key: `exec:sandbox:${call.sandbox.id}`,
      cap: maxExecsPerSandbox,
      refusal: `at most ${maxExecsPerSandbox} commands run at once in one sandbox: kill one first`,
    },
    {
      key: `exec:tenant:${call.record.tenant}`,
      cap: maxExecsPerTenant,
      refusal: `at most ${maxExecsPerTenant} commands run at once per tenant: kill one first`,
    },
  ]);
}

export function toProto(event: ProcessEvent): ProtoEvent {
  if (event.type === 'data') {
    return create(ProcessEventSchema, {
      event: { case: 'data', value: { output: { case: event.stream, value: event.chunk } } },
    });
  }
  return create(ProcessEventSchema, {
    event: {
      case: 'end',
      value: {
        exitCode: event.exitCode,
        exited: event.exited,
        status: event.status,
        ...(event.error === undefined ? {} : { error: event.error }),
      },
    },
  });
}
