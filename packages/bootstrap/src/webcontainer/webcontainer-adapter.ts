import type { ProvisionContext } from '@sbx/timing/browser';
import { BootstrapError } from '../errors.js';
import type { SandboxAdapter } from '../sandbox-adapter.js';
import { abortedDuring, bounded } from './bounded.js';
import { OutputCollector } from './output-collector.js';
import { reserveWebContainer } from './page-guard.js';
import {
  assertCrossOriginIsolated,
  assertValidSpec,
  type WebContainerGlobals,
  type WebContainerSpec,
} from './preflight.js';
import { waitForServer } from './wait-for-server.js';
import type { WebContainerApi, WebContainerInstance, WebContainerProcess } from './webcontainer-api.js';
import { messageOf, WebContainerHandle, type WebContainerServer } from './webcontainer-handle.js';

/** Default bound of `boot()`, inside the 10 s WebContainer SLA. */
export const DEFAULT_BOOT_TIMEOUT_MS = 8_000;
/** Default bound of the `ready` phase (the provisioning deadline also applies). */
export const DEFAULT_READY_TIMEOUT_MS = 8_000;

/** Options of a `WebContainerAdapter`. */
export interface WebContainerAdapterOptions {
  /** The `@webcontainer/api` module (`import * as api from '@webcontainer/api'`) or a fake. */
  module: WebContainerApi;
  /** `boot()` never rejects when the runtime cannot load: give up after min(this, the deadline left). */
  bootTimeoutMs?: number;
  readyTimeoutMs?: number;
  /** Where `crossOriginIsolated` and `SharedArrayBuffer` are read; `globalThis` by default. */
  globals?: WebContainerGlobals;
}

let nextId = 1;

/**
 * Provisions a WebContainer in the page, phase by phase: preflight, boot, mount, install, start, ready.
 *
 * @example
 * import * as api from '@webcontainer/api';
 * const adapter = new WebContainerAdapter({ module: api });
 * const result = await new SandboxProvisioner({ recorder }).provision({
 *   type: 'webcontainer',
 *   deadlineMs: 10_000,
 *   bootstrapFn: (ctx) => adapter.provision({ files, install: ['npm', 'install'], start: ['npm', 'start'] }, ctx),
 * });
 * await result.value?.dispose();
 */
export class WebContainerAdapter implements SandboxAdapter<WebContainerSpec, WebContainerHandle> {
  readonly type = 'webcontainer' as const;
  readonly #module: WebContainerApi;
  readonly #bootTimeoutMs: number;
  readonly #readyTimeoutMs: number;
  readonly #globals: WebContainerGlobals;

  constructor(options: WebContainerAdapterOptions) {
    if (typeof options?.module?.WebContainer?.boot !== 'function') {
      throw new BootstrapError(
        'INVALID_SPEC',
        'module must be @webcontainer/api (a WebContainer with boot())',
      );
    }
    this.#module = options.module;
    this.#bootTimeoutMs = options.bootTimeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS;
    this.#readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    this.#globals = options.globals ?? (globalThis as WebContainerGlobals);
  }

