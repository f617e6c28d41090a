import type { AgentHost } from '../compose/agent-host.js';
import type { HostFlags } from '../compose/config.js';
import type { CliIo } from './cli-io.js';

/** What a command (`sbx provision TYPE`, `sbx serve`, `sbx report`...) gets from the CLI. */
export interface ProvisionCommandContext {
  io: CliIo;
  /**
   * Opens the host, runs `fn` with an abort signal the first Ctrl-C/SIGTERM/SIGHUP fires, then closes the
   * host; `flags` add command flags (a server's policy) to the global ones.
   */
  withHost<T>(
    fn: (agent: AgentHost, signal: AbortSignal) => Promise<T>,
    flags?: Partial<HostFlags>,
  ): Promise<T>;
}
