import type { ExecOptions, ExecResult } from '@sbx/bootstrap';
import type { ProvisionContext, SandboxPerfRecord } from '@sbx/timing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebhookNotifier } from '../alerts/webhook-notifier.js';
import { createTestHost, type TestHost, type TestHostOptions } from '../compose/testing/create-test-host.js';
import type { HostGoneEvent, HostSandbox, HostSandboxAdapter } from './host-adapter.js';

function sandbox(id: string, exec?: (options: ExecOptions) => Promise<ExecResult>) {
  const box = {
    id,
    type: 'docker' as const,
    disposed: 0,
    exec: async (_cmd: unknown, options: ExecOptions = {}) =>
      exec ? exec(options) : { exitCode: 0, stdout: '', stderr: '' },
    async dispose() {
      box.disposed++;
    },
  };
  return box;
}

/** An exec that runs until its signal aborts (a `sleep 20` a user interrupts). */
const untilAborted = (options: ExecOptions) =>
  new Promise<ExecResult>((_, reject) =>
    options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true }),
  );

// Every host a test wires is closed (with its database) after it.
const opened: TestHost[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
});

/** A host wired as production wires it, whose docker adapter provisions with `provision`. */
async function setup(
  provision: (spec: unknown, ctx: ProvisionContext) => Promise<HostSandbox>,
  options: TestHostOptions = {},
) {
  const written: SandboxPerfRecord[] = [];
  const logger = options.logger ?? { warn: vi.fn(), error: vi.fn() };
  let watcher: ((event: HostGoneEvent) => void) | undefined;
  let watchSignal: AbortSignal | undefined;
  const adapter: HostSandboxAdapter = {
    type: 'docker',
    provision: provision as never,
    watch: async (onGone, { signal }) => {
      watcher = onGone;
      watchSignal = signal;
    },
  };
  const t = await createTestHost({
    adapters: { docker: adapter },
    logger,
    ...options,
    seams: {
      // A slow disk: each perf record lands 20 ms after it is handed over.
      perfSink: (sink) => ({
        insert: (table, r) =>
          new Promise((done) => setTimeout(() => done(void written.push(r)), 20)).then(() =>
            sink.insert(table, r),
          ),
      }),
      ...options.seams,
    },
  });
  opened.push(t);
  return {
    t,
    host: t.host,
    results: t.results,
    written,
    logger,
    gone: (e: HostGoneEvent) => watcher?.(e),
    watchSignal: () => watchSignal,
  };
}

describe('SandboxHost.close()', () => {
  it('aborts provisionings in flight (recorded, nothing live) and refuses new work', async () => {
    const { host, results } = await setup(
      (_spec, ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }),
        ),
    );
    const pending = expect(host.provision('docker', {})).rejects.toMatchObject({ code: 'HOST_CLOSING' });
    const report = await host.close({ timeoutMs: 1_000 });
    await pending;
    expect(report).toEqual({ removed: 0, complete: true });
    expect(results).toHaveLength(1);
    expect(results[0]?.error).toBeDefined();
    await expect(host.provision('docker', {})).rejects.toMatchObject({ code: 'HOST_CLOSING' });
    expect(host.close()).toBe(host.close()); // idempotent: one promise
  });

  it('removes a sandbox that became ready as the host was closing instead of registering it', async () => {
    const late = sandbox('late');
    let release: () => void = () => {};
    const { host } = await setup(() => new Promise((resolve) => (release = () => resolve(late))));
    const pending = expect(host.provision('docker', {})).rejects.toMatchObject({ code: 'HOST_CLOSING' });
    const closing = host.close({ timeoutMs: 1_000 });
    release(); // the adapter ignored the abort and answered anyway
    await pending;
    await closing;
    expect(late.disposed).toBe(1);
    expect(host.liveCount).toBe(0);
  });

  it('aborts running jobs, removes live sandboxes and flushes the perf sink before resolving', async () => {
    const box = sandbox('busy', untilAborted);
    const { host, written } = await setup(async () => box);
    await host.provision('docker', {});
    const job = expect(host.runJob(box, 'sleep 20')).rejects.toMatchObject({ code: 'HOST_CLOSING' });
    const report = await host.close({ timeoutMs: 1_000 });
    await job;
    expect(report).toEqual({ removed: 1, complete: true });
    expect(box.disposed).toBe(1);
    expect(written.map((r) => [r.sandboxId, r.outcome])).toEqual([['busy', 'error']]);
    expect(host.perfMonitor.activeCount).toBe(0);
  });

  it('gives up on a webhook that never answers within the timeout, and says so in one line', async () => {
    const fetch = vi.fn(
      (_url: unknown, init?: RequestInit) =>
        new Promise<Response>((_, reject) =>
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true }),
        ),
    );
    const logger = { warn: vi.fn(), error: vi.fn() };
    const notifier = new WebhookNotifier({
      url: 'http://127.0.0.1:9/hook',
      fetch,
      logger,
      timeoutMs: 60_000,
    });
    const { host, t } = await setup(async () => sandbox('x'), { logger, seams: { notifier } });
    const alerts = t.alertService;
    void alerts.raise({
      kind: 'sla-breach',
      sandboxType: 'docker',
      valueMs: 1,
      thresholdMs: 1,
      message: 'm',
    });
    const t0 = performance.now();
    const report = await host.close({ timeoutMs: 200 });
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(report.complete).toBe(false);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/^gave up on 1 alert delivery/));
    await alerts.flush(); // the aborted delivery settled: nothing left behind
  });
});

describe('the live set follows the engine', () => {
  it('drops a sandbox the engine says is gone, removes its container, and remembers why', async () => {
    const box = sandbox('dead');
    const { host, gone, watchSignal, logger } = await setup(async () => box);
    await host.watch();
    await host.provision('docker', {});
    expect(host.liveCount).toBe(1);
    gone({ sandboxId: 'dead', reason: 'exited' });
    expect(host.liveCount).toBe(0);
    expect(host.lookup('dead')).toEqual({ state: 'gone', reason: 'exited' });
    expect(host.lookup('never')).toEqual({ state: 'unknown' });
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('sandbox dead is gone (exited)'));
    await host.close();
    expect(box.disposed).toBe(1);
    expect(watchSignal()?.aborted).toBe(true); // close() stops watching
  });

  it('an exec a client abandons is aborted and frees the sandbox for the next one', async () => {
    const execs = [untilAborted, async () => ({ exitCode: 0, stdout: 'next', stderr: '' })];
    const box = sandbox('s', (o) => (execs.shift() as typeof untilAborted)(o));
    const { host } = await setup(async () => box);
    await host.provision('docker', {});
    const client = new AbortController();
    const first = expect(host.runJob(box, 'sleep 20', { signal: client.signal })).rejects.toThrow(
      'client went away',
    );
    client.abort(new Error('client went away'));
    await first;
    await expect(host.runJob(box, 'echo next')).resolves.toMatchObject({ exec: { stdout: 'next' } });
  });

  it('counts results the store could not keep', async () => {
    const { host, t } = await setup(async () => sandbox('a'));
    t.kpis.record = () => Promise.reject(new Error('disk full'));
    await host.provision('docker', {});
    expect(host.recordFailures).toBe(1);
  });
});
