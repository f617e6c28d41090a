import { type Kysely, sql } from 'kysely';

// SQLite's half of 2026_12_07_000000_add_failure_causes (PostgreSQL's is in the .postgres.ts file next to it).
// Frozen with this migration: the sketch's bucket width, the default limits and the caller's error codes of the
// backfill. Adds `failure_cause` to provisionings (`platform`, `caller`; null for those that became ready) and
// `caller_failures` to the rollups, whose judged counts (n, failures, breaches) leave a caller's failure out like
// a cancellation. The rollups are rebuilt from the rows, keyed as 2026_11_26_000000_key_rollups_by_host keyed them.

const LN_GAMMA = '0.020000666706669435';
const BELOW_MICROSECOND_BUCKET = -1_000_000;
const bucket = (d: string) =>
  `iif(${d} < 0.001, ${BELOW_MICROSECOND_BUCKET}, cast(ceil(ln(${d}) / ${LN_GAMMA}) as integer))`;
const defaultLimit = (r: string) =>
  `case ${r}.sandbox_type when 'docker' then 30000 when 'webcontainer' then 10000 end`;

// With causes, a caller's failure leaves the judged counts (n, failures, breaches) like a cancellation and is
// counted in `caller_failures`; without (the state before this migration, for `down`), every failure is judged.
const contributions = (r: string, withCauses: boolean): Record<string, string> => {
  const limit = `coalesce(${r}.sla_limit_ms, ${defaultLimit(r)})`;
  const judged = withCauses
    ? `${r}.cancelled = 0 and coalesce(${r}.failure_cause, '') <> 'caller'`
    : `${r}.cancelled = 0`;
  return {
    n: judged,
    failures: `${judged} and ${r}.error_name is not null`,
    cancelled: `${r}.cancelled`,
    ...(withCauses
      ? { caller_failures: `${r}.cancelled = 0 and coalesce(${r}.failure_cause, '') = 'caller'` }
      : {}),
    breaches: `${judged} and (${r}.error_name is not null or not coalesce(${r}.duration_ms <= ${limit}, 0))`,
    ready_sum_ms: `iif(${r}.error_name is null, ${r}.duration_ms, 0)`,
    ready_max_ms: `iif(${r}.error_name is null, ${r}.duration_ms, null)`,
  };
};
const counts = (withCauses: boolean) => [
  'n',
  'failures',
  'cancelled',
  ...(withCauses ? ['caller_failures'] : []),
  'breaches',
];
const aliased = (r: string, withCauses: boolean) =>
  Object.entries(contributions(r, withCauses))
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

/** Creates the rollup tables keyed by `keys`, fills them from the rows there, and the triggers that keep them. */
async function createRollups(db: Kysely<unknown>, keys: Keys, withCauses: boolean): Promise<void> {
  const COUNTS = () => counts(withCauses);
  const run = (text: string) => sql.raw(text).execute(db);
  const key = ['sandbox_type', ...keys.columns].join(', ');
  const pk = ['sandbox_type', 'period', ...keys.columns].join(', ');
  const keyText = keys.columns.map((c) => `, ${c} text not null`).join('');
  const values = (r: string) => [`${r}.sandbox_type`, ...keys.of(r)].join(', ');
  const sameKey = (r: string) =>
    ['sandbox_type', ...keys.columns].map((c, i) => `${c} = ${[`${r}.sandbox_type`, ...keys.of(r)][i]}`);
  await run(`create table sandbox_provisioning_rollups (
    sandbox_type text not null, period text not null${keyText},
    n integer not null, failures integer not null, cancelled integer not null,${
      withCauses ? ' caller_failures integer not null default 0,' : ''
    } breaches integer not null,
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
  const rollupColumns = `${key}, period, ${COUNTS().join(', ')}, ready_sum_ms, ready_max_ms`;
  await run(`insert into sandbox_provisioning_rollups (${rollupColumns})
    select ${key}, period, ${COUNTS()
      .map((c) => `sum(${c})`)
      .join(', ')}, sum(ready_sum_ms), max(ready_max_ms)
    from (${everyRow(aliased('k', withCauses))}) group by ${pk}`);
  await run(`insert into sandbox_provisioning_latency_buckets (${key}, period, bucket, count)
    select ${key}, period, bucket, count(*)
    from (${everyRow(`${bucket('k.duration_ms')} as bucket`, 'where k.error_name is null')})
    group by ${pk}, bucket`);
  await run(`create trigger trg_sandbox_provisioning_kpis_rollup_insert after insert on sandbox_provisioning_kpis
    begin
      insert into sandbox_provisioning_rollups (${rollupColumns})
        select ${values('new')}, p.period, ${aliased('new', withCauses)} from ${periods('new')} p where true
      on conflict (${pk}) do update set ${COUNTS()
        .map((c) => `${c} = ${c} + excluded.${c}`)
        .join(', ')},
        ready_sum_ms = ready_sum_ms + excluded.ready_sum_ms,
        ready_max_ms = max(coalesce(ready_max_ms, excluded.ready_max_ms), coalesce(excluded.ready_max_ms, ready_max_ms));
      insert into sandbox_provisioning_latency_buckets (${key}, period, bucket, count)
        select ${values('new')}, p.period, ${bucket('new.duration_ms')}, 1 from ${periods('new')} p
        where new.error_name is null
      on conflict (${pk}, bucket) do update set count = count + 1;
    end`);
  const mine = `${sameKey('old').join(' and ')} and period in ('', substr(old.timestamp, 1, 13))`;
  const subtract = [...COUNTS(), 'ready_sum_ms']
    .map((column) => `${column} = ${column} - (${contributions('old', withCauses)[column]})`)
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

/** Sets `failure_cause` on the rows already there: see `BACKFILL_CAUSE`. */
export const BACKFILL_CAUSE = `case
  when error_name is null then null
  when error_code = 'CANCELLED' then 'caller'
  when error_code = 'READINESS_FAILED' and error_message like '%running out of memory%' then 'platform'
  when error_code = 'READINESS_FAILED' and error_message like '%checking readiness of%' then 'platform'
  when error_code = 'DEADLINE_EXCEEDED' and error_message like '%during the ready phase%' then 'caller'
  when error_code in ('INVALID_SPEC', 'IMAGE_NOT_FOUND', 'RUNTIME_NOT_FOUND', 'READINESS_FAILED',
    'READINESS_TIMEOUT', 'INSTALL_FAILED', 'INVALID_REQUEST', 'INVALID_IMAGE', 'POLICY_LIMIT') then 'caller'
  else 'platform' end`;

/**
 * Adds `failure_cause` (backfilled from each failed row's code: a caller's mistake is `caller`, anything else
 * `platform`) and rebuilds the rollups with `caller_failures`, leaving the caller's failures out of what is judged.
 */
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
