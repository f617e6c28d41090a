import type { ExecOptions, ExecResult, LogsOptions, LogsResult, SandboxFiles } from '@sbx/bootstrap';
import type { ProvisionContext, SandboxType } from '@sbx/timing';
import type { TemplateImage } from '../templates/template-images.js';
import type { FilesAgent } from './files-agent.js';
import type { ProcessAgent } from './process-agent.js';

/** Why a sandbox left the live set without its owner asking (engine events, failed commands, idle or expiry). */
export type GoneReason = 'exited' | 'removed' | 'oom' | 'expired' | 'idle';

/** What the host uses of a sandbox's in-sandbox agent (bootstrap's `SandboxAgent` is one). */
export type HostAgent = ProcessAgent & FilesAgent;

/** A sandbox the host holds: run commands in it, dispose of it; files and logs where its type has them. */
export interface HostSandbox {
  readonly id: string;
  readonly type: SandboxType;
  /** The image it runs, where its type has one. */
  readonly image?: string;
  /** The runtime it runs on (`runc`, `runsc`), where its type has one. */
  readonly runtime?: string;
  /** Its network (`none`, `egress`), where its type has one. */
  readonly network?: string;
  /** The warm pool it was taken from, if any. */
  readonly pool?: string;
  /** When its backend may remove it whatever its owner (the container's expiry label). */
  readonly expiresAt?: Date;
  /** Its filesystem, read and written inside the sandbox (docker: the engine's archive API). */
  readonly files?: SandboxFiles;
  /** Its in-sandbox agent, when it started (processes, terminals, files, watches, preview ports); absent: commands
   * run through the engine and files through its archive API. */
  readonly agent?: HostAgent | undefined;
  exec(cmd: string | readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Its main process's output (from the start), then, with `follow`, new output until it ends. */
  logs?(options: LogsOptions): Promise<LogsResult>;
  dispose(): Promise<void>;
  /** Freezes every process of the sandbox (memory kept), where its type can. */
  pause?(options?: { signal?: AbortSignal }): Promise<void>;
  /** Thaws a paused sandbox. */
  resume?(options?: { signal?: AbortSignal }): Promise<void>;
}

/** The runtimes a backend offers (a Docker engine's `runc`, `runsc`, ...) and its default. */
export interface SandboxRuntimes {
  default: string;
  /**
   * `networkNone`: registered with `--network=none`, so its sandboxes have loopback only; `path`: the binary the
   * engine runs (`/usr/bin/runsc` is gVisor).
   */
  runtimes: ReadonlyArray<{ name: string; networkNone: boolean; path?: string }>;
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
  /** The process limit (pids) a sandbox of `spec` will have, held against the host's pids budget. */
  pidsOf?(spec: never): number;
  /** The runtimes its backend offers; `fresh` reads them again. */
  listRuntimes?(options?: { fresh?: boolean }): Promise<SandboxRuntimes>;
  /** The templates built on its backend (`sbx template build`), by name. */
  listTemplates?(): Promise<TemplateImage[]>;
  /** Resolves when the backend answers; rejects with a message that says where it looked. */
  ping?(): Promise<void>;
  /** Removes sandboxes a dead or expired owner left behind, but those `keep` claims; resolves to what it removed. */
  reap?(options?: { keep?: (container: { sandboxId: string }) => boolean }): Promise<{ removed: string[] }>;
  /** Last resort when the process must exit now: start removing these sandboxes without waiting. */
  abandon?(sandboxIds: readonly string[]): void;
  /** Follows the backend's events and reports sandboxes that went away, until `signal` aborts. */
  watch?(onGone: (event: HostGoneEvent) => void, options: { signal: AbortSignal }): Promise<void>;
}
