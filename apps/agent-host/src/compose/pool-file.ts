import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { HostSandboxAdapter } from '../core/host-adapter.js';
import type { PoolDefinition } from '../core/host-pools.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { describeIssues } from '../describe-issues.js';
import { AgentHostError } from '../errors.js';
import { admitSandboxBody, parseSandboxBody } from '../kinds/sandbox-body.js';

/** The most members one pool may keep. */
export const MAX_POOL_SIZE = 1_000;

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
 * Reads `sbx serve --pool-file`: a JSON array of `{ name, size, spec, refillConcurrency? }`, each `spec` a
 * `POST /v1/sandboxes` body validated by the same schema and held to the same policy. Every mistake is one
 * `INVALID_CONFIG` naming the file, the pool and the field; the pools together must leave room under
 * `--max-live-total` for the misses.
 */
export function loadPoolFile(path: string, policy: SandboxPolicy): PoolDefinition[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw bad(path, `cannot be read (${(error as Error).message})`, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw bad(path, `is not valid JSON (${(error as Error).message})`, error);
  }
  return parsePools(json, policy, path);
}

/** Validates pool declarations already parsed from JSON (`where` names their origin in messages). */
export function parsePools(json: unknown, policy: SandboxPolicy, where: string): PoolDefinition[] {
  if (!Array.isArray(json)) throw bad(where, 'must be a JSON array of { "name", "size", "spec" }');
  const pools = json.map((entry: unknown, i) => {
    const label = poolLabel(entry, i);
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) {
      const [first] = describeIssues(parsed.error);
      throw bad(where, `${label}: ${first?.path}: ${first?.message}`);
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
      throw bad(where, `${label}: ${(error as Error).message}`, error);
    }
  });
  const seen = new Set<string>();
  for (const pool of pools) {
    if (seen.has(pool.name)) throw bad(where, `pool ${JSON.stringify(pool.name)} is declared twice`);
    seen.add(pool.name);
  }
  const total = pools.reduce((n, p) => n + p.size, 0);
  if (total >= policy.maxLiveTotal) {
    throw bad(
      where,
      `the pools keep ${total} sandboxes ready but the host runs at most ${policy.maxLiveTotal} (--max-live-total): make the pools smaller or raise it, leaving room for misses`,
    );
  }
  return pools;
}

/**
 * Holds each pool's spec to what the engine offers (an allowed runtime the engine has, egress where it can be
 * given): a mistake is one `INVALID_CONFIG` naming the file, the pool and the field. An engine that does not
 * answer is not a mistake in the file: the pools are left to fail their refills (and say why) until it does.
 */
export async function admitPools(
  pools: readonly PoolDefinition[],
  policy: SandboxPolicy,
  adapterOf: (type: PoolDefinition['type']) => HostSandboxAdapter | undefined,
  where: string,
): Promise<void> {
  for (const pool of pools) {
    try {
      const body = {
        type: pool.type,
        spec: pool.spec,
        ...(pool.template ? { template: pool.template } : {}),
      };
      await admitSandboxBody(body, policy, adapterOf(pool.type), 'spec.');
      pool.spec = body.spec;
    } catch (error) {
      if (!(error instanceof AgentHostError)) continue;
      throw bad(where, `pool ${JSON.stringify(pool.name)}: ${error.message}`, error);
    }
  }
}

function poolLabel(entry: unknown, index: number): string {
  const name = (entry as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name.length <= 64
    ? `pool ${JSON.stringify(name)} (entry ${index})`
    : `entry ${index}`;
}

function bad(where: string, what: string, cause?: unknown): AgentHostError {
  return new AgentHostError(
    'INVALID_CONFIG',
    `--pool-file ${where}: ${what}`,
    cause === undefined ? {} : { cause },
  );
}
