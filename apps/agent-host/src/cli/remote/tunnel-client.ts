import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';

/** Where the host is and the token that opens it. */
export interface HostCredentials {
  baseUrl: string;
  token: string;
}

/**
 * A raw TCP connection to `port` inside sandbox `id`, through the host: `GET /v1/sandboxes/ID/tunnels/PORT`
 * upgraded to `sbx-tunnel` (bytes both ways after the 101). Rejects with the host's error text when it answers
 * anything but 101 (409: no agent; 502: nothing listens).
 */
export function openHostTunnel(
  host: HostCredentials,
  id: string,
  port: number,
  signal?: AbortSignal,
): Promise<Duplex> {
  const url = new URL(`/v1/sandboxes/${encodeURIComponent(id)}/tunnels/${port}`, host.baseUrl);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: { authorization: `Bearer ${host.token}`, connection: 'Upgrade', upgrade: 'sbx-tunnel' },
      ...(signal ? { signal } : {}),
    });
    req.once('upgrade', (_res, socket, head) => {
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < 4096) chunks.push(chunk);
        size += chunk.length;
      });
      res.once('end', () =>
        reject(new Error(describe(res.statusCode ?? 0, Buffer.concat(chunks).toString()))),
      );
    });
    req.once('error', reject);
    req.end();
  });
}

function describe(status: number, text: string): string {
  try {
    const { error } = JSON.parse(text) as { error: { code: string; message: string } };
    return `${error.message} (${error.code})`;
  } catch {
    return `the host answered HTTP ${status} instead of opening a tunnel`;
  }
}
