import { CompiledQuery } from 'kysely';
import { KPI_COLUMNS, PHASE_COLUMNS, type ProvisionRows } from './provision-result-rows.js';

// PostgreSQL's write path for provisionings: one statement per batch, whatever its size. Each column travels as one
// array parameter and `unnest` turns the arrays back into rows, so 10,000 results are 19 parameters, not 190,000,
// and the provisionings and their phases go in one round trip (a data-modifying CTE, atomic on its own; the
// phases' foreign key is checked at the end of the statement). The rollup trigger fires once per statement.

/** Largest number of provisionings one statement carries (bounds the size of a single message to the server). */
export const MAX_ROWS_PER_STATEMENT = 10_000;

const KPI_TYPES: Record<(typeof KPI_COLUMNS)[number], string> = {
  id: 'text',
  sandbox_type: 'text',
  duration_ms: 'float8',
  status: 'text',
  timestamp: 'text',
  sla_limit_ms: 'float8',
  error_name: 'text',
  error_message: 'text',
  error_code: 'text',
  failure_cause: 'text',
  tenant: 'text',
  host_id: 'text',
  source: 'text',
  runtime: 'text',
  network: 'text',
};
const PHASE_TYPES: Record<(typeof PHASE_COLUMNS)[number], string> = {
  provision_id: 'text',
  seq: 'int4',
  name: 'text',
  start_ms: 'float8',
  duration_ms: 'float8',
};

function unnest(types: readonly string[], first: number): string {
  return `select * from unnest(${types.map((t, i) => `$${first + i}::${t}[]`).join(', ')})`;
}
// A provisioning (or phase) whose key is already stored is skipped: a replayed write (a spool flushed after the
// commit it could not see acknowledged) stores nothing twice; the rollup trigger sees only inserted rows.
const KPI_INSERT = `insert into sandbox_provisioning_kpis (${KPI_COLUMNS.join(', ')}) ${unnest(
  KPI_COLUMNS.map((c) => KPI_TYPES[c]),
  1,
)} on conflict do nothing`;
const PHASE_INSERT = `insert into sandbox_provisioning_phases (${PHASE_COLUMNS.join(', ')}) ${unnest(
  PHASE_COLUMNS.map((c) => PHASE_TYPES[c]),
  KPI_COLUMNS.length + 1,
)} on conflict do nothing`;
const WITH_PHASES = `with provisionings as (${KPI_INSERT}) ${PHASE_INSERT}`;

function columns<T>(rows: readonly T[], names: readonly (keyof T & string)[]): unknown[][] {
  return names.map((name) => rows.map((row) => row[name] ?? null));
}

/** The statements that store `rows` on PostgreSQL: one per `MAX_ROWS_PER_STATEMENT` provisionings. */
export function postgresBatchInsert(rows: readonly ProvisionRows[]): CompiledQuery[] {
  const queries: CompiledQuery[] = [];
  for (let start = 0; start < rows.length; start += MAX_ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + MAX_ROWS_PER_STATEMENT);
    const kpis = columns(
      chunk.map((r) => r.kpi),
      KPI_COLUMNS,
    );
    const phases = chunk.flatMap((r) => r.phases);
    queries.push(
      phases.length === 0
        ? CompiledQuery.raw(KPI_INSERT, kpis)
        : CompiledQuery.raw(WITH_PHASES, [...kpis, ...columns(phases, PHASE_COLUMNS)]),
    );
  }
  return queries;
}
