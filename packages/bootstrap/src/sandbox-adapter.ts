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
  /** Called with each piece of output as it arrives (within `maxOutputBytes`), before the command ends. */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Uint8Array) => void;
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
