import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { upgradeListener } from './upgrade-bridge.js';

/** A running HTTP server. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Listens with `app` on `host:port` (port 0 picks a free one) and resolves once listening; HTTP upgrades
 * (terminals, preview WebSockets, `sbx-tunnel`) go through `app` too, through one listener.
 */
export function startServer(
  app: { fetch: Hono['fetch'] },
  options: { host: string; port: number },
): Promise<RunningServer> {
  const upgrades = upgradeListener((request, env) => app.fetch(request, env));
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
              upgrades.closeAll();
            }),
        });
      },
    );
    server.once('error', reject);
    server.on('upgrade', upgrades);
  });
}
