import { SbxClient, SbxError, type WebSocketFactory } from '@sbx/client';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningServer, startServer } from './start-server.js';
import { processApp, TOKEN_A } from './testing/process-app.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const webSocket: WebSocketFactory = (url, headers) => new WebSocket(url, { headers }) as never;

async function setup() {
  const ctx = await processApp();
  server = await startServer(ctx.app, { host: '127.0.0.1', port: 0 });
  const client = new SbxClient({ baseUrl: server.url, token: TOKEN_A });
  return { ...ctx, client };
}

describe('@sbx/client: processes and terminals', () => {
  it('starts a background process, lists it, follows it from a second client, feeds and kills it', async () => {
    const { client, agents } = await setup();
    const box = client.sandboxes.get('box-1');
    const process = await box.startProcess('sleep 30', { cwd: '/tmp', env: { A: '1' } });
    expect(await box.processes()).toEqual([expect.objectContaining({ pid: process.pid, running: true })]);
    agents[0].print(process.pid, 'before\n');
    await process.sendStdin('in');
    await process.closeStdin();
    const fake = agents[0].processes.get(process.pid);
    expect(fake?.stdin.map((b) => new TextDecoder().decode(b)).join('')).toBe('in');
    expect(fake?.stdinClosed).toBe(true);
    // A second client re-attaches by pid.
    const other = new SbxClient({ baseUrl: server?.url ?? '', token: TOKEN_A }).sandboxes.get('box-1');
    const seen: string[] = [];
    const waited = other.reconnect(process.pid).wait({ onStdout: (text) => seen.push(text) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await process.kill();
    const exit = await waited;
    expect(exit).toMatchObject({ exitCode: 137, signal: 'SIGKILL', truncated: false, stdout: 'before\n' });
    expect(seen).toEqual(['before\n']);
    const error = await process.kill().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SbxError);
    expect(error).toMatchObject({ code: 'PROCESS_NOT_FOUND', status: 404 });
  });

  it('a sandbox without the agent: startProcess is an SbxError AGENT_UNAVAILABLE (409)', async () => {
    const { client } = await setup();
    const error = await client.sandboxes
      .get('box-2')
      .startProcess('true')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AGENT_UNAVAILABLE', status: 409 });
  });

  it('opens a terminal: writes, resizes, reads, and sees its exit', async () => {
    const { client, agents } = await setup();
    const data: string[] = [];
    const terminal = await client.sandboxes.get('box-1').terminal({
      cols: 90,
      rows: 20,
      webSocket,
      onData: (bytes) => data.push(new TextDecoder().decode(bytes)),
    });
    const [fake] = agents[0].processes.values();
    terminal.write('ls\n');
    terminal.resize(100, 50);
    for (let i = 0; i < 100 && (fake?.resizes.length ?? 0) === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(fake?.options.tty).toEqual({ cols: 90, rows: 20 });
    expect(fake?.resizes).toEqual([{ cols: 100, rows: 50 }]);
    agents[0].print(fake?.info.pid ?? 0, 'out');
    agents[0].end(fake?.info.pid ?? 0, { exitCode: 3 });
    expect(await terminal.exited).toEqual({
      exitCode: 3,
      closeCode: 1000,
      closeReason: 'the terminal ended',
    });
    expect(data).toEqual(['out']);
  });

  it('a refused terminal rejects with the HTTP status', async () => {
    const { client } = await setup();
    const error = await client.sandboxes
      .get('box-2')
      .terminal({ webSocket, onData: () => {} })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TERMINAL_REFUSED', status: 409 });
  });
});
