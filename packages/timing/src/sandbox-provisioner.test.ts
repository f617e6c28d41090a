import {
  isCallerFailure,
  isCancelled,
  type PhaseTiming,
  type ProvisionContext,
  type ProvisionResult,
  SandboxProvisioner,
  type SandboxType,
  SLA_LIMITS,
  TimingError,
} from '@sbx/timing';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';

const silent = { warn: vi.fn(), error: vi.fn() };

function memoryRecorder() {
  const results: ProvisionResult[] = [];
  return { results, record: (r: ProvisionResult) => void results.push(r) };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Provisions with a bootstrap that takes `ms` of fake time, and returns the result. */
async function provisionTaking(provisioner: SandboxProvisioner, type: SandboxType, ms: number) {
  const pending = provisioner.provision({ type, bootstrapFn: () => sleep(ms) });
  await vi.advanceTimersByTimeAsync(ms);
  return pending;
}

describe('SandboxProvisioner', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance', 'Date', 'setTimeout', 'clearTimeout'] });
    vi.setSystemTime(new Date('2026-11-22T10:00:00.000Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.clearAllMocks();
  });

  it('exposes the SLA limits: docker 30 s, webcontainer 10 s', () => {
    expect(SLA_LIMITS).toEqual({ docker: 30_000, webcontainer: 10_000 });
    expect(Object.isFrozen(SLA_LIMITS)).toBe(true);
  });

  it.each([
    ['docker', 29_999, 'ok'],
    ['docker', 30_000, 'ok'],
    ['docker', 30_001, 'sla_breach'],
    ['webcontainer', 9_999, 'ok'],
    ['webcontainer', 10_000, 'ok'],
    ['webcontainer', 10_001, 'sla_breach'],
  ] as const)('%s taking %i ms is %s', async (type, ms, status) => {
    const recorder = memoryRecorder();
    const result = await provisionTaking(new SandboxProvisioner({ recorder }), type, ms);
    expect(result).toMatchObject({ sandboxType: type, durationMs: ms, status, slaLimitMs: SLA_LIMITS[type] });
    expect(result.timestamp).toEqual(new Date('2026-11-22T10:00:00.000Z'));
    expect(recorder.results).toHaveLength(1);
    expect(recorder.results[0]).toMatchObject({ sandboxType: type, durationMs: ms, status });
  });

  it('judges against an injected SLA override', async () => {
    const provisioner = new SandboxProvisioner({ slaLimits: { docker: 100 } });
    expect((await provisionTaking(provisioner, 'docker', 101)).status).toBe('sla_breach');
    expect((await provisionTaking(provisioner, 'webcontainer', 101)).status).toBe('ok');
    expect(provisioner.slaLimitMs('docker')).toBe(100);
  });

  it('returns the bootstrap value but never hands it to the recorder', async () => {
    const recorder = memoryRecorder();
    const handle = { id: 'c1' };
    const result = await new SandboxProvisioner({ recorder }).provision({
      type: 'docker',
      bootstrapFn: () => handle,
    });
    expect(result.value).toBe(handle);
    expect(recorder.results[0]).not.toHaveProperty('value');
  });

  it('resolves to a success whose value, phases and SLA limit need no check (types proved by `pnpm typecheck`)', async () => {
    const handle = { id: 'c1' };
    const result = await new SandboxProvisioner().provision({ type: 'docker', bootstrapFn: () => handle });
    expectTypeOf(result.value).toEqualTypeOf<{ id: string }>();
    expectTypeOf(result.phases).toEqualTypeOf<PhaseTiming[]>();
    expectTypeOf(result.slaLimitMs).toEqualTypeOf<number>();
    expect(result.phases).toEqual([]);
    expect(result.slaLimitMs).toBe(SLA_LIMITS.docker);
    // A bootstrap that returns nothing still resolves to a `value` key, typed `undefined`.
    const empty = await new SandboxProvisioner().provision({ type: 'docker', bootstrapFn: () => undefined });
    expectTypeOf(empty.value).toEqualTypeOf<undefined>();
    expect(empty).toHaveProperty('value', undefined);
  });

  it('records a failing bootstrap as sla_breach with the error, then rethrows the original error', async () => {
    const recorder = memoryRecorder();
    const boom = Object.assign(new Error('image not found'), { code: 'IMAGE_NOT_FOUND' });
    const pending = new SandboxProvisioner({ recorder }).provision({
      type: 'docker',
      bootstrapFn: async () => {
        await sleep(250);
        throw boom;
      },
    });
    const settled = expect(pending).rejects.toBe(boom);
    await vi.advanceTimersByTimeAsync(250);
    await settled;
    expect(recorder.results).toEqual([
      expect.objectContaining({
        sandboxType: 'docker',
        durationMs: 250,
        status: 'sla_breach',
        // An error that names no cause is the platform's.
        error: { name: 'Error', message: 'image not found', code: 'IMAGE_NOT_FOUND', cause: 'platform' },
      }),
    ]);
  });

  it("records the cause the bootstrap's error names (its adapter's table), so the verdict can leave it out", async () => {
    const recorder = memoryRecorder();
    for (const failureCause of ['caller', 'platform', 'bogus', undefined]) {
      const error = Object.assign(new Error('nope'), { code: 'X', failureCause });
      await expect(
        new SandboxProvisioner({ recorder }).provision({
          type: 'docker',
          bootstrapFn: () => {
            throw error;
          },
        }),
      ).rejects.toBe(error);
    }
    expect(recorder.results.map((r) => r.error?.cause)).toEqual([
      'caller',
      'platform',
      'platform',
      'platform',
    ]);
    expect(recorder.results.map((r) => isCallerFailure(r))).toEqual([true, false, false, false]);
    expect(isCallerFailure({})).toBe(false);
  });

  it('a failing recorder neither fails a good provision nor masks a bootstrap error', async () => {
    const recorder = { record: vi.fn().mockRejectedValue(new Error('disk full')) };
    const provisioner = new SandboxProvisioner({ recorder, logger: silent });
    await expect(provisioner.provision({ type: 'docker', bootstrapFn: () => 'fine' })).resolves.toMatchObject(
      {
        status: 'ok',
        value: 'fine',
      },
    );
    const original = new Error('start failed');
    await expect(
      provisioner.provision({
        type: 'docker',
        bootstrapFn: () => {
          throw original;
        },
      }),
    ).rejects.toBe(original);
    expect(recorder.record).toHaveBeenCalledTimes(2);
    expect(silent.error).toHaveBeenCalledTimes(2);
    expect(silent.error.mock.calls[0]?.[0]).toMatch(/recorder failed/);
  });

  it('hands each call its own result through onResult, on success and on failure', async () => {
    const seen: ProvisionResult[] = [];
    const provisioner = new SandboxProvisioner({ recorder: memoryRecorder(), logger: silent });
    await provisioner.provision({ type: 'docker', bootstrapFn: () => 'v', onResult: (r) => seen.push(r) });
    await expect(
      provisioner.provision({
        type: 'webcontainer',
        bootstrapFn: () => Promise.reject(new Error('no boot')),
        onResult: (r) => seen.push(r),
      }),
    ).rejects.toThrow('no boot');
    expect(seen.map((r) => [r.sandboxType, r.status, r.error?.message])).toEqual([
      ['docker', 'ok', undefined],
      ['webcontainer', 'sla_breach', 'no boot'],
    ]);
    expect(seen[0]).not.toHaveProperty('value');
    const throwingHook = await provisioner.provision({
      type: 'docker',
      bootstrapFn: () => 1,
      onResult: () => {
        throw new Error('hook bug');
      },
    });
    expect(throwingHook.status).toBe('ok');
    expect(silent.error).toHaveBeenCalledWith('provision onResult hook threw', expect.anything());
  });

  it('a recorder that throws synchronously is reported too', async () => {
    const recorder = {
      record: () => {
        throw new Error('sync');
      },
    };
    const result = await new SandboxProvisioner({ recorder, logger: silent }).provision({
      type: 'webcontainer',
      bootstrapFn: () => 1,
    });
    expect(result.status).toBe('ok');
    expect(silent.error).toHaveBeenCalledOnce();
  });

  it('times named phases relative to the start, and they add up to the total', async () => {
    const recorder = memoryRecorder();
    const pending = new SandboxProvisioner({ recorder }).provision({
      type: 'docker',
      bootstrapFn: async (ctx) => {
        await ctx.phase('create', () => sleep(100));
        await ctx.phase('start', () => sleep(200));
        await ctx.phase('ready', () => sleep(300));
        return ctx.elapsedMs();
      },
    });
    await vi.advanceTimersByTimeAsync(600);
    const result = await pending;
    expect(result.phases).toEqual([
      { name: 'create', startMs: 0, durationMs: 100 },
      { name: 'start', startMs: 100, durationMs: 200 },
      { name: 'ready', startMs: 300, durationMs: 300 },
    ]);
    expect(result.value).toBe(600);
    expect(recorder.results[0]?.phases).toHaveLength(3);
  });

  it('keeps the timing of a phase that threw', async () => {
    const recorder = memoryRecorder();
    const pending = new SandboxProvisioner({ recorder }).provision({
      type: 'docker',
      bootstrapFn: async (ctx) => {
        await ctx.phase('ready', async () => {
          await sleep(40);
          throw new Error('probe failed');
        });
      },
    });
    const settled = expect(pending).rejects.toThrow('probe failed');
    await vi.advanceTimersByTimeAsync(40);
    await settled;
    expect(recorder.results[0]?.phases).toEqual([{ name: 'ready', startMs: 0, durationMs: 40 }]);
  });

  it('aborts ctx.signal when the deadline passes, and reports the time left', async () => {
    let signal: AbortSignal | undefined;
    const remaining: number[] = [];
    const pending = new SandboxProvisioner().provision({
      type: 'docker',
      deadlineMs: 1_000,
      bootstrapFn: (ctx) => {
        signal = ctx.signal;
        remaining.push(ctx.remainingMs());
        return new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => {
            remaining.push(ctx.remainingMs());
            reject(ctx.signal.reason);
          });
        });
      },
    });
    const settled = expect(pending).rejects.toMatchObject({ name: 'TimeoutError' });
    await vi.advanceTimersByTimeAsync(999);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await settled;
    expect(remaining).toEqual([1_000, 0]);
  });

  it('without a deadline the time left is infinite and the signal never aborts on its own', async () => {
    const result = await new SandboxProvisioner().provision({
      type: 'docker',
      bootstrapFn: (ctx) => ({ remaining: ctx.remainingMs(), aborted: ctx.signal.aborted }),
    });
    expect(result.value).toEqual({ remaining: Number.POSITIVE_INFINITY, aborted: false });
  });

  it("follows the caller's signal, including one aborted before the call", async () => {
    const early = new AbortController();
    early.abort(new Error('cancelled'));
    const seen = await new SandboxProvisioner().provision({
      type: 'docker',
      signal: early.signal,
      bootstrapFn: (ctx) => ctx.signal.reason,
    });
    expect(seen.value).toEqual(new Error('cancelled'));

    const late = new AbortController();
    const pending = new SandboxProvisioner().provision({
      type: 'docker',
      signal: late.signal,
      bootstrapFn: (ctx) =>
        new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
    });
    late.abort(new Error('ctrl-c'));
    await expect(pending).rejects.toThrow('ctrl-c');
  });

  it("adds the bootstrap's annotations to the result's attributes, on failure too; the caller's own win", async () => {
    const recorder = memoryRecorder();
    const provisioner = new SandboxProvisioner({ recorder, logger: silent });
    const ok = await provisioner.provision({
      type: 'docker',
      attributes: { tenant: 'a', runtime: 'asked' },
      bootstrapFn: (ctx) => {
        ctx.annotate({ runtime: 'runc', network: 'none' });
        return 1;
      },
    });
    expect(ok.attributes).toEqual({ tenant: 'a', runtime: 'asked', network: 'none' });
    await expect(
      provisioner.provision({
        type: 'docker',
        bootstrapFn: (ctx) => {
          ctx.annotate({ runtime: 'runsc' });
          throw new Error('no');
        },
      }),
    ).rejects.toThrow('no');
    expect(recorder.results[1]?.attributes).toEqual({ runtime: 'runsc' });
    const plain = await provisioner.provision({ type: 'docker', bootstrapFn: () => 1 });
    expect(plain).not.toHaveProperty('attributes');
  });

  it('refuses bad input before timing anything', async () => {
    const recorder = memoryRecorder();
    const provisioner = new SandboxProvisioner({ recorder });
    const bad = [
      { type: 'vm', bootstrapFn: () => 1 },
      { type: 'docker', bootstrapFn: 'nope' },
      { type: 'docker', bootstrapFn: () => 1, deadlineMs: -5 },
      { type: 'docker', bootstrapFn: () => 1, deadlineMs: Number.NaN },
    ];
    for (const opts of bad) {
      // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
      await expect(provisioner.provision(opts as any)).rejects.toBeInstanceOf(TimingError);
    }
    await expect(
      provisioner.provision({ type: 'vm' as SandboxType, bootstrapFn: () => 1 }),
    ).rejects.toMatchObject({
      code: 'INVALID_SANDBOX_TYPE',
      message: 'unknown sandbox type "vm"',
    });
    expect(recorder.results).toEqual([]);
  });
});

