/** Reads a process's output stream in the background, keeping at most the last `maxChars` characters. */
export class OutputCollector {
  readonly #maxChars: number;
  readonly #reader: ReadableStreamDefaultReader<string>;
  #text = '';
  /** Resolves when the stream ends, is cancelled or fails (never rejects). */
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<string>, maxChars = 1_000_000) {
    this.#maxChars = maxChars;
    this.#reader = stream.getReader();
    this.done = this.#pump();
  }

  /** What was read so far (the tail, when more than `maxChars` arrived). */
  get text(): string {
    return this.#text;
  }

  /** The last `chars` characters, trimmed, for an error message. */
  tail(chars = 500): string {
    return this.#text.slice(-chars).trim();
  }

  /** Stops reading; safe to call more than once. */
  cancel(): void {
    this.#reader.cancel().catch(() => {});
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await this.#reader.read();
        if (done) return;
        this.#text = (this.#text + value).slice(-this.#maxChars);
      }
    } catch {
      // A torn-down container errors its streams; what was read so far stays available.
    }
  }
}
