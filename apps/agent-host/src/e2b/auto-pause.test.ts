import type { SandboxHandle } from '@sbx/bootstrap';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestHost, type TestHost } from '../compose/testing/create-test-host.js';
import { AutoPause } from './auto-pause.js';
import { E2bHost } from './e2b-host.js';
import { E2bSandboxes } from './e2b-sandboxes.js';
import { e2bLabels, factsOf, setPaused } from './sandbox-labels.js';

let t: TestHost | undefined;

// The test kit's host (its sweep every second) over a fake engine sandbox that records pause/resume/dispose.
async function setup(options: { pauseFails?: boolean } = {}) {
  const calls: string[] = [];
  let n = 0;
  t = await createTestHost({
    policy: { maxTtlMs: 10_000 },
    adapters: {
      docker: {
        type: 'docker',
        provision: async () => {
          const id = `s${++n}`;
          return {
            id,
            type: 'docker',
            expiresAt: new Date(Date.now() + 2_000),
            exec: async () => ({ exitCode: 0, stdout: '', stderr: '' }),
            pause: async () => {
              calls.push(`pause ${id}`);
              if (options.pauseFails) throw new Error('engine refused');
            },
            resume: async () => void calls.push(`resume ${id}`),
            dispose: async () => void calls.push(`dispose ${id}`),
            [Symbol.asyncDispose]: async () => {},
          } as SandboxHandle;
        },
      },
    },
  });
  const { host } = t;
  const e2b = new E2bHost({ service: t.service });
  const sandboxes = new E2bSandboxes();
  const autoPause = new AutoPause({ host: e2b, sandboxes });
  e2b.keepDue((id) => autoPause.due(id));
  const create = async (autoPause: boolean) => {
    const { sandbox } = await host.provision('docker', {});
    host.labels.setLabels(sandbox.id, e2bLabels({ templateID: 'base', metadata: {}, autoPause }));
    return sandboxes.add({ id: sandbox.id, tenant: 'default' });
  };
  return { host, e2b, sandboxes, create, calls };
}

describe('autoPause through the host sweep', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(async () => {
    await t?.close();
    t = undefined;
    vi.useRealTimers();
  });

  it('pauses an autoPause sandbox at its timeout, keeps it until maxTtlMs, then removes it', async () => {
    const { host, e2b, create, calls } = await setup();
    const record = await create(true);
    await vi.advanceTimersByTimeAsync(2_500);
    expect(host.lookup(record.id).state).toBe('live');
    expect(factsOf(e2b, record.id)?.paused).toBe(true);
    expect(calls).toEqual([`pause ${record.id}`]);
    // Held to 1 s before maxTtlMs (10 s from creation), paused once.
    expect(host.times(record.id)?.expiresAt).toBe((host.times(record.id)?.createdAt ?? 0) + 9_000);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(host.lookup(record.id).state).toBe('live');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(host.lookup(record.id)).toEqual({ state: 'gone', reason: 'expired' });
    expect(calls).toEqual([`pause ${record.id}`, `dispose ${record.id}`]);
  });

  it('removes a sandbox without autoPause at its timeout, as before', async () => {
    const { host, create, calls } = await setup();
    const record = await create(false);
    await vi.advanceTimersByTimeAsync(2_500);
    expect(host.lookup(record.id)).toEqual({ state: 'gone', reason: 'expired' });
    expect(calls).toEqual([`dispose ${record.id}`]);
  });

  it('keeps a sandbox paused by hand past its timeout (until maxTtlMs), without pausing it again', async () => {
    const { host, e2b, create, calls } = await setup();
    const record = await create(false);
    await e2b.pause(record.id, 'default');
    setPaused(e2b, record.id, true);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(host.lookup(record.id).state).toBe('live');
    expect(calls).toEqual([`pause ${record.id}`]);
  });

  it('removes an autoPause sandbox the engine cannot pause', async () => {
    const { host, create, calls } = await setup({ pauseFails: true });
    const record = await create(true);
    await vi.advanceTimersByTimeAsync(2_500);
    expect(host.lookup(record.id).state).not.toBe('live');
    expect(calls).toEqual([`pause ${record.id}`, `dispose ${record.id}`]);
  });

  it('leaves sandboxes the door did not create to the host', async () => {
    const { e2b, sandboxes } = await setup();
    expect(new AutoPause({ host: e2b, sandboxes }).due('unknown')).toBe(false);
  });
});
