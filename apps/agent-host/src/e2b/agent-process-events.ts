import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import { isBootstrapError } from '@sbx/bootstrap';
import type { HostAgent } from '../core/host-adapter.js';
import type { AgentProcess } from '../core/process-agent.js';
import {
  ProcessEventSchema,
  type ProcessSelector,
  type ProcessEvent as ProtoEvent,
} from './gen/process/process_pb.js';

// The in-sandbox agent's processes in E2B's terms: output and end as events, a selector as a pid, refusals as
// the Connect errors the SDK maps to its own classes.

// Yields the process's output and end; returns its exit code (-1 for a signal).
export async function* stream(proc: AgentProcess, pty: boolean, ctx: HandlerContext) {
  const onAbort = () => proc.close();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const out of proc.output()) {
      const output = pty
        ? { case: 'pty' as const, value: out.chunk }
        : { case: out.stream, value: out.chunk };
      yield event({ case: 'data', value: { output } });
    }
    const exit = await proc.wait();
    const status = exit.signal
      ? `signal: ${exit.signal === 'SIGKILL' ? 'killed' : exit.signal}`
      : `exit status ${exit.exitCode}`;
    yield event({
      case: 'end',
      value: { exitCode: exit.signal ? -1 : exit.exitCode, exited: !exit.signal, status },
    });
    return exit.signal ? -1 : exit.exitCode;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

export async function pidOf(agent: HostAgent, selector: ProcessSelector | undefined): Promise<number> {
  const by = selector?.selector;
  if (by?.case === 'pid') return by.value;
  if (by?.case === 'tag') {
    const found = (await guarded(() => agent.ps())).find((p) => p.running && p.tag === by.value);
    if (found) return found.pid;
  }
  throw new ConnectError(
    `process with ${by ? `${by.case} ${String(by.value)}` : 'no pid or tag'} not found`,
    Code.NotFound,
  );
}

export function event(value: MessageInitShape<typeof ProcessEventSchema>['event']): { event: ProtoEvent } {
  return { event: create(ProcessEventSchema, { event: value }) };
}

// The agent's refusals as Connect errors the SDK maps to its own classes.
export async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ConnectError) throw error;
    if (isBootstrapError(error, 'PROCESS_NOT_FOUND') || isBootstrapError(error, 'FILE_NOT_FOUND')) {
      throw new ConnectError(error.message, Code.NotFound);
    }
    if (isBootstrapError(error, 'SANDBOX_GONE')) throw new ConnectError(error.message, Code.Unavailable);
    if (isBootstrapError(error)) throw new ConnectError(error.message, Code.FailedPrecondition);
    throw error;
  }
}
