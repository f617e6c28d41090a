import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { callUnlessAborted } from '../../bounded.js';
import { BootstrapError } from '../../errors.js';
import type { FileCallOptions, FileList, FileRead, FileStat, SandboxFiles } from '../../sandbox-adapter.js';
import type { DockerContainerApi } from '../docker-api.js';
import {
  engineMessage,
  isContainerGone,
  isNotFound,
  statusCodeOf,
  wrapDockerError,
} from '../docker-error.js';
import { decodePathStat, sandboxPath } from './sandbox-path.js';
import { firstEntryBody, listChildren, relativeTar } from './tar-streams.js';
import { checkUpload } from './tar-upload.js';
import { buildTar } from './tar-write.js';

/** What `DockerFiles` works on. */
export interface DockerFilesInit {
  sandboxId: string;
  container: DockerContainerApi;
  engineAddress: string;
}

const MAX_LINKS = 8;
const MAX_NEW_DIRS = 32;
const DEFAULT_MAX_ENTRIES = 10_000;
// A listing reads the engine's tar of the whole tree: it stops (truncated) after this many entries or this long.
const MAX_LIST_SCANNED = 50_000;
const MAX_LIST_MS = 1_000;

/**
 * A Docker sandbox's files through the engine's archive API (`PUT`/`GET`/`HEAD /containers/{id}/archive`):
 * every path is resolved inside the container, never on this host. On a read-only rootfs only writable mounts
 * (the sandbox's `/tmp` tmpfs) take writes; elsewhere `READ_ONLY_PATH`.
 */
export class DockerFiles implements SandboxFiles {
  readonly #init: DockerFilesInit;

  constructor(init: DockerFilesInit) {
    this.#init = init;
  }

  async stat(path: string, options: FileCallOptions = {}): Promise<FileStat | undefined> {
    const target = sandboxPath(path);
    const { signal } = options;
    try {
      const info = await callUnlessAborted(signal, () =>
        this.#init.container.infoArchive({ path: target, ...(signal ? { abortSignal: signal } : {}) }),
      );
      (info as { resume?: () => void }).resume?.();
      return decodePathStat(info.headers['x-docker-container-path-stat']);
    } catch (error) {
      if (!isNotFound(error)) throw this.#wrap(error, `reading ${target}`);
      // The engine answers 404 both for a missing path and a missing container.
      await this.#mustBeRunning(signal);
      return undefined;
    }
  }

  async writeFile(
    path: string,
    data: Uint8Array,
    options: FileCallOptions & { mode?: number } = {},
  ): Promise<void> {
    const target = sandboxPath(path);
    this.#fits(data.length, options.maxBytes);
    if (target === '/') throw new BootstrapError('INVALID_SPEC', 'path / is a directory, not a file');
    if ((await this.stat(target, options))?.type === 'directory') {
      throw new BootstrapError(
        'INVALID_SPEC',
        `${target} is a directory: send a tar archive to unpack into it`,
      );
    }
    const { base, missing } = await this.#nearestDir(posix.dirname(target), options.signal);
    const mode = options.mode ?? 0o644;
    const tar = buildTar(missing, { name: posix.basename(target), data, mode });
    await this.#put(base, tar, options.signal, target);
  }

