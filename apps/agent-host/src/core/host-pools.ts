import { type PoolAdapter, type PoolStats, SandboxPool } from '@sbx/bootstrap';
import type { Logger, SandboxProvisioner, SandboxType } from '@sbx/timing';
import { AgentHostError } from '../errors.js';
import type { HostSandbox, HostSandboxAdapter } from './host-adapter.js';
import type { LiveLimiter } from './live-limits.js';

/** One warm pool as `sbx serve --pool-file` declares it (its spec already validated and held to the policy). */
export interface PoolDefinition {
  name: string;
  type: SandboxType;
  /** How many ready members it keeps. */
  size: number;
  /** The adapter's spec every member runs (and a miss provisions cold). */
  spec: unknown;
  /** How many members it provisions at once (default `min(size, 4)`). */
  refillConcurrency?: number;
  /** Deadline of one refill or cold miss (the spec's `deadlineMs`). */
  deadlineMs?: number;
  /** The template its spec names, pinned to the built image when the pools are admitted. */
  template?: string;
}

/** A pool's stats as `GET /v1/pools` lists them. */
export type HostPoolStats = PoolStats & { type: SandboxType };

/** What the host's pools are built from. */
export interface HostPoolsDeps {
  adapters: Partial<Record<SandboxType, HostSandboxAdapter>>;
  provisioner: SandboxProvisioner;
  limiter: LiveLimiter;
  logger: Logger;
  /** Default deadline of a refill or a cold miss. */
  deadlineMs: number;
}

// A member's `expiresAt` (a Docker sandbox has one) lets the pool recycle it before a taker would lose it.
type HostPool = SandboxPool<unknown, HostSandbox>;

/**
 * The host's warm pools by name. Members are spares under the host's caps (`LiveLimiter.reserveSpare()`), the
 * host's engine watch drops the ones that die (`drop()`), and `close()` drains them all.
 */
export class HostPools {
  readonly #deps: HostPoolsDeps;
  readonly #pools = new Map<string, { pool: HostPool; type: SandboxType; deadlineMs: number }>();

  constructor(deps: HostPoolsDeps) {
    this.#deps = deps;
  }

  /** Starts filling these pools; throws `INVALID_CONFIG` for a type this host does not provision or a name taken. */
  start(definitions: readonly PoolDefinition[]): void {
    for (const def of definitions) {
      const adapter = this.#deps.adapters[def.type];
      if (!adapter)
        throw new AgentHostError(
          'INVALID_CONFIG',
          `pool ${def.name}: this host does not provision ${def.type} sandboxes`,
        );
      if (this.#pools.has(def.name))
        throw new AgentHostError('INVALID_CONFIG', `pool ${def.name} is declared twice`);
      const deadlineMs = def.deadlineMs ?? this.#deps.deadlineMs;
      const pool: HostPool = new SandboxPool({
        adapter: adapter as PoolAdapter<unknown, HostSandbox>,
        spec: def.spec,
        size: def.size,
        name: def.name,
        provisioner: this.#deps.provisioner,
        refillDeadlineMs: deadlineMs,
        reserve: () => this.#deps.limiter.reserveSpare(),
        // The host follows the engine's events once for all its sandboxes and forwards them (`drop()`).
        watch: false,
        logger: this.#deps.logger,
        ...(def.refillConcurrency ? { refillConcurrency: def.refillConcurrency } : {}),
      });
      this.#pools.set(def.name, { pool, type: def.type, deadlineMs });
    }
  }

  /** The pool named `name`, with its type and deadline; throws `POOL_NOT_FOUND` (404) when there is none. */
  get(name: string): { pool: HostPool; type: SandboxType; deadlineMs: number } {
    const found = this.#pools.get(name);
    if (!found) {
      const known = [...this.#pools.keys()];
      throw new AgentHostError(
        'POOL_NOT_FOUND',
        `no pool ${JSON.stringify(name)}${known.length ? `: this host has ${known.join(', ')}` : ': this host has none (sbx serve --pool-file)'}`,
      );
    }
    return found;
  }

  /** Every pool's stats, in declaration order. */
  stats(): HostPoolStats[] {
    return [...this.#pools.values()].map(({ pool, type }) => ({ ...pool.stats(), type }));
  }

  /** Drops a ready member that went away; false when `id` is no pool's member. */
  drop(id: string, why: string): boolean {
    for (const { pool } of this.#pools.values()) if (pool.drop(id, why)) return true;
    return false;
  }

  /** A place under the caps was freed: pools that are short try to refill now. */
  nudge(): void {
    for (const { pool } of this.#pools.values()) pool.refill();
  }

  /** The ready members of every pool of `type` (for a last-resort removal). */
  readyIds(type: SandboxType): string[] {
    return [...this.#pools.values()].filter((p) => p.type === type).flatMap(({ pool }) => pool.readyIds());
  }

  /** Closes every pool (aborting refills, removing ready members) within `timeoutMs`. */
  async close(options: { timeoutMs: number }): Promise<{ removed: number; complete: boolean }> {
    const reports = await Promise.all([...this.#pools.values()].map(({ pool }) => pool.close(options)));
    return {
      removed: reports.reduce((n, r) => n + r.removed, 0),
      complete: reports.every((r) => r.complete),
    };
  }
}
