import { type Kysely, sql } from 'kysely';

// Frozen with this migration: the bucket width of the latency sketch (relative error 1%: ln(1.01 / 0.99))
// and the SLA limits that fill rows stored without one. Later code must not change them here.
const LN_GAMMA = '0.020000666706669435';
const BELOW_MICROSECOND_BUCKET = -1_000_000;
const DEFAULT_LIMIT = `case sandbox_type when 'docker' then 30000 when 'webcontainer' then 10000 end`;

/** The sketch bucket of a duration column `d` (SQL): `ceil(ln(d) / ln(gamma))`, or one bucket under 1 µs. */
const bucket = (d: string) =>
  `iif(${d} < 0.001, ${BELOW_MICROSECOND_BUCKET}, cast(ceil(ln(${d}) / ${LN_GAMMA}) as integer))`;

/** What one row `r` (`new`, `old`, or a table alias) adds to each rollup column, as SQL expressions. */
const contributions = (r: string): Record<string, string> => {
  const limit = `coalesce(${r}.sla_limit_ms, ${DEFAULT_LIMIT.replace('sandbox_type', `${r}.sandbox_type`)})`;
  return {
    n: `${r}.cancelled = 0`,
    failures: `${r}.cancelled = 0 and ${r}.error_name is not null`,
    cancelled: `${r}.cancelled`,
    breaches: `${r}.cancelled = 0 and (${r}.error_name is not null or not coalesce(${r}.duration_ms <= ${limit}, 0))`,
    ready_sum_ms: `iif(${r}.error_name is null, ${r}.duration_ms, 0)`,
    ready_max_ms: `iif(${r}.error_name is null, ${r}.duration_ms, null)`,
  };
};
const aliased = (r: string) =>
  Object.entries(contributions(r))
    .map(([column, expr]) => `${expr} as ${column}`)
    .join(', ');
const periods = (r: string) => `(select '' as period union all select substr(${r}.timestamp, 1, 13))`;
const SUBTRACT_OLD = ['n', 'failures', 'cancelled', 'breaches', 'ready_sum_ms']
  .map((column) => `${column} = ${column} - (${contributions('old')[column]})`)
  .join(', ');
const ROLLUP_COLUMNS = 'sandbox_type, period, n, failures, cancelled, breaches, ready_sum_ms, ready_max_ms';

