// The process routes over bootstrap's real agent client (`SandboxAgent`) and its protocol-true fake agent server:
// the contract between the host's routes and protocol v1, without an engine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxAgent, UnixSocketTransport } from '@sbx/bootstrap';
import { FakeAgentServer } from '@sbx/bootstrap/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { processApp, TOKEN_A } from './testing/process-app.js';

let server: FakeAgentServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  server = undefined;
  dir = undefined;
});

async function setup() {
  dir = mkdtempSync(join(tmpdir(), 'sbx-agent-proc-'));
  server = await FakeAgentServer.listen(join(dir, 'agent.sock'));
  const agent = new SandboxAgent({ transport: new UnixSocketTransport(server.path), sandboxId: 'box-1' });
  return { ...(await processApp({}, { agentA: agent })), server };
}

const lines = async (response: Response) =>
  (await response.text())
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('process routes over SandboxAgent and protocol v1', () => {
  it('background sleep: started, listed, re-attached, killed; then 404 PROCESS_NOT_FOUND', async () => {
    const { call, server } = await setup();
    const started = await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', {
      cmd: ['sleep', '30'],
      background: true,
    });
    expect(started.status).toBe(202);
    const { pid } = await started.json();
    expect(server.requests.at(-1)).toMatchObject({ op: 'run', background: true, stdin: true });
    const listed = await (await call(TOKEN_A, 'GET', '/v1/sandboxes/box-1/processes')).json();
    expect(listed.processes).toEqual([
      expect.objectContaining({ pid, cmd: ['sleep', '30'], running: true, background: true }),
    ]);
    const output = await call(TOKEN_A, 'GET', `/v1/sandboxes/box-1/processes/${pid}/output`);
    expect(output.status).toBe(200);
    const killed = await call(TOKEN_A, 'POST', `/v1/sandboxes/box-1/processes/${pid}/signal`, {
      signal: 'SIGKILL',
    });
    expect(killed.status).toBe(200);
    const events = await lines(output);
    expect(events.at(-1)).toEqual({ exit: expect.objectContaining({ exitCode: 137, truncated: false }) });
    const again = await call(TOKEN_A, 'POST', `/v1/sandboxes/box-1/processes/${pid}/signal`, {
      signal: 'SIGKILL',
    });
    expect(again.status).toBe(404);
    expect((await again.json()).error.code).toBe('PROCESS_NOT_FOUND');
  });

  it('stdin written to a background cat comes back on its output', async () => {
    const { call } = await setup();
    const { pid } = await (
      await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', { cmd: ['cat'], background: true })
    ).json();
    const sent = await call(
      TOKEN_A,
      'POST',
      `/v1/sandboxes/box-1/processes/${pid}/stdin?eof=true`,
      new TextEncoder().encode('hello\n'),
      { 'content-type': 'application/octet-stream' },
    );
    expect(sent.status).toBe(200);
    const events = await lines(await call(TOKEN_A, 'GET', `/v1/sandboxes/box-1/processes/${pid}/output`));
    expect(events).toEqual([
      { stream: 'stdout', data: 'hello\n' },
      { exit: expect.objectContaining({ exitCode: 0 }) },
    ]);
  });

  it('exec with cwd and env runs through the agent', async () => {
    const { call, server } = await setup();
    const res = await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', {
      cmd: ['printenv', 'GREETING'],
      env: { GREETING: 'hi' },
      user: '0',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ exitCode: 0, stdout: 'hi\n' });
    expect(server.requests.at(-1)).toMatchObject({ op: 'run', env: { GREETING: 'hi' }, user: '0' });
  });

  it('a command the sandbox does not have starts nothing: a 4xx naming it', async () => {
    const { call } = await setup();
    const res = await call(TOKEN_A, 'POST', '/v1/sandboxes/box-1/exec', {
      cmd: ['no-such-command'],
      background: true,
    });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('PROCESS_NOT_FOUND');
  });
});
