import type {
  Logger,
  ProvisionContext,
  ProvisionSuccess,
  SandboxProvisioner,
  SandboxType,
  WallClock,
} from '@sbx/timing';
import type { PoolHandle } from './pool-members.js';

/** What a pool provisions with: any `SandboxAdapter` (`DockerAdapter` is one). */
export interface PoolAdapter<Spec, Handle extends PoolHandle> {
  readonly type: SandboxType;
  provision(spec: Spec, ctx: ProvisionContext): Promise<Handle>;
  watch?(onGone: (event: { sandboxId: string }) => void, options: { signal: AbortSignal }): Promise<void>;
}

/** Options of a `SandboxPool`. */
export interface SandboxPoolOptions<Spec, Handle extends PoolHandle> {
  adapter: PoolAdapter<Spec, Handle>;
  /** What every member runs, and what a miss provisions cold. */
  spec: Spec;
  /** How many ready members the pool keeps. */
  size: number;
  /** Its name in results (`attributes.pool`), stats and messages; default `pool`. */
  name?: string;
  /** How many members it provisions at once; default `min(size, 4)`. */
  refillConcurrency?: number;
  /** Times and records every hand-out and refill; default one that records nothing. */
  provisioner?: SandboxProvisioner;
  /** Deadline of one refill; default 60 s. */
  refillDeadlineMs?: number;
  /** Grants a place for one more member (a host's caps), or undefined when there is none now. */
  reserve?: () => (() => void) | undefined;
  /** Recycles a member ready this long; default half the lifetime it had left when ready (none without one). */
  maxIdleMs?: number;
  /** Follow the adapter's engine events to drop members that die (default true; a host that watches says false and calls `drop()`). */
  watch?: boolean;
  /** First wait after a failed refill (or no place to refill into), doubling to 30 s; default 500 ms. */
  retryDelayMs?: number;
  logger?: Logger;
  wallClock?: WallClock;
}

/** Options of one `acquire()`. */
export interface AcquireOptions {
  signal?: AbortSignal;
  /** Deadline of a cold provisioning after a miss. */
  deadlineMs?: number;
  /** Copied into the result (`{ tenant }`), besides `source` and `pool`. */
  attributes?: Readonly<Record<string, string>>;
  /** Called once the source is known, before anything is handed out; throwing refuses (a hit stays in the pool). */
  admit?: (source: LeaseSource) => void;
}

/** `pool`: a ready member was handed out; `cold`: the pool was empty and one was provisioned for the caller. */
export type LeaseSource = 'pool' | 'cold';

/** A sandbox handed out by `acquire()`: the caller's alone, disposed by the caller. */
export interface PoolLease<Handle> {
  sandbox: Handle;
  source: LeaseSource;
  /** The measurement of the hand-out (what the caller waited), as recorded. */
  result: Omit<ProvisionSuccess<Handle>, 'value'>;
}

/** How a pool is doing. */
export interface PoolStats {
  name: string;
  size: number;
  ready: number;
  /** Refills under way. */
  refilling: number;
  hits: number;
  misses: number;
  /** Members dropped because they died, expired or were recycled. */
  dropped: number;
  refillFailures: number;
  /** The code of the failure that stopped the refills for good (a missing image, ...); absent while they go on. */
  stoppedBy?: string;
  /** Over the newest refills (at most 100); undefined before the first. */
  refillP50Ms: number | undefined;
  refillP95Ms: number | undefined;
}

/** What `close()` did. */
export interface PoolCloseReport {
  /** Ready members removed. */
  removed: number;
  /** False when the timeout passed before every removal and refill settled. */
  complete: boolean;
}
