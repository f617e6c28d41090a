import { randomUUID } from 'node:crypto';
import { isDeadlineAbort, type Logger, type ProvisionContext } from '@sbx/timing';
import type { SandboxAgent } from '../agent/sandbox-agent.js';
import { callUnlessAborted, settled } from '../bounded.js';
import { BootstrapError } from '../errors.js';
import { withAgent } from './agent/agent-container.js';
import {
  type AgentDeps,
  beginAgentWait,
  connectAgent,
  type PreparedAgent,
  prepareAgent,
  releaseAgentDir,
} from './agent/provision-agent.js';
import type { AgentWait } from './agent/wait-for-agent.js';
import { buildContainerConfig } from './container-config.js';
import type { DockerApi, DockerContainerApi } from './docker-api.js';
import { wrapDockerError } from './docker-error.js';
import { isUnknownRuntime, type RuntimeCatalog, runtimeNotFound } from './docker-runtimes.js';
import { DockerSandbox } from './docker-sandbox.js';
import type { ResolvedDockerSandboxSpec } from './docker-sandbox-spec.js';
import { ensureImage } from './ensure-image.js';
import { removeContainer } from './remove-container.js';
import { waitForReadiness } from './wait-for-readiness.js';

/** What one provisioning needs from its adapter. */
export interface ProvisionDeps {
  docker: DockerApi;
  engineAddress: string;
  owner: string;
  expiresAt: Date;
  logger: Logger;
  /** The engine's runtimes (read once per adapter). */
  runtimes: RuntimeCatalog;
  /** The in-sandbox agent's settings; without them no sandbox gets the agent. */
  agent?: AgentDeps | undefined;
}

// Everything a failure must clean up, filled in as the phases go.
interface Run {
  id: string;
  phase: string;
  creating?: Promise<DockerContainerApi>;
  container?: DockerContainerApi;
  progress: { last?: string };
  /** The agent's directory was made: removed if the provisioning fails. */
  agent?: PreparedAgent | undefined;
  /** The wait for the agent's hello, begun after `start`; aborted when the provisioning fails. */
  agentWait?: Promise<AgentWait>;
  stopAgentWait: AbortController;
}

/**
 * Provisions one container in the phases `image`, `create`, `start`, `ready` and (with the agent) `agent`, each
 * timed by `ctx.phase` and
 * bounded by `ctx.signal`. On any failure the container is removed (timed as `cleanup`) before the error
 * propagates; a deadline becomes `DEADLINE_EXCEEDED` naming the phase it fired in.
 */
export async function provisionDockerSandbox(
  deps: ProvisionDeps,
  spec: ResolvedDockerSandboxSpec,
  ctx: ProvisionContext,
): Promise<DockerSandbox> {
  const { docker, engineAddress } = deps;
  const run: Run = { id: newSandboxId(), phase: 'image', progress: {}, stopAgentWait: new AbortController() };
  const step = <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    run.phase = name;
    // Nothing new starts once the deadline has passed.
    return ctx.phase(name, () => callUnlessAborted(ctx.signal, fn));
  };
  const wrap = (error: unknown, code: 'CREATE_FAILED' | 'START_FAILED', doing: string) =>
    wrapDockerError(error, {
      code,
      notFound: code === 'CREATE_FAILED' ? 'IMAGE_NOT_FOUND' : code,
      doing,
      engineAddress,
      phase: run.phase,
    });

  try {
    ctx.annotate({ network: spec.network });
    const imageSource = await step('image', () =>
      ensureImage(docker, spec.image, spec.pull, ctx.signal, engineAddress),
    );
    let runtime = '';
    const container = await step('create', async () => {
      runtime = (await resolveRuntime(deps.runtimes, spec, ctx)).name;
      let config = buildContainerConfig(spec, {
        sandboxId: run.id,
        owner: deps.owner,
        expiresAtMs: deps.expiresAt.getTime(),
      });
      if (deps.agent && spec.agent !== false) {
        run.agent = await prepareAgent({ ...deps, agent: deps.agent }, spec, run.id, ctx);
        if (run.agent) config = withAgent(config, run.agent, run.agent.command);
      } else if (deps.agent) ctx.annotate({ agent: 'false', agentReason: 'the spec opts out' });
      // Without the signal: cancelling the request would not cancel the create, only lose the container's id.
      run.creating = docker.createContainer(config);
      try {
        return await run.creating;
      } catch (error) {
        if (spec.runtime !== undefined && isUnknownRuntime(error)) {
          // The engine dropped the runtime since the catalog read it (a reload): say what it has now.
          const now = await settled(deps.runtimes.list({ fresh: true }));
          if (now) throw runtimeNotFound(spec.runtime, now, error);
        }
        throw wrap(error, 'CREATE_FAILED', `creating container ${run.id} from ${spec.image}`);
      }
    });
    run.container = container;
    await step('start', async () => {
      try {
        await callUnlessAborted(ctx.signal, () => container.start({ abortSignal: ctx.signal }));
      } catch (error) {
        throw ctx.signal.aborted ? error : wrap(error, 'START_FAILED', `starting container ${run.id}`);
      }
    });
    if (run.agent && deps.agent) {
      const signal = AbortSignal.any([ctx.signal, run.stopAgentWait.signal]);
      run.agentWait = beginAgentWait({ agent: deps.agent }, run.agent, run.id, ctx, signal);
    }
    await step('ready', () =>
      waitForReadiness(spec.ready, {
        container,
        sandboxId: run.id,
        engineAddress,
        signal: ctx.signal,
        progress: run.progress,
      }),
    );
    let agent: SandboxAgent | undefined;
    const waiting = run.agentWait;
    if (waiting) agent = await step('agent', () => connectAgent(deps, waiting, run.id, ctx));
    deps.agent?.inFlight.delete(run.id);
    return new DockerSandbox({
      ...deps,
      agent,
      agentDir: run.agent ? deps.agent?.dir : undefined,
      id: run.id,
      container,
      image: spec.image,
      imageSource,
      runtime,
      network: spec.network,
    });
  } catch (error) {
    run.stopAgentWait.abort();
    const failure = toProvisionError(error, run, ctx);
    if (run.creating) {
      const problem = await ctx.phase('cleanup', () => cleanUp(deps, run));
      if (problem) failure.message += `; ${problem}`;
    }
    if (run.agent) releaseAgentDir(deps.agent, run.id);
    throw failure;
  }
}

