import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';

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
