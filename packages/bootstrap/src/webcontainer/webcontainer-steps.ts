import { isDeadlineAbort, type ProvisionContext } from '@sbx/timing/browser';
import { abortedDuring, bounded } from '../bounded.js';
import { BootstrapError } from '../errors.js';
import { OutputCollector } from './output-collector.js';
import type { WebContainerSpec } from './preflight.js';
import type { WebContainerApi, WebContainerInstance, WebContainerProcess } from './webcontainer-api.js';
import { messageOf } from './webcontainer-handle.js';

// The steps of one provisioning, each bounded by the provisioning's signal and wrapped in a BootstrapError.

/** Boots within min(`timeoutMs`, the deadline left); a boot that never settles is `RUNTIME_UNREACHABLE`. */
export function bootWithin(
  module: WebContainerApi,
  spec: WebContainerSpec,
  ctx: ProvisionContext,
  timeoutMs: number,
): Promise<WebContainerInstance> {
  const ms = Math.min(timeoutMs, ctx.remainingMs());
  const unreachable = (cause?: unknown) =>
    new BootstrapError(
      'RUNTIME_UNREACHABLE',
      `the WebContainer runtime could not be loaded: boot() did not settle within ${Math.round(ms)} ms ` +
        '(it loads StackBlitz-hosted code, which needs internet access)',
      { phase: 'boot', retryable: true, cause },
    );
  const booting = module.WebContainer.boot({
    coep: spec.coep ?? 'require-corp',
    ...(spec.workdirName === undefined ? {} : { workdirName: spec.workdirName }),
  });
  return bounded(booting.catch(wrapBootFailure), {
    ms,
    onTimeout: () => unreachable(),
    signal: ctx.signal,
    // The deadline ending a boot that has not settled means the same thing as the boot timeout.
    onAbort: (reason) => (isDeadlineAbort(reason) ? unreachable(reason) : abortedDuring('boot', reason)),
    // A boot that settles after we gave up would hold the page's one WebContainer: tear it down then.
    late: teardownQuietly,
  });
}

/** Mounts `files`; a rejection is `MOUNT_FAILED`. */
export function mountFiles(container: WebContainerInstance, spec: WebContainerSpec, ctx: ProvisionContext) {
  const mounting = container
    .mount(spec.files ?? {}, spec.mountPoint === undefined ? undefined : { mountPoint: spec.mountPoint })
    .catch((error: unknown) => {
      throw new BootstrapError('MOUNT_FAILED', `mounting the files failed: ${messageOf(error)}`, {
        cause: error,
        phase: 'mount',
      });
    });
  return bounded(mounting, boundBy(ctx, 'mount'));
}

/** Runs the install command to completion; a non-zero exit is `INSTALL_FAILED` with the output's tail. */
export async function runInstall(
  container: WebContainerInstance,
  command: readonly string[],
  spec: WebContainerSpec,
  ctx: ProvisionContext,
): Promise<void> {
  const proc = await spawnIn(container, command, spec, 'install', ctx);
  const output = new OutputCollector(proc.output, 64_000);
  let code: number;
  try {
    code = await bounded(proc.exit, boundBy(ctx, 'install'));
  } catch (error) {
    proc.kill();
    throw error;
  }
  await output.done;
  if (code !== 0) {
    const tail = output.tail();
    throw new BootstrapError(
      'INSTALL_FAILED',
      `${command.join(' ')} exited with code ${code}${tail ? `: ${tail}` : ''}`,
      {
        phase: 'install',
      },
    );
  }
}

/** Spawns the install or start command; a spawn that rejects is `INSTALL_FAILED` or `START_FAILED`. */
export function spawnIn(
  container: WebContainerInstance,
  [command = '', ...args]: readonly string[],
  spec: WebContainerSpec,
  phase: 'install' | 'start',
  ctx: ProvisionContext,
): Promise<WebContainerProcess> {
  const code = phase === 'install' ? 'INSTALL_FAILED' : 'START_FAILED';
  const spawning = container.spawn(command, args, spec.env === undefined ? {} : { env: spec.env });
  return bounded(
    spawning.catch((error: unknown) => {
      throw new BootstrapError(code, `could not spawn ${command}: ${messageOf(error)}`, {
        cause: error,
        phase,
      });
    }),
    // A process that spawns after the deadline would run on unobserved: kill it.
    { ...boundBy(ctx, phase), late: (proc) => proc.kill() },
  );
}

/** Tears a container down, ignoring one that already is. */
export function teardownQuietly(container: WebContainerInstance): void {
  try {
    container.teardown();
  } catch {
    // Already torn down: nothing is left to free.
  }
}

function boundBy(ctx: ProvisionContext, phase: string) {
  return {
    signal: ctx.signal,
    onAbort: (reason: unknown) => abortedDuring(phase, reason),
  };
}

function wrapBootFailure(error: unknown): never {
  const message = messageOf(error);
  const code = /single WebContainer/i.test(message) ? 'ALREADY_BOOTED' : 'RUNTIME_UNREACHABLE';
  throw new BootstrapError(code, `WebContainer.boot() failed: ${message}`, { cause: error, phase: 'boot' });
}
