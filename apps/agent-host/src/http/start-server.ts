import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { serveUpgrades, type UpgradeEnv } from './websocket-upgrade.js';

/** A running HTTP server. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Listens with `app` on `host:port` (port 0 picks a free one; WebSocket upgrades go through `app` too). */
export function startServer(
  app: { fetch: Hono['fetch'] },
  options: { host: string; port: number },
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: options.host, port: options.port },
      (info: AddressInfo) => {
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${host}:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              // keep-alive sockets would hold close() open; the host is going away.
              (server as { closeAllConnections?: () => void }).closeAllConnections?.();
            }),
        });
      },
    );
    server.once('error', reject);
    serveUpgrades(server as Server, { fetch: (request, env: UpgradeEnv) => app.fetch(request, env) });
  });
}
