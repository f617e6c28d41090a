// Upgrades through a real listening server: a WebSocket-style upgrade through the preview proxy, a raw
// `sbx-tunnel`, `sbx port-forward` on top of it, and an upgrade refused (no token) answered as plain HTTP.
// The fake agent dials servers on this host's loopback, as the real agent dials the sandbox's.
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer, type Server as NetServer, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { portForwardCommand } from '../cli/remote/port-forward-command.js';
import { openHostTunnel } from '../cli/remote/tunnel-client.js';
import { type RunningServer, startServer } from './start-server.js';
import { agentApp, TOKEN_A } from './testing/agent-app.js';

let t: Awaited<ReturnType<typeof agentApp>>;
let server: RunningServer;
let ws: Server;
let echo: NetServer;
const upgradeHeaders: Array<Record<string, unknown>> = [];
// Upgraded sockets leave the HTTP server's bookkeeping: the test ends them itself.
const upstreamSockets = new Set<import('node:stream').Duplex>();

beforeEach(async () => {
  t = await agentApp();
  server = await startServer(t.app, { host: '127.0.0.1', port: 0 });
  upgradeHeaders.length = 0;
  ws = createHttpServer((_req, res) => res.end('plain')).on('upgrade', (req, socket) => {
    upgradeHeaders.push(req.headers);
    upstreamSockets.add(socket);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (d) => socket.write(d));
  });
  echo = createServer((socket) => {
    upstreamSockets.add(socket);
    socket.pipe(socket);
  });
  await Promise.all([listen(ws), listen(echo)]);
});
afterEach(async () => {
  ws.closeAllConnections();
  for (const socket of upstreamSockets) socket.destroy();
  upstreamSockets.clear();
  await server.close();
  await Promise.all([close(ws), close(echo)]);
  await t.close();
});

describe('upgrades', () => {
  it('passes a WebSocket upgrade through the preview proxy, both ways, without the bearer token', async () => {
    const box = await t.provision();
    const socket = connect(port(server), '127.0.0.1');
    socket.write(
      `GET /v1/sandboxes/${box.id}/ports/${portOf(ws)}/socket HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN_A}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    );
    const head = await readUntil(socket, '\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1.1 101/);
    socket.write('ping');
    expect(await readUntil(socket, 'ping')).toContain('ping');
    socket.destroy();
    expect(upgradeHeaders[0]?.authorization).toBeUndefined();
    expect(upgradeHeaders[0]?.upgrade).toBe('websocket');
  });

  it('answers an upgrade it refuses as plain HTTP and closes', async () => {
    const box = await t.provision();
    const socket = connect(port(server), '127.0.0.1');
    socket.write(
      `GET /v1/sandboxes/${box.id}/ports/${portOf(ws)}/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    );
    const answer = await readUntil(socket, '}');
    expect(answer).toMatch(/^HTTP\/1.1 401/);
    expect(upgradeHeaders).toEqual([]);
  });

  it('opens a raw sbx-tunnel, and sbx port-forward serves a local port through it', async () => {
    const box = await t.provision();
    const creds = { baseUrl: server.url, token: TOKEN_A };
    const tunnel = await openHostTunnel(creds, box.id, portOf(echo));
    tunnel.write('abc');
    expect(await readUntil(tunnel as Socket, 'abc')).toBe('abc');
    tunnel.destroy();
    await expect(
      openHostTunnel({ ...creds, token: 'wrong-token-000000000' }, box.id, portOf(echo)),
    ).rejects.toThrow(/UNAUTHORIZED/);

    const stop = new AbortController();
    const out: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => out.push(s) },
      env: { SBX_TOKEN: TOKEN_A },
    };
    let local = 0;
    const running = portForwardCommand(io as never, {
      signal: stop.signal,
      onListening: (p) => (local = p),
    }).parseAsync([box.id, String(portOf(echo)), '--local', '0', '--url', server.url], { from: 'user' });
    await until(() => local !== 0);
    const client = connect(local, '127.0.0.1');
    client.write('through the forward');
    expect(await readUntil(client, 'forward')).toBe('through the forward');
    client.destroy();
    stop.abort();
    await running;
    expect(out.join('')).toContain(`forwarding 127.0.0.1:${local} -> sandbox ${box.id} port ${portOf(echo)}`);
  });
});

function listen(s: Server | NetServer): Promise<void> {
  return new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
}
function close(s: Server | NetServer): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()));
}
function portOf(s: Server | NetServer): number {
  return (s.address() as { port: number }).port;
}
function port(running: RunningServer): number {
  return Number(new URL(running.url).port);
}
function readUntil(socket: Socket, marker: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${JSON.stringify(marker)} in ${JSON.stringify(text)}`)),
      3_000,
    );
    const onData = (d: Buffer) => {
      text += d.toString();
      if (text.includes(marker)) {
        clearTimeout(timer);
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
  });
}
async function until(check: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
