import type { ProvisionContext } from '@sbx/timing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestHost, type TestHost, type TestHostOptions } from '../compose/testing/create-test-host.js';
import type { HostGoneEvent } from './host-adapter.js';
import type { PoolDefinition } from './host-pools.js';

/** An adapter whose sandboxes are ready at once, each with a new id; `fail` makes provisionings fail. */
function fakeAdapter() {
  let next = 0;
  const state = {
    made: [] as Array<{ id: string; disposed: number }>,
    fail: false,
    watcher: undefined as ((event: HostGoneEvent) => void) | undefined,
  };
  const adapter = {
    type: 'docker' as const,
    async provision(_spec: never, ctx: ProvisionContext) {
      return ctx.phase('create', async () => {
        if (state.fail) throw new Error('engine hiccup');
        const box = {
          id: `sbx-${++next}`,
          type: 'docker' as const,
          disposed: 0,
          exec: async () => ({ exitCode: 0, stdout: '', stderr: '' }),
          async dispose() {
            box.disposed++;
          },
        };
        state.made.push(box);
        return box;
      });
    },
    async watch(onGone: (event: HostGoneEvent) => void) {
      state.watcher = onGone;
    },
  };
  return { adapter, state };
}

// Every host a test wires is closed (with its database) after it.
const opened: TestHost[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
});

/** A host wired as production wires it, over the fake adapter. */
async function setup(options: TestHostOptions = {}) {
  const { adapter, state } = fakeAdapter();
  const logger = { warn: vi.fn(), error: vi.fn() };
  const t = await createTestHost({ adapters: { docker: adapter }, logger, ...options });
  opened.push(t);
  const pool = (size: number, name = 'py'): PoolDefinition => ({ name, type: 'docker', size, spec: {} });
  const live = () => state.made.filter((b) => b.disposed === 0).length;
  return { t, host: t.host, state, results: t.results, logger, pool, live };
}

/** Lets the fake adapter's instant provisionings, and the refills they start, run to the end. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('SandboxHost warm pools', () => {
  it('hands a ready member to the requesting tenant, measured as source pool, and refills', async () => {
    const { host, pool, results } = await setup();
    host.startPools([pool(2)]);
    await flush();
    expect(host.poolStats()).toMatchObject([{ name: 'py', type: 'docker', size: 2, ready: 2 }]);
    const got = await host.acquire('py', { tenant: 'team-a' });
    expect(got.source).toBe('pool');
    expect(host.lookup(got.sandbox.id, 'team-a').state).toBe('live');
    expect(host.lookup(got.sandbox.id, 'team-b').state).toBe('unknown');
    expect(got.result.attributes).toEqual({ tenant: 'team-a', source: 'pool', pool: 'py' });
    expect(got.result.phases?.map((p) => p.name)).toEqual(['acquire']);
    await flush();
    expect(host.poolStats()[0]).toMatchObject({ ready: 2, hits: 1, misses: 0 });
    expect(results.filter((r) => r.attributes?.source === 'refill')).toHaveLength(3);
    await host.close();
  });

  it('provisions the pool spec cold when the pool is empty (a miss), for that tenant', async () => {
    const { host, pool } = await setup();
    host.startPools([pool(1)]);
    await flush();
    await host.acquire('py', { tenant: 'a' });
    const miss = await host.acquire('py', { tenant: 'a' });
    expect(miss.source).toBe('cold');
    expect(miss.result.phases?.map((p) => p.name)).toEqual(['acquire', 'create']);
    expect(host.list('a')).toHaveLength(2);
    await host.close();
  });

  it('answers POOL_NOT_FOUND for a pool it does not have, naming the ones it has', async () => {
    const { host, pool } = await setup();
    host.startPools([pool(1)]);
    await expect(host.acquire('js')).rejects.toMatchObject({
      code: 'POOL_NOT_FOUND',
      message: 'no pool "js": this host has py',
    });
    await host.close();
  });

  it('counts members against the caps: a tenant at its cap keeps out, refills wait for a free place', async () => {
    const { host, pool, results } = await setup({ policy: { maxLivePerTenant: 1, maxLiveTotal: 3 } });
    host.startPools([pool(2)]);
    await flush();
    await host.acquire('py', { tenant: 'a' });
    await flush();
    // a holds one, the pool two: the host is full, so a's second ask is refused and nothing is recorded.
    expect(host.poolStats()[0]).toMatchObject({ ready: 2 });
    const recorded = results.length;
    await expect(host.acquire('py', { tenant: 'a' })).rejects.toMatchObject({ code: 'TOO_MANY_SANDBOXES' });
    await expect(host.provision('docker', {}, { tenant: 'b' })).rejects.toMatchObject({
      code: 'TOO_MANY_SANDBOXES',
    });
    expect(results).toHaveLength(recorded);
    // b takes a member: the total stays 3, so the pool cannot refill until a place is freed.
    const b = await host.acquire('py', { tenant: 'b' });
    await flush();
    expect(host.poolStats()[0]).toMatchObject({ ready: 1, refilling: 0 });
    await host.dispose(b.sandbox.id);
    await flush();
    expect(host.poolStats()[0]).toMatchObject({ ready: 2 });
    await host.close();
  });

  it('drops a member the engine reports gone and replaces it; a live sandbox going is not a member', async () => {
    const { host, pool, state } = await setup();
    host.startPools([pool(2)]);
    await host.watch();
    await flush();
    const [member] = state.made;
    state.watcher?.({ sandboxId: member?.id as string, reason: 'exited' });
    await flush();
    expect(member?.disposed).toBe(1);
    expect(host.poolStats()[0]).toMatchObject({ ready: 2, dropped: 1 });
    const handedOut = await host.acquire('py');
    expect(handedOut.sandbox.id).not.toBe(member?.id);
    await host.close();
  });

  it('raises no SLA alert for a failed refill (no caller waited), but does for a failed cold miss', async () => {
    const { t, host, pool, state, results } = await setup();
    const raise = vi.spyOn(t.alertService, 'raise');
    state.fail = true;
    host.startPools([pool(1)]);
    await flush();
    expect(results[0]).toMatchObject({ status: 'sla_breach', attributes: { source: 'refill', pool: 'py' } });
    expect(raise).not.toHaveBeenCalled();
    await expect(host.acquire('py')).rejects.toThrow('engine hiccup');
    expect(raise).toHaveBeenCalledTimes(1);
    await host.close();
  });

  it('drains the pools on close: members removed and counted, nothing live', async () => {
    const { host, pool, live } = await setup();
    host.startPools([pool(2), pool(1, 'js')]);
    await flush();
    await host.acquire('py', { tenant: 'a' });
    await flush();
    expect(live()).toBe(4);
    expect(await host.close({ timeoutMs: 1_000 })).toEqual({ removed: 4, complete: true });
    expect(live()).toBe(0);
    await expect(host.acquire('py')).rejects.toMatchObject({ code: 'HOST_CLOSING' });
  });
});
