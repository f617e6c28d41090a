import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Requests whose replies the proxy holds back: attaching, following logs, starting an exec. */
export const SLOW_CALLS =
  /^(?:POST|GET) \S*\/(?:containers\/[^/\s]+\/(?:attach|logs)|exec\/[^/\s]+\/start)\b/;

/**
 * A Unix-socket proxy in front of the Docker engine that delays the reply of matching requests by `delayMs`
 * (the engine has already acted on them), and emits `'delaying'` with the request line as it starts holding
 * one back, so a test can interrupt exactly while such a call is in flight. Point a client at it with
 * `DOCKER_HOST=unix://<socketPath>`.
 */
export class DelayingEngineProxy extends EventEmitter<{ delaying: [string] }> {
  readonly socketPath = join(mkdtempSync(join(tmpdir(), 'sbx-proxy-')), 'docker.sock');
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  constructor(
    readonly delayMs: number,
    readonly engineSocket = '/var/run/docker.sock',
    readonly matches: RegExp = SLOW_CALLS,
  ) {
    super();
    this.#server = createServer((client) => this.#pipe(client));
  }

  /** Starts listening; resolves to `unix://...` for DOCKER_HOST. */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.socketPath, () => resolve(`unix://${this.socketPath}`));
    });
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #pipe(client: Socket): void {
    const upstream = createConnection(this.engineSocket);
    this.#sockets.add(client).add(upstream);
    let holdNextReply: string | undefined;
    let replies = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      const line = chunk.toString('latin1', 0, Math.min(chunk.length, 300)).split('\r\n')[0] ?? '';
      if (this.matches.test(line)) holdNextReply = line;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const held = holdNextReply;
      holdNextReply = undefined;
      replies = replies.then(async () => {
        if (held) {
          this.emit('delaying', held);
          await new Promise((r) => setTimeout(r, this.delayMs));
        }
        if (!client.destroyed) client.write(chunk);
      });
    });
    const end = () => {
      void replies.then(() => {
        client.destroy();
        upstream.destroy();
        this.#sockets.delete(client);
        this.#sockets.delete(upstream);
      });
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}