describe('a provisioning its caller cancelled', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance', 'Date', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A bootstrap that fails the way adapters do: with their own error once ctx.signal aborts. */
  const abortable = (ctx: ProvisionContext) =>
    new Promise((_, reject) => {
      const fail = () => reject(Object.assign(new Error('provisioning was aborted'), { code: 'ABORTED' }));
      if (ctx.signal.aborted) fail();
      else ctx.signal.addEventListener('abort', fail);
    });

  it('is recorded with code CANCELLED, still a breach, and the thrown error is unchanged', async () => {
    const recorder = memoryRecorder();
    const caller = new AbortController();
    const pending = new SandboxProvisioner({ recorder }).provision({
      type: 'docker',
      deadlineMs: 60_000,
      signal: caller.signal,
      bootstrapFn: abortable,
    });
    const settled = expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    await vi.advanceTimersByTimeAsync(700);
    caller.abort(new Error('interrupted by SIGINT'));
    await settled;
    const [result] = recorder.results;
    expect(result).toMatchObject({
      status: 'sla_breach',
      durationMs: 700,
      error: { name: 'Error', message: 'provisioning was aborted', code: 'CANCELLED', cause: 'caller' },
    });
    expect(isCancelled(result as ProvisionResult)).toBe(true);
  });

  it('is not cancelled when the deadline aborted first, nor when the caller signal is itself a timeout', async () => {
    const recorder = memoryRecorder();
    const caller = new AbortController();
    const provisioner = new SandboxProvisioner({ recorder });
    const first = provisioner.provision({
      type: 'docker',
      deadlineMs: 500,
      signal: caller.signal,
      bootstrapFn: abortable,
    });
    const settled = expect(first).rejects.toThrow('aborted');
    await vi.advanceTimersByTimeAsync(500);
    caller.abort(new Error('too late'));
    await settled;

    const timeout = new AbortController();
    timeout.abort(new DOMException('caller budget', 'TimeoutError'));
    await expect(
      provisioner.provision({ type: 'docker', signal: timeout.signal, bootstrapFn: abortable }),
    ).rejects.toThrow('aborted');
    expect(recorder.results.map((r) => r.error?.code)).toEqual(['ABORTED', 'ABORTED']);
    expect(recorder.results.some(isCancelled)).toBe(false);
  });

  it('a bootstrap that finishes despite the abort is an ordinary result', async () => {
    const caller = new AbortController();
    caller.abort();
    const result = await new SandboxProvisioner().provision({
      type: 'webcontainer',
      signal: caller.signal,
      bootstrapFn: () => 'ready anyway',
    });
    expect(result.status).toBe('ok');
    expect(isCancelled(result)).toBe(false);
    expect(isCancelled({ error: { name: 'BootstrapError', message: 'x', code: 'ABORTED' } })).toBe(false);
  });
});
