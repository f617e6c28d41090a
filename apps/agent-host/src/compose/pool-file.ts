import { readFileSync } from 'node:fs';
import type { PoolDefinition } from '../core/host-pools.js';
import type { SandboxPolicy } from '../core/sandbox-policy.js';
import { parsePools, poolFileError } from '../service/service-pools.js';

/**
 * Reads `sbx serve --pool-file`: a JSON array of `{ name, size, spec, refillConcurrency? }`, each `spec` a
 * `POST /v1/sandboxes` body validated by the same schema and held to the same policy (`parsePools` of the
 * sandbox service). Every mistake is one `INVALID_CONFIG` naming the file, the pool and the field.
 * `service.pools.admit` then holds the specs to what the engine offers.
 */
export function loadPoolFile(path: string, policy: SandboxPolicy): PoolDefinition[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw poolFileError(path, `cannot be read (${(error as Error).message})`, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw poolFileError(path, `is not valid JSON (${(error as Error).message})`, error);
  }
  return parsePools(json, policy, path);
}
