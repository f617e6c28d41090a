// The stream of one exec in the fake engine. Not built into dist.
import { PassThrough } from 'node:stream';
import { frame } from './fake-helpers.js';

/**
 * An exec's hijacked connection: the command's output comes out of it, and with `AttachStdin` what the client
 * writes is the command's stdin (not echoed as output); the client's `end()` closes stdin, as the engine's
 * CloseWrite does.
 */
export class FakeExecStream extends PassThrough {
  /** Resolves to everything written to stdin once the client closed it (empty without stdin). */
  readonly stdin: Promise<Buffer>;
  /** Bytes `flood` wrote so far. */
  flooded = 0;
  readonly #chunks: Buffer[] = [];
  #closeStdin!: (data: Buffer) => void;

  constructor(readonly attachStdin: boolean) {
    super();
    this.stdin = new Promise((resolve) => {
      this.#closeStdin = resolve;
    });
    if (!attachStdin) this.#closeStdin(Buffer.alloc(0));
  }

  /** The client's side: with stdin attached, a write is stdin. */
  override write(chunk: unknown, ...rest: unknown[]): boolean {
    if (!this.attachStdin) return (super.write as (...a: unknown[]) => boolean)(chunk, ...rest);
    this.#chunks.push(Buffer.from(chunk as Buffer));
    return true;
  }

  /** The client's side: with stdin attached, `end()` closes stdin only. */
  override end(...args: unknown[]): this {
    if (!this.attachStdin) return (super.end as (...a: unknown[]) => this)(...args);
    const [chunk] = args;
    if (chunk !== undefined && typeof chunk !== 'function') this.#chunks.push(Buffer.from(chunk as Buffer));
    this.#closeStdin(Buffer.concat(this.#chunks));
    return this;
  }

  /** The command prints (stream 1 = stdout, 2 = stderr). */
  print(stream: 1 | 2, text: string | Buffer): void {
    if (!this.destroyed && !this.finished)
      (PassThrough.prototype.write as (c: Buffer) => boolean).call(this, frame(stream, text));
  }

  /**
   * The command prints `chunk` without end (as `cat /dev/zero` does), only as fast as the client reads (a write
   * the client's side has no room for waits for `drain`, as a pipe blocks); resolves once the client destroys
   * the stream. `flooded` counts the bytes written.
   */
  async flood(stream: 1 | 2, chunk: string | Buffer): Promise<void> {
    const framed = frame(stream, chunk);
    const write = PassThrough.prototype.write as (c: Buffer) => boolean;
    while (!this.destroyed && !this.finished) {
      const room = write.call(this, framed);
      this.flooded += framed.length;
      await new Promise<void>((resolve) => {
        if (room) setImmediate(resolve);
        else {
          this.once('drain', resolve);
          this.once('close', resolve);
        }
      });
    }
  }

  /** The command's output ends. */
  finish(): void {
    this.#closeStdin(Buffer.concat(this.#chunks));
    if (!this.destroyed && !this.finished) (PassThrough.prototype.end as () => unknown).call(this);
  }

  /** True once the output ended. */
  get finished(): boolean {
    return this.writableEnded;
  }
}
