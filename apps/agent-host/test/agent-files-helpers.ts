import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';

/** The NDJSON lines of a stream as they arrive, with a wait for the first line that matches. */
export function readLines(body: ReadableStream<Uint8Array>) {
  const lines: Array<Record<string, unknown>> = [];
  let wake: () => void = () => {};
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
          lines.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
          buffer = buffer.slice(nl + 1);
          wake();
        }
      }
    } catch {
      // the reader aborted
    }
  })();
  return {
    lines,
    async waitFor(match: (line: Record<string, unknown>) => boolean, timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching line in ${JSON.stringify(lines)}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
    },
  };
}

/**
 * Opens a WebSocket over `socket` by hand (Node 20 has no client): the upgrade with the bearer token, one masked
 * text frame of `text` (under 126 bytes), and the text of the first frame the server sends back.
 */
export function rawWebSocketEcho(socket: Socket, path: string, token: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no echo; got ${JSON.stringify(received.toString())}`)),
      10_000,
    );
    let received = Buffer.alloc(0);
    let upgraded = false;
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (!upgraded) {
        const end = received.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = received.subarray(0, end).toString();
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`no upgrade: ${head}`));
        upgraded = true;
        received = received.subarray(end + 4);
        const mask = randomBytes(4);
        const payload = Buffer.from(text).map((b, i) => b ^ (mask[i % 4] as number));
        socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload]));
      }
      if (upgraded && received.length >= 2) {
        const length = (received[1] as number) & 0x7f;
        if (received.length < 2 + length) return;
        clearTimeout(timer);
        socket.destroy();
        resolve(received.subarray(2, 2 + length).toString());
      }
    });
    socket.write(
      [
        `GET ${path} HTTP/1.1`,
        'Host: 127.0.0.1',
        `Authorization: Bearer ${token}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        '',
        '',
      ].join('\r\n'),
    );
  });
}
