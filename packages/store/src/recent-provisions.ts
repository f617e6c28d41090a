import type { SandboxType } from '@sbx/timing';
import { type Kysely, sql } from 'kysely';
import type { SbxDatabase } from './database.js';
import { type ProvisionRow, toProvisionRows } from './provision-row.js';

/** The newest `limit` rows of `type` (any outcome), newest by start time, then by insertion order. */
export function newestOf(db: Kysely<SbxDatabase>, type: SandboxType, limit: number) {
  return db
    .selectFrom('sandbox_provisioning_kpis')
    .where('sandbox_type', '=', type)
    .orderBy('timestamp', 'desc')
    .orderBy(sql`rowid`, 'desc')
    .limit(limit);
}

/** The newest `limit` provisionings of `types`, newest first, with their phases. */
export async function readRecent(
  db: Kysely<SbxDatabase>,
  types: readonly SandboxType[],
  limit: number,
): Promise<ProvisionRow[]> {
  // Per type, so each read walks the (sandbox_type, timestamp) index instead of sorting the table.
  const perType = await Promise.all(
    types.map((t) => newestOf(db, t, limit).selectAll().select(sql<number>`rowid`.as('rowid')).execute()),
  );
  const rows = perType
    .flat()
    .sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : b.rowid - a.rowid))
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
