import type { Logger, ProvisionContext } from '@sbx/timing';
import { executableAgentBinary } from '../../agent/agent-binary.js';
import type { SandboxAgent } from '../../agent/sandbox-agent.js';
import { callUnlessAborted } from '../../bounded.js';
import { BootstrapError } from '../../errors.js';
import type { DockerApi } from '../docker-api.js';
import { wrapDockerError } from '../docker-error.js';
import type { ResolvedDockerSandboxSpec } from '../docker-sandbox-spec.js';
import { agentSocketPath, makeSandboxDir, removeSandboxDir } from './agent-channel.js';
import { type AgentInjection, originalCommand } from './agent-container.js';
import { type AgentWait, waitForAgent } from './wait-for-agent.js';

/** The adapter's agent settings: where sandbox dirs go, the binary, how long to wait for `hello`. */
export interface AgentDeps {
  /** The agents dir on the host (`<stateDir>/agents`), 0700. */
  dir: string;
  binary: string;
  timeoutMs: number;
  /** Sandboxes being provisioned now: the sweep leaves their dirs alone. */
  inFlight: Set<string>;
  /** `binary`, or its 0755 copy when it lost its x bit (set at the first provisioning). */
  executable?: string | undefined;
}

/** What `prepareAgent` set up for one sandbox. */
export interface PreparedAgent extends AgentInjection {
  command: string[];
}

// Stops waiting for the agent this long before the provisioning deadline, so a slow agent falls back instead of
// failing the sandbox.
const DEADLINE_MARGIN_MS = 50;

/**
 * Reads the image's entrypoint and command (the wrapped command) and makes the sandbox's directory; undefined
 * (no agent, annotated) when the image has no command to wrap.
 */
export async function prepareAgent(
  deps: { docker: DockerApi; engineAddress: string; agent: AgentDeps },
  spec: ResolvedDockerSandboxSpec,
  sandboxId: string,
  ctx: ProvisionContext,
): Promise<PreparedAgent | undefined> {
  let image: Awaited<ReturnType<ReturnType<DockerApi['getImage']>['inspect']>>;
  try {
    image = await callUnlessAborted(ctx.signal, () => deps.docker.getImage(spec.image).inspect());
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw wrapDockerError(error, {
      code: 'CREATE_FAILED',
      notFound: 'IMAGE_NOT_FOUND',
      doing: `inspecting image ${spec.image}`,
      engineAddress: deps.engineAddress,
      phase: 'create',
    });
  }
  const command = originalCommand(image.Config, spec.cmd);
  if (!command) {
    ctx.annotate({ agent: 'false', agentReason: 'the image has no command to wrap' });
    return undefined;
  }
  deps.agent.inFlight.add(sandboxId);
  try {
    const sandboxDir = makeSandboxDir(deps.agent.dir, sandboxId, spec.user ?? image.Config?.User);
    deps.agent.executable ??= executableAgentBinary(deps.agent.binary, deps.agent.dir);
    return { binary: deps.agent.executable, sandboxDir, command };
  } catch (error) {
    deps.agent.inFlight.delete(sandboxId);
    throw new BootstrapError(
      'CREATE_FAILED',
      `cannot make the agent's directory under ${deps.agent.dir} (${(error as Error).message}) - check that sbx may write there`,
      { cause: error, phase: 'create' },
    );
  }
}

/**
 * Starts waiting for the agent's `hello` (right after the container started, so the wait overlaps the `ready`
 * phase), at most `timeoutMs` and never past the deadline; `signal` stops it (a failed provisioning).
 */
export function beginAgentWait(
  deps: { agent: AgentDeps },
  prepared: PreparedAgent,
  sandboxId: string,
  ctx: ProvisionContext,
  signal: AbortSignal,
): Promise<AgentWait> {
  const timeoutMs = Math.min(deps.agent.timeoutMs, ctx.remainingMs() - DEADLINE_MARGIN_MS);
  if (!(timeoutMs > 0)) return Promise.resolve({ reason: 'no time left before the deadline' });
  const socketPath = agentSocketPath(prepared.sandboxDir);
  const waiting = waitForAgent({ socketPath, sandboxId, timeoutMs, signal });
  waiting.catch(() => {});
  return waiting;
}

/**
 * The end of the `agent` phase: the agent that answered, or none: logged and annotated, and the sandbox runs
 * commands through Docker exec.
 */
export async function connectAgent(
  deps: { logger: Logger },
  waiting: Promise<AgentWait>,
  sandboxId: string,
  ctx: ProvisionContext,
): Promise<SandboxAgent | undefined> {
  const wait = await waiting;
  if (wait.agent) {
    ctx.annotate({ agent: 'true' });
    return wait.agent;
  }
  ctx.annotate({ agent: 'false', agentReason: wait.reason.slice(0, 200) });
  deps.logger.warn(`sandbox ${sandboxId} runs without its agent (commands go through Docker exec)`, {
    reason: wait.reason,
  });
  return undefined;
}

/** Removes the sandbox's agent directory and forgets it as in flight. */
export function releaseAgentDir(agent: AgentDeps | undefined, sandboxId: string): void {
  if (!agent) return;
  agent.inFlight.delete(sandboxId);
  removeSandboxDir(agent.dir, sandboxId);
}
