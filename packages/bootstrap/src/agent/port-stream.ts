import { Duplex } from 'node:stream';
import type { AgentCall } from './agent-call.js';
import { FRAME, MAX_DATA_CHUNK_BYTES, protocolError } from './frame-codec.js';

/**
 * A TCP connection to a port inside the sandbox, tunnelled through the agent as `data` frames: a Node `Duplex`
 * (pipe an HTTP request or a WebSocket into it). Reading pauses the tunnel while nobody reads; ending the
 * writable side half-closes the sandbox's side; `destroy()` closes the connection.
 */
export class AgentPortStream extends Duplex {
  readonly #call: AgentCall;
  #pulling = false;

  constructor(call: AgentCall) {
    super({ allowHalfOpen: true });
    this.#call = call;
  }

  override _read(): void {
    if (this.#pulling) return;
    this.#pulling = true;
    void this.#pull();
  }

  async #pull(): Promise<void> {
    try {
      for (;;) {
        const frame = await this.#call.next();
        if (frame.kind === FRAME.end) {
          this.push(null);
          return;
        }
        if (frame.kind !== FRAME.data) throw protocolError(`a port sent frame kind ${frame.kind}`);
        if (!this.push(frame.payload)) break;
      }
      this.#pulling = false;
    } catch (error) {
      this.destroy(error as Error);
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    void (async () => {
      for (let at = 0; at < chunk.byteLength; at += MAX_DATA_CHUNK_BYTES) {
        await this.#call.send(FRAME.data, chunk.subarray(at, at + MAX_DATA_CHUNK_BYTES));
      }
    })().then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#call.send(FRAME.end, {}).then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#call.close();
    callback(error);
  }
}
