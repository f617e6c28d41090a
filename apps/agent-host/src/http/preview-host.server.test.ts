// PORT-ID.DOMAIN names through a real listening server on loopback (the Host header as a client sends it): a
// plain request and a WebSocket-style upgrade reach the sandbox's port through the fake agent's tunnel.
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../core/sandbox-policy.js';
import { type RunningServer, startServer } from './start-server.js';
import { agentApp, TOKEN_A } from './testing/agent-app.js';

const DOMAIN = 'sbx.example.test';
let t: Awaited<ReturnType<typeof agentApp>>;
let server: RunningServer;
let upstream: Server;
const upgraded = new Set<import('node:stream').Duplex>();

beforeEach(async () => {
  t = await agentApp(defaultPolicy(2), { e2bDomain: DOMAIN });
  server = await startServer(t.app, { host: '127.0.0.1', port: 0 });
  upstream = createServer((req, res) => res.end(`plain ${req.url}`)).on('upgrade', (_req, socket) => {
    upgraded.add(socket);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (d) => socket.write(d));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
});
afterEach(async () => {
  upstream.closeAllConnections();
  for (const socket of upgraded) socket.destroy();
  upgraded.clear();
  await server.close();
  await new Promise((resolve) => upstream.close(resolve));
  await t.close();
});

describe('PORT-ID.DOMAIN on a listening server', () => {
  it('serves a plain request and passes an upgrade through, both ways', async () => {
    const box = await t.provision();
    const name = `${portOf(upstream)}-${box.id}.${DOMAIN}`;
    const plain = open();
    plain.write(
      `GET /x?y=1 HTTP/1.1\r\nHost: ${name}\r\nAuthorization: Bearer ${TOKEN_A}\r\nConnection: close\r\n\r\n`,
    );
    const answer = await readUntil(plain, 'plain /x?y=1');
    expect(answer).toMatch(/^HTTP\/1.1 200/);
    plain.destroy();

    const socket = open();
    socket.write(
      `GET /socket HTTP/1.1\r\nHost: ${name}\r\nAuthorization: Bearer ${TOKEN_A}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    );
    expect(await readUntil(socket, '\r\n\r\n')).toMatch(/^HTTP\/1.1 101/);
    socket.write('ping');
    expect(await readUntil(socket, 'ping')).toContain('ping');
    socket.destroy();
    expect(upgraded.size).toBe(1);
  });

  it('refuses an upgrade to a malformed name with 400 and never dials the sandbox', async () => {
    const socket = open();
    socket.write(
      `GET / HTTP/1.1\r\nHost: 70000-box-1.${DOMAIN}\r\nAuthorization: Bearer ${TOKEN_A}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    );
    expect(await readUntil(socket, '}')).toMatch(/^HTTP\/1.1 400/);
    socket.destroy();
    expect(upgraded.size).toBe(0);
  });
});

function open(): Socket {
  return connect(Number(new URL(server.url).port), '127.0.0.1');
}

function portOf(s: Server): number {
  return (s.address() as { port: number }).port;
}

function readUntil(socket: Socket, marker: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${JSON.stringify(marker)} in ${JSON.stringify(text)}`)),
      5_000,
    );
    socket.on('data', (d) => {
      text += d.toString();
      if (text.includes(marker)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
    socket.once('error', reject);
  });
}
