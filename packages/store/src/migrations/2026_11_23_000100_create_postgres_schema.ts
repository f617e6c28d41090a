import { type Kysely, sql } from 'kysely';

// PostgreSQL only: the schema the six SQLite migrations up to 2026_11_23_000100_add_tenants build, in one step
// (no PostgreSQL database predates it). Later migrations are shared by both engines. Frozen: append, never edit.
// SQLite's rowid becomes the identity column `seq`, its virtual `cancelled` a stored generated column, and its
// per-row rollup triggers statement triggers over transition tables (one upsert per statement, not per row).
// `writer_txid` is the writing transaction, the change feed's commit-safe cursor.

const LN_GAMMA = '0.020000666706669435::float8';
const DEFAULT_LIMIT = (r: string) =>
  `case ${r}.sandbox_type when 'docker' then 30000 when 'webcontainer' then 10000 end`;
const bucket = (d: string) =>
  `case when ${d} < 0.001 then -1000000 else cast(ceil(ln(${d}) / ${LN_GAMMA}) as integer) end`;
const periods = (r: string) => `cross join lateral (values (''), (substr(${r}.timestamp, 1, 13))) p(period)`;
const sums = (r: string) => {
  const limit = `coalesce(${r}.sla_limit_ms, ${DEFAULT_LIMIT(r)})`;
  return `sum(case when ${r}.cancelled = 0 then 1 else 0 end) as n,
    sum(case when ${r}.cancelled = 0 and ${r}.error_name is not null then 1 else 0 end) as failures,
    sum(${r}.cancelled) as cancelled,
    sum(case when ${r}.cancelled = 0 and (${r}.error_name is not null
      or not coalesce(${r}.duration_ms <= ${limit}, false)) then 1 else 0 end) as breaches,
    sum(case when ${r}.error_name is null then ${r}.duration_ms else 0 end) as ready_sum_ms,
    max(case when ${r}.error_name is null then ${r}.duration_ms end) as ready_max_ms`;
};

