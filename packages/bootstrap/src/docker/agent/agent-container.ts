import type { DockerContainerCreateOptions, DockerImageConfig } from '../docker-api.js';
import { AGENT_PATHS } from './agent-channel.js';

/** What the container needs to run the agent: the binary on the host and the sandbox's own directory. */
export interface AgentInjection {
  binary: string;
  sandboxDir: string;
}

/**
 * The sandbox's command as the engine would run it (the image's entrypoint, then the spec's or the image's
 * command), or undefined when there is none (the engine would refuse the create: then the agent stays out).
 */
export function originalCommand(
  image: DockerImageConfig | undefined,
  specCmd?: string[],
): string[] | undefined {
  const entry = image?.Entrypoint;
  const entrypoint = typeof entry === 'string' ? ['/bin/sh', '-c', entry] : (entry ?? []);
  const cmd = specCmd ?? (typeof image?.Cmd === 'string' ? ['/bin/sh', '-c', image.Cmd] : (image?.Cmd ?? []));
  const all = [...entrypoint, ...cmd];
  return all.length > 0 ? all : undefined;
}

/**
 * Adds the agent to a container's create options: the binary bind-mounted read-only at `/.sbx/sbx-agent`, the
 * sandbox's directory at `/.sbx/run`, and the entrypoint `sbx-agent init --socket ... -- <command>`. The
 * engine's init stays PID 1 (it reaps and forwards signals to the agent, which forwards them to the command).
 * SETUID and SETGID come back so root in the sandbox can run a command as another user.
 */
export function withAgent(
  config: DockerContainerCreateOptions,
  injection: AgentInjection,
  command: string[],
): DockerContainerCreateOptions {
  const host = config.HostConfig ?? {};
  return {
    ...config,
    Entrypoint: [AGENT_PATHS.binary, 'init', '--socket', AGENT_PATHS.socket, '--'],
    Cmd: command,
    HostConfig: {
      ...host,
      // Root in the sandbox may become another user for a command (`run {user}`); nothing else is given back. A
      // non-root sandbox user never holds them (no file capabilities, no-new-privileges).
      CapAdd: ['SETUID', 'SETGID'],
      Mounts: [
        ...(host.Mounts ?? []),
        { Type: 'bind', Source: injection.binary, Target: AGENT_PATHS.binary, ReadOnly: true },
        { Type: 'bind', Source: injection.sandboxDir, Target: AGENT_PATHS.runDir, ReadOnly: false },
      ],
    },
  };
}
