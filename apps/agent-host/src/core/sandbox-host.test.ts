import type { DockerSandboxSpec, ExecResult, SandboxHandle } from '@sbx/bootstrap';
import { BootstrapError } from '@sbx/bootstrap';
import type { ProvisionContext, ProvisionResult } from '@sbx/timing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestHost, type TestHostOptions } from '../compose/testing/create-test-host.js';
import type { HostSandboxAdapter } from './host-adapter.js';

function fakeSandbox(id: string, exec: () => Promise<ExecResult>): SandboxHandle & { disposed: number } {
  const handle = {
    id,
    type: 'docker' as const,
    disposed: 0,
    exec,
    async dispose() {
      handle.disposed++;
    },
    async [Symbol.asyncDispose]() {
      await handle.dispose();
    },
  };
  return handle;
}

// Every host a test wires is closed (with its database) after it.
const opened: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
});

/** A host wired as production wires it, over `adapter` as its docker adapter; `records` are the runs written. */
async function wired(adapter: Omit<HostSandboxAdapter, 'type'>, options: TestHostOptions = {}) {
  const logger = { warn: vi.fn(), error: vi.fn() };
  const docker = { type: 'docker', ...adapter } as HostSandboxAdapter;
  const t = await createTestHost({ logger, adapters: { docker }, ...options });
  opened.push(t);
  return { host: t.host, results: t.results, records: t.runs, logger };
}

function setup(provision: (spec: DockerSandboxSpec, ctx: ProvisionContext) => Promise<SandboxHandle>) {
  return wired({ provision: provision as never }, { config: { alertThresholdMs: 1_000_000 } });
}

const ok = (stdout = ''): Promise<ExecResult> => Promise.resolve({ exitCode: 0, stdout, stderr: '' });

