import { DockerAdapter, type DockerSandbox, type DockerSandboxSpec, SandboxPool } from '@sbx/bootstrap';
import { FakeDocker, type FakePullFailure } from '@sbx/bootstrap/testing';
import { SandboxProvisioner } from '@sbx/timing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const MISSING = '127.0.0.1:5999/x/y:z';
const NOW = Date.parse('2026-12-07T10:00:00.000Z');

function setup(spec: DockerSandboxSpec, size = 4) {
  const docker = new FakeDocker();
  const logger = { warn: vi.fn(), error: vi.fn() };
  const adapter = new DockerAdapter({ docker, owner: 'host-1:42', logger });
  const provisioner = new SandboxProvisioner({ logger });
  const pool = new SandboxPool<DockerSandboxSpec, DockerSandbox>({
    adapter,
    spec,
    size,
    name: 'bench',
    provisioner,
    logger,
    retryDelayMs: 500,
    watch: false,
  });
  const lines = () => [...logger.warn.mock.calls, ...logger.error.mock.calls].length;
  return { docker, logger, pool, lines };
}

describe('a pool whose refills cannot succeed', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each<FakePullFailure>(['not-found', 'manifest-unknown', 'unauthorized', 'denied', 'no-such-host'])(
    'stops at the first %s pull, and ready() rejects with it at once, the one thing said',
    async (kind) => {
      const { docker, pool, lines } = setup({ image: MISSING, pull: 'missing' });
      docker.pullFailures.set(MISSING, kind);
      const ready = pool.ready().catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(1);
      expect(await ready).toMatchObject({ phase: 'image', retryable: false });
      // Two minutes later: no retry was made, nothing more was said.
      const pulls = docker.pulls.length;
      await vi.advanceTimersByTimeAsync(123_000);
      expect(docker.pulls).toHaveLength(pulls);
      expect(pulls).toBeLessThanOrEqual(4);
      expect(lines()).toBe(0);
      expect(pool.stats()).toMatchObject({ ready: 0, refilling: 0, stoppedBy: expect.any(String) });
      await expect(pool.ready()).rejects.toMatchObject({ retryable: false });
      await pool.close();
    },
  );

  it('with nobody waiting, says it in one logged line; no pull when the image is missing and pull is never', async () => {
    const { docker, logger, pool, lines } = setup({ image: 'sbx-test/absent:1', pull: 'never' });
    await vi.advanceTimersByTimeAsync(123_000);
    expect(docker.pulls).toEqual([]);
    expect(docker.calls.filter((c) => c.startsWith('inspect-image'))).toHaveLength(4);
    expect(lines()).toBe(1);
    expect(logger.error.mock.calls[0]?.[0]).toMatch(
      /^pool bench: refills stopped, they cannot succeed \(image sbx-test\/absent:1 is not on the engine/,
    );
    expect(pool.stats().stoppedBy).toBe('IMAGE_NOT_FOUND');
    await expect(pool.ready()).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' });
    await pool.close();
  });

  it('retries a transient failure with bounded backoff and fills once the registry answers', async () => {
    const { docker, pool } = setup({ image: MISSING, pull: 'missing' }, 1);
    docker.pullFailures.set(MISSING, 'connection-refused');
    await vi.advanceTimersByTimeAsync(1);
    expect(docker.pulls).toHaveLength(1);
    // 500, 1,000, 2,000 ms ...: four more tries in 7.5 s, none stopping the pool.
    await vi.advanceTimersByTimeAsync(7_500);
    expect(docker.pulls).toHaveLength(5);
    expect(pool.stats().stoppedBy).toBeUndefined();
    docker.pullFailures.delete(MISSING);
    await vi.advanceTimersByTimeAsync(8_000);
    await pool.ready();
    expect(pool.stats()).toMatchObject({ ready: 1 });
    await pool.close();
  });
});
