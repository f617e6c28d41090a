import type { Duplex } from 'node:stream';
import type { FileStat } from '@sbx/bootstrap';

/** A file's stat as the in-sandbox agent reports it: its absolute path too. */
export interface AgentFileStat extends FileStat {
  path: string;
}

/** A change a watch saw; `overflow` when events were dropped (look again). */
export interface FileWatchEvent {
  type: 'create' | 'write' | 'remove' | 'rename' | 'chmod' | 'overflow';
  path?: string;
  isDir?: boolean;
}

/** Options every agent file call takes. */
export interface AgentFileCallOptions {
  signal?: AbortSignal;
  /** Runs the call as this user (`name`, `uid`, `uid:gid`); default the sandbox's user. */
  user?: string;
}

/**
 * What the host needs of a sandbox's in-sandbox agent for files, watches and preview ports (a port:
 * bootstrap's `SandboxAgent` has this shape; unit tests hand in one over the fake agent). Refusals reject with a
 * `BootstrapError` (`FILE_NOT_FOUND`, `FILE_TOO_LARGE`, or `AGENT_REFUSED` with the agent's own `agentCode`).
 */
export interface FilesAgent {
  stat(path: string, options?: AgentFileCallOptions): Promise<AgentFileStat>;
  list(
    path: string,
    options?: AgentFileCallOptions & { depth?: number; maxEntries?: number },
  ): Promise<{ entries: AgentFileStat[]; truncated: boolean }>;
  /** `mkdir -p`; resolves to whether it was created. */
  mkdir(path: string, options?: AgentFileCallOptions & { mode?: number }): Promise<boolean>;
  move(from: string, to: string, options?: AgentFileCallOptions): Promise<void>;
  remove(path: string, options?: AgentFileCallOptions): Promise<void>;
  readFile(
    path: string,
    options?: AgentFileCallOptions & { maxBytes?: number },
  ): Promise<{ size: number; mode: number; body: AsyncIterable<Uint8Array> }>;
  /** Streams `body` into `path` (replaced atomically); more than `maxBytes` leaves it untouched. */
  writeFile(
    path: string,
    body: AsyncIterable<Uint8Array> | Uint8Array,
    options?: AgentFileCallOptions & { maxBytes?: number; mode?: number },
  ): Promise<number>;
  watch(
    path: string,
    options?: AgentFileCallOptions & { recursive?: boolean },
  ): AsyncIterable<FileWatchEvent>;
  /** A connection to 127.0.0.1:port inside the sandbox, as a Node stream. */
  openPort(port: number, options?: { signal?: AbortSignal }): Promise<Duplex>;
}
