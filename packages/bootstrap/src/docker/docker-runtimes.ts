import { bounded } from '../bounded.js';
import { BootstrapError } from '../errors.js';
import type { DockerApi, DockerEngineInfo } from './docker-api.js';
import { engineMessage, wrapDockerError } from './docker-error.js';

// `GET /info` answers in milliseconds; an engine that does not answer in this long is not going to.
const READ_TIMEOUT_MS = 10_000;

/** One container runtime the engine offers (`docker info`'s `Runtimes`). */
export interface DockerRuntime {
  name: string;
  /** The binary the engine runs for it (`runc`, `/usr/bin/runsc`). */
  path: string;
  /** The arguments it is registered with (`['--network=none']` for gVisor where it cannot set up networking). */
  args: string[];
  /** Registered with `--network=none`: its sandboxes have loopback only whatever their network (gVisor here). */
  networkNone: boolean;
}

/** The runtimes an engine offers and the one a container gets when it names none. */
export interface DockerRuntimes {
  /** The engine's `DefaultRuntime` (`runc` unless its daemon config says otherwise). */
  default: string;
  /** Sorted by name. */
  runtimes: DockerRuntime[];
}

/** Reads the runtimes out of `GET /info`. */
export function runtimesFromInfo(info: DockerEngineInfo): DockerRuntimes {
  const runtimes = Object.entries(info.Runtimes ?? {})
    .map(([name, entry]) => {
      const args = [...(entry?.runtimeArgs ?? [])];
      return { name, path: entry?.path ?? name, args, networkNone: args.includes('--network=none') };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  return { default: info.DefaultRuntime ?? 'runc', runtimes };
}

/** `RUNTIME_NOT_FOUND` naming what the engine has: `the Docker engine has no runtime "kata"; it has runc (default), runsc`. */
export function runtimeNotFound(name: string, known: DockerRuntimes, cause?: unknown): BootstrapError {
  const names = known.runtimes.map((r) => (r.name === known.default ? `${r.name} (default)` : r.name));
  return new BootstrapError(
    'RUNTIME_NOT_FOUND',
    `the Docker engine has no runtime ${JSON.stringify(name)}; it has ${names.join(', ') || 'none'} (register one in its daemon.json "runtimes", then reload dockerd)`,
    { phase: 'create', ...(cause === undefined ? {} : { cause }) },
  );
}

/** True when the engine refused a create for a runtime it does not have (`Unknown runtime specified x`). */
export function isUnknownRuntime(error: unknown): boolean {
  return /unknown runtime specified/i.test(engineMessage(error));
}

/**
 * The engine's runtimes, read once and kept: they change only when the engine reloads its config, and then a
 * name the catalog does not know (or a create the engine refuses for its runtime) reads them again.
 */
export class RuntimeCatalog {
  readonly #docker: DockerApi;
  readonly #engineAddress: string;
  #known: Promise<DockerRuntimes> | undefined;

  constructor(docker: DockerApi, engineAddress: string) {
    this.#docker = docker;
    this.#engineAddress = engineAddress;
  }

  /**
   * The engine's runtimes; `fresh` reads them again. One read serves every caller waiting for it, so a caller's
   * `signal` ends its own wait, not the read. Rejects with `ENGINE_UNREACHABLE` or `ENGINE_ERROR`.
   */
  list(options: { signal?: AbortSignal; fresh?: boolean } = {}): Promise<DockerRuntimes> {
    if (options.fresh || !this.#known) {
      const reading = this.#read();
      this.#known = reading;
      // A failed read is not kept: the next call asks the engine again.
      reading.catch(() => {
        if (this.#known === reading) this.#known = undefined;
      });
    }
    return options.signal ? bounded(this.#known, { signal: options.signal }) : this.#known;
  }

  /** The runtime `name` (the engine's default when undefined); throws `RUNTIME_NOT_FOUND` naming what it has. */
  async resolve(name: string | undefined, signal?: AbortSignal): Promise<DockerRuntime> {
    const options = signal ? { signal } : {};
    let known = await this.list(options);
    // The default comes from the same read: reading again would not find it either, only cost a round trip
    // on every provisioning against an engine that does not list it.
    if (name === undefined) {
      const byDefault = known.runtimes.find((r) => r.name === known.default);
      return byDefault ?? { name: known.default, path: known.default, args: [], networkNone: false };
    }
    let found = known.runtimes.find((r) => r.name === name);
    if (!found) {
      known = await this.list({ ...options, fresh: true });
      found = known.runtimes.find((r) => r.name === name);
    }
    if (found) return found;
    throw runtimeNotFound(name, known);
  }

  async #read(): Promise<DockerRuntimes> {
    try {
      // Its own bound: no caller's abort may fail the read the others wait for.
      return runtimesFromInfo(await this.#docker.info({ abortSignal: AbortSignal.timeout(READ_TIMEOUT_MS) }));
    } catch (error) {
      throw wrapDockerError(error, {
        code: 'ENGINE_ERROR',
        doing: 'reading the engine runtimes (GET /info)',
        engineAddress: this.#engineAddress,
      });
    }
  }
}
