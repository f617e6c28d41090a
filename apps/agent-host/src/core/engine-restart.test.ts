// The engine restarts under a running host (on the fake engine: its event stream drops, its containers stop, and
// the new engine replays none of it): the host reconciles when the stream comes back.
import { FakeDocker } from '@sbx/bootstrap/testing';
import { describe, expect, it, vi } from 'vitest';
import { createTestHost } from '../compose/testing/create-test-host.js';

const IMAGE = 'sbx-test/busybox:latest';

async function until(check: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('a host whose engine restarted', () => {
  it('removes the containers that died with the engine and marks their sandboxes gone, without sbx reap', async () => {
    const logger = { warn: vi.fn(), error: vi.fn() };
    const docker = new FakeDocker([IMAGE]);
    // Wired as `sbx serve` wires it, on the docker adapter over the fake engine.
    const testHost = await createTestHost({ docker, logger });
    const { host } = testHost;
    try {
      await host.watch();
      const spec = { image: IMAGE, pull: 'never', cmd: ['sleep', '3600'] };
      const a = await host.provision('docker', spec, { tenant: 'alice' });
      const b = await host.provision('docker', spec, { tenant: 'bob' });
      expect(docker.live).toHaveLength(2);
      docker.restartEngine();
      expect(docker.live.map((c) => c.state.Status)).toEqual(['exited', 'exited']);
      await until(() => docker.live.length === 0 && host.liveCount === 0);
      expect(docker.live).toEqual([]);
      expect(host.liveCount).toBe(0);
      expect(host.lookup(a.sandbox.id)).toEqual({ state: 'gone', reason: 'exited' });
      expect(host.lookup(b.sandbox.id)).toEqual({ state: 'gone', reason: 'exited' });
    } finally {
      await testHost.close();
    }
  });
});