  async readFile(path: string, options: FileCallOptions = {}): Promise<FileRead> {
    let target = sandboxPath(path);
    let stat = await this.stat(target, options);
    for (let hops = 0; stat?.type === 'symlink' && stat.linkTarget && hops < MAX_LINKS; hops++) {
      target = sandboxPath(posix.resolve(posix.dirname(target), stat.linkTarget));
      stat = await this.stat(target, options);
    }
    if (!stat)
      throw new BootstrapError('FILE_NOT_FOUND', `no file ${path} in sandbox ${this.#init.sandboxId}`);
    if (stat.type !== 'file')
      throw new BootstrapError('INVALID_SPEC', `${path} is a ${stat.type}, not a file`);
    this.#fits(stat.size, options.maxBytes);
    return { stat, body: firstEntryBody(await this.#get(target, options.signal)) };
  }

  async writeTar(
    path: string,
    tar: Uint8Array,
    options: FileCallOptions & { maxEntries?: number } = {},
  ): Promise<void> {
    const target = sandboxPath(path);
    this.#fits(tar.length, options.maxBytes);
    const { parents } = await checkUpload(tar, options.maxEntries);
    const stat = await this.stat(target, options);
    if (stat && stat.type !== 'directory')
      throw new BootstrapError('INVALID_SPEC', `${target} is not a directory`);
    if (!stat) {
      const { base, missing } = await this.#nearestDir(target, options.signal);
      await this.#put(base, buildTar(missing), options.signal, target);
    }
    // The parents first: the engine then refuses one the sandbox made a symlink rather than follow it.
    const body = Readable.from([parents, tar], { objectMode: false });
    await this.#put(target, body, options.signal, target);
  }

  async readTar(path: string, options: FileCallOptions = {}): Promise<AsyncIterable<Uint8Array>> {
    const target = sandboxPath(path);
    const stat = await this.stat(target, options);
    if (!stat)
      throw new BootstrapError('FILE_NOT_FOUND', `nothing at ${target} in sandbox ${this.#init.sandboxId}`);
    const max = options.maxBytes ?? Number.POSITIVE_INFINITY;
    if (stat.type !== 'directory') this.#fits(stat.size, options.maxBytes);
    const stream = await this.#get(target, options.signal);
    // A file's archive is the file under its own name; a directory's is re-rooted at the directory.
    return stat.type === 'directory' ? relativeTar(stream, max) : (stream as AsyncIterable<Uint8Array>);
  }

  async list(path: string, options: FileCallOptions & { maxEntries?: number } = {}): Promise<FileList> {
    const target = sandboxPath(path);
    const stat = await this.stat(target, options);
    if (!stat)
      throw new BootstrapError('FILE_NOT_FOUND', `no directory ${target} in sandbox ${this.#init.sandboxId}`);
    if (stat.type !== 'directory') throw new BootstrapError('INVALID_SPEC', `${target} is not a directory`);
    const stream = await this.#get(target, options.signal);
    return listChildren(stream, {
      maxEntries: options.maxEntries ?? DEFAULT_MAX_ENTRIES,
      maxBytes: options.maxBytes ?? Number.POSITIVE_INFINITY,
      maxScanned: MAX_LIST_SCANNED,
      maxMs: MAX_LIST_MS,
    });
  }

  // The deepest existing directory above `dir` (or `dir` itself), and the directories to create below it.
  async #nearestDir(
    dir: string,
    signal: AbortSignal | undefined,
  ): Promise<{ base: string; missing: string[] }> {
    const missing: string[] = [];
    for (let current = dir; ; current = posix.dirname(current)) {
      const stat = await this.stat(current, signal ? { signal } : {});
      if (stat?.type === 'directory' || stat?.type === 'symlink') return { base: current, missing };
      if (stat) throw new BootstrapError('INVALID_SPEC', `${current} is not a directory`);
      if (current === '/' || missing.length === MAX_NEW_DIRS) {
        throw new BootstrapError(
          'INVALID_SPEC',
          `${dir}: at most ${MAX_NEW_DIRS} directories are created at once`,
        );
      }
      missing.unshift(posix.basename(current));
    }
  }

  async #put(
    dir: string,
    tar: Buffer | NodeJS.ReadableStream,
    signal: AbortSignal | undefined,
    what: string,
  ): Promise<void> {
    try {
      await callUnlessAborted(signal, () =>
        this.#init.container.putArchive(tar, {
          path: dir,
          noOverwriteDirNonDir: true,
          copyUIDGID: true,
          ...(signal ? { abortSignal: signal } : {}),
        }),
      );
    } catch (error) {
      throw this.#wrap(error, `writing ${what}`);
    }
  }

  async #get(path: string, signal: AbortSignal | undefined): Promise<NodeJS.ReadableStream> {
    try {
      return await callUnlessAborted(signal, () =>
        this.#init.container.getArchive({ path, ...(signal ? { abortSignal: signal } : {}) }),
      );
    } catch (error) {
      if (isNotFound(error) && !isContainerGone(error)) await this.#mustBeRunning(signal);
      throw this.#wrap(error, `reading ${path}`);
    }
  }

  async #mustBeRunning(signal: AbortSignal | undefined): Promise<void> {
    let running = false;
    try {
      running = (await this.#init.container.inspect(signal ? { abortSignal: signal } : {})).State.Running;
    } catch (error) {
      if (!isNotFound(error)) throw this.#wrap(error, 'inspecting the container');
    }
    if (!running) throw this.#gone();
  }

  #fits(size: number, maxBytes: number | undefined): void {
    if (maxBytes !== undefined && size > maxBytes) {
      throw new BootstrapError('FILE_TOO_LARGE', `${size} bytes is over the limit of ${maxBytes} bytes`);
    }
  }

  #gone(cause?: unknown): BootstrapError {
    const { sandboxId } = this.#init;
    return new BootstrapError('SANDBOX_GONE', `sandbox ${sandboxId} is gone - provision a new sandbox`, {
      phase: 'files',
      ...(cause === undefined ? {} : { cause }),
    });
  }

  #wrap(error: unknown, doing: string): BootstrapError {
    if (error instanceof BootstrapError) return error;
    const message = engineMessage(error);
    const nonDir = /cannot overwrite (non-directory|directory) "([^"]*)"/.exec(message);
    if (nonDir) {
      const what = nonDir[1] === 'directory' ? 'a directory' : 'not a directory (a file or a symlink)';
      return new BootstrapError(
        'INVALID_SPEC',
        `${doing}: ${nonDir[2]} is ${what} in the sandbox - an upload never passes through a symlink or replaces a directory; remove it or upload elsewhere`,
        { cause: error, phase: 'files' },
      );
    }
    if (/read-only/i.test(message)) {
      return new BootstrapError(
        'READ_ONLY_PATH',
        `${doing}: ${message} - write under a writable mount such as /tmp`,
        {
          cause: error,
          phase: 'files',
        },
      );
    }
    if (isContainerGone(error)) return this.#gone(error);
    if (isNotFound(error))
      return new BootstrapError('FILE_NOT_FOUND', `${doing}: not found`, { cause: error });
    const status = statusCodeOf(error);
    return wrapDockerError(error, {
      code: status === 400 ? 'INVALID_SPEC' : 'FILE_FAILED',
      doing: `${doing} in sandbox ${this.#init.sandboxId}`,
      engineAddress: this.#init.engineAddress,
      phase: 'files',
    });
  }
}
