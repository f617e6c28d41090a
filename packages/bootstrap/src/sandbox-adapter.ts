import type { ProvisionContext, SandboxType } from '@sbx/timing/browser';

/** Options of one command run in a sandbox. */
export interface ExecOptions {
  /** Kills the command and rejects with `EXEC_TIMEOUT` after this many milliseconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: Record<string, string>;
  workingDir?: string;
  /** Output kept per stream, in bytes; the rest is read and dropped, and the result says so. Default: all. */
  maxOutputBytes?: number;
  /** Written to the command's standard input, which is then closed (without it the command has no stdin). */
  stdin?: string | Uint8Array;
  /**
   * Called with each piece of output as it arrives (within `maxOutputBytes`), before the command ends. A promise
   * it returns (its reader is full) pauses reading the command's output until it settles: backpressure.
   */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Uint8Array) => unknown;
}

/** What a command run in a sandbox produced. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when stdout passed `maxOutputBytes` and the rest was dropped. */
  stdoutTruncated?: boolean;
  /** True when stderr passed `maxOutputBytes` and the rest was dropped. */
  stderrTruncated?: boolean;
}

/** A provisioned sandbox; `dispose()` is idempotent and also available as `Symbol.asyncDispose`. */
export interface SandboxHandle extends AsyncDisposable {
  readonly id: string;
  readonly type: SandboxType;
  exec(cmd: string | readonly string[], options?: ExecOptions): Promise<ExecResult>;
  dispose(): Promise<void>;
}

/** A sandbox that went away without being disposed through its handle (its process exited, it was removed). */
export interface SandboxGoneEvent {
  sandboxId: string;
  containerId: string;
  /** `exited`: its main process ended; `removed`: it no longer exists; `oom`: the kernel killed it for memory. */
  reason: 'exited' | 'removed' | 'oom';
  /** The main process's exit code, when `reason` is `exited`. */
  exitCode?: number;
}

/** Provisions one kind of sandbox inside a provisioner's context (its phases and its deadline). */
export interface SandboxAdapter<Spec, Handle extends SandboxHandle = SandboxHandle> {
  readonly type: SandboxType;
  provision(spec: Spec, ctx: ProvisionContext): Promise<Handle>;
  /**
   * Calls `onGone` for every sandbox of this adapter's kind that goes away, until `options.signal` aborts;
   * resolves once watching has started. Optional: adapters that cannot observe their sandboxes omit it.
   */
  watch?(onGone: (event: SandboxGoneEvent) => void, options?: { signal?: AbortSignal }): Promise<void>;
}

/** What a path inside a sandbox is. */
export interface FileStat {
  /** The base name. */
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  /** Permission bits (`0o644`). */
  mode: number;
  mtimeMs: number;
  /** Where a symbolic link points. */
  linkTarget?: string;
}

/** Options of one file call. */
export interface FileCallOptions {
  signal?: AbortSignal;
  /** Refuse (`FILE_TOO_LARGE`) or cut off more than this many bytes. */
  maxBytes?: number;
}

/** A file read from a sandbox: its stat, and its bytes as they come. */
export interface FileRead {
  stat: FileStat;
  body: AsyncIterable<Uint8Array>;
}

/** A directory listing; `truncated` when it stopped at the cap. */
export interface FileList {
  entries: FileStat[];
  truncated: boolean;
}

/**
 * A sandbox's filesystem, reached inside the sandbox (never on the host). Paths are absolute. Rejects with
 * `FILE_NOT_FOUND`, `FILE_TOO_LARGE`, `READ_ONLY_PATH`, `INVALID_SPEC` (a bad path), `SANDBOX_GONE` or
 * `FILE_FAILED`.
 */
export interface SandboxFiles {
  /** The stat of `path`, or undefined when there is nothing there. */
  stat(path: string, options?: FileCallOptions): Promise<FileStat | undefined>;
  /** Writes `data` to the file `path` (parents created, `mode` default `0o644`). */
  writeFile(path: string, data: Uint8Array, options?: FileCallOptions & { mode?: number }): Promise<void>;
  /** Reads the file `path` (a symbolic link is followed). */
  readFile(path: string, options?: FileCallOptions): Promise<FileRead>;
  /**
   * Unpacks a tar archive into the directory `path` (created if missing): at most `maxEntries` files and
   * directories (`FILE_TOO_LARGE` above), never through a symlink (`INVALID_SPEC`).
   */
  writeTar(path: string, tar: Uint8Array, options?: FileCallOptions & { maxEntries?: number }): Promise<void>;
  /** A tar archive of `path`, its entries relative to it (as `tar -C path -c .` would name them). */
  readTar(path: string, options?: FileCallOptions): Promise<AsyncIterable<Uint8Array>>;
  /** The entries of the directory `path`, at most `maxEntries`. */
  list(path: string, options?: FileCallOptions & { maxEntries?: number }): Promise<FileList>;
}

/** Options of reading a sandbox's own output. */
export interface LogsOptions {
  /** Keep following new output until the sandbox's process ends or `signal` aborts. */
  follow?: boolean;
  /** Only the last this many lines of what was printed so far. */
  tail?: number;
  /** Output passed on per stream, in bytes; the rest is dropped and the result says so. */
  maxOutputBytes?: number;
  signal?: AbortSignal;
  /** Each piece of output; a promise it returns pauses reading until it settles (backpressure). */
  onOutput(stream: 'stdout' | 'stderr', chunk: Uint8Array): unknown;
}

/** How reading a sandbox's output ended. */
export interface LogsResult {
  /** True when a stream passed `maxOutputBytes`. */
  truncated: boolean;
}
