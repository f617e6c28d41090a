import type { HostSandbox } from '../core/host-adapter.js';

/** Output kept per process and stream for re-attaching (`Connect`): the newest bytes, 1 MiB. */
export const KEPT_OUTPUT_BYTES = 1024 * 1024;
/** Ended processes kept listed (re-attachable) per sandbox; the oldest ended go first. */
export const KEPT_ENDED = 64;
/** Bytes one reader may fall behind before its stream is ended (a reader that does not read). */
export const MAX_READER_LAG_BYTES = 4 * 1024 * 1024;

/** What a process was started as (E2B's `ProcessConfig`). */
export interface ProcessConfig {
  cmd: string;
  args: string[];
  envs: Record<string, string>;
  cwd?: string;
}

/** One event of a process: output, or its end. */
export type ProcessEvent =
  | { type: 'data'; stream: 'stdout' | 'stderr'; chunk: Uint8Array }
  | { type: 'end'; exitCode: number; exited: boolean; status: string; error?: string };

/** A process the door runs in a sandbox, with its kept output and readers. */
export class TableProcess {
  readonly pid: number;
  readonly config: ProcessConfig;
  readonly tag: string | undefined;
  readonly abort = new AbortController();
  #kept: Array<Extract<ProcessEvent, { type: 'data' }>> = [];
  #keptBytes = 0;
  #end: Extract<ProcessEvent, { type: 'end' }> | undefined;
  readonly #readers = new Set<Reader>();

  constructor(pid: number, config: ProcessConfig, tag?: string) {
    this.pid = pid;
    this.config = config;
    this.tag = tag;
  }

  /** True once the process ended. */
  get ended(): boolean {
    return this.#end !== undefined;
  }

  /** Passes output to every reader and keeps the newest `KEPT_OUTPUT_BYTES`. */
  output(stream: 'stdout' | 'stderr', chunk: Uint8Array): void {
    const event = { type: 'data' as const, stream, chunk: Uint8Array.from(chunk) };
    this.#kept.push(event);
    this.#keptBytes += chunk.length;
    while (this.#keptBytes > KEPT_OUTPUT_BYTES && this.#kept.length > 1) {
      this.#keptBytes -= this.#kept.shift()?.chunk.length ?? 0;
    }
    for (const reader of this.#readers) reader.push(event);
  }

  /** Records the end and ends every reader. */
  finish(end: Extract<ProcessEvent, { type: 'end' }>): void {
    if (this.#end) return;
    this.#end = end;
    for (const reader of this.#readers) reader.push(end);
  }

  /** The process's events: with `replay`, the kept output first; then live output; then its end. */
  events(signal: AbortSignal, replay: boolean): AsyncIterable<ProcessEvent> {
    const reader = new Reader();
    if (replay) for (const event of this.#kept) reader.push(event);
    if (this.#end) reader.push(this.#end);
    else this.#readers.add(reader);
    const readers = this.#readers;
    return {
      async *[Symbol.asyncIterator]() {
        try {
          while (true) {
            const event = await reader.next(signal);
            if (!event) return;
            yield event;
            if (event.type === 'end') return;
          }
        } finally {
          readers.delete(reader);
        }
      },
    };
  }
}

// One reader's queue: bounded in bytes; a reader that falls too far behind gets an end that says so.
class Reader {
  #queue: ProcessEvent[] = [];
  #bytes = 0;
  #wake: (() => void) | undefined;
  #lagged = false;

  push(event: ProcessEvent): void {
    if (this.#lagged) return;
    if (event.type === 'data') {
      this.#bytes += event.chunk.length;
      if (this.#bytes > MAX_READER_LAG_BYTES) {
        this.#lagged = true;
        this.#queue = [
          { type: 'end', exitCode: -1, exited: false, status: 'reader too slow', error: 'output not read' },
        ];
      } else this.#queue.push(event);
    } else this.#queue.push(event);
    this.#wake?.();
  }

  async next(signal: AbortSignal): Promise<ProcessEvent | undefined> {
    while (this.#queue.length === 0) {
      if (signal.aborted) return undefined;
      const wake = () => this.#wake?.();
      signal.addEventListener('abort', wake, { once: true });
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      signal.removeEventListener('abort', wake);
      this.#wake = undefined;
    }
    const event = this.#queue.shift();
    if (event?.type === 'data') this.#bytes -= event.chunk.length;
    return event;
  }
}

/**
 * The processes the door started in each sandbox that has no in-sandbox agent (its commands run through the
 * host's exec): numbered from 1000, found by pid or tag, ended ones kept listed up to `KEPT_ENDED`.
 */
export class ProcessTable {
  readonly #bySandbox = new Map<string, Map<number, TableProcess>>();
  #nextPid = 1000;

  /** A new process entry in `sandbox`. */
  add(sandbox: HostSandbox, config: ProcessConfig, tag?: string): TableProcess {
    let processes = this.#bySandbox.get(sandbox.id);
    if (!processes) {
      processes = new Map();
      this.#bySandbox.set(sandbox.id, processes);
    }
    const process = new TableProcess(this.#nextPid++, config, tag);
    processes.set(process.pid, process);
    const ended = [...processes.values()].filter((p) => p.ended);
    for (const old of ended.slice(0, Math.max(0, ended.length - KEPT_ENDED))) processes.delete(old.pid);
    return process;
  }

  /** The process of `sandbox` with this pid or tag. */
  find(sandboxId: string, selector: { pid?: number; tag?: string }): TableProcess | undefined {
    const processes = this.#bySandbox.get(sandboxId);
    if (!processes) return undefined;
    if (selector.pid !== undefined) return processes.get(selector.pid);
    return [...processes.values()].find((p) => p.tag === selector.tag && !p.ended);
  }

  /** The running processes of `sandbox`. */
  running(sandboxId: string): TableProcess[] {
    return [...(this.#bySandbox.get(sandboxId)?.values() ?? [])].filter((p) => !p.ended);
  }

  /** Forgets a sandbox's processes (it is gone), killing those still running. */
  drop(sandboxId: string): void {
    for (const process of this.#bySandbox.get(sandboxId)?.values() ?? []) process.abort.abort();
    this.#bySandbox.delete(sandboxId);
  }
}
