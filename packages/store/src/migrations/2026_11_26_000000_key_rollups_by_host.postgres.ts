import { type Kysely, sql } from 'kysely';

// PostgreSQL's half of 2026_11_26_000000_key_rollups_by_host (SQLite's is in the .sqlite.ts file next to it).
// Frozen with this migration: the sketch's bucket width and the default limits. Adds `runtime` and `network` to
// provisionings and keys the rollups by (type, host, runtime), so one host's all-time and hourly figures are exact
// and the fleet's are their sum. The statement triggers over transition tables stay: one upsert per statement.

const LN_GAMMA = '0.020000666706669435::float8';
const defaultLimit = (r: string) =>
  `case ${r}.sandbox_type when 'docker' then 30000 when 'webcontainer' then 10000 end`;
const bucket = (d: string) =>
  `case when ${d} < 0.001 then -1000000 else cast(ceil(ln(${d}) / ${LN_GAMMA}) as integer) end`;
const periods = (r: string) => `cross join lateral (values (''), (substr(${r}.timestamp, 1, 13))) p(period)`;
const sums = (r: string) => {
  const limit = `coalesce(${r}.sla_limit_ms, ${defaultLimit(r)})`;
  return `sum(case when ${r}.cancelled = 0 then 1 else 0 end) as n,
    sum(case when ${r}.cancelled = 0 and ${r}.error_name is not null then 1 else 0 end) as failures,
    sum(${r}.cancelled) as cancelled,
    sum(case when ${r}.cancelled = 0 and (${r}.error_name is not null
      or not coalesce(${r}.duration_ms <= ${limit}, false)) then 1 else 0 end) as breaches,
    sum(case when ${r}.error_name is null then ${r}.duration_ms else 0 end) as ready_sum_ms,
    max(case when ${r}.error_name is null then ${r}.duration_ms end) as ready_max_ms`;
};

/** The rollup key besides the type and period: `host_id` and `runtime` (null stored as ''), or none. */
interface Keys {
  columns: string[];
  of(r: string): string[];
}
const BY_HOST: Keys = {
  columns: ['host_id', 'runtime'],
  of: (r) => [`coalesce(${r}.host_id, '')`, `coalesce(${r}.runtime, '')`],
};
const FLEET: Keys = { columns: [], of: () => [] };

