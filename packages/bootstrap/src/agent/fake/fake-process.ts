import type { AgentSignal } from '../agent-types.js';

const RING_BYTES = 1024 * 1024;
const SIGNAL_NUMBERS: Record<AgentSignal, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGTERM: 15,
};

type Stream = 'stdout' | 'stderr';
/** What a process's reader is told: output, or its exit. */
export type ProcessNews =
  | { stream: Stream; data: Uint8Array }
  | { exit: { exitCode: number; signal?: string } };

/** A byte queue a reader iterates and a writer fills, bounded by the writer's own pace. */
export class ByteQueue implements AsyncIterable<Uint8Array> {
  #items: Uint8Array[] = [];
  #ended = false;
  #wake: (() => void) | undefined;

  /** Adds bytes. */
  push(data: Uint8Array): void {
    this.#items.push(data);
    this.#wake?.();
  }

  /** No more bytes. */
  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const item = this.#items.shift();
      if (item) yield item;
      else if (this.#ended) return;
      else await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

/** One process of the fake agent: what `ps` lists and `attach` replays (a 1 MiB ring per stream). */
export class FakeProcess {
  readonly pid: number;
  readonly cmd: string[];
  readonly tag: string;
  readonly tty: boolean;
  readonly background: boolean;
  readonly startedAtMs = Date.now();
  readonly stdin: ByteQueue | undefined;
  readonly killer = new AbortController();
  exit: { exitCode: number; signal?: string } | undefined;
  truncated = false;
  readonly #ring: Array<{ stream: Stream; data: Uint8Array }> = [];
  readonly #ringBytes: Record<Stream, number> = { stdout: 0, stderr: 0 };
  readonly #readers = new Set<(news: ProcessNews) => Promise<void>>();

  constructor(init: {
    pid: number;
    cmd: string[];
    tag?: string;
    tty: boolean;
    background: boolean;
    stdin: boolean;
  }) {
    this.pid = init.pid;
    this.cmd = init.cmd;
    this.tag = init.tag ?? '';
    this.tty = init.tty;
    this.background = init.background;
    this.stdin = init.stdin ? new ByteQueue() : undefined;
  }

  /** Output of the process: kept when in the background, handed to every reader (awaited in the foreground). */
  async write(stream: Stream, data: Uint8Array): Promise<void> {
    const where: Stream = this.tty ? 'stdout' : stream;
    if (this.background) this.#keep(where, data);
    const sends = [...this.#readers].map((reader) => reader({ stream: where, data }));
    if (!this.background) await Promise.all(sends);
    else for (const send of sends) send.catch(() => {});
  }

  /** Records the exit and tells the readers. */
  finish(exit: { exitCode: number; signal?: string }): void {
    this.exit ??= exit;
    for (const reader of this.#readers) reader({ exit: this.exit }).catch(() => {});
    this.stdin?.end();
  }

  /** Kills the process with `signal` (its exit is 128+N). */
  kill(signal: AgentSignal): void {
    if (this.exit) return;
    this.finish({ exitCode: 128 + SIGNAL_NUMBERS[signal], signal });
    this.killer.abort();
  }

  /** Adds a reader; for an attach, replays the kept output first. Returns a function that removes it. */
  subscribe(reader: (news: ProcessNews) => Promise<void>, replay: boolean): () => void {
    if (replay) for (const kept of this.#ring) reader(kept).catch(() => {});
    if (this.exit) reader({ exit: this.exit }).catch(() => {});
    else this.#readers.add(reader);
    return () => this.#readers.delete(reader);
  }

  #keep(stream: Stream, data: Uint8Array): void {
    this.#ring.push({ stream, data: Uint8Array.from(data) });
    this.#ringBytes[stream] += data.byteLength;
    while (this.#ringBytes[stream] > RING_BYTES) {
      const at = this.#ring.findIndex((item) => item.stream === stream);
      const [dropped] = this.#ring.splice(at, 1);
      this.#ringBytes[stream] -= dropped?.data.byteLength ?? 0;
      this.truncated = true;
    }
  }
}
