import type { Duplex } from 'node:stream';

/** Options of joining a client's socket to a tunnel into the sandbox. */
export interface TunnelPipeOptions {
  /** Sent into the tunnel first (a WebSocket's request head). */
  prelude?: Uint8Array;
  /** Sent to the client first (an `sbx-tunnel`'s 101 answer). */
  greeting?: Uint8Array;
  /** Bytes the client sent after its request head. */
  head?: Uint8Array;
  /** Both directions silent for this long closes both ends. */
  idleTimeoutMs: number;
  /** Called once when both ends are closed. */
  onClose: () => void;
}

/**
 * Joins `client` and `tunnel` both ways with stream backpressure (nothing is buffered beyond the streams'
 * own high-water marks), closes both when either ends or fails or when no byte moved for `idleTimeoutMs`.
 */
export function pipeTunnel(client: Duplex, tunnel: Duplex, options: TunnelPipeOptions): void {
  let done = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    client.destroy();
    tunnel.destroy();
    options.onClose();
  };
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(finish, options.idleTimeoutMs);
    timer.unref?.();
  };
  touch();
  client.on('data', touch);
  tunnel.on('data', touch);
  for (const end of [client, tunnel]) {
    end.once('error', finish);
    end.once('close', finish);
  }
  // A half-close passes through: the other side's writable ends, then both close when the last one ends.
  client.once('end', () => tunnel.end());
  tunnel.once('end', () => client.end());
  if (options.greeting) client.write(options.greeting);
  if (options.prelude) tunnel.write(options.prelude);
  if (options.head && options.head.length > 0) tunnel.write(options.head);
  client.pipe(tunnel, { end: false });
  tunnel.pipe(client, { end: false });
}

/** The request head of an upgrade, as sent to the server in the sandbox (`path` and `headers` already forwarded). */
export function requestHead(method: string, path: string, headers: Record<string, string>): Uint8Array {
  const lines = [`${method} ${path} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push('', '');
  return Buffer.from(lines.join('\r\n'), 'latin1');
}
