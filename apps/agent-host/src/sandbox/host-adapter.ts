import type { ExecOptions, ExecResult } from '@sbx/bootstrap';
import type { ProvisionContext, SandboxType } from '@sbx/timing';
import type { GoneReason } from './live-sandboxes.js';

/** A sandbox the host holds: run commands in it, dispose of it. */
export interface HostSandbox {
  readonly id: string;
  readonly type: SandboxType;
  exec(cmd: string | readonly string[], options?: ExecOptions): Promise<ExecResult>;
  dispose(): Promise<void>;
}

/** A sandbox the engine says is gone (it exited, was removed, or ran out of memory). */
export interface HostGoneEvent {
  sandboxId: string;
  reason: GoneReason;
}

/** What the host needs of a sandbox adapter: `DockerAdapter` is one; the registry keys them by type. */
export interface HostSandboxAdapter {
  readonly type: SandboxType;
  provision(spec: never, ctx: ProvisionContext): Promise<HostSandbox>;
  /** Resolves when the backend answers; rejects with a message that says where it looked. */
  ping?(): Promise<void>;
  /** Removes sandboxes a dead or expired owner left behind; resolves to what it removed. */
  reap?(): Promise<{ removed: string[] }>;
  /** Last resort when the process must exit now: start removing these sandboxes without waiting. */
  abandon?(sandboxIds: readonly string[]): void;
  /** Follows the backend's events and reports sandboxes that went away, until `signal` aborts. */
  watch?(onGone: (event: HostGoneEvent) => void, options: { signal: AbortSignal }): Promise<void>;
}
