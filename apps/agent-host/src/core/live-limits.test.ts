import { describe, expect, it, vi } from 'vitest';
import { createTestHost } from '../compose/testing/create-test-host.js';
import type { HostSandbox, HostSandboxAdapter } from './host-adapter.js';
import { LiveLimiter } from './live-limits.js';
import { LiveSandboxes } from './live-sandboxes.js';

const box = (id: string) =>
  ({ id, type: 'docker', exec: async () => ({}), dispose: async () => {} }) as never as HostSandbox;

describe('LiveLimiter pids budget', () => {
  function setup(pidsBudget: number) {
    const live = new LiveSandboxes();
    const limiter = new LiveLimiter(live, { perTenant: 100, total: 100, pidsBudget });
    // Provisions `id` with `pids` as the host does: reserve, then hold the pids while it lives.
    const provision = (id: string, pids: number, tenant = 'a') => {
      const release = limiter.reserve(tenant, { pids });
      live.add(box(id), tenant);
      limiter.holdPids(id, pids);
      release();
    };
    return { live, limiter, provision };
  }

  it('refuses a sandbox whose pids limit would take the sum of all tenants past the budget, with 429', () => {
    const { limiter, provision } = setup(4096);
    provision('s1', 1024, 'a');
    provision('s2', 1024, 'b');
    provision('s3', 1024, 'c');
    const refused = (() => {
      try {
        limiter.reserve('d', { pids: 2048 });
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toMatchObject({
      code: 'TOO_MANY_SANDBOXES',
      message:
        "this host's sandboxes may have at most 4096 pids in all and 3072 are taken: ask for fewer resources.pids than 2048, delete a sandbox, or try again later",
    });
    // What still fits is taken.
    expect(() => limiter.reserve('d', { pids: 1024 })).not.toThrow();
  });

  it('counts provisionings under way, and frees the pids of a sandbox once it is no longer live', () => {
    const { live, limiter, provision } = setup(2048);
    const releaseA = limiter.reserve('a', { pids: 1024 });
    const releaseB = limiter.reserve('b', { pids: 1024 });
    expect(() => limiter.reserve('c', { pids: 1 })).toThrow(/at most 2048 pids in all and 2048 are taken/);
    releaseA();
    releaseB();
    provision('s1', 2048);
    expect(() => limiter.reserve('c', { pids: 1 })).toThrow(/2048 are taken/);
    live.take('s1');
    expect(() => limiter.reserve('c', { pids: 2048 })).not.toThrow();
  });

  it('refuses a single sandbox asking for more than the whole budget with 400 POLICY_LIMIT', () => {
    const { limiter } = setup(1000);
    expect(() => limiter.reserve('a', { pids: 1001 })).toThrow(
      expect.objectContaining({
        code: 'POLICY_LIMIT',
        message:
          "resources.pids: 1001 is above this host's pids budget of 1000 for all sandboxes together (server policy)",
      }),
    );
  });
});

describe('SandboxHost with a pids budget', () => {
  it("holds each new sandbox's pids limit (asked of its adapter) against the budget while it lives", async () => {
    let n = 0;
    const t = await createTestHost({
      adapters: {
        docker: {
          type: 'docker',
          provision: async () => box(`box-${++n}`),
          pidsOf: (spec: { pids: number }) => spec.pids,
        } as HostSandboxAdapter,
      },
      logger: { warn: vi.fn(), error: vi.fn() },
      policy: { maxLivePerTenant: 10, maxLiveTotal: 10, maxPidsTotal: 1500 },
    });
    const { host } = t;
    const first = await host.provision('docker', { pids: 1000 }, { tenant: 'a' });
    await expect(host.provision('docker', { pids: 1000 }, { tenant: 'b' })).rejects.toMatchObject({
      code: 'TOO_MANY_SANDBOXES',
    });
    expect(n).toBe(1);
    await host.dispose(first.sandbox.id);
    await expect(host.provision('docker', { pids: 1000 }, { tenant: 'b' })).resolves.toBeDefined();
    await t.close();
  });
});

describe('LiveLimiter.close()', () => {
  it('refuses new reservations with HOST_CLOSING and resolves once the ones held are released', async () => {
    const limiter = new LiveLimiter(new LiveSandboxes(), { perTenant: 5, total: 5 });
    const release = limiter.reserve('a');
    const spare = limiter.reserveSpare();
    let settled = false;
    const closing = limiter.close({ timeoutMs: 5_000 }).then((r) => {
      settled = true;
      return r;
    });
    expect(() => limiter.reserve('b')).toThrow(expect.objectContaining({ code: 'HOST_CLOSING' }));
    expect(limiter.reserveSpare()).toBeUndefined();
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(settled).toBe(false); // the spare is still held
    spare?.();
    expect(await closing).toEqual({ complete: true });
    expect(limiter.close({ timeoutMs: 1 })).toBe(limiter.close({ timeoutMs: 1 }));
  });

  it('reports incomplete when a reservation is still held at the timeout', async () => {
    vi.useFakeTimers();
    try {
      const limiter = new LiveLimiter(new LiveSandboxes(), undefined);
      limiter.reserve('a');
      const closing = limiter.close({ timeoutMs: 100 });
      await vi.advanceTimersByTimeAsync(100);
      expect(await closing).toEqual({ complete: false });
    } finally {
      vi.useRealTimers();
    }
  });
});