  /** Boots and prepares a WebContainer within `ctx`'s deadline; anything booted is torn down on failure. */
  async provision(spec: WebContainerSpec, ctx: ProvisionContext): Promise<WebContainerHandle> {
    const release = await ctx.phase('preflight', () => {
      if (ctx.signal.aborted) throw abortedDuring('preflight', ctx.signal.reason);
      assertValidSpec(spec);
      assertCrossOriginIsolated(this.#globals);
      return reserveWebContainer(this.#module.WebContainer);
    });
    let container: WebContainerInstance;
    try {
      container = await ctx.phase('boot', () => this.#boot(spec, ctx));
    } catch (error) {
      release();
      throw error;
    }
    try {
      const server = await this.#prepare(container, spec, ctx);
      return new WebContainerHandle({
        id: newId(),
        container,
        ...(server ? { server } : {}),
        onDispose: release,
      });
    } catch (error) {
      teardownQuietly(container);
      release();
      throw error;
    }
  }

  async #boot(spec: WebContainerSpec, ctx: ProvisionContext): Promise<WebContainerInstance> {
    const ms = Math.min(this.#bootTimeoutMs, ctx.remainingMs());
    const unreachable = (cause?: unknown) =>
      new BootstrapError(
        'RUNTIME_UNREACHABLE',
        `the WebContainer runtime could not be loaded: boot() did not settle within ${Math.round(ms)} ms ` +
          '(it loads StackBlitz-hosted code, which needs internet access)',
        { phase: 'boot', retryable: true, cause },
      );
    const booting = this.#module.WebContainer.boot({
      coep: spec.coep ?? 'require-corp',
      ...(spec.workdirName === undefined ? {} : { workdirName: spec.workdirName }),
    });
    try {
      return await bounded(booting.catch(wrapBootFailure), {
        ms,
        onTimeout: () => unreachable(),
        signal: ctx.signal,
        onAbort: (reason) =>
          (reason as { name?: unknown })?.name === 'TimeoutError'
            ? unreachable(reason)
            : abortedDuring('boot', reason),
      });
    } catch (error) {
      // A boot that settles after we gave up would hold the page's one WebContainer: tear it down then.
      booting.then(teardownQuietly, () => {});
      throw error;
    }
  }

  async #prepare(
    container: WebContainerInstance,
    spec: WebContainerSpec,
    ctx: ProvisionContext,
  ): Promise<WebContainerServer | undefined> {
    const { files, install, start } = spec;
    if (files !== undefined) {
      await ctx.phase('mount', () =>
        bounded(
          container
            .mount(files, spec.mountPoint === undefined ? undefined : { mountPoint: spec.mountPoint })
            .catch((error: unknown) => {
              throw new BootstrapError('MOUNT_FAILED', `mounting the files failed: ${messageOf(error)}`, {
                cause: error,
                phase: 'mount',
              });
            }),
          boundBy(ctx, 'mount'),
        ),
      );
    }
    if (install !== undefined) await ctx.phase('install', () => this.#install(container, install, spec, ctx));
    if (start === undefined) return undefined;
    const started = await ctx.phase('start', () => spawnIn(container, start, spec, 'START_FAILED', ctx));
    const output = new OutputCollector(started.output, 64_000);
    return ctx.phase('ready', () =>
      waitForServer(container, {
        ...(spec.ready?.port === undefined ? {} : { port: spec.ready.port }),
        timeoutMs: this.#readyTimeoutMs,
        signal: ctx.signal,
        process: started,
        output,
      }),
    );
  }

  async #install(
    container: WebContainerInstance,
    command: readonly string[],
    spec: WebContainerSpec,
    ctx: ProvisionContext,
  ): Promise<void> {
    const process = await spawnIn(container, command, spec, 'INSTALL_FAILED', ctx);
    const output = new OutputCollector(process.output, 64_000);
    let code: number;
    try {
      code = await bounded(process.exit, boundBy(ctx, 'install'));
    } catch (error) {
      process.kill();
      throw error;
    }
    await output.done;
    if (code !== 0) {
      const tail = output.tail();
      throw new BootstrapError(
        'INSTALL_FAILED',
        `${command.join(' ')} exited with code ${code}${tail ? `: ${tail}` : ''}`,
        { phase: 'install' },
      );
    }
  }
}

function spawnIn(
  container: WebContainerInstance,
  [command = '', ...args]: readonly string[],
  spec: WebContainerSpec,
  code: 'INSTALL_FAILED' | 'START_FAILED',
  ctx: ProvisionContext,
): Promise<WebContainerProcess> {
  const phase = code === 'INSTALL_FAILED' ? 'install' : 'start';
  const spawning = container.spawn(command, args, spec.env === undefined ? {} : { env: spec.env });
  return bounded(
    spawning.catch((error: unknown) => {
      throw new BootstrapError(code, `could not spawn ${command}: ${messageOf(error)}`, {
        cause: error,
        phase,
      });
    }),
    boundBy(ctx, phase),
  );
}

function boundBy(ctx: ProvisionContext, phase: string) {
  return {
    ms: Number.POSITIVE_INFINITY,
    onTimeout: () => abortedDuring(phase, undefined),
    signal: ctx.signal,
    onAbort: (reason: unknown) => abortedDuring(phase, reason),
  };
}

function wrapBootFailure(error: unknown): never {
  const message = messageOf(error);
  const code = /single WebContainer/i.test(message) ? 'ALREADY_BOOTED' : 'RUNTIME_UNREACHABLE';
  throw new BootstrapError(code, `WebContainer.boot() failed: ${message}`, { cause: error, phase: 'boot' });
}

function teardownQuietly(container: WebContainerInstance): void {
  try {
    container.teardown();
  } catch {
    // Already torn down: nothing is left to free.
  }
}

function newId(): string {
  const uuid = globalThis.crypto?.randomUUID?.();
  return `webcontainer-${uuid ?? nextId++}`;
}
