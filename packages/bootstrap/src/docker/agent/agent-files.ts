import { posix } from 'node:path';
import type { AgentFileStat } from '../../agent/agent-types.js';
import type { SandboxAgent } from '../../agent/sandbox-agent.js';
import { BootstrapError, isBootstrapError } from '../../errors.js';
import type { FileCallOptions, FileList, FileRead, FileStat, SandboxFiles } from '../../sandbox-adapter.js';
import { sandboxPath } from '../files/sandbox-path.js';

/**
 * A sandbox's files through its agent (stat, list, read, write: streamed, as the sandbox's user); tar archives
 * still go through the engine's archive API (`tars`). Same results and error codes as `DockerFiles`.
 */
export class AgentSandboxFiles implements SandboxFiles {
  readonly #agent: SandboxAgent;
  readonly #tars: SandboxFiles;
  readonly #sandboxId: string;

  constructor(init: { agent: SandboxAgent; tars: SandboxFiles; sandboxId: string }) {
    this.#agent = init.agent;
    this.#tars = init.tars;
    this.#sandboxId = init.sandboxId;
  }

  async stat(path: string, options: FileCallOptions = {}): Promise<FileStat | undefined> {
    try {
      return toStat(await this.#agent.stat(sandboxPath(path), signal(options)));
    } catch (error) {
      if (isBootstrapError(error, 'FILE_NOT_FOUND')) return undefined;
      throw mapped(error, path);
    }
  }

  async writeFile(path: string, data: Uint8Array, options: FileCallOptions & { mode?: number } = {}) {
    const target = sandboxPath(path);
    fits(data.byteLength, options.maxBytes);
    if (target === '/') throw new BootstrapError('INVALID_SPEC', 'path / is a directory, not a file');
    try {
      await this.#agent.writeFile(target, data, { ...signal(options), mode: options.mode ?? 0o644 });
    } catch (error) {
      throw mapped(error, target);
    }
  }

  async readFile(path: string, options: FileCallOptions = {}): Promise<FileRead> {
    const target = sandboxPath(path);
    const stat = await this.stat(target, options);
    if (!stat) throw new BootstrapError('FILE_NOT_FOUND', `no file ${path} in sandbox ${this.#sandboxId}`);
    if (stat.type === 'directory' || stat.type === 'other') {
      throw new BootstrapError('INVALID_SPEC', `${path} is a ${stat.type}, not a file`);
    }
    if (stat.type === 'file') fits(stat.size, options.maxBytes);
    try {
      const read = await this.#agent.readFile(target, {
        ...signal(options),
        ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
      });
      // A link is followed: the stat is the target's size and mode under the link's name.
      const followed: FileStat =
        stat.type === 'symlink'
          ? { name: stat.name, type: 'file', size: read.size, mode: read.mode, mtimeMs: stat.mtimeMs }
          : stat;
      return { stat: followed, body: read.body };
    } catch (error) {
      throw mapped(error, target);
    }
  }

  writeTar(
    path: string,
    tar: Uint8Array,
    options?: FileCallOptions & { maxEntries?: number },
  ): Promise<void> {
    return this.#tars.writeTar(path, tar, options);
  }

  readTar(path: string, options?: FileCallOptions): Promise<AsyncIterable<Uint8Array>> {
    return this.#tars.readTar(path, options);
  }

  async list(path: string, options: FileCallOptions & { maxEntries?: number } = {}): Promise<FileList> {
    const target = sandboxPath(path);
    try {
      const { entries, truncated } = await this.#agent.list(target, {
        ...signal(options),
        maxEntries: Math.min(options.maxEntries ?? 10_000, 10_000),
      });
      return { entries: entries.map(toStat), truncated };
    } catch (error) {
      if (isBootstrapError(error, 'FILE_NOT_FOUND')) {
        throw new BootstrapError('FILE_NOT_FOUND', `no directory ${path} in sandbox ${this.#sandboxId}`);
      }
      throw mapped(error, target);
    }
  }
}

function toStat(stat: AgentFileStat): FileStat {
  const { path: _path, ...rest } = stat;
  return { ...rest, name: rest.name || posix.basename(stat.path) };
}

function signal(options: FileCallOptions): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}

function fits(size: number, maxBytes: number | undefined): void {
  if (maxBytes !== undefined && size > maxBytes) {
    throw new BootstrapError('FILE_TOO_LARGE', `${size} bytes is over the limit of ${maxBytes} bytes`);
  }
}

// The agent's refusals as `DockerFiles` names them: a directory in the way is the caller's `INVALID_SPEC`, a
// read-only place `READ_ONLY_PATH`.
function mapped(error: unknown, path: string): unknown {
  if (!isBootstrapError(error, 'AGENT_REFUSED')) return error;
  if (error.agentCode === 'READ_ONLY' || /read-only/i.test(error.message)) {
    return new BootstrapError(
      'READ_ONLY_PATH',
      `${error.message} - write under a writable mount such as /tmp`,
      {
        cause: error,
        phase: 'files',
      },
    );
  }
  if (['IS_A_DIRECTORY', 'NOT_A_DIRECTORY', 'BAD_REQUEST', 'EXISTS'].includes(error.agentCode ?? '')) {
    return new BootstrapError('INVALID_SPEC', `${path}: ${error.message}`, { cause: error, phase: 'files' });
  }
  if (error.agentCode === 'INTERNAL') {
    return new BootstrapError('FILE_FAILED', error.message, { cause: error, phase: 'files' });
  }
  return error;
}
