// The spool's file: its entry lines and acknowledgements, its per-process name, and the durable write it needs.
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** What a spooled entry carries: a provisioning result, a perf record or an alert, keyed by its row id. */
export type SpoolKind = 'provision' | 'perf' | 'alert';

/** One result the store could not take, in the order it was measured. */
export interface SpoolEntry {
  /** Position in the spool (1, 2, ...): flush order. */
  n: number;
  kind: SpoolKind;
  /** The row id the store is asked to keep it under: a replay of the same id is stored once. */
  id: string;
  /** Wall-clock milliseconds when it was spooled. */
  at: number;
  data: unknown;
}

/** The entries of a spool file not acknowledged, in order; a malformed (torn) line is skipped. */
export function parseSpool(text: string): SpoolEntry[] {
  const entries = new Map<number, SpoolEntry>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: Partial<SpoolEntry> & { ack?: unknown };
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof value.ack === 'number') entries.delete(value.ack);
    else if (isEntry(value)) entries.set(value.n, value);
  }
  return [...entries.values()].sort((a, b) => a.n - b.n);
}

/** Whether a parsed line is a spool entry (its position, kind, id and time well-formed). */
export function isEntry(value: Partial<SpoolEntry>): value is SpoolEntry {
  return (
    Number.isSafeInteger(value.n) &&
    (value.kind === 'provision' || value.kind === 'perf' || value.kind === 'alert') &&
    typeof value.id === 'string' &&
    Number.isFinite(value.at)
  );
}

/** This process's own spool file beside `path`: `results.<pid>.jsonl`. */
export function ownPath(path: string, pid: number): string {
  return join(dirname(path), `${basename(path, '.jsonl')}.${pid}.jsonl`);
}

/** The pid in a spool file's name of `path`'s family, if it is one. */
export function spoolPid(path: string, name: string): number | undefined {
  const prefix = `${basename(path, '.jsonl')}.`;
  if (!name.startsWith(prefix) || !name.endsWith('.jsonl')) return undefined;
  const digits = name.slice(prefix.length, -'.jsonl'.length);
  return /^\d{1,10}$/.test(digits) ? Number(digits) : undefined;
}

/** Whether a process of that pid exists (under any user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes the whole file and fsyncs it before resolving. */
export async function writeDurably(path: string, text: string): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** A catch handler answering `fallback` for a missing file (ENOENT) and rethrowing anything else. */
export function ifMissing<T>(fallback: T) {
  return (error: NodeJS.ErrnoException): T => {
    if (error.code === 'ENOENT') return fallback;
    throw error;
  };
}
