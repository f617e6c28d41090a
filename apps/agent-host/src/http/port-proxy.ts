import { type IncomingMessage, request } from 'node:http';
import { type Duplex, Readable } from 'node:stream';
import { AgentHostError } from '../errors.js';
import {
  forwardedRequestHeaders,
  forwardedResponseHeaders,
  MAX_PREVIEW_HEADER_BYTES,
} from './port-headers.js';

/** What one proxied HTTP request needs. */
export interface ProxyRequest {
  method: string;
  /** The path and query the server in the sandbox sees. */
  path: string;
  headers: Iterable<[string, string]>;
  body: ReadableStream<Uint8Array> | null;
  port: number;
  /** The public prefix the sandbox's server is reached under (sent as `X-Forwarded-Prefix`). */
  prefix: string;
  /** A request or response that moves no byte for this long is cut off. */
  idleTimeoutMs: number;
  /** The most request body bytes passed on (the rest fails the request). */
  maxBodyBytes: number;
  signal: AbortSignal;
  /** Called once when the tunnel is done with (answer read, failed or cancelled). */
  onClose: () => void;
}

/**
 * Sends one HTTP/1.1 request through `tunnel` (a connection to 127.0.0.1:PORT inside the sandbox) and answers
 * with the server's response as it streams: Node's own HTTP client parses the answer (head capped at 16 KiB),
 * nothing is buffered, and an idle tunnel is cut off. Rejects with `PORT_FAILED` when the server in the
 * sandbox sends no valid answer.
 */
export function proxyHttp(tunnel: Duplex, req: ProxyRequest): Promise<Response> {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    tunnel.destroy();
    req.onClose();
  };
  // Node's HTTP client treats its connection as a socket: the tunnel gets the socket calls it makes, and the
  // idle timeout is kept here (any byte either way resets it).
  Object.assign(tunnel, { setTimeout: () => tunnel, setNoDelay: () => tunnel, setKeepAlive: () => tunnel });
  let idle: ReturnType<typeof setTimeout> | undefined;
  return new Promise<Response>((resolve, reject) => {
    const upstream = request({
      createConnection: () => tunnel as never,
      method: req.method,
      path: req.path,
      headers: forwardedRequestHeaders(req.headers, req.port, req.prefix),
      maxHeaderSize: MAX_PREVIEW_HEADER_BYTES,
    });
    const fail = (error: unknown) => {
      close();
      reject(
        new AgentHostError(
          'PORT_FAILED',
          `the server on port ${req.port} in the sandbox sent no valid HTTP answer: ${(error as Error).message}`,
          { cause: error },
        ),
      );
    };
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(
        () => upstream.destroy(new Error(`idle for ${req.idleTimeoutMs} ms`)),
        req.idleTimeoutMs,
      );
      idle.unref?.();
    };
    touch();
    tunnel.on('data', touch);
    tunnel.once('close', () => clearTimeout(idle));
    upstream.once('error', fail);
    const onAbort = () => upstream.destroy(new Error('the client went away'));
    req.signal.addEventListener('abort', onAbort, { once: true });
    upstream.once('response', (res: IncomingMessage) => {
      upstream.off('error', fail);
      upstream.on('error', () => close());
      res.once('close', () => {
        req.signal.removeEventListener('abort', onAbort);
        close();
      });
      const status = res.statusCode ?? 502;
      const empty = NULL_BODY.has(status) || req.method === 'HEAD' || status < 200;
      const body = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
      if (empty) res.resume();
      resolve(
        new Response(body, {
          status: status < 200 ? 502 : status,
          headers: forwardedResponseHeaders(res.rawHeaders),
        }),
      );
    });
    pumpBody(req, upstream, touch).catch((error: unknown) => upstream.destroy(error as Error));
  });
}

const NULL_BODY = new Set([204, 205, 304]);

// The request body, passed on as it comes (backpressure through the tunnel), at most `maxBodyBytes`.
async function pumpBody(
  req: ProxyRequest,
  upstream: ReturnType<typeof request>,
  touch: () => void,
): Promise<void> {
  if (!req.body) {
    upstream.end();
    return;
  }
  let sent = 0;
  for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) {
    sent += chunk.length;
    if (sent > req.maxBodyBytes) throw new Error(`the request body is over ${req.maxBodyBytes} bytes`);
    if (!upstream.write(chunk)) await new Promise((resolve) => upstream.once('drain', resolve));
    touch();
  }
  upstream.end();
}
