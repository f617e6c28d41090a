import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerAdapter, type DockerSandbox, type DockerSandboxSpec, SandboxPool } from '@sbx/bootstrap';
import { FakeDocker } from '@sbx/bootstrap/testing';
import { type ProvisionResult, SandboxProvisioner } from '@sbx/timing';
import { afterEach, describe, expect, it, vi } from 'vitest';

const IMAGE = 'sbx-test/app:1';
let root: string;

function setup(options: { agent?: boolean; agentTimeoutMs?: number } = {}) {
  root = mkdtempSync(join(tmpdir(), 'sbx-agents-'));
  const binary = join(root, 'sbx-agent');
  writeFileSync(binary, '#!/bin/false\n', { mode: 0o755 });
  const agentDir = join(root, 'agents');
  const docker = new FakeDocker([IMAGE]);
  if (options.agent !== false) docker.agents.options = {};
  const logger = { warn: vi.fn(), error: vi.fn() };
  const adapter = new DockerAdapter({
    docker,
    owner: 'host-1:42',
    logger,
    agentDir,
    agentBinary: binary,
    agentTimeoutMs: options.agentTimeoutMs ?? 2_000,
  });
  const results: ProvisionResult[] = [];
  const provisioner = new SandboxProvisioner({ logger, recorder: { record: (r) => void results.push(r) } });
  const provision = (spec: Partial<DockerSandboxSpec> = {}) =>
    provisioner.provision({
      type: 'docker',
      deadlineMs: 10_000,
      bootstrapFn: (ctx) => adapter.provision({ image: IMAGE, ...spec }, ctx),
    });
  return { docker, logger, adapter, provision, results, agentDir, binary };
}

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('DockerAdapter with the in-sandbox agent', () => {
  it('injects the agent, waits for its hello in phase agent, runs exec and files through it, and cleans up', async () => {
    const { docker, provision, results, agentDir, binary } = setup();
    docker.imageConfigs.set(IMAGE, { Entrypoint: ['/entry.sh'], Cmd: ['serve'] });
    const { value: sandbox } = await provision({ cmd: ['run', 'fast'] });
    if (!sandbox) throw new Error('no sandbox');
    expect(results[0]?.phases?.map((p) => p.name)).toEqual(['image', 'create', 'start', 'ready', 'agent']);
    expect(results[0]?.attributes).toMatchObject({ agent: 'true' });
    const config = docker.containers[0]?.config;
    expect(config?.Entrypoint).toEqual(['/.sbx/sbx-agent', 'init', '--socket', '/.sbx/run/agent.sock', '--']);
    expect(config?.Cmd).toEqual(['/entry.sh', 'run', 'fast']);
    expect(config?.HostConfig?.Init).toBe(true);
    expect(config?.HostConfig?.CapDrop).toEqual(['ALL']);
    expect(config?.HostConfig?.CapAdd).toEqual(['SETUID', 'SETGID']);
    const dir = join(agentDir, sandbox.id);
    expect(config?.HostConfig?.Mounts).toEqual([
      { Type: 'bind', Source: binary, Target: '/.sbx/sbx-agent', ReadOnly: true },
      { Type: 'bind', Source: dir, Target: '/.sbx/run', ReadOnly: false },
    ]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(agentDir).mode & 0o777).toBe(0o700);
    expect(sandbox.agent).toBeDefined();

    expect(await sandbox.exec('echo via agent; exit 4')).toEqual({
      exitCode: 4,
      stdout: 'via agent\n',
      stderr: '',
      stdoutTruncated: false,
      stderrTruncated: false,
    });
    await sandbox.files.writeFile('/tmp/x', Buffer.from('data'));
    const read = await sandbox.files.readFile('/tmp/x');
    const chunks: Uint8Array[] = [];
    for await (const chunk of read.body) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('data');
    expect(await sandbox.files.stat('/nope')).toBeUndefined();
    expect((await sandbox.files.list('/tmp')).entries.map((e) => e.name)).toEqual(['x']);
    expect(docker.calls.filter((c) => c.startsWith('exec') || c.includes('archive'))).toEqual([]);

    await sandbox.dispose();
    expect(existsSync(dir)).toBe(false);
    expect(docker.agents.running.size).toBe(0);
  });

  it('falls back to Docker exec when the agent never answers: logged, annotated, handle.agent undefined', async () => {
    const { docker, logger, provision, results, agentDir } = setup({ agent: false, agentTimeoutMs: 50 });
    const { value: sandbox } = await provision({ cmd: ['sleep', '60'] });
    expect(sandbox?.agent).toBeUndefined();
    expect(results[0]?.attributes).toMatchObject({
      agent: 'false',
      agentReason: expect.stringMatching(/no answer to hello within 50 ms/),
    });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/runs without its agent/),
      expect.anything(),
    );
    docker.execHandler = () => ({ exitCode: 0, stdout: 'by exec\n' });
    expect((await sandbox?.exec(['echo']))?.stdout).toBe('by exec\n');
    expect(docker.calls.some((c) => c.startsWith('exec-start'))).toBe(true);
    await sandbox?.dispose();
    expect(existsSync(join(agentDir, sandbox?.id ?? 'x'))).toBe(false);
  });

  it('leaves the container as it was when the spec opts out', async () => {
    const { docker, provision, results, agentDir } = setup();
    const { value: sandbox } = await provision({ cmd: ['sleep', '60'], agent: false });
    expect(sandbox?.agent).toBeUndefined();
    expect(results[0]?.attributes).toMatchObject({ agent: 'false' });
    expect(docker.containers[0]?.config.Entrypoint).toBeUndefined();
    expect(docker.containers[0]?.config.Cmd).toEqual(['sleep', '60']);
    expect(existsSync(agentDir) ? existsSync(join(agentDir, sandbox?.id ?? '')) : false).toBe(false);
    await expect(provision({ agent: 'yes' as never })).rejects.toMatchObject({ code: 'INVALID_SPEC' });
  });

  it('removes the directory when the provisioning fails', async () => {
    const { docker, provision, agentDir } = setup();
    docker.hooks.start = (container) => {
      throw Object.assign(new Error('boom'), {
        statusCode: 500,
        json: { message: `start ${container.name}` },
      });
    };
    await expect(provision({ cmd: ['sleep', '60'] })).rejects.toMatchObject({ code: 'START_FAILED' });
    expect(existsSync(agentDir) ? readdirSync(agentDir) : []).toEqual([]);
  });

  it('mounts a 0755 copy of a binary that lost its x bit (pnpm pack), reused by later sandboxes', async () => {
    const { docker, provision, agentDir, binary } = setup();
    chmodSync(binary, 0o644);
    await provision({ cmd: ['sleep', '60'] });
    await provision({ cmd: ['sleep', '60'] });
    const sources = docker.containers.map((c) => c.config.HostConfig?.Mounts?.[0]?.Source);
    expect(sources).toEqual([join(agentDir, 'sbx-agent'), join(agentDir, 'sbx-agent')]);
    expect(statSync(join(agentDir, 'sbx-agent')).mode & 0o777).toBe(0o755);
  });

  it('makes the directory usable by the container user: chown for a numeric uid, 0777 for a name', async () => {
    const { provision, agentDir } = setup();
    const { value: numeric } = await provision({ cmd: ['sleep', '60'], user: '1000:1001' });
    const { value: named } = await provision({ cmd: ['sleep', '60'], user: 'node' });
    const numericStat = statSync(join(agentDir, numeric?.id ?? ''));
    if (process.getuid?.() === 0)
      expect([numericStat.uid, numericStat.gid, numericStat.mode & 0o777]).toEqual([1000, 1001, 0o700]);
    expect(statSync(join(agentDir, named?.id ?? '')).mode & 0o777).toBe(0o777);
    expect(statSync(agentDir).mode & 0o777).toBe(0o700);
    await numeric?.dispose();
    await named?.dispose();
  });

  it('reap() sweeps directories of sandboxes that are gone, and watch() removes a removed one', async () => {
    const { adapter, docker, provision, agentDir } = setup();
    const { value: live } = await provision({ cmd: ['sleep', '60'] });
    const old = new Date(Date.now() - 120_000);
    for (const name of ['sbx-0123456789ab', 'sbx-ba9876543210']) {
      mkdirSync(join(agentDir, name));
      utimesSync(join(agentDir, name), old, old);
    }
    mkdirSync(join(agentDir, 'sbx-fresh0000000'));
    mkdirSync(join(agentDir, 'not-a-sandbox'));
    utimesSync(join(agentDir, live?.id ?? ''), old, old);
    await adapter.reap();
    expect(readdirSync(agentDir).sort()).toEqual(['not-a-sandbox', 'sbx-fresh0000000', live?.id].sort());
    const controller = new AbortController();
    await adapter.watch(() => {}, { signal: controller.signal });
    await docker.containers[0]?.remove({ force: true });
    await expect.poll(() => existsSync(join(agentDir, live?.id ?? ''))).toBe(false);
    controller.abort();
  });

  it('keeps exec semantics through the agent: timeout, abort, output caps, disposed, a container that dies', async () => {
    const { docker, provision } = setup();
    const { value: sandbox } = await provision({ cmd: ['sleep', '60'] });
    if (!sandbox?.agent) throw new Error('no agent');
    await expect(sandbox.exec(['sleep', '30'], { timeoutMs: 30 })).rejects.toMatchObject({
      code: 'EXEC_TIMEOUT',
      message: `command "sleep" in sandbox ${sandbox.id} timed out after 30 ms`,
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(sandbox.exec(['sleep', '30'], { signal: controller.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    const fake = docker.agents.running.get(sandbox.id);
    await expect
      .poll(() => [...(fake?.processes.values() ?? [])].map((p) => p.exit?.signal))
      .toEqual(['SIGKILL', 'SIGKILL']);
    expect(docker.calls.filter((c) => c.startsWith('exec'))).toEqual([]);
    const pieces: string[] = [];
    const capped = await sandbox.exec('echo 0123456789', {
      maxOutputBytes: 3,
      onOutput: (_stream, chunk) => void pieces.push(Buffer.from(chunk).toString()),
    });
    expect([capped.stdout, capped.stdoutTruncated, pieces]).toEqual(['012', true, ['012']]);
    const running = sandbox.exec(['sleep', '30']);
    setTimeout(() => docker.containers[0]?.exit(137), 20);
    await expect(running).rejects.toMatchObject({ code: 'SANDBOX_GONE' });
    await sandbox.dispose();
    await expect(sandbox.exec(['true'])).rejects.toMatchObject({ code: 'DISPOSED' });
  });

  it('hands out warm pool members whose agent is already up', async () => {
    const { adapter, docker } = setup();
    const pool = new SandboxPool<DockerSandboxSpec, DockerSandbox>({
      adapter,
      spec: { image: IMAGE, cmd: ['sleep', '60'] },
      size: 1,
      name: 'warm',
      provisioner: new SandboxProvisioner({ logger: { warn: () => {}, error: () => {} } }),
    });
    await pool.ready();
    const lease = await pool.acquire();
    expect(lease.sandbox.agent).toBeDefined();
    expect((await lease.sandbox.exec(['echo', 'warm'])).stdout).toBe('warm\n');
    expect(docker.calls.filter((c) => c.startsWith('exec'))).toEqual([]);
    await pool.close();
    await lease.sandbox.dispose();
  });
});
