import { StringDecoder } from 'node:string_decoder';
import type { SandboxGoneEvent } from '../sandbox-adapter.js';
import { SBX_LABELS } from './container-config.js';

/** One line of the engine's event stream, as far as the watch reads it. */
export interface EngineEvent {
  /** Engine time, Unix seconds: what `since` is given in when a watch reconnects. */
  time: number;
  /** Unique enough to tell a replayed event from a new one. */
  key: string;
  gone: SandboxGoneEvent;
}

const REASONS: Record<string, SandboxGoneEvent['reason']> = { die: 'exited', destroy: 'removed', oom: 'oom' };

/** Reads a `die`, `destroy` or `oom` event of a container; undefined for any other line (or one not JSON). */
export function parseEngineEvent(line: string): EngineEvent | undefined {
  let raw: {
    Type?: unknown;
    Action?: unknown;
    status?: unknown;
    id?: unknown;
    time?: unknown;
    timeNano?: unknown;
    Actor?: { ID?: unknown; Attributes?: Record<string, unknown> };
  };
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object' || (raw.Type !== undefined && raw.Type !== 'container')) return;
  const action = String(raw.Action ?? raw.status ?? '');
  const reason = REASONS[action];
  const containerId = String(raw.Actor?.ID ?? raw.id ?? '');
  if (!reason || !containerId) return undefined;
  const attributes = raw.Actor?.Attributes ?? {};
  const label = attributes[SBX_LABELS.sandboxId] ?? attributes.name;
  const gone: SandboxGoneEvent = {
    sandboxId: typeof label === 'string' && label ? label : containerId,
    containerId,
    reason,
  };
  const exitCode = Number(attributes.exitCode);
  if (reason === 'exited' && attributes.exitCode !== undefined && Number.isInteger(exitCode)) {
    gone.exitCode = exitCode;
  }
  const time = typeof raw.time === 'number' ? raw.time : 0;
  return { time, key: `${String(raw.timeNano ?? time)}:${containerId}:${action}`, gone };
}

/** Splits a byte stream into lines (a line may span chunks, a character may span chunks). */
export class JsonLines {
  readonly #decoder = new StringDecoder('utf8');
  readonly #onLine: (line: string) => void;
  #partial = '';

  constructor(onLine: (line: string) => void) {
    this.#onLine = onLine;
  }

  /** Adds a chunk as it arrived. */
  push(chunk: Buffer | string): void {
    const lines = (this.#partial + (typeof chunk === 'string' ? chunk : this.#decoder.write(chunk))).split(
      '\n',
    );
    this.#partial = lines.pop() ?? '';
    // A line no event reaches: an engine that never ends one is not read into memory without bound.
    if (this.#partial.length > MAX_LINE_CHARS) this.#partial = '';
    for (const line of lines) if (line.trim()) this.#onLine(line);
  }
}

const MAX_LINE_CHARS = 1 << 20;
