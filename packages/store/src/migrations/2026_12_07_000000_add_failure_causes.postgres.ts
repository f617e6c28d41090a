import { type Kysely, sql } from 'kysely';
import { BACKFILL_CAUSE } from './2026_12_07_000000_add_failure_causes.sqlite.js';

// PostgreSQL's half of 2026_12_07_000000_add_failure_causes (SQLite's is in the .sqlite.ts file next to it, with
// the backfill both share). Frozen with this migration: the sketch's bucket width and the default limits. Adds
// `failure_cause` to provisionings and `caller_failures` to the rollups, whose judged counts (n, failures,
// breaches) leave a caller's failure out like a cancellation. The statement triggers over transition tables stay.

const LN_GAMMA = '0.020000666706669435::float8';
const defaultLimit = (r: string) =>
  `case ${r}.sandbox_type when 'docker' then 30000 when 'webcontainer' then 10000 end`;
const bucket = (d: string) =>
  `case when ${d} < 0.001 then -1000000 else cast(ceil(ln(${d}) / ${LN_GAMMA}) as integer) end`;
const periods = (r: string) => `cross join lateral (values (''), (substr(${r}.timestamp, 1, 13))) p(period)`;
// With causes, a caller's failure leaves the judged counts (n, failures, breaches) like a cancellation and is
// counted in `caller_failures`; without (the state before this migration, for `down`), every failure is judged.
const sums = (r: string, withCauses: boolean) => {
  const limit = `coalesce(${r}.sla_limit_ms, ${defaultLimit(r)})`;
  const judged = withCauses
    ? `${r}.cancelled = 0 and coalesce(${r}.failure_cause, '') <> 'caller'`
    : `${r}.cancelled = 0`;
  const caller = withCauses
    ? `sum(case when ${r}.cancelled = 0 and ${r}.failure_cause = 'caller' then 1 else 0 end) as caller_failures,`
    : '';
  return `sum(case when ${judged} then 1 else 0 end) as n,
    sum(case when ${judged} and ${r}.error_name is not null then 1 else 0 end) as failures,
    sum(${r}.cancelled) as cancelled, ${caller}
    sum(case when ${judged} and (${r}.error_name is not null
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

async function createRollups(db: Kysely<unknown>, keys: Keys, withCauses: boolean): Promise<void> {
  const counts = ['n', 'failures', 'cancelled', ...(withCauses ? ['caller_failures'] : []), 'breaches'];
  const run = (text: string) => sql.raw(text).execute(db);
  const cols = ['sandbox_type', ...keys.columns];
  const pk = ['sandbox_type', 'period', ...keys.columns].join(', ');
  const keyText = keys.columns.map((c) => `, ${c} text not null`).join('');
  const values = (r: string) => [`${r}.sandbox_type`, ...keys.of(r)];
  // Group positions: the key, then the period (and the bucket).
  const groupBy = (extra: number) =>
    Array.from({ length: cols.length + 1 + extra }, (_, i) => String(i + 1)).join(', ');
  const rollupColumns = `${cols.join(', ')}, period, ${counts.join(', ')}, ready_sum_ms, ready_max_ms`;
  await run(`create table sandbox_provisioning_rollups (
    sandbox_type text not null, period text not null${keyText},
    n bigint not null, failures bigint not null, cancelled bigint not null,${
      withCauses ? ' caller_failures bigint not null default 0,' : ''
    } breaches bigint not null,
    ready_sum_ms double precision not null, ready_max_ms double precision,
    primary key (${pk}))`);
  await run(`create table sandbox_provisioning_latency_buckets (
    sandbox_type text not null, period text not null${keyText}, bucket integer not null, count bigint not null,
    primary key (${pk}, bucket))`);
  const named = values('k')
    .map((e, i) => `${e} as ${cols[i]}`)
    .join(', ');
  const rollupsOf = (source: string) =>
    `select ${named}, p.period, ${sums('k', withCauses)} from ${source} k ${periods('k')}
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
      on conflict (${pk}) do update set ${counts.map((c) => `${c} = r.${c} + excluded.${c}`).join(', ')},
        ready_sum_ms = r.ready_sum_ms + excluded.ready_sum_ms,
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
      update sandbox_provisioning_rollups r set ${counts.map((c) => `${c} = r.${c} - d.${c}`).join(', ')},
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

/** Adds `failure_cause` (backfilled from each failed row's code) and rebuilds the rollups with `caller_failures`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sandbox_provisioning_kpis').addColumn('failure_cause', 'text').execute();
  await sql.raw(`update sandbox_provisioning_kpis set failure_cause = ${BACKFILL_CAUSE}`).execute(db);
  await dropRollups(db);
  await createRollups(db, BY_HOST, true);
}

/** Rebuilds the rollups as they were (every failure judged) and drops `failure_cause`. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await dropRollups(db);
  await createRollups(db, BY_HOST, false);
  await db.schema.alterTable('sandbox_provisioning_kpis').dropColumn('failure_cause').execute();
}
