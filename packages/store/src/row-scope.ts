import type { SelectQueryBuilder } from 'kysely';
import type { SbxDatabase } from './database.js';
import { string } from './validate.js';

/** Which rows of `sandbox_provisioning_kpis` a read covers: the fleet's (nothing set), one host's, one runtime's. */
export interface RowScope {
  /** Only the rows this agent host measured (`host_id`). */
  host?: string | undefined;
  /** Only the rows provisioned under this engine runtime (`runtime`: `runc`, `runsc`, ...). */
  runtime?: string | undefined;
}

/** Validates a caller's `host` and `runtime` options (non-empty strings when given); `INVALID_INPUT` otherwise. */
export function rowScope(options: RowScope): RowScope {
  const scope: RowScope = {};
  if (options.host !== undefined) scope.host = string(options.host, 'host', true);
  if (options.runtime !== undefined) scope.runtime = string(options.runtime, 'runtime', true);
  return scope;
}

/** True when the scope narrows the fleet. */
export function isNarrowed(scope: RowScope): boolean {
  return scope.host !== undefined || scope.runtime !== undefined;
}

/** Narrows a query over `sandbox_provisioning_kpis` to `scope`; the same SQL on both engines. */
export function whereScope<O>(
  query: SelectQueryBuilder<SbxDatabase, 'sandbox_provisioning_kpis', O>,
  scope: RowScope,
): SelectQueryBuilder<SbxDatabase, 'sandbox_provisioning_kpis', O> {
  let q = query;
  if (scope.host !== undefined) q = q.where('host_id', '=', scope.host);
  if (scope.runtime !== undefined) q = q.where('runtime', '=', scope.runtime);
  return q;
}
