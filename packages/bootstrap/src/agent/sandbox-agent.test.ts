import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxAgent, UnixSocketTransport } from '@sbx/bootstrap';
import { FakeAgentServer } from '@sbx/bootstrap/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
let fake: FakeAgentServer;
let agent: SandboxAgent;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sbx-agent-'));
  fake = await FakeAgentServer.listen(join(dir, 'agent.sock'));
  agent = new SandboxAgent({ transport: new UnixSocketTransport(fake.path), sandboxId: 'sbx-t' });
});
afterEach(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const closedAll = async () => {
  for (let i = 0; i < 50 && fake.openConnections > 0; i += 1) await new Promise((r) => setTimeout(r, 5));
  return fake.openConnections;
};

describe('SandboxAgent processes', () => {
  it('says hello and runs commands with Docker exec semantics', async () => {
    expect(await agent.hello()).toMatchObject({ v: 1, agent: 'sbx-agent/0.1.0', uid: 0 });
    const clean = { stdoutTruncated: false, stderrTruncated: false };
    expect(await agent.run(['echo', 'hi'])).toEqual({ exitCode: 0, stdout: 'hi\n', stderr: '', ...clean });
    expect(await agent.run('echo out; echo err >&2; exit 3')).toEqual({
      exitCode: 3,
      stdout: 'out\n',
      stderr: 'err\n',
      ...clean,
    });
    expect(await agent.run(['cat'], { stdin: 'typed in' })).toMatchObject({ stdout: 'typed in' });
    expect(await agent.run(['pwd'], { workingDir: '/work' })).toMatchObject({ stdout: '/work\n' });
    expect(await agent.run(['printenv', 'A'], { env: { A: 'b' } })).toMatchObject({ stdout: 'b\n' });
    const missing = await agent.run(['nope']);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toMatch(/NOT_FOUND.*executable file not found/);
    expect(fake.requests.at(-2)).toMatchObject({ op: 'run', cmd: ['printenv', 'A'], env: { A: 'b' } });
    expect(await closedAll()).toBe(0);
  });

  it('keeps maxOutputBytes per stream and hands each kept piece to onOutput before reading on', async () => {
    const seen: string[] = [];
    const result = await agent.run('echo 0123456789; echo abc >&2', {
      maxOutputBytes: 4,
      onOutput: async (stream, chunk) => {
        await new Promise((r) => setTimeout(r, 5));
        seen.push(`${stream}:${Buffer.from(chunk).toString()}`);
      },
    });
    expect(result).toEqual({
      exitCode: 0,
      stdout: '0123',
      stderr: 'abc\n',
      stdoutTruncated: true,
      stderrTruncated: false,
    });
    expect(seen).toEqual(['stdout:0123', 'stderr:abc\n']);
  });

  it('times out and aborts like Docker exec, and the agent kills the command (its connection closes)', async () => {
    await expect(agent.run(['sleep', '30'], { timeoutMs: 30 })).rejects.toMatchObject({
      code: 'EXEC_TIMEOUT',
      message: 'command "sleep" in sandbox sbx-t timed out after 30 ms',
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('caller left')), 20);
    await expect(agent.run(['sleep', '30'], { signal: controller.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    expect(await closedAll()).toBe(0);
    const killed = [...fake.processes.values()];
    expect(killed.map((p) => p.exit?.signal)).toEqual(['SIGKILL', 'SIGKILL']);
  });

  it('starts a background process, lists it, re-attaches from a second client and kills it', async () => {
    const started = await agent.start('echo started; sleep 30', { tag: 'web' });
    started.close();
    const other = new SandboxAgent({ transport: new UnixSocketTransport(fake.path) });
    await expect
      .poll(async () => (await other.ps()).map((p) => [p.pid, p.tag, p.running]))
      .toEqual([[started.pid, 'web', true]]);
    const attached = await other.attach(started.pid);
    const output = (async () => {
      const chunks: string[] = [];
      for await (const { chunk } of attached.output()) chunks.push(Buffer.from(chunk).toString());
      return chunks.join('');
    })();
    await other.signal(started.pid, 'SIGTERM');
    expect(await output).toBe('started\n');
    expect(await attached.wait()).toEqual({ exitCode: 143, signal: 'SIGTERM' });
    expect((await other.ps())[0]).toMatchObject({ running: false, exitCode: 143 });
    await expect(other.signal(started.pid, 'SIGKILL')).rejects.toMatchObject({ code: 'PROCESS_NOT_FOUND' });
    await expect(other.attach(99_999)).rejects.toMatchObject({ code: 'PROCESS_NOT_FOUND' });
  });

  it('writes stdin to a started process and closes it', async () => {
    const cat = await agent.start(['cat'], { stdin: true, background: false });
    await cat.sendStdin('one ');
    await cat.sendStdin(Buffer.from('two'));
    await cat.closeStdin();
    const out: string[] = [];
    for await (const { chunk } of cat.output()) out.push(Buffer.from(chunk).toString());
    expect(out.join('')).toBe('one two');
    expect(await cat.wait()).toEqual({ exitCode: 0 });
  });

  it('refuses bad requests before they leave the host', async () => {
    await expect(agent.run([])).rejects.toMatchObject({ code: 'INVALID_SPEC' });
    await expect(agent.run(['echo'], { env: { 'A=B': 'x' } })).rejects.toMatchObject({
      code: 'INVALID_SPEC',
    });
    await expect(agent.stat('relative')).rejects.toMatchObject({ code: 'INVALID_SPEC' });
    await expect(agent.resize(1, 0, 10)).rejects.toMatchObject({ code: 'INVALID_SPEC' });
    await expect(agent.openPort(70_000)).rejects.toMatchObject({ code: 'INVALID_SPEC' });
    await expect(agent.run(['echo'], { user: 'a b' })).rejects.toMatchObject({ code: 'INVALID_SPEC' });
    expect(fake.requests).toEqual([]);
  });
});

describe('SandboxAgent files', () => {
  it('writes, stats, lists, reads, moves and removes files', async () => {
    expect(await agent.writeFile('/w/a.txt', Buffer.from('hello'), { mode: 0o600 })).toBe(5);
    async function* parts() {
      yield Buffer.from('x'.repeat(100_000));
      yield Buffer.from('y');
    }
    expect(await agent.writeFile('/w/sub/big', parts())).toBe(100_001);
    expect(await agent.stat('/w/a.txt')).toMatchObject({
      name: 'a.txt',
      path: '/w/a.txt',
      type: 'file',
      size: 5,
      mode: 0o600,
    });
    const listed = await agent.list('/w', { depth: 2 });
    expect(listed.entries.map((e) => e.path)).toEqual(['/w/a.txt', '/w/sub', '/w/sub/big']);
    expect(listed.truncated).toBe(false);
    expect((await agent.list('/w', { depth: 2, maxEntries: 2 })).truncated).toBe(true);
    const read = await agent.readFile('/w/sub/big');
    const chunks: Uint8Array[] = [];
    for await (const chunk of read.body) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).toString()).toBe(`${'x'.repeat(100_000)}y`);
    expect(await agent.mkdir('/w/sub')).toBe(false);
    expect(await agent.mkdir('/w/new/deep')).toBe(true);
    await agent.move('/w/a.txt', '/z/b.txt');
    await expect(agent.stat('/w/a.txt')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await agent.remove('/w');
    await expect(agent.remove('/w')).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
      agentCode: 'NOT_FOUND',
    });
    await expect(agent.mkdir('/z/b.txt/x')).rejects.toMatchObject({
      code: 'AGENT_REFUSED',
      agentCode: 'NOT_A_DIRECTORY',
    });
    expect(await closedAll()).toBe(0);
  });

  it('bounds reads and writes by maxBytes; an over-long write leaves the file untouched', async () => {
    await agent.writeFile('/f', Buffer.from('old'));
    await expect(agent.writeFile('/f', Buffer.alloc(2000), { maxBytes: 1000 })).rejects.toMatchObject({
      code: 'FILE_TOO_LARGE',
    });
    expect(Buffer.from(fake.files.get('/f').data).toString()).toBe('old');
    await agent.writeFile('/g', Buffer.alloc(5000));
    await expect(agent.readFile('/g', { maxBytes: 4999 })).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    expect(await closedAll()).toBe(0);
  });

  it('watches creates, writes and removes', async () => {
    const controller = new AbortController();
    const events: string[] = [];
    const watching = (async () => {
      for await (const event of agent.watch('/', { recursive: true, signal: controller.signal })) {
        events.push(`${event.type} ${event.path}`);
        if (events.length === 4) return;
      }
    })();
    await expect.poll(() => fake.requests.some((r) => r.op === 'watch')).toBe(true);
    await agent.writeFile('/d/f', Buffer.from('1'));
    await agent.writeFile('/d/f', Buffer.from('2'));
    await agent.remove('/d/f');
    await watching;
    expect(events).toEqual(['create /d', 'create /d/f', 'write /d/f', 'remove /d/f']);
    expect(await closedAll()).toBe(0);
  });

  it('tunnels a port to a server on loopback', async () => {
    const server = createServer((_req, res) => res.end('from inside'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const stream = await agent.openPort(port);
      stream.end('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toMatch(/^HTTP\/1.1 200 OK[\s\S]*from inside$/);
    } finally {
      server.close();
    }
    await expect(agent.openPort(1)).rejects.toMatchObject({
      code: 'AGENT_REFUSED',
      agentCode: 'CONNECTION_REFUSED',
    });
  });
});
