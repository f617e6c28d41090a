import { SandboxProvisioningKPI, type SbxDatabase, StoreError } from '@sbx/store';
import { type Clock, type ProvisionResult, SandboxProvisioner, type SandboxType } from '@sbx/timing';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase, TEST_DIALECTS } from './test-databases.test-support.js';

const T0 = new Date('2026-11-22T10:00:00.000Z');

function ok(overrides: Partial<ProvisionResult> = {}): ProvisionResult {
  return { sandboxType: 'docker', durationMs: 1_234.567, status: 'ok', timestamp: T0, ...overrides };
}

describe.each(TEST_DIALECTS)('on %s', (dialect) => {
  let db: Kysely<SbxDatabase>;
  let kpis: SandboxProvisioningKPI;

  beforeEach(async () => {
    db = await openTestDatabase(dialect);
    kpis = new SandboxProvisioningKPI(db);
  });
  afterEach(async () => {
    await db.destroy();
  });

  describe('record', () => {
    it('stores a result with its phases and error, and lists it back unchanged', async () => {
      // Extra fields (the `value` of what provision() resolves to) are not stored.
      await kpis.record(
        Object.assign(
          ok({
            durationMs: 31_000.25,
            status: 'sla_breach',
            slaLimitMs: 30_000,
            phases: [
              { name: 'create', startMs: 0, durationMs: 120.5 },
              { name: 'start', startMs: 120.5, durationMs: 900 },
              { name: 'ready', startMs: 1_020.5, durationMs: 29_979.75 },
            ],
            error: {
              name: 'BootstrapError',
              message: 'readiness timed out',
              code: 'READINESS_TIMEOUT',
              cause: 'platform',
            },
          }),
          { value: { ignored: true } },
        ),
      );
      const [row, ...rest] = await kpis.listRecent();
      expect(rest).toEqual([]);
      expect(row).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        sandboxType: 'docker',
        durationMs: 31_000.25,
        status: 'sla_breach',
        timestamp: T0,
        slaLimitMs: 30_000,
        source: 'cold',
        error: {
          name: 'BootstrapError',
          message: 'readiness timed out',
          code: 'READINESS_TIMEOUT',
          cause: 'platform',
        },
        phases: [
          { name: 'create', startMs: 0, durationMs: 120.5 },
          { name: 'start', startMs: 120.5, durationMs: 900 },
          { name: 'ready', startMs: 1_020.5, durationMs: 29_979.75 },
        ],
      });
    });

    it('fills in the SLA limit of the type and leaves error out when there was none', async () => {
      await kpis.record(ok({ sandboxType: 'webcontainer' }));
      const [row] = await kpis.listRecent();
      expect(row?.slaLimitMs).toBe(10_000);
      expect(row).not.toHaveProperty('error');
      expect(row?.phases).toEqual([]);
    });

    it('gives every row a fresh id', async () => {
      for (let i = 0; i < 5; i++) await kpis.record(ok());
      const ids = (await kpis.listRecent()).map((r) => r.id);
      expect(new Set(ids).size).toBe(5);
    });

    it('stores quote-laden and unusual strings verbatim (U+0000, which PostgreSQL cannot store, as U+FFFD)', async () => {
      const nasty = `it's "quoted" \\ back\`tick'); DROP TABLE sandbox_provisioning_kpis; -- \n\t ünï 🚀 %_ ?1 :name $x \uFFFDend`;
      await kpis.record(
        ok({
          error: { name: `O'Brien"Error`, message: nasty.replace('\uFFFD', '\u0000'), code: "E'1" },
          phases: [{ name: nasty.replace('\uFFFD', '\u0000'), startMs: 0, durationMs: 1 }],
        }),
      );
      const [row] = await kpis.listRecent();
      expect(row?.error).toEqual({ name: `O'Brien"Error`, message: nasty, code: "E'1", cause: 'platform' });
      expect(row?.phases[0]?.name).toBe(nasty);
      expect((await kpis.getPhaseBreakdown('docker'))[0]?.phase).toBe(nasty);
      expect(await kpis.count()).toBe(1);
    });

    it('is the recorder SandboxProvisioner writes to, failures included', async () => {
      let now = 0;
      const clock: Clock = { now: () => now };
      const provisioner = new SandboxProvisioner({ recorder: kpis, clock, wallClock: { now: () => T0 } });
      await provisioner.provision({
        type: 'docker',
        bootstrapFn: async (ctx) => {
          await ctx.phase('create', () => {
            now += 40;
          });
          await ctx.phase('start', () => {
            now += 60;
          });
        },
      });
      const failure = provisioner.provision({
        type: 'webcontainer',
        bootstrapFn: () => {
          now += 5;
          throw Object.assign(new Error('no isolation'), { code: 'NOT_CROSS_ORIGIN_ISOLATED' });
        },
      });
      await expect(failure).rejects.toThrow('no isolation');

      const [wc, docker] = await kpis.listRecent();
      expect(docker).toMatchObject({
        sandboxType: 'docker',
        durationMs: 100,
        status: 'ok',
        slaLimitMs: 30_000,
      });
      expect(docker?.phases.map((p) => [p.name, p.startMs, p.durationMs])).toEqual([
        ['create', 0, 40],
        ['start', 40, 60],
      ]);
      expect(wc).toMatchObject({
        sandboxType: 'webcontainer',
        durationMs: 5,
        status: 'sla_breach',
        error: { name: 'Error', message: 'no isolation', code: 'NOT_CROSS_ORIGIN_ISOLATED' },
      });
    });
  });

  describe('bad input is refused with the field named and nothing written', () => {
    const cases: [string, unknown, string][] = [
      ['a non-object', 'docker', 'result'],
      ['null', null, 'result'],
      ['an unknown sandbox type', ok({ sandboxType: 'firecracker' as SandboxType }), 'sandboxType'],
      ['a negative duration', ok({ durationMs: -1 }), 'durationMs'],
      ['a NaN duration', ok({ durationMs: Number.NaN }), 'durationMs'],
      ['an infinite duration', ok({ durationMs: Number.POSITIVE_INFINITY }), 'durationMs'],
      ['a string duration', ok({ durationMs: '12' as unknown as number }), 'durationMs'],
      ['an unknown status', ok({ status: 'fine' as 'ok' }), 'status'],
      ['an invalid date', ok({ timestamp: new Date('not a date') }), 'timestamp'],
      ['a date string', ok({ timestamp: T0.toISOString() as unknown as Date }), 'timestamp'],
      ['a date past year 9999', ok({ timestamp: new Date(Date.UTC(10_000, 0, 1)) }), 'timestamp'],
      ['a zero SLA limit', ok({ slaLimitMs: 0 }), 'slaLimitMs'],
      ['phases that are not an array', ok({ phases: {} as never }), 'phases'],
      ['a phase that is not an object', ok({ phases: [null as never] }), 'phases[0]'],
      ['a phase without a name', ok({ phases: [{ name: '', startMs: 0, durationMs: 1 }] }), 'phases[0].name'],
      [
        'a phase with a negative start',
        ok({
          phases: [
            { name: 'a', startMs: 0, durationMs: 1 },
            { name: 'b', startMs: -5, durationMs: 1 },
          ],
        }),
        'phases[1].startMs',
      ],
      [
        'a phase with a NaN duration',
        ok({ phases: [{ name: 'a', startMs: 0, durationMs: Number.NaN }] }),
        'phases[0].durationMs',
      ],
      ['an error without a message', ok({ error: { name: 'E' } as never }), 'error.message'],
      [
        'an error with a numeric code',
        ok({ error: { name: 'E', message: 'm', code: 5 as never } }),
        'error.code',
      ],
      ['an error that is a string', ok({ error: 'boom' as never }), 'error'],
    ];

    it.each(cases)('%s', async (_label, input, field) => {
      const error = await kpis.record(input as ProvisionResult).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).not.toContain('[object');
      expect(error).toMatchObject({ code: 'INVALID_INPUT', field });
      expect((error as Error).message).toContain(field);
      expect(await kpis.count()).toBe(0);
      expect(await db.selectFrom('sandbox_provisioning_phases').selectAll().execute()).toEqual([]);
    });

    it('recordMany writes nothing when any result is bad, and names its index', async () => {
      const batch = [
        ok(),
        ok({ phases: [{ name: 'a', startMs: 0, durationMs: 1 }] }),
        ok({ durationMs: -3 }),
        ok(),
      ];
      await expect(kpis.recordMany(batch)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        field: 'results[2].durationMs',
      });
      await expect(kpis.recordMany([ok(), 7 as never])).rejects.toMatchObject({ field: 'results[1]' });
      await expect(kpis.recordMany('nope' as never)).rejects.toMatchObject({ field: 'results' });
      expect(await kpis.count()).toBe(0);
    });
  });

  describe('recordMany', () => {
    it('stores every result and its phases, many statements in one transaction', async () => {
      const results = Array.from({ length: 250 }, (_, i) =>
        ok({
          durationMs: i,
          timestamp: new Date(T0.getTime() + i),
          phases: [
            { name: 'create', startMs: 0, durationMs: i / 2 },
            { name: 'start', startMs: i / 2, durationMs: i / 2 },
          ],
        }),
      );
      await kpis.recordMany(results);
      expect(await kpis.count('docker')).toBe(250);
      const newest = await kpis.listRecent({ limit: 3 });
      expect(newest.map((r) => r.durationMs)).toEqual([249, 248, 247]);
      expect(newest[0]?.phases).toEqual([
        { name: 'create', startMs: 0, durationMs: 124.5 },
        { name: 'start', startMs: 124.5, durationMs: 124.5 },
      ]);
      const phaseRows = await db.selectFrom('sandbox_provisioning_phases').select('provision_id').execute();
      expect(phaseRows).toHaveLength(500);
    });

    it('accepts an empty list', async () => {
      await kpis.recordMany([]);
      expect(await kpis.count()).toBe(0);
    });
  });

  describe('listRecent and count', () => {
    beforeEach(async () => {
      const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
      await kpis.recordMany([
        ok({ durationMs: 1, timestamp: at(1) }),
        ok({ sandboxType: 'webcontainer', durationMs: 2, timestamp: at(2) }),
        ok({ durationMs: 3, timestamp: at(3) }),
        ok({ sandboxType: 'webcontainer', durationMs: 0.5, timestamp: at(0) }),
      ]);
    });

    it('lists every type newest first, or one type, up to a limit', async () => {
      expect((await kpis.listRecent()).map((r) => r.durationMs)).toEqual([3, 2, 1, 0.5]);
      expect((await kpis.listRecent({ limit: 2 })).map((r) => r.durationMs)).toEqual([3, 2]);
      expect((await kpis.listRecent({ type: 'webcontainer' })).map((r) => r.durationMs)).toEqual([2, 0.5]);
    });

    it('counts per type and in total', async () => {
      expect(await kpis.count()).toBe(4);
      expect(await kpis.count('docker')).toBe(2);
      expect(await kpis.count('webcontainer')).toBe(2);
    });

    it('refuses a bad limit or type', async () => {
      await expect(kpis.listRecent({ limit: 0 })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        field: 'limit',
      });
      await expect(kpis.listRecent({ limit: 10_001 })).rejects.toMatchObject({ field: 'limit' });
      await expect(kpis.listRecent({ type: 'vm' as SandboxType })).rejects.toMatchObject({ field: 'type' });
      await expect(kpis.count('vm' as SandboxType)).rejects.toMatchObject({ field: 'sandboxType' });
    });
  });

  describe('a closed database', () => {
    it('fails writes with WRITE_FAILED and reads with READ_FAILED, keeping the driver error as cause', async () => {
      await db.destroy();
      const write = await kpis.record(ok()).catch((e: unknown) => e);
      expect(write).toMatchObject({
        code: 'WRITE_FAILED',
        message: expect.stringContaining('record a provisioning result'),
      });
      expect((write as Error).cause).toBeInstanceOf(Error);
      await expect(kpis.recordMany([ok(), ok()])).rejects.toMatchObject({ code: 'WRITE_FAILED' });
      await expect(kpis.getP95Latency('docker')).rejects.toMatchObject({ code: 'READ_FAILED' });
      await expect(kpis.getStats('docker')).rejects.toMatchObject({ code: 'READ_FAILED' });
      await expect(kpis.getPhaseBreakdown('docker')).rejects.toMatchObject({ code: 'READ_FAILED' });
      await expect(kpis.listRecent()).rejects.toMatchObject({ code: 'READ_FAILED' });
      await expect(kpis.count()).rejects.toMatchObject({ code: 'READ_FAILED' });
      db = await openTestDatabase(dialect);
    });
  });
});