// The runtime the container will run on (the engine's default named), recorded on the result; a runtime
// registered with --network=none cannot give a sandbox egress, which is refused rather than silently dropped.
async function resolveRuntime(
  runtimes: RuntimeCatalog,
  spec: ResolvedDockerSandboxSpec,
  ctx: ProvisionContext,
) {
  const runtime = await runtimes.resolve(spec.runtime, ctx.signal);
  ctx.annotate({ runtime: runtime.name });
  if (spec.network === 'egress' && runtime.networkNone) {
    throw new BootstrapError(
      'INVALID_SPEC',
      `runtime ${runtime.name} is registered with --network=none: its sandboxes have loopback only, so network "egress" cannot be given; use network "none" or a runtime with networking`,
      { phase: 'create' },
    );
  }
  return runtime;
}

/** A fresh sandbox id, also used as the container name so a container whose create answer was lost is found. */
function newSandboxId(): string {
  return `sbx-${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

function toProvisionError(error: unknown, run: Run, ctx: ProvisionContext): BootstrapError {
  if (ctx.signal.aborted) {
    const reason: unknown = ctx.signal.reason;
    const deadline = isDeadlineAbort(reason);
    const last = run.phase === 'ready' && run.progress.last ? ` (last check: ${run.progress.last})` : '';
    const message = deadline
      ? `provisioning deadline exceeded during the ${run.phase} phase after ${Math.round(ctx.elapsedMs())} ms${last}`
      : `provisioning aborted during the ${run.phase} phase${last}`;
    return new BootstrapError(deadline ? 'DEADLINE_EXCEEDED' : 'ABORTED', message, {
      cause: error === reason ? reason : error,
      phase: run.phase,
      // A deadline that was too tight may pass on a second try; a caller that gave up will not.
      retryable: deadline,
      // The platform's phases were done: the caller's command never passed its own readiness check in time.
      ...(deadline && run.phase === 'ready' ? { failureCause: 'caller' as const } : {}),
    });
  }
  if (error instanceof BootstrapError) return error;
  return new BootstrapError('ENGINE_ERROR', `provisioning failed during ${run.phase}: ${String(error)}`, {
    cause: error,
    phase: run.phase,
  });
}

// Returns a sentence for the error message when the container could not be removed.
async function cleanUp(deps: ProvisionDeps, run: Run): Promise<string | undefined> {
  // A create still in flight may yet produce a container; wait for it, then remove by name as well in
  // case the engine created it but its answer was lost.
  const container = run.container ?? (await settled(run.creating)) ?? deps.docker.getContainer(run.id);
  try {
    const removed = await removeContainer(container, deps.engineAddress, 'cleanup');
    return removed ? `container ${run.id} removed` : undefined;
  } catch (error) {
    deps.logger.error(`could not remove container ${run.id} after a failed provisioning`, {
      error: String(error),
    });
    return `container ${run.id} could not be removed (${(error as Error).message}); reap() removes it once expired`;
  }
}
