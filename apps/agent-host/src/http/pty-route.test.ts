import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningServer, startServer } from './start-server.js';
import { processApp, TOKEN_A, TOKEN_B } from './testing/process-app.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(policy = {}) {
  const ctx = await processApp(policy);
  server = await startServer(ctx.app, { host: '127.0.0.1', port: 0 });
  const url = `${server.url.replace('http', 'ws')}/v1/sandboxes`;
  const open = (path: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN_A}` }) =>
    new WebSocket(`${url}${path}`, { headers });
  return { ...ctx, open };
}

// The HTTP status of a refused upgrade and its error code.
function refusal(ws: WebSocket): Promise<{ status: number; code: string }> {
  return new Promise((resolve, reject) => {
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: JSON.parse(body).error.code }));
    });
  });
}

const opened = (ws: WebSocket) =>
  new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
const closed = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
};

describe('GET /v1/sandboxes/:id/pty (WebSocket)', () => {
  it('runs sh on a terminal: keystrokes in, output out, resize, the exit line, a normal close', async () => {
    const { open, agents } = await setup();
    const ws = open('/box-1/pty?cols=100&rows=30');
    const received: Array<Buffer | string> = [];
    ws.on('message', (data: Buffer, isBinary) => received.push(isBinary ? data : data.toString()));
    await opened(ws);
    const [process] = agents[0].processes.values();
    expect(process?.info.cmd).toEqual(['sh']);
    expect(process?.options).toMatchObject({ tty: { cols: 100, rows: 30 }, stdin: true });
    ws.send(Buffer.from('echo hi\n'));
    ws.send(JSON.stringify({ resize: { cols: 120, rows: 40 } }));
    await until(() => (process?.stdin.length ?? 0) === 1 && (process?.resizes.length ?? 0) === 1);
    expect(new TextDecoder().decode(process?.stdin[0])).toBe('echo hi\n');
    expect(process?.resizes).toEqual([{ cols: 120, rows: 40 }]);
    agents[0].print(process?.info.pid ?? 0, 'hi\r\n');
    await until(() => received.length === 1);
    const end = closed(ws);
    agents[0].end(process?.info.pid ?? 0, { exitCode: 0 });
    expect(await end).toEqual({ code: 1000, reason: 'the terminal ended' });
    expect(received).toEqual([Buffer.from('hi\r\n'), JSON.stringify({ exit: { exitCode: 0 } })]);
  });

  it('closing the socket closes the terminal (its processes are killed) and frees its command slot', async () => {
    const { open, agents } = await setup({ maxExecsPerSandbox: 1 });
    const ws = open('/box-1/pty');
    await opened(ws);
    const busy = await refusal(open('/box-1/pty'));
    expect(busy).toEqual({ status: 429, code: 'TOO_MANY_CONCURRENT' });
    ws.close();
    const [process] = agents[0].processes.values();
    await until(() => process?.info.running === false);
    expect(process?.exit).toEqual({ exitCode: 137, signal: 'SIGKILL' });
    const again = open('/box-1/pty');
    await opened(again);
    again.close();
  });

  it.each([
    ['no token', '/box-1/pty', {}, 401, 'UNAUTHORIZED'],
    ["another tenant's sandbox", '/box-3/pty', { authorization: `Bearer ${TOKEN_A}` }, 404, 'NOT_FOUND'],
    [
      'a sandbox without the agent',
      '/box-2/pty',
      { authorization: `Bearer ${TOKEN_A}` },
      409,
      'AGENT_UNAVAILABLE',
    ],
    [
      'cols over 1000',
      '/box-1/pty?cols=5000',
      { authorization: `Bearer ${TOKEN_A}` },
      400,
      'INVALID_REQUEST',
    ],
    [
      'an unknown query field',
      '/box-1/pty?shell=bash',
      { authorization: `Bearer ${TOKEN_A}` },
      400,
      'INVALID_REQUEST',
    ],
    [
      "another site's page",
      '/box-1/pty',
      { authorization: `Bearer ${TOKEN_A}`, origin: 'https://evil.example' },
      403,
      'FORBIDDEN',
    ],
  ])('refuses the upgrade for %s (%i) and starts nothing', async (_label, path, headers, status, code) => {
    const { open, agents } = await setup();
    const answer = await refusal(open(path, headers as Record<string, string>));
    expect(answer.status).toBe(status);
    if (status !== 401) expect(answer.code).toBe(code);
    expect(agents[0].processes.size + agents[1].processes.size).toBe(0);
  });

  it("closes a terminal at the policy's command time (1008) and kills its processes", async () => {
    const { open, agents } = await setup({ maxExecTimeoutMs: 150 });
    const ws = open('/box-1/pty');
    await opened(ws);
    const end = await closed(ws);
    expect(end.code).toBe(1008);
    expect(end.reason).toMatch(/command time limit \(150 ms\)/);
    const [process] = agents[0].processes.values();
    await until(() => process?.info.running === false);
  });

  it('a plain GET (no upgrade) is 426', async () => {
    const { call } = await setup();
    const res = await call(TOKEN_A, 'GET', '/v1/sandboxes/box-1/pty');
    expect(res.status).toBe(426);
  });

  it('a message over 64 KiB, a text message that is not a resize, or 1 MiB of unread input close the socket', async () => {
    const { open, agents } = await setup();
    const big = open('/box-1/pty');
    await opened(big);
    const bigClosed = closed(big);
    big.send(Buffer.alloc(64 * 1024 + 1));
    expect((await bigClosed).code).toBe(1009);
    const text = open('/box-1/pty');
    await opened(text);
    const textClosed = closed(text);
    text.send('{"resize":{"cols":0,"rows":24}}');
    expect((await textClosed).code).toBe(1008);
    // 1.2 MiB of keystrokes a terminal takes at once is fine; one that takes none is closed at 1 MiB queued.
    const busy = open('/box-1/pty');
    await opened(busy);
    for (let i = 0; i < 20; i++) busy.send(Buffer.alloc(60 * 1024));
    await until(() => ([...agents[0].processes.values()].at(-1)?.stdin.length ?? 0) === 20);
    expect(busy.readyState).toBe(WebSocket.OPEN);
    busy.close();
    agents[0].stdinGate = new Promise<void>(() => {});
    const stuck = open('/box-1/pty');
    await opened(stuck);
    const stuckClosed = closed(stuck);
    for (let i = 0; i < 20; i++) stuck.send(Buffer.alloc(60 * 1024));
    expect((await stuckClosed).code).toBe(1008);
  });

  it("tenant b's token does not open tenant a's sandbox", async () => {
    const { open } = await setup();
    const answer = await refusal(open('/box-1/pty', { authorization: `Bearer ${TOKEN_B}` }));
    expect(answer).toEqual({ status: 404, code: 'NOT_FOUND' });
  });
});
