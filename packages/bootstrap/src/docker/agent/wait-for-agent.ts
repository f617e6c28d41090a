import { UnixSocketTransport } from '../../agent/agent-transport.js';
import { SandboxAgent } from '../../agent/sandbox-agent.js';
import { sleep } from '../../bounded.js';
import { isBootstrapError } from '../../errors.js';

const RETRY_MS = 5;

/** What waiting for a sandbox's agent found: the client, or why there is none. */
export type AgentWait = { agent: SandboxAgent; version: string } | { agent?: undefined; reason: string };

/**
 * Waits until the agent's socket answers `hello` (retrying every 5 ms while the socket is not there yet), at
 * most `timeoutMs`; rejects only with `signal`'s reason (the provisioning deadline). An agent that answers
 * something else than protocol v1, or nothing in time, is no agent: the sandbox falls back to Docker exec.
 */
export async function waitForAgent(options: {
  socketPath: string;
  sandboxId: string;
  timeoutMs: number;
  signal: AbortSignal;
}): Promise<AgentWait> {
  const { socketPath, sandboxId, timeoutMs, signal } = options;
  const started = performance.now();
  const left = () => timeoutMs - (performance.now() - started);
  let last = 'no socket';
  while (left() > 0) {
    if (signal.aborted) throw signal.reason;
    const transport = new UnixSocketTransport(socketPath, { connectTimeoutMs: Math.max(1, left()) });
    const agent = new SandboxAgent({ transport, sandboxId });
    try {
      const hello = await agent.hello({ signal, timeoutMs: Math.max(1, left()) });
      return { agent, version: hello.agent };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (!isBootstrapError(error, 'AGENT_UNAVAILABLE')) {
        return { reason: `the agent answered hello wrongly (${(error as Error).message})` };
      }
      last = (error as Error).message;
    }
    await sleep(Math.min(RETRY_MS, Math.max(0, left())), signal);
  }
  return { reason: `no answer to hello within ${timeoutMs} ms (${last})` };
}
