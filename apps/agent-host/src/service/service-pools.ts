import { z } from 'zod';
import type { HostPoolStats, PoolDefinition } from '../core/host-pools.js';
import type { SandboxHost } from '../core/sandbox-host.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { describeIssues } from '../describe-issues.js';
import { AgentHostError } from '../errors.js';
import type { Adapters } from '../kinds/admit-request.js';
import { admitSandboxBody, parseSandboxBody } from '../kinds/sandbox-body.js';

/** The most members one pool may keep. */
export const MAX_POOL_SIZE = 1_000;

/** The warm pools as the doors see them: stats, waiting until one is full, a name check and admission. */
export interface ServicePools {
  stats(): HostPoolStats[];
  ready(name: string, options?: { signal?: AbortSignal }): Promise<void>;
  has(name: string): boolean;
  /** Starts filling pools whose specs were admitted (`admit`); refused once the host is closing. */
  start(pools: readonly PoolDefinition[]): void;
  /** Holds declared pools' specs to what the engine offers (see `admitPools`); `where` names their origin. */
  admit(pools: readonly PoolDefinition[], where: string): Promise<void>;
}

/** The pools job of `SandboxService`, over its host and policy. */
export function servicePools(host: SandboxHost, policy: SandboxPolicy): ServicePools {
  return {
    stats: () => host.poolStats(),
    ready: (name, options = {}) => host.poolReady(name, options),
    has: (name) => host.poolStats().some((p) => p.name === name),
    start: (pools) => host.startPools(pools),
    admit: (pools, where) => admitPools(pools, policy, host, where),
  };
}

const entrySchema = z
  .object({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
        'must be 1-64 letters, digits, _ . - (a letter or digit first)',
      ),
    size: z.number().int().min(1).max(MAX_POOL_SIZE),
    refillConcurrency: z.number().int().min(1).max(64).optional(),
    spec: z.record(z.string(), z.unknown()),
  })
  .strict();

/**
 * Validates pool declarations (`sbx serve --pool-file`, already parsed from JSON; `where` names their origin in
 * messages): a JSON array of `{ name, size, spec, refillConcurrency? }`, each `spec` a `POST /v1/sandboxes` body
 * validated by the same schema and held to the same policy. Every mistake is one `INVALID_CONFIG` naming the
 * origin, the pool and the field; the pools together must leave room under `--max-live-total` for the misses.
 */
export function parsePools(json: unknown, policy: SandboxPolicy, where: string): PoolDefinition[] {
  if (!Array.isArray(json)) throw poolFileError(where, 'must be a JSON array of { "name", "size", "spec" }');
  const pools = json.map((entry: unknown, i) => {
    const label = poolLabel(entry, i);
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) {
      const [first] = describeIssues(parsed.error);
      throw poolFileError(where, `${label}: ${first?.path}: ${first?.message}`);
    }
    const { name, size, refillConcurrency, spec } = parsed.data;
    try {
      const body = parseSandboxBody(spec, policy, 'spec.');
      return {
        name,
        size,
        type: body.type,
        spec: body.spec,
        ...(refillConcurrency ? { refillConcurrency } : {}),
        ...(body.deadlineMs ? { deadlineMs: body.deadlineMs } : {}),
        ...(body.template ? { template: body.template } : {}),
      } satisfies PoolDefinition;
    } catch (error) {
      throw poolFileError(where, `${label}: ${(error as Error).message}`, error);
    }
  });
  const seen = new Set<string>();
  for (const pool of pools) {
    if (seen.has(pool.name))
      throw poolFileError(where, `pool ${JSON.stringify(pool.name)} is declared twice`);
    seen.add(pool.name);
  }
  const total = pools.reduce((n, p) => n + p.size, 0);
  if (total >= policy.maxLiveTotal) {
    throw poolFileError(
      where,
      `the pools keep ${total} sandboxes ready but the host runs at most ${policy.maxLiveTotal} (--max-live-total): make the pools smaller or raise it, leaving room for misses`,
    );
  }
  return pools;
}

/**
 * Holds each pool's spec to what the engine offers (an allowed runtime the engine has, egress where it can be
 * given, a built template pinned to its image): a mistake is one `INVALID_CONFIG` naming the origin, the pool
 * and the field. An engine that does not answer is not a mistake in the file: the pools are left to fail their
 * refills (and say why) until it does.
 */
export async function admitPools(
  pools: readonly PoolDefinition[],
  policy: SandboxPolicy,
  adapters: Adapters,
  where: string,
): Promise<void> {
  for (const pool of pools) {
    try {
      const body = {
        type: pool.type,
        spec: pool.spec,
        ...(pool.template ? { template: pool.template } : {}),
      };
      await admitSandboxBody(body, policy, adapters.adapter(pool.type), 'spec.');
      pool.spec = body.spec;
    } catch (error) {
      if (!(error instanceof AgentHostError)) continue;
      throw poolFileError(where, `pool ${JSON.stringify(pool.name)}: ${error.message}`, error);
    }
  }
}

/** The `INVALID_CONFIG` of a pool declaration: `--pool-file WHERE: WHAT`. */
export function poolFileError(where: string, what: string, cause?: unknown): AgentHostError {
  return new AgentHostError(
    'INVALID_CONFIG',
    `--pool-file ${where}: ${what}`,
    cause === undefined ? {} : { cause },
  );
}

function poolLabel(entry: unknown, index: number): string {
  const name = (entry as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name.length <= 64
    ? `pool ${JSON.stringify(name)} (entry ${index})`
    : `entry ${index}`;
}
