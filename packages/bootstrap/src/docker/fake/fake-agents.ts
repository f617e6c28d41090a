import { join } from 'node:path';
import { FakeAgentServer, type FakeAgentServerOptions } from '../../agent/fake/fake-agent-server.js';
import { AGENT_PATHS } from '../agent/agent-channel.js';
import type { DockerContainerCreateOptions } from '../docker-api.js';

/**
 * The fake engine's in-sandbox agents: with `options` set, a container created with the agent's run directory
 * mounted gets a `FakeAgentServer` on `<that dir>/agent.sock` when it starts (the agent is present), closed when
 * it exits; without, no socket ever appears (an image where the agent cannot start).
 */
export class FakeAgents {
  /** Options of every fake agent, or undefined: no agent starts. */
  options: FakeAgentServerOptions | undefined;
  /** The running fake agents by container name. */
  readonly running = new Map<string, FakeAgentServer>();

  /** Starts the container's agent when its config mounts the agent's run directory. */
  async start(name: string, config: DockerContainerCreateOptions): Promise<void> {
    const runDir = config.HostConfig?.Mounts?.find((m) => m.Target === AGENT_PATHS.runDir)?.Source;
    if (!this.options || !runDir || this.running.has(name)) return;
    this.running.set(name, await FakeAgentServer.listen(join(runDir, 'agent.sock'), this.options));
  }

  /** Stops the container's agent (its process ended). */
  stop(name: string): void {
    const agent = this.running.get(name);
    this.running.delete(name);
    void agent?.close();
  }
}