describe('SandboxHost', () => {
  it('provisions through the provisioner: phases recorded, sandbox tracked until disposed', async () => {
    const sandbox = fakeSandbox('c1', () => ok());
    const { host, results } = await setup(async (_spec, ctx) => ctx.phase('create', async () => sandbox));
    const { sandbox: got, result } = await host.provision('docker', { image: 'img' });
    expect(got).toBe(sandbox);
    expect(result).toMatchObject({ sandboxType: 'docker', status: 'ok' });
    expect(result).not.toHaveProperty('value');
    expect(results).toHaveLength(1);
    expect(results[0]?.phases?.map((p) => p.name)).toEqual(['create']);
    expect(host.get('c1')).toBe(sandbox);
    expect(await host.dispose('c1')).toBe(true);
    expect(sandbox.disposed).toBe(1);
    expect(await host.dispose('c1')).toBe(false);
    expect(host.liveCount).toBe(0);
  });

  it("records a caller's failure with its cause and raises no SLA-breach alert for it", async () => {
    const boom = new BootstrapError('IMAGE_NOT_FOUND', 'image nope not found');
    const { host, results, logger } = await setup(() => Promise.reject(boom));
    await expect(host.provision('docker', { image: 'nope' })).rejects.toBe(boom);
    expect(results[0]).toMatchObject({
      status: 'sla_breach',
      error: { code: 'IMAGE_NOT_FOUND', cause: 'caller' },
    });
    expect(logger.warn).not.toHaveBeenCalledWith(expect.stringMatching(/^sla-breach/), expect.anything());
  });

  it('records a failed provisioning, logs the breach and rethrows the adapter error', async () => {
    const boom = new BootstrapError('START_FAILED', 'engine could not start it');
    const { host, results, logger } = await setup(() => Promise.reject(boom));
    const seen: ProvisionResult[] = [];
    await expect(host.provision('docker', { image: 'nope' }, { onResult: (r) => seen.push(r) })).rejects.toBe(
      boom,
    );
    expect(results[0]).toMatchObject({
      status: 'sla_breach',
      error: { code: 'START_FAILED', cause: 'platform' },
    });
    expect(seen[0]).toMatchObject({ status: 'sla_breach' });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/^sla-breach: docker provisioning failed/),
      expect.anything(),
    );
    expect(host.liveCount).toBe(0);
  });

  it('runs jobs through the perf monitor with success, error and timeout outcomes', async () => {
    const execs = [
      () => ok('hi'),
      () => Promise.resolve({ exitCode: 3, stdout: '', stderr: 'bad' }),
      () => Promise.reject(new BootstrapError('EXEC_TIMEOUT', 'timed out')),
    ];
    const sandbox = fakeSandbox('c2', () => (execs.shift() ?? ok)());
    const { host, records } = await setup(async () => sandbox);
    await host.provision('docker', { image: 'img' });
    expect((await host.runJob(sandbox, 'echo hi')).exec.stdout).toBe('hi');
    expect((await host.runJob(sandbox, 'false')).record.outcome).toBe('error');
    await expect(host.runJob(sandbox, 'sleep 99', { timeoutMs: 5 })).rejects.toMatchObject({
      code: 'EXEC_TIMEOUT',
    });
    expect(records.map((r) => [r.sandboxId, r.outcome])).toEqual([
      ['c2', 'success'],
      ['c2', 'error'],
      ['c2', 'timeout'],
    ]);
    expect(host.perfMonitor.activeCount).toBe(0);
  });

  it('runs several jobs in one sandbox at once, each its own perf record of that sandbox', async () => {
    const releases: Array<() => void> = [];
    const sandbox = fakeSandbox(
      'c3',
      () => new Promise((resolve) => releases.push(() => resolve({ exitCode: 0, stdout: '', stderr: '' }))),
    );
    const { host, records } = await setup(async () => sandbox);
    await host.provision('docker', { image: 'img' });
    const jobs = [host.runJob(sandbox, 'a'), host.runJob(sandbox, 'b'), host.runJob(sandbox, 'c')];
    await vi.waitFor(() => expect(releases).toHaveLength(3));
    expect(host.perfMonitor.activeCount).toBe(3);
    for (const release of releases) release();
    await Promise.all(jobs);
    expect(records.map((r) => [r.sandboxId, r.outcome])).toEqual([
      ['c3', 'success'],
      ['c3', 'success'],
      ['c3', 'success'],
    ]);
  });

  it('removes a sandbox idle for idleTimeoutMs and remembers it as gone (idle); a job keeps it alive', async () => {
    vi.useFakeTimers();
    try {
      let release: () => void = () => {};
      const sandbox = fakeSandbox(
        'idle',
        () => new Promise((resolve) => (release = () => resolve({ exitCode: 0, stdout: '', stderr: '' }))),
      );
      const { host } = await wired(
        { provision: async () => sandbox as never },
        { policy: { idleTimeoutMs: 1_000 } },
      );
      await host.provision('docker', {});
      const job = host.runJob(sandbox, 'sleep 5');
      await vi.advanceTimersByTimeAsync(5_000);
      expect(host.lookup('idle').state).toBe('live');
      release();
      await job;
      await vi.advanceTimersByTimeAsync(1_300);
      expect(host.lookup('idle')).toEqual({ state: 'gone', reason: 'idle' });
      expect(sandbox.disposed).toBe(1);
      await host.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('extends a TTL within maxTtlMs of the creation; reap() keeps an extended sandbox its label would expire', async () => {
    let now = 1_000_000;
    const sandbox = Object.assign(
      fakeSandbox('ttl', () => ok()),
      { expiresAt: new Date(now + 60_000) },
    );
    const reap = vi.fn(async (options?: { keep?: (c: { sandboxId: string }) => boolean }) => ({
      removed: options?.keep?.({ sandboxId: 'ttl' }) ? [] : ['ttl'],
    }));
    const { host } = await wired(
      { provision: async () => sandbox as never, reap },
      { policy: { maxTtlMs: 600_000 }, seams: { now: () => now } },
    );
    await host.provision('docker', {});
    expect(host.times('ttl')?.expiresAt).toBe(now + 60_000);
    now += 50_000;
    expect(host.extendTtl('ttl', 300_000)).toBe(now + 300_000);
    expect(() => host.extendTtl('ttl', 600_000)).toThrow(expect.objectContaining({ code: 'POLICY_LIMIT' }));
    now += 100_000; // past the container's label, within the host's own expiry
    expect(await host.reap()).toEqual([]);
    await host.close();
  });

  it('close() removes every live sandbox and logs the ones that fail', async () => {
    const a = fakeSandbox('a', () => ok());
    const b = fakeSandbox('b', () => ok());
    b.dispose = () => Promise.reject(new Error('engine gone'));
    const queue = [a, b];
    const { host, logger } = await setup(async () => queue.shift() as SandboxHandle);
    await host.provision('docker', { image: 'img' });
    await host.provision('docker', { image: 'img' });
    expect(await host.close()).toEqual({ removed: 2, complete: true });
    expect(a.disposed).toBe(1);
    expect(host.liveCount).toBe(0);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('could not remove sandbox b'),
      expect.anything(),
    );
  });
});
