import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';

/** The largest message a WebSocket client may send (a terminal's keystrokes, a resize): bigger closes it (1009). */
export const MAX_WS_MESSAGE_BYTES = 64 * 1024;

/** What a route does with an accepted WebSocket, or when the upgrade did not happen after all. */
export interface WebSocketHandler {
  accept(ws: WebSocket): void;
  /** The client went away (or the answer was not a 2xx) before the socket was accepted: release what was taken. */
  abandon(): void;
}

/**
 * The `env` an upgrade request is fetched with: a route that accepts it calls `upgrade(handler)` and answers
 * anything 2xx; without the call the route's answer (a 401, 404, 409...) is written to the socket instead.
 */
export interface UpgradeEnv {
  incoming: IncomingMessage;
  upgrade?: (handler: WebSocketHandler) => void;
}

/**
 * Serves WebSocket upgrades on `server` through `app`: the request goes through the whole app (body limits, host
 * guard, authentication, the route's own checks) like any other; only a route that calls `env.upgrade` gets a
 * socket. Messages over `MAX_WS_MESSAGE_BYTES` close the connection.
 */
export function serveUpgrades(
  server: Server,
  app: { fetch: (request: Request, env: UpgradeEnv) => Response | Promise<Response> },
): void {
  // `ws` is loaded at the first upgrade: a host nobody opens a terminal on never loads it.
  let wss: Promise<WebSocketServer> | undefined;
  const sockets = () => {
    wss ??= import('ws').then(
      ({ WebSocketServer }) => new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES }),
    );
    return wss;
  };
  server.on('upgrade', (incoming: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    let handler: WebSocketHandler | undefined;
    const env: UpgradeEnv = {
      incoming,
      upgrade: (h) => {
        handler = h;
      },
    };
    let accepted = false;
    socket.once('close', () => {
      if (!accepted) handler?.abandon();
    });
    void (async () => {
      try {
        const response = await app.fetch(toRequest(incoming), env);
        if (handler && response.ok && !socket.destroyed) {
          const taken = handler;
          (await sockets()).handleUpgrade(incoming, socket, head, (ws) => {
            accepted = true;
            taken.accept(ws);
          });
          return;
        }
        await refuse(socket, response.ok ? 400 : response.status, await response.text());
      } catch {
        await refuse(socket, 500, '{"error":{"code":"INTERNAL","message":"the upgrade failed"}}');
      }
    })();
  });
}

function toRequest(incoming: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const host = incoming.headers.host ?? 'localhost';
  return new Request(new URL(incoming.url ?? '/', `http://${host}`), { method: 'GET', headers });
}

// The route's refusal as a plain HTTP answer on the raw socket, which is then closed.
function refuse(socket: Duplex, status: number, body: string): Promise<void> {
  const bytes = Buffer.from(body.slice(0, 4096));
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'content-type: application/json',
    `content-length: ${bytes.length}`,
    'connection: close',
    '',
    '',
  ].join('\r\n');
  return new Promise((done) => {
    if (socket.destroyed) return done();
    socket.end(Buffer.concat([Buffer.from(head), bytes]), () => {
      socket.destroy();
      done();
    });
  });
}
