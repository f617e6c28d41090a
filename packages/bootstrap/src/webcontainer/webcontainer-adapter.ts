import type { ProvisionContext } from '@sbx/timing/browser';
import { abortedDuring } from '../bounded.js';
import { BootstrapError } from '../errors.js';
import type { SandboxAdapter } from '../sandbox-adapter.js';
import { OutputCollector } from './output-collector.js';
import { reserveWebContainer } from './page-guard.js';
import {
  assertCrossOriginIsolated,
  assertValidSpec,
  type WebContainerGlobals,
  type WebContainerSpec,
} from './preflight.js';
import { waitForServer } from './wait-for-server.js';
import type { WebContainerApi, WebContainerInstance } from './webcontainer-api.js';
import { WebContainerHandle, type WebContainerServer } from './webcontainer-handle.js';
import { bootWithin, mountFiles, runInstall, spawnIn, teardownQuietly } from './webcontainer-steps.js';

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
 * await result.value.dispose();
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
      container = await ctx.phase('boot', () => bootWithin(this.#module, spec, ctx, this.#bootTimeoutMs));
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

  async #prepare(
    container: WebContainerInstance,
    spec: WebContainerSpec,
    ctx: ProvisionContext,
  ): Promise<WebContainerServer | undefined> {
    const { install, start } = spec;
    if (spec.files !== undefined) await ctx.phase('mount', () => mountFiles(container, spec, ctx));
    if (install !== undefined) await ctx.phase('install', () => runInstall(container, install, spec, ctx));
    if (start === undefined) return undefined;
    const started = await ctx.phase('start', () => spawnIn(container, start, spec, 'start', ctx));
    const output = new OutputCollector(started.output, 64_000);
    return ctx.phase('ready', () =>
      waitForServer(container, {
        ...(spec.ready?.port === undefined ? {} : { port: spec.ready.port }),
        timeoutMs: this.#readyTimeoutMs,
        signal: ctx.signal,
        started,
        output,
      }),
    );
  }
}

function newId(): string {
  const uuid = globalThis.crypto?.randomUUID?.();
  return `webcontainer-${uuid ?? nextId++}`;
}