/** Creates the tables, indexes, generated column and rollup triggers of the sbx schema on PostgreSQL. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`create table sandbox_provisioning_kpis (
    id text primary key,
    seq bigint generated always as identity,
    sandbox_type text not null, duration_ms double precision not null, status text not null,
    timestamp text not null, sla_limit_ms double precision,
    error_name text, error_message text, error_code text,
    cancelled integer generated always as (case when error_code = 'CANCELLED' then 1 else 0 end) stored,
    tenant text,
    writer_txid bigint not null default txid_current())`);
  await run(`create index idx_sandbox_provisioning_kpis_type_timestamp
    on sandbox_provisioning_kpis (sandbox_type, timestamp, seq)`);
  await run(`create index idx_sandbox_provisioning_kpis_type_cancelled_timestamp
    on sandbox_provisioning_kpis (sandbox_type, cancelled, timestamp, seq)`);
  await run(`create index idx_sandbox_provisioning_kpis_writer_txid
    on sandbox_provisioning_kpis (writer_txid, seq)`);
  await run(`create table sandbox_provisioning_phases (
    provision_id text not null references sandbox_provisioning_kpis (id) on delete cascade,
    seq integer not null, name text not null,
    start_ms double precision not null, duration_ms double precision not null,
    constraint pk_sandbox_provisioning_phases primary key (provision_id, seq))`);
  await run(`create table sandbox_perf_records (
    id bigint generated always as identity primary key,
    sandbox_id text not null, start_time bigint not null, duration_ms bigint not null, outcome text not null,
    alert_fired integer not null, created_at text not null,
    writer_txid bigint not null default txid_current())`);
  await run('create index idx_sandbox_perf_records_writer_txid on sandbox_perf_records (writer_txid, id)');
  await run(`create table sandbox_alerts (
    id bigint generated always as identity primary key,
    kind text not null, sandbox_type text, sandbox_id text,
    value_ms double precision not null, threshold_ms double precision not null,
    message text not null, created_at text not null, tenant text)`);
  await run(`create table sandbox_provisioning_rollups (
    sandbox_type text not null, period text not null,
    n bigint not null, failures bigint not null, cancelled bigint not null, breaches bigint not null,
    ready_sum_ms double precision not null, ready_max_ms double precision,
    primary key (sandbox_type, period))`);
  await run(`create table sandbox_provisioning_latency_buckets (
    sandbox_type text not null, period text not null, bucket integer not null, count bigint not null,
    primary key (sandbox_type, period, bucket))`);
  // Rows are grouped and upserted in key order, so concurrent writers lock rollup rows in the same order.
  await run(`create function sbx_rollup_insert() returns trigger language plpgsql as $$
    begin
      insert into sandbox_provisioning_rollups as r
          (sandbox_type, period, n, failures, cancelled, breaches, ready_sum_ms, ready_max_ms)
        select k.sandbox_type, p.period, ${sums('k')} from inserted k ${periods('k')}
        group by k.sandbox_type, p.period order by k.sandbox_type, p.period
      on conflict (sandbox_type, period) do update set n = r.n + excluded.n,
        failures = r.failures + excluded.failures, cancelled = r.cancelled + excluded.cancelled,
        breaches = r.breaches + excluded.breaches, ready_sum_ms = r.ready_sum_ms + excluded.ready_sum_ms,
        ready_max_ms = greatest(r.ready_max_ms, excluded.ready_max_ms);
      insert into sandbox_provisioning_latency_buckets as b (sandbox_type, period, bucket, count)
        select k.sandbox_type, p.period, ${bucket('k.duration_ms')} as bucket, count(*)
        from inserted k ${periods('k')} where k.error_name is null
        group by 1, 2, 3 order by 1, 2, 3
      on conflict (sandbox_type, period, bucket) do update set count = b.count + excluded.count;
      return null;
    end $$`);
  await run(`create trigger trg_sandbox_provisioning_kpis_rollup_insert after insert on sandbox_provisioning_kpis
    referencing new table as inserted for each statement execute function sbx_rollup_insert()`);
  await run(`create function sbx_rollup_delete() returns trigger language plpgsql as $$
    begin
      update sandbox_provisioning_rollups r set n = r.n - d.n, failures = r.failures - d.failures,
          cancelled = r.cancelled - d.cancelled, breaches = r.breaches - d.breaches,
          ready_sum_ms = r.ready_sum_ms - d.ready_sum_ms
        from (select k.sandbox_type, p.period, ${sums('k')} from deleted k ${periods('k')}
              group by k.sandbox_type, p.period) d
        where r.sandbox_type = d.sandbox_type and r.period = d.period;
      update sandbox_provisioning_rollups r set ready_max_ms = (
          select max(k.duration_ms) from sandbox_provisioning_kpis k
          where k.sandbox_type = r.sandbox_type and k.error_name is null
            and (r.period = '' or (k.timestamp >= r.period || ':' and k.timestamp < r.period || ';')))
        where (r.sandbox_type, r.period) in (select k.sandbox_type, p.period from deleted k ${periods('k')}
          where k.error_name is null and k.duration_ms >= 0);
      update sandbox_provisioning_latency_buckets b set count = b.count - d.count
        from (select k.sandbox_type, p.period, ${bucket('k.duration_ms')} as bucket, count(*) as count
              from deleted k ${periods('k')} where k.error_name is null group by 1, 2, 3) d
        where b.sandbox_type = d.sandbox_type and b.period = d.period and b.bucket = d.bucket;
      delete from sandbox_provisioning_latency_buckets where count <= 0;
      return null;
    end $$`);
  await run(`create trigger trg_sandbox_provisioning_kpis_rollup_delete after delete on sandbox_provisioning_kpis
    referencing old table as deleted for each statement execute function sbx_rollup_delete()`);
}

/** Drops the whole sbx schema. */
export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  for (const table of [
    'sandbox_provisioning_latency_buckets',
    'sandbox_provisioning_rollups',
    'sandbox_alerts',
    'sandbox_perf_records',
    'sandbox_provisioning_phases',
    'sandbox_provisioning_kpis',
  ]) {
    await run(`drop table ${table}`);
  }
  await run('drop function sbx_rollup_delete');
  await run('drop function sbx_rollup_insert');
}
