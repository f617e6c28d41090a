import { isProvisionSource, PROVISION_SOURCES, type ProvisionSource, UNJUDGED_SOURCES } from '@sbx/timing';
import type { SelectQueryBuilder } from 'kysely';
import type { SbxDatabase } from './database.js';
import { describe, invalid } from './validate.js';

/**
 * Which provisionings a query reads: `'user'` (default) what callers waited for and the host measured, `cold` and
 * `pool` alike (the SLA verdict's rows); or one source, `refill` and `client` included.
 */
export type SourceFilter = ProvisionSource | 'user';

const quoted = ['user', ...PROVISION_SOURCES].map((s) => `'${s}'`);
const ALLOWED = `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;

/** Validates a caller's `source` option (`all` only where the method allows it); `INVALID_INPUT` otherwise. */
export function sourceFilter(value: unknown, fallback: SourceFilter | 'all'): SourceFilter | 'all' {
  if (value === undefined) return fallback;
  if (value === 'user' || isProvisionSource(value)) return value;
  if (value === 'all' && fallback === 'all') return value;
  return invalid('source', `must be ${ALLOWED}, got ${describe(value)}`);
}

/** Narrows a query over `sandbox_provisioning_kpis` (aliased or not) to `source`; the same SQL on both engines. */
export function whereSource<O>(
  query: SelectQueryBuilder<SbxDatabase, 'sandbox_provisioning_kpis', O>,
  source: SourceFilter | 'all',
): SelectQueryBuilder<SbxDatabase, 'sandbox_provisioning_kpis', O> {
  if (source === 'all') return query;
  return source === 'user'
    ? query.where('source', 'not in', [...UNJUDGED_SOURCES])
    : query.where('source', '=', source);
}

/**
 * Narrows a query over `sandbox_provisioning_kpis` to the provisionings the SLA verdict judges: not cancelled and
 * not failed by their caller (`failure_cause = 'caller'`); the same SQL on both engines.
 */
export function whereJudged<O>(
  query: SelectQueryBuilder<SbxDatabase, 'sandbox_provisioning_kpis', O>,
): SelectQueryBuilder<SbxDatabase, 'sandbox_provisioning_kpis', O> {
  return query
    .where('cancelled', '=', 0)
    .where((eb) => eb.or([eb('failure_cause', 'is', null), eb('failure_cause', '!=', 'caller')]));
}