async function createRollups(db: Kysely<unknown>, keys: Keys): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  const cols = ['sandbox_type', ...keys.columns];
  const pk = ['sandbox_type', 'period', ...keys.columns].join(', ');
  const keyText = keys.columns.map((c) => `, ${c} text not null`).join('');
  const values = (r: string) => [`${r}.sandbox_type`, ...keys.of(r)];
  // Group positions: the key, then the period (and the bucket).
  const groupBy = (extra: number) =>
    Array.from({ length: cols.length + 1 + extra }, (_, i) => String(i + 1)).join(', ');
  const rollupColumns = `${cols.join(', ')}, period, n, failures, cancelled, breaches, ready_sum_ms, ready_max_ms`;
  await run(`create table sandbox_provisioning_rollups (
    sandbox_type text not null, period text not null${keyText},
    n bigint not null, failures bigint not null, cancelled bigint not null, breaches bigint not null,
    ready_sum_ms double precision not null, ready_max_ms double precision,
    primary key (${pk}))`);
  await run(`create table sandbox_provisioning_latency_buckets (
    sandbox_type text not null, period text not null${keyText}, bucket integer not null, count bigint not null,
    primary key (${pk}, bucket))`);
  const named = values('k')
    .map((e, i) => `${e} as ${cols[i]}`)
    .join(', ');
  const rollupsOf = (source: string) =>
    `select ${named}, p.period, ${sums('k')} from ${source} k ${periods('k')}
     group by ${groupBy(0)}`;
  const bucketsOf = (source: string) =>
    `select ${named}, p.period, ${bucket('k.duration_ms')} as bucket, count(*) as count
     from ${source} k ${periods('k')} where k.error_name is null group by ${groupBy(1)}`;
  await run(`insert into sandbox_provisioning_rollups (${rollupColumns})
    ${rollupsOf('sandbox_provisioning_kpis')}`);
  await run(`insert into sandbox_provisioning_latency_buckets (${cols.join(', ')}, period, bucket, count)
    ${bucketsOf('sandbox_provisioning_kpis')}`);
  // Keys are upserted in order, so concurrent writers lock rollup rows in the same order (no deadlock cycle).
  await run(`create or replace function sbx_rollup_insert() returns trigger language plpgsql as $$
    begin
      insert into sandbox_provisioning_rollups as r (${rollupColumns})
        ${rollupsOf('inserted')} order by ${groupBy(0)}
      on conflict (${pk}) do update set n = r.n + excluded.n,
        failures = r.failures + excluded.failures, cancelled = r.cancelled + excluded.cancelled,
        breaches = r.breaches + excluded.breaches, ready_sum_ms = r.ready_sum_ms + excluded.ready_sum_ms,
        ready_max_ms = greatest(r.ready_max_ms, excluded.ready_max_ms);
      insert into sandbox_provisioning_latency_buckets as b (${cols.join(', ')}, period, bucket, count)
        ${bucketsOf('inserted')} order by ${groupBy(1)}
      on conflict (${pk}, bucket) do update set count = b.count + excluded.count;
      return null;
    end $$`);
  await run(`create trigger trg_sandbox_provisioning_kpis_rollup_insert after insert on sandbox_provisioning_kpis
    referencing new table as inserted for each statement execute function sbx_rollup_insert()`);
  const same = (a: string, b: string) => cols.map((c) => `${a}.${c} = ${b}.${c}`).join(' and ');
  const rowKey = ['k.sandbox_type', ...keys.of('k')];
  const rollupKey = ['r.sandbox_type', ...keys.columns.map((c) => `r.${c}`)];
  await run(`create or replace function sbx_rollup_delete() returns trigger language plpgsql as $$
    begin
      update sandbox_provisioning_rollups r set n = r.n - d.n, failures = r.failures - d.failures,
          cancelled = r.cancelled - d.cancelled, breaches = r.breaches - d.breaches,
          ready_sum_ms = r.ready_sum_ms - d.ready_sum_ms
        from (${rollupsOf('deleted')}) d
        where ${same('r', 'd')} and r.period = d.period;
      update sandbox_provisioning_rollups r set ready_max_ms = (
          select max(k.duration_ms) from sandbox_provisioning_kpis k
          where ${rowKey.map((e, i) => `${e} = ${rollupKey[i]}`).join(' and ')} and k.error_name is null
            and (r.period = '' or (k.timestamp >= r.period || ':' and k.timestamp < r.period || ';')))
        where (${rollupKey.join(', ')}, r.period) in (select ${rowKey.join(', ')}, p.period from deleted k
          ${periods('k')} where k.error_name is null and k.duration_ms >= 0);
      update sandbox_provisioning_latency_buckets b set count = b.count - d.count
        from (${bucketsOf('deleted')}) d
        where ${same('b', 'd')} and b.period = d.period and b.bucket = d.bucket;
      delete from sandbox_provisioning_latency_buckets where count <= 0;
      return null;
    end $$`);
  await run(`create trigger trg_sandbox_provisioning_kpis_rollup_delete after delete on sandbox_provisioning_kpis
    referencing old table as deleted for each statement execute function sbx_rollup_delete()`);
}

async function dropRollups(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run('drop trigger trg_sandbox_provisioning_kpis_rollup_delete on sandbox_provisioning_kpis');
  await run('drop trigger trg_sandbox_provisioning_kpis_rollup_insert on sandbox_provisioning_kpis');
  await run('drop table sandbox_provisioning_latency_buckets');
  await run('drop table sandbox_provisioning_rollups');
}

/** Adds `runtime` and `network`; rebuilds the rollups keyed by type, host and runtime from the rows there. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sandbox_provisioning_kpis').addColumn('runtime', 'text').execute();
  await db.schema.alterTable('sandbox_provisioning_kpis').addColumn('network', 'text').execute();
  await dropRollups(db);
  await createRollups(db, BY_HOST);
}

/** Rebuilds the fleet-wide rollups and drops `runtime` and `network`. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await dropRollups(db);
  await createRollups(db, FLEET);
  await db.schema.alterTable('sandbox_provisioning_kpis').dropColumn('network').execute();
  await db.schema.alterTable('sandbox_provisioning_kpis').dropColumn('runtime').execute();
}
