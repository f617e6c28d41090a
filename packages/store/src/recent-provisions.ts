import type { SandboxType } from '@sbx/timing';
import type { Kysely } from 'kysely';
import type { SbxDatabase } from './database.js';
import { type ProvisionRow, toProvisionRows } from './provision-row.js';
import { type RowScope, whereScope } from './row-scope.js';
import { type SourceFilter, whereSource } from './source-filter.js';
import { dialectOf, insertionOrder } from './sql-dialect.js';

/**
 * The newest `limit` rows of `type` (any outcome; of one host or runtime when `scope` says; of `source`), newest
 * by start time, then by insertion order.
 */
export function newestOf(
  db: Kysely<SbxDatabase>,
  type: SandboxType,
  limit: number,
  scope: RowScope = {},
  source: SourceFilter | 'all' = 'all',
) {
  const query = whereSource(
    db.selectFrom('sandbox_provisioning_kpis').where('sandbox_type', '=', type),
    source,
  );
  return whereScope(query, scope)
    .orderBy('timestamp', 'desc')
    .orderBy(insertionOrder(dialectOf(db)), 'desc')
    .limit(limit);
}

/** The newest `limit` provisionings of `types` (narrowed to `scope`), newest first, with their phases. */
export async function readRecent(
  db: Kysely<SbxDatabase>,
  types: readonly SandboxType[],
  limit: number,
  scope: RowScope = {},
  source: SourceFilter | 'all' = 'all',
): Promise<ProvisionRow[]> {
  const order = insertionOrder(dialectOf(db));
  // Per type, so each read walks the (sandbox_type, timestamp) index instead of sorting the table.
  const perType = await Promise.all(
    types.map((t) =>
      newestOf(db, t, limit, scope, source).selectAll().select(order.as('insertion')).execute(),
    ),
  );
  const rows = perType
    .flat()
    .sort((a, b) =>
      a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : b.insertion - a.insertion,
    )
    .slice(0, limit);
  const phases =
    rows.length === 0
      ? []
      : await db
          .selectFrom('sandbox_provisioning_phases')
          .selectAll()
          .where(
            'provision_id',
            'in',
            rows.map((r) => r.id),
          )
          .execute();
  return toProvisionRows(rows, phases);
}
