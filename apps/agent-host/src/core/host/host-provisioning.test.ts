import type { ProvisionContext, ProvisionResult } from '@sbx/timing';
import { describe, expect, it, vi } from 'vitest';
import type { HostSandbox } from '../host-adapter.js';
import { hostOwners } from './host-owners.js';

/** The owners of a host whose docker adapter provisions when the test says so. */
function setup() {
  const results: ProvisionResult[] = [];
  const started: Array<{ ready: (id: string) => void; ctx: ProvisionContext }> = [];
  const owners = hostOwners({
    recorder: { record: (r) => void results.push(r) },
    sink: { insert: async () => {} },
    logger: { warn: vi.fn(), error: vi.fn() },
    adapters: {
      docker: {
        type: 'docker',
        provision: ((_spec: unknown, ctx: ProvisionContext) =>
          new Promise<HostSandbox>((resolve) => {
            const box = { id: '', type: 'docker', exec: async () => ({}), dispose: async () => {} };
            started.push({ ctx, ready: (id) => resolve({ ...box, id } as never) });
          })) as never,
      },
    },
  });
  return { owners, results, started };
}

describe('HostProvisioning.close()', () => {
  it('refuses new provisionings with HOST_CLOSING and waits for the one in flight', async () => {
    const { owners, results, started } = setup();
    const first = owners.provisioning.provision('docker', {}, { tenant: 'a' });
    await vi.waitFor(() => expect(started).toHaveLength(1));
    let settled = false;
    const closing = owners.provisioning.close({ timeoutMs: 5_000 }).then((r) => {
      settled = true;
      return r;
    });
    await expect(owners.provisioning.provision('docker', {})).rejects.toMatchObject({ code: 'HOST_CLOSING' });
    await expect(owners.provisioning.acquire('warm')).rejects.toMatchObject({ code: 'HOST_CLOSING' });
    expect(owners.provisioning.pending).toBe(1);
    expect(settled).toBe(false);
    started[0]?.ready('s1');
    expect((await first).sandbox.id).toBe('s1');
    expect(await closing).toEqual({ complete: true });
    expect(owners.provisioning.pending).toBe(0);
    expect(results).toHaveLength(1); // the refused ones started nothing and recorded nothing
    expect(started).toHaveLength(1);
    await owners.sweep.close();
  });

  it('gives up on a provisioning still in flight at the timeout (not complete)', async () => {
    vi.useFakeTimers();
    try {
      const { owners, started } = setup();
      void owners.provisioning.provision('docker', {});
      await vi.waitFor(() => expect(started).toHaveLength(1));
      const closing = owners.provisioning.close({ timeoutMs: 200 });
      await vi.advanceTimersByTimeAsync(200);
      expect(await closing).toEqual({ complete: false });
      expect(owners.provisioning.pending).toBe(1);
      started[0]?.ready('s1');
      await owners.sweep.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
