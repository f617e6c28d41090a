import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import { AgentProcesses } from './agent-processes.js';
import {
  needsAgent,
  type ProcessServiceDeps,
  select,
  slot,
  startProcess,
  toProto,
} from './exec-processes.js';
import {
  type ConnectRequest,
  type Process,
  ProcessEventSchema,
  type ProcessEvent as ProtoEvent,
  Signal,
  type StartRequest,
} from './gen/process/process_pb.js';
import { keptAlive } from './keepalive.js';
import { absolute, callOf } from './sandbox-context.js';

export type { ProcessServiceDeps } from './exec-processes.js';

/**
 * `process.Process`: through the in-sandbox agent when it serves the sandbox (every method); else through the
 * host's exec (Start, Connect, List, SendSignal; stdin, PTY and resize say they need the agent).
 */
export function processService(deps: ProcessServiceDeps): Partial<ServiceImpl<typeof Process>> {
  const viaAgent = new AgentProcesses(deps.host);
  const start = async function* (req: StartRequest, ctx: HandlerContext) {
    const call = callOf(ctx);
    const { agent } = call.sandbox;
    if (agent) {
      if (req.process?.cwd !== undefined) absolute(req.process.cwd, 'process.cwd');
      const release = slot(deps, call);
      try {
        yield* viaAgent.start(agent, call, req, ctx);
      } finally {
        release();
      }
      return;
    }
    const proc = startProcess(deps, call, req, ctx);
    const events = proc.events(ctx.signal, false);
    yield { event: create(ProcessEventSchema, { event: { case: 'start', value: { pid: proc.pid } } }) };
    for await (const event of events) yield { event: toProto(event) };
  };
  const connect = async function* (req: ConnectRequest, ctx: HandlerContext) {
    const { agent } = callOf(ctx).sandbox;
    if (agent) {
      yield* viaAgent.connect(agent, req.process, ctx);
      return;
    }
    const proc = select(deps, callOf(ctx), req.process);
    yield { event: create(ProcessEventSchema, { event: { case: 'start', value: { pid: proc.pid } } }) };
    for await (const event of proc.events(ctx.signal, true)) yield { event: toProto(event) };
  };
  return {
    start: (req, ctx) => keptAlive(ctx, start(req, ctx), keepalive),
    connect: (req, ctx) => keptAlive(ctx, connect(req, ctx), keepalive),
    async list(_req, ctx) {
      const { sandbox } = callOf(ctx);
      if (sandbox.agent) return { processes: await viaAgent.list(sandbox.agent) };
      return {
        processes: deps.table.running(sandbox.id).map((p) => ({
          pid: p.pid,
          config: p.config,
          ...(p.tag === undefined ? {} : { tag: p.tag }),
        })),
      };
    },
    async sendSignal(req, ctx) {
      const { agent } = callOf(ctx).sandbox;
      if (agent) {
        await viaAgent.signal(agent, req.process, req.signal);
        return {};
      }
      const proc = select(deps, callOf(ctx), req.process);
      if (req.signal !== Signal.SIGKILL && req.signal !== Signal.SIGTERM) {
        throw new ConnectError('signal: must be SIGNAL_SIGKILL or SIGNAL_SIGTERM', Code.InvalidArgument);
      }
      proc.abort.abort();
      return {};
    },
    async sendInput(req, ctx) {
      const call = callOf(ctx);
      const input = req.input?.input;
      if (!call.sandbox.agent) throw needsAgent('stdin');
      if (!input?.value) throw new ConnectError('input: send stdin or pty bytes', Code.InvalidArgument);
      await viaAgent.input(call.sandbox.agent, call, req.process, input.value);
      return {};
    },
    async closeStdin(req, ctx) {
      const call = callOf(ctx);
      if (!call.sandbox.agent) throw needsAgent('stdin');
      await viaAgent.closeStdin(call.sandbox.agent, call, req.process);
      return {};
    },
    async update(req, ctx) {
      const { agent } = callOf(ctx).sandbox;
      const size = req.pty?.size;
      if (!agent) throw needsAgent('a PTY');
      if (!size) throw new ConnectError('pty.size: required', Code.InvalidArgument);
      await viaAgent.resize(agent, req.process, size.cols, size.rows);
      return {};
    },
  };
}

function keepalive(): { event: ProtoEvent } {
  return { event: create(ProcessEventSchema, { event: { case: 'keepalive', value: {} } }) };
}
