import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { UpgradeEnv, WebSocketHandler } from './websocket-upgrade.js';
import { MAX_WS_MESSAGE_BYTES } from './websocket-upgrade.js';

/**
 * An HTTP upgrade (WebSocket, `sbx-tunnel`) handed to the app: the route that takes it calls `take()` and owns
 * the client's socket from then on; a route that answers instead gets its response written as plain HTTP.
 */
export interface RawUpgrade {
  readonly incoming: IncomingMessage;
  readonly socket: Duplex;
  /** Bytes the client sent after the request head. */
  readonly head: Uint8Array;
  take(): { socket: Duplex; head: Uint8Array };
  readonly taken: boolean;
}

/**
 * The hono `env` of a request that asks to upgrade: `raw` hands its socket to the route that takes it (a tunnel),
 * `upgrade(handler)` asks for a WebSocket, accepted once the route answered 2xx (a terminal).
 */
export interface RawUpgradeEnv extends UpgradeEnv {
  raw: RawUpgrade;
}

/**
 * A node `upgrade` listener that runs the request through `fetch` (the app: host guard, authentication,
 * routes) with the socket in `env.raw`. A route that takes the socket tunnels it; any other answer (401,
 * 404, 409) is written back as HTTP/1.1 and the socket closed, so an upgrade is never left hanging.
 */
export function upgradeListener(
  fetch: (request: Request, env: RawUpgradeEnv) => Response | Promise<Response>,
): UpgradeListener {
  const sockets = new Set<Duplex>();
  // `ws` is loaded at the first WebSocket a route accepts: a host nobody opens a terminal on never loads it.
  let wss: Promise<WebSocketServer> | undefined;
  const webSockets = () => {
    wss ??= import('ws').then(
      ({ WebSocketServer }) => new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES }),
    );
    return wss;
  };
  const listener = (incoming: IncomingMessage, socket: Duplex, head: Buffer) => {
    // An upgraded socket leaves the HTTP server's bookkeeping: kept here so a shutdown can end it.
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let taken = false;
    let handler: WebSocketHandler | undefined;
    let accepted = false;
    socket.once('close', () => {
      if (!accepted) handler?.abandon();
    });
    const upgrade = (h: WebSocketHandler) => {
      handler = h;
    };
    const raw: RawUpgrade = {
      incoming,
      socket,
      head,
      get taken() {
        return taken;
      },
      take() {
        taken = true;
        return { socket, head };
      },
    };
    const headers = new Headers();
    for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
      try {
        headers.append(incoming.rawHeaders[i] as string, incoming.rawHeaders[i + 1] as string);
      } catch {
        // a header the fetch API refuses is left out
      }
    }
    const host = incoming.headers.host ?? 'localhost';
    const request = new Request(`http://${host}${incoming.url ?? '/'}`, {
      method: incoming.method ?? 'GET',
      headers,
    });
    Promise.resolve()
      .then(() => fetch(request, { incoming, raw, upgrade }))
      .then(
        async (response) => {
          if (taken) return;
          if (handler && response.ok && !socket.destroyed) {
            const accepting = handler;
            (await webSockets()).handleUpgrade(incoming, socket, head, (ws) => {
              accepted = true;
              accepting.accept(ws);
            });
            return;
          }
          await writeResponse(socket, response);
        },
        () => (taken ? undefined : writeResponse(socket, new Response('internal error', { status: 500 }))),
      )
      .catch(() => socket.destroy());
  };
  return Object.assign(listener, {
    closeAll: () => {
      for (const socket of sockets) socket.destroy();
    },
  });
}

/** A node `upgrade` listener that can end every socket it upgraded (the server's shutdown). */
export type UpgradeListener = ((incoming: IncomingMessage, socket: Duplex, head: Buffer) => void) & {
  closeAll(): void;
};

async function writeResponse(socket: Duplex, response: Response): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer().catch(() => new ArrayBuffer(0)));
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText || 'Error'}`];
  response.headers.forEach((value, name) => {
    if (name !== 'content-length' && name !== 'connection' && name !== 'transfer-encoding') {
      lines.push(`${name}: ${value}`);
    }
  });
  lines.push(`content-length: ${body.length}`, 'connection: close', '', '');
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n')), body]));
}
