import { type Kysely, sql } from 'kysely';

// SQLite's half of 2026_11_26_000000_key_rollups_by_host (PostgreSQL's is in the .postgres.ts file next to it).
// Frozen with this migration, like 2026_11_23_000000_add_sla_rollups: the sketch's bucket width and the default
// limits. Adds `runtime` and `network` to provisionings and keys the rollups by (type, host, runtime), so one
// host's all-time and hourly figures are exact and the fleet's are their sum.

const LN_GAMMA = '0.020000666706669435';
const BELOW_MICROSECOND_BUCKET = -1_000_000;
const bucket = (d: string) =>
  `iif(${d} < 0.001, ${BELOW_MICROSECOND_BUCKET}, cast(ceil(ln(${d}) / ${LN_GAMMA}) as integer))`;
const defaultLimit = (r: string) =>
  `case ${r}.sandbox_type when 'docker' then 30000 when 'webcontainer' then 10000 end`;

const contributions = (r: string): Record<string, string> => {
  const limit = `coalesce(${r}.sla_limit_ms, ${defaultLimit(r)})`;
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

/** The rollup key besides the type and period: `host_id` and `runtime` (null stored as ''), or none (fleet-wide). */
interface Keys {
  columns: string[];
  /** The key values of row `r`. */
  of(r: string): string[];
}
const BY_HOST: Keys = {
  columns: ['host_id', 'runtime'],
  of: (r) => [`coalesce(${r}.host_id, '')`, `coalesce(${r}.runtime, '')`],
};
const FLEET: Keys = { columns: [], of: () => [] };

/** Creates the rollup tables keyed by `keys`, fills them from the rows there, and the triggers that keep them. */
async function createRollups(db: Kysely<unknown>, keys: Keys): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  const key = ['sandbox_type', ...keys.columns].join(', ');
  const pk = ['sandbox_type', 'period', ...keys.columns].join(', ');
  const keyText = keys.columns.map((c) => `, ${c} text not null`).join('');
  const values = (r: string) => [`${r}.sandbox_type`, ...keys.of(r)].join(', ');
  const sameKey = (r: string) =>
    ['sandbox_type', ...keys.columns].map((c, i) => `${c} = ${[`${r}.sandbox_type`, ...keys.of(r)][i]}`);
  await run(`create table sandbox_provisioning_rollups (
    sandbox_type text not null, period text not null${keyText},
    n integer not null, failures integer not null, cancelled integer not null, breaches integer not null,
    ready_sum_ms real not null, ready_max_ms real,
    primary key (${pk})) without rowid`);
  await run(`create table sandbox_provisioning_latency_buckets (
    sandbox_type text not null, period text not null${keyText}, bucket integer not null, count integer not null,
    primary key (${pk}, bucket)) without rowid`);
  const named = [
    `k.sandbox_type as sandbox_type`,
    ...keys.of('k').map((e, i) => `${e} as ${keys.columns[i]}`),
  ];
  const everyRow = (columns: string, where = '') =>
    `select ${named.join(', ')}, '' as period, ${columns} from sandbox_provisioning_kpis k ${where}
     union all
     select ${named.join(', ')}, substr(k.timestamp, 1, 13), ${columns} from sandbox_provisioning_kpis k ${where}`;
  const rollupColumns = `${key}, period, n, failures, cancelled, breaches, ready_sum_ms, ready_max_ms`;
  await run(`insert into sandbox_provisioning_rollups (${rollupColumns})
    select ${key}, period, sum(n), sum(failures), sum(cancelled), sum(breaches), sum(ready_sum_ms), max(ready_max_ms)
    from (${everyRow(aliased('k'))}) group by ${pk}`);
  await run(`insert into sandbox_provisioning_latency_buckets (${key}, period, bucket, count)
    select ${key}, period, bucket, count(*)
    from (${everyRow(`${bucket('k.duration_ms')} as bucket`, 'where k.error_name is null')})
    group by ${pk}, bucket`);
  await run(`create trigger trg_sandbox_provisioning_kpis_rollup_insert after insert on sandbox_provisioning_kpis
    begin
      insert into sandbox_provisioning_rollups (${rollupColumns})
        select ${values('new')}, p.period, ${aliased('new')} from ${periods('new')} p where true
      on conflict (${pk}) do update set n = n + excluded.n, failures = failures + excluded.failures,
        cancelled = cancelled + excluded.cancelled, breaches = breaches + excluded.breaches,
        ready_sum_ms = ready_sum_ms + excluded.ready_sum_ms,
        ready_max_ms = max(coalesce(ready_max_ms, excluded.ready_max_ms), coalesce(excluded.ready_max_ms, ready_max_ms));
      insert into sandbox_provisioning_latency_buckets (${key}, period, bucket, count)
        select ${values('new')}, p.period, ${bucket('new.duration_ms')}, 1 from ${periods('new')} p
        where new.error_name is null
      on conflict (${pk}, bucket) do update set count = count + 1;
    end`);
  const mine = `${sameKey('old').join(' and ')} and period in ('', substr(old.timestamp, 1, 13))`;
  const subtract = ['n', 'failures', 'cancelled', 'breaches', 'ready_sum_ms']
    .map((column) => `${column} = ${column} - (${contributions('old')[column]})`)
    .join(', ');
  // The same key in the kpis table (k): the maximum of what is left is recomputed from the rows.
  const kSameKey = [
    `k.sandbox_type = old.sandbox_type`,
    ...keys.of('k').map((e, i) => `${e} = ${keys.of('old')[i]}`),
  ];
  await run(`create trigger trg_sandbox_provisioning_kpis_rollup_delete after delete on sandbox_provisioning_kpis
    begin
      update sandbox_provisioning_rollups set ${subtract} where ${mine};
      update sandbox_provisioning_rollups set ready_max_ms = (
          select max(duration_ms) from sandbox_provisioning_kpis k
          where ${kSameKey.join(' and ')} and k.error_name is null
            and (period = '' or (k.timestamp >= period || ':' and k.timestamp < period || ';')))
        where ${mine} and old.error_name is null and ready_max_ms <= old.duration_ms;
      update sandbox_provisioning_latency_buckets set count = count - 1
        where old.error_name is null and ${mine} and bucket = ${bucket('old.duration_ms')};
      delete from sandbox_provisioning_latency_buckets where sandbox_type = old.sandbox_type and count <= 0;
    end`);
}

async function dropRollups(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run('drop trigger trg_sandbox_provisioning_kpis_rollup_delete');
  await run('drop trigger trg_sandbox_provisioning_kpis_rollup_insert');
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