/**
 * Marks cancelled provisionings (a generated `cancelled` column and an index to skip them) and keeps rollups of
 * `sandbox_provisioning_kpis` per sandbox type, all time (`period = ''`) and per UTC hour: counts, sums, the
 * maximum and a latency sketch, maintained by triggers in the writing transaction, whichever process writes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(
    `update sandbox_provisioning_kpis set sla_limit_ms = ${DEFAULT_LIMIT} where sla_limit_ms is null`,
  );
  await run(`alter table sandbox_provisioning_kpis add column cancelled integer
    generated always as (error_code is 'CANCELLED') virtual`);
  // (type, cancelled, timestamp, rowid): the newest valid rows of a type are the first entries walked.
  await run(`create index idx_sandbox_provisioning_kpis_type_cancelled_timestamp
    on sandbox_provisioning_kpis (sandbox_type, cancelled, timestamp)`);
  // All-time percentiles now come from the sketch; the index only slowed every write down.
  await run('drop index idx_sandbox_provisioning_kpis_type_duration');
  await run(`create table sandbox_provisioning_rollups (
    sandbox_type text not null, period text not null,
    n integer not null, failures integer not null, cancelled integer not null, breaches integer not null,
    ready_sum_ms real not null, ready_max_ms real,
    primary key (sandbox_type, period)) without rowid`);
  await run(`create table sandbox_provisioning_latency_buckets (
    sandbox_type text not null, period text not null, bucket integer not null, count integer not null,
    primary key (sandbox_type, period, bucket)) without rowid`);
  // Existing rows, once for all time and once for their hour (SQLite has no lateral join).
  const everyRow = (columns: string, where = '') =>
    `select k.sandbox_type, '' as period, ${columns} from sandbox_provisioning_kpis k ${where}
     union all
     select k.sandbox_type, substr(k.timestamp, 1, 13), ${columns} from sandbox_provisioning_kpis k ${where}`;
  await run(`insert into sandbox_provisioning_rollups (${ROLLUP_COLUMNS})
    select sandbox_type, period, sum(n), sum(failures), sum(cancelled), sum(breaches), sum(ready_sum_ms),
      max(ready_max_ms)
    from (${everyRow(aliased('k'))}) group by sandbox_type, period`);
  await run(`insert into sandbox_provisioning_latency_buckets (sandbox_type, period, bucket, count)
    select sandbox_type, period, bucket, count(*)
    from (${everyRow(`${bucket('k.duration_ms')} as bucket`, 'where k.error_name is null')})
    group by sandbox_type, period, bucket`);
  await run(`create trigger trg_sandbox_provisioning_kpis_rollup_insert after insert on sandbox_provisioning_kpis
    begin
      insert into sandbox_provisioning_rollups (${ROLLUP_COLUMNS})
        select new.sandbox_type, p.period, ${aliased('new')} from ${periods('new')} p where true
      on conflict (sandbox_type, period) do update set n = n + excluded.n, failures = failures + excluded.failures,
        cancelled = cancelled + excluded.cancelled, breaches = breaches + excluded.breaches,
        ready_sum_ms = ready_sum_ms + excluded.ready_sum_ms,
        ready_max_ms = max(coalesce(ready_max_ms, excluded.ready_max_ms), coalesce(excluded.ready_max_ms, ready_max_ms));
      insert into sandbox_provisioning_latency_buckets (sandbox_type, period, bucket, count)
        select new.sandbox_type, p.period, ${bucket('new.duration_ms')}, 1 from ${periods('new')} p
        where new.error_name is null
      on conflict (sandbox_type, period, bucket) do update set count = count + 1;
    end`);
  await run(`create trigger trg_sandbox_provisioning_kpis_rollup_delete after delete on sandbox_provisioning_kpis
    begin
      update sandbox_provisioning_rollups set ${SUBTRACT_OLD}
        where sandbox_type = old.sandbox_type and period in ('', substr(old.timestamp, 1, 13));
      update sandbox_provisioning_rollups set ready_max_ms = (
          select max(duration_ms) from sandbox_provisioning_kpis k
          where k.sandbox_type = old.sandbox_type and k.error_name is null
            and (period = '' or (k.timestamp >= period || ':' and k.timestamp < period || ';')))
        where sandbox_type = old.sandbox_type and period in ('', substr(old.timestamp, 1, 13))
          and old.error_name is null and ready_max_ms <= old.duration_ms;
      update sandbox_provisioning_latency_buckets set count = count - 1
        where old.error_name is null and sandbox_type = old.sandbox_type
          and period in ('', substr(old.timestamp, 1, 13)) and bucket = ${bucket('old.duration_ms')};
      delete from sandbox_provisioning_latency_buckets where sandbox_type = old.sandbox_type and count <= 0;
    end`);
}

/** Drops the rollups, their triggers and the cancelled column; restores the durations index. */
export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run('drop trigger trg_sandbox_provisioning_kpis_rollup_delete');
  await run('drop trigger trg_sandbox_provisioning_kpis_rollup_insert');
  await run('drop table sandbox_provisioning_latency_buckets');
  await run('drop table sandbox_provisioning_rollups');
  await run('drop index idx_sandbox_provisioning_kpis_type_cancelled_timestamp');
  await run('alter table sandbox_provisioning_kpis drop column cancelled');
  await run(`create index idx_sandbox_provisioning_kpis_type_duration
    on sandbox_provisioning_kpis (sandbox_type, duration_ms)`);
}
